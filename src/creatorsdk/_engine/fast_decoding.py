"""The compiled decoding path of the ``speedups`` extra: msgspec checks, Python finishes.

For a model (or a list of models) msgspec converts the parsed JSON into a Struct of the same
fields in compiled code: every string, integer, float and boolean checked, defaults filled,
and unknown members refused. Generated Python then does what msgspec does not: ids lowercased,
enum-like strings interned, timestamps parsed by the same rules as the converter (zone-less is
UTC), nested models and non-empty objects through the converter's hooks, and ``extra`` filled
from the Struct's slots for members this model does not know.

A listing page can skip the intermediate objects altogether: :meth:`FastDecoder.page` has
msgspec decode the body's bytes straight into the Structs of the model's current plan (the
envelope's other members as plain JSON values), once that plan exists. Whatever it cannot
take (an unknown member, a misfit, a body that is not JSON) is left to the usual parse and
decode, which learn, decode or raise as always.

msgspec refuses unknown members instead of keeping them, so each unknown name a response
brings is learned once (up to :data:`MAX_LEARNED` per model) as an extra slot of the Struct,
and the conversion is retried. Anything else msgspec refuses or this path does not handle
(a float where an integer goes, a missing required field, a class it cannot build) goes to
the converter, the decoder of record, which returns the value or raises the error it always
did: both paths give equal models and equal errors.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import sys
import threading
import typing
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import attrs

from creatorsdk._engine.structuring import (
    ENUM_LIKE,
    NO_EXTRA,
    FunctionSource,
    Id,
    buildable,
    cached_date_miss,
    cached_datetime_miss,
    date_cache,
    datetime_cache,
    extra_mapping,
    field_types,
    one_extra,
    optional_inner,
    twin,
)

__all__ = ["MAX_LEARNED", "Decoded", "FastDecoder"]

#: Unknown member names learned per model before it stops trying (a hostile server could
#: send a new name with every response).
MAX_LEARNED = 32

Hook = Callable[[Any, Any], Any]
_Structure = Callable[[Any, Any], Any]


class FastDecoder:
    """``structure(data, cls)`` through msgspec where it can, else through ``fallback``.

    ``hook_for(type)`` is the converter's hook for a nested type; ``fallback(data, cls)`` is the
    converter's ``structure``.
    """

    def __init__(self, msgspec: ModuleType, hook_for: Callable[[Any], Hook], fallback: _Structure):
        self._msgspec = msgspec
        self._hook_for = hook_for
        self._fallback = fallback
        self._plans: dict[Any, _Plan | None] = {}
        self._lock = threading.Lock()

    def structure(self, data: Any, cls: Any) -> Any:
        """``cls`` from ``data``: the compiled path, or the converter when that cannot."""
        plans = self._plans
        try:
            plan = plans[cls] if cls in plans else self._plan_for(cls)
        except TypeError:  # an unhashable type form: nothing to cache it under
            plan = None
        if plan is None:
            return self._fallback(data, cls)
        try:
            return plan.decode(data)
        except Exception:
            # The converter decides: an equal value, or the error it always raises.
            return self._fallback(data, cls)

    def page(self, body: bytes, cls: Any, members: tuple[str, ...]) -> dict[str, Any] | None:
        """A listing page's envelope from its bytes, its ``data`` already decoded as ``cls``
        (a ``list[Model]``) into a :class:`Decoded`, beside the ``members`` it carries.

        ``None`` when this path cannot: no plan for ``cls`` yet (the usual path makes one on
        the first page), or a body it does not take whole.
        """
        plan = self._plans.get(cls)
        if plan is None or not plan.many:
            return None
        compiled = plan.current
        if compiled is None:
            return None
        try:
            page = compiled.page_decoder(members).decode(body)
            build = compiled.build
            items = [build(s) for s in page.data]
        except Exception:  # the usual path decides: the same value or the same error
            return None
        envelope: dict[str, Any] = {"data": Decoded(cls, items)}
        unset = self._msgspec.UNSET
        for name in members:
            value = getattr(page, name)
            if value is not unset:
                envelope[name] = value
        return envelope

    def _plan_for(self, cls: Any) -> _Plan | None:
        with self._lock:
            if cls not in self._plans:
                try:
                    plan = self._new_plan(cls)
                except Exception:  # a shape msgspec cannot express: the converter's alone
                    plan = None
                self._plans[cls] = plan
            return self._plans[cls]

    def _new_plan(self, cls: Any) -> _Plan | None:
        many = typing.get_origin(cls) is list
        model = typing.get_args(cls)[0] if many else cls
        if many and len(typing.get_args(cls)) != 1:
            return None
        if not (isinstance(model, type) and attrs.has(model) and buildable(model)):
            return None
        if "extra" not in attrs.fields_dict(model):
            return None
        hints = field_types(model)
        if hints is None:
            return None
        return _Plan(self._msgspec, model, hints, self._hook_for, many=many)


class _Plan:
    """How one model (or list of it) is decoded; relearned when a new unknown name turns up."""

    def __init__(
        self,
        msgspec: ModuleType,
        model: type,
        hints: dict[str, Any],
        hook_for: Callable[[Any], Hook],
        *,
        many: bool,
    ) -> None:
        self._msgspec = msgspec
        self._model = model
        self._hints = hints
        self._hook_for = hook_for
        self.many = many
        self._fields = [f for f in attrs.fields(model) if f.name != "extra"]
        self._known = frozenset(f.name for f in self._fields)
        self._lock = threading.Lock()
        self._current: _Compiled | None = None  # compiled for the first data it sees

    @property
    def current(self) -> _Compiled | None:
        """The latest compilation, ``None`` before the first data."""
        return self._current

    def decode(self, data: Any) -> Any:
        compiled = self._current or self._start(data)
        try:
            return compiled(data)
        except self._msgspec.ValidationError:
            if not self._learn(data, compiled):
                raise
        relearned = self._current or compiled
        return relearned(data)

    def _start(self, data: Any) -> _Compiled:
        """The first compilation, knowing the unknown names the first data carries."""
        names = self._unknown_names(data, ()) or ()
        with self._lock:
            if self._current is None:
                self._current = self._compile(names[:MAX_LEARNED])
            return self._current

    def _learn(self, data: Any, failed: _Compiled) -> bool:
        """Add the unknown names ``data`` carries; False when there are none (or too many)."""
        new = self._unknown_names(data, failed.learned)
        if not new:
            return False
        with self._lock:
            current = self._current or failed
            learned = tuple(dict.fromkeys((*current.learned, *new)))
            if len(learned) > MAX_LEARNED:
                return False
            if learned != current.learned:
                self._current = self._compile(learned)
        return True

    def _unknown_names(self, data: Any, seen: tuple[str, ...]) -> tuple[str, ...] | None:
        """Member names of ``data``'s objects this model does not know, in order (``None``
        when a name is not a string: msgspec could not be told about it)."""
        items = data if self.many and isinstance(data, list) else [data]
        new: dict[Any, None] = {}
        for item in items:
            if isinstance(item, dict):
                new.update(dict.fromkeys(k for k in item if k not in self._known))
        for name in seen:
            new.pop(name, None)
        if not all(isinstance(name, str) for name in new):
            return None
        return tuple(new)

    def _compile(self, learned: tuple[str, ...]) -> _Compiled:
        msgspec = self._msgspec
        unset = msgspec.UNSET
        spec: list[tuple[Any, ...]] = []
        src = FunctionSource()
        src.names.update(
            {
                "_new": object.__new__,
                "_twin": twin(self._model),
                "_cls": self._model,
                "_UNSET": unset,
                "_no_extra": NO_EXTRA,
            }
        )
        # Each value read off the Struct's slot as it is stored (no tuple of them all: one
        # allocation fewer per object for the collector to count).
        src.add("obj = _new(_twin)")
        var = "v"
        for field in self._fields:
            src.add(f"{var} = s.{field.name}")
            kind, wire_type = _wire(self._hints[field.name], field.name)
            default = field.default
            optional = optional_inner(self._hints[field.name]) is not None
            if default is attrs.NOTHING:
                spec.append((field.name, wire_type))
            elif (kind in _DONE_BY_MSGSPEC and _immutable(default)) or (
                default is None and (optional or kind == "any")
            ):
                spec.append((field.name, wire_type, default))
            else:
                # The model's own default object (or factory), applied here and never finished:
                # attrs would store it as it is.
                spec.append((field.name, wire_type, unset))
                src.add(f"if {var} is _UNSET:")
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    src.add(f"{var} = {src.bind(default.factory)}()", 2)
                else:
                    src.add(f"{var} = {src.bind(default)}", 2)
                src.add("else:")
                start = len(src.lines)
                _finish(src, var, field.name, self._hints[field.name], kind, self._hook_for)
                src.add("pass")
                src.indent_from(start)
                src.add(f"obj.{field.name} = {var}")
                continue
            _finish(src, var, field.name, self._hints[field.name], kind, self._hook_for)
            src.add(f"obj.{field.name} = {var}")
        # One slot per learned unknown name, filled from the member of that name.
        rename = {f"_unknown{index}": name for index, name in enumerate(learned)}
        spec += [(slot, Any, unset) for slot in rename]
        values = [f"s.{slot}" for slot in rename]
        if len(values) == 1:
            src.names["_extra_of"] = one_extra(learned[0])
            src.add(f"obj.extra = _no_extra if {values[0]} is _UNSET else _extra_of({values[0]})")
        elif values:
            absent = " and ".join(f"{value} is _UNSET" for value in values)
            src.names["_extra_of"] = _learned_extra(learned, unset)
            src.add(f"obj.extra = _no_extra if {absent} else _extra_of(({', '.join(values)},))")
        else:
            src.add("obj.extra = _no_extra")
        src.add("obj.__class__ = _cls")
        src.add("return obj")
        struct = msgspec.defstruct(
            f"{self._model.__name__}Wire",
            spec,
            kw_only=True,
            forbid_unknown_fields=True,
            gc=False,  # short-lived and acyclic: not worth the collector's time
            rename=rename or None,
        )
        model = self._model
        filename = f"<creatorsdk fast {model.__module__}.{model.__qualname__}>"
        build = src.compile(f"build_{model.__name__}", "s", filename)
        if self.many:
            target: Any = list[struct]  # type: ignore[valid-type]

            def convert(data: Any) -> Any:
                return [build(s) for s in msgspec.convert(data, target)]
        else:

            def convert(data: Any) -> Any:
                return build(msgspec.convert(data, struct))

        return _Compiled(msgspec, convert, learned, struct, build)


class _Compiled:
    """One compilation of a plan: its Struct, the function finishing one, and page decoders."""

    def __init__(
        self,
        msgspec: ModuleType,
        decode: Callable[[Any], Any],
        learned: tuple[str, ...],
        struct: type,
        build: Callable[[Any], Any],
    ) -> None:
        self._msgspec = msgspec
        self.decode = decode
        self.learned = learned
        self.struct = struct
        self.build = build
        self._pages: dict[tuple[str, ...], Any] = {}

    def __call__(self, data: Any) -> Any:
        return self.decode(data)

    def page_decoder(self, members: tuple[str, ...]) -> Any:
        """A msgspec JSON decoder of ``{"data": [Struct...], member: any...}``; other members
        of the envelope are skipped (still checked as JSON)."""
        decoder = self._pages.get(members)
        if decoder is None:
            msgspec = self._msgspec
            envelope = msgspec.defstruct(
                f"{self.struct.__name__}Page",
                [("data", list[self.struct]), *((name, Any, msgspec.UNSET) for name in members)],  # type: ignore[name-defined]
                gc=False,
            )
            decoder = self._pages.setdefault(members, msgspec.json.Decoder(envelope))
        return decoder


@attrs.frozen
class Decoded:
    """Values already decoded from a body's bytes, as ``cls``: ``decode`` hands them back."""

    cls: Any
    value: Any


#: Kinds msgspec checks completely (nothing left for Python to do).
_DONE_BY_MSGSPEC = frozenset({"str", "int", "float", "bool", "any"})


def _immutable(value: Any) -> bool:
    return value is None or value.__class__ in (str, int, float, bool)


def _wire(tp: Any, name: str) -> tuple[str, Any]:
    """The kind of a field and the type msgspec checks it as."""
    inner = optional_inner(tp)
    base = tp if inner is None else inner
    optional = inner is not None
    kind: str
    wire: Any
    if base is Id:
        kind, wire = "id", str
    elif base is str:
        kind, wire = ("enum" if name in ENUM_LIKE else "str"), str
    elif base in (int, float, bool):
        kind, wire = base.__name__, base
    elif base is dt.datetime:
        kind, wire = "datetime", str  # parsed by the converter's rules, not msgspec's
    elif base is dt.date:
        kind, wire = "date", str
    elif base is Any:
        return "any", Any
    elif typing.get_origin(base) in (collections.abc.Mapping, dict):
        return "mapping", Any
    else:
        return "hook", Any
    return kind, (wire | None) if optional else wire


def _finish(
    src: FunctionSource, var: str, name: str, tp: Any, kind: str, hook_for: Callable[[Any], Hook]
) -> None:
    """Lines that finish ``var`` (already checked by msgspec) as the converter would."""
    inner = optional_inner(tp)
    base = tp if inner is None else inner
    guard = f"if {var} is not None: " if inner is not None else ""
    if kind == "id":
        src.add(f"{guard}{var} = {var}.lower()")
    elif kind == "enum":
        src.add(f"{guard}{var} = {src.bind(sys.intern)}({var})")
    elif kind in ("datetime", "date"):
        cache, miss = (
            (datetime_cache, cached_datetime_miss)
            if kind == "datetime"
            else (date_cache, cached_date_miss)
        )
        hit, parse = src.bind(cache.get), src.bind(miss)
        src.add(f"{guard}{var} = {hit}({var}) or {parse}({var})")
    elif kind == "mapping":
        # As the converter: an empty object kept as parsed, any other through its hook.
        hook, kind_name = src.bind(hook_for(base)), src.bind(base)
        test = f"{var}.__class__ is not dict or {var}"
        if inner is not None:
            test = f"{var} is not None and ({test})"
        src.add(f"if {test}: {var} = {hook}({var}, {kind_name})")
    elif kind == "hook":
        hook, kind_name = src.bind(hook_for(base)), src.bind(base)
        src.add(f"{guard}{var} = {hook}({var}, {kind_name})")


def _learned_extra(names: tuple[str, ...], unset: Any) -> Callable[[tuple[Any, ...]], Any]:
    def extra_of(values: tuple[Any, ...]) -> Mapping[str, Any]:
        return extra_mapping({n: v for n, v in zip(names, values, strict=True) if v is not unset})

    return extra_of
