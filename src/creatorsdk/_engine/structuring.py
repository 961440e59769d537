"""One structuring function per model class, generated once, for the cattrs converter.

cattrs' own generated function calls one Python hook per field and then builds the instance
through the frozen class's ``__init__``, which sets every slot through ``object.__setattr__``:
about 12 µs for a 36-field ``Video``, three times the JSON parse. The function generated here
makes the same checks inline (strings, ints, floats and booleans by exact type, ids lowercased,
enum-like strings interned, timestamps parsed once per distinct string), calls the converter's
hook only for nested types (resolved once, when the function is built), and fills the slots
of an unfrozen twin of the class before switching the instance to the real, frozen class. The
result is an ordinary instance of the model, equal to what ``cls(**fields)`` builds.

A class with anything ``__init__`` would do beyond storing values (validators, converters,
``__attrs_post_init__``, private or aliased names, ``init=False`` fields) is not built this
way: :func:`structure_function` returns ``None`` for it and the converter keeps cattrs' own.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import itertools
import operator
import sys
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType, NoneType, UnionType
from typing import Any, NewType

import attrs

__all__ = [
    "ENUM_LIKE",
    "NO_EXTRA",
    "FunctionSource",
    "Id",
    "buildable",
    "cached_date",
    "cached_date_miss",
    "cached_datetime",
    "cached_datetime_miss",
    "date_cache",
    "datetime_cache",
    "extra_mapping",
    "field_types",
    "one_extra",
    "optional_inner",
    "structure_any",
    "structure_bool",
    "structure_date",
    "structure_datetime",
    "structure_float",
    "structure_function",
    "structure_id",
    "structure_int",
    "structure_str",
    "twin",
]

#: A resource id: a plain ``str``, always lowercase however the server spelled it.
Id = NewType("Id", str)

#: The ``extra`` of every instance the server sent nothing unknown for: one shared mapping.
NO_EXTRA: Mapping[str, Any] = MappingProxyType({})

#: Field names whose values come from a small set (``platform``, ``status``, ...): each value
#: is interned, so a million kept videos share one ``"tiktok"`` instead of holding a million.
ENUM_LIKE = frozenset(
    {
        "category",
        "code",
        "granularity",
        "item_type",
        "job_type",
        "media_type",
        "metric",
        "mode",
        "period",
        "platform",
        "status",
        "tracking_mode",
        "tracking_status",
        "type",
    }
)

#: Distinct timestamp strings remembered (a page repeats them: scrape times, creation days).
_CACHE_LIMIT = 4096
_MISSING: Any = object()

Hook = Callable[[Any, Any], Any]


# -- scalar checks shared by every path ---------------------------------------------------------


def structure_str(value: Any, _: Any = str) -> str:
    """``value`` if it is a string, else ``TypeError``."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def structure_id(value: Any, _: Any = Id) -> str:
    """A string id, lowercased."""
    return structure_str(value).lower()


def structure_int(value: Any, _: Any = int) -> int:
    """An integer; a float with an integral value is accepted as one, a boolean is not."""
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def structure_float(value: Any, _: Any = float) -> float:
    """A number as a float (an integer is accepted), a boolean is not."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def structure_bool(value: Any, _: Any = bool) -> bool:
    """``True`` or ``False``, nothing else."""
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def structure_datetime(value: Any, _: Any = dt.datetime) -> dt.datetime:
    """An ISO 8601 timestamp, timezone-aware; a zone-less one is UTC."""
    parsed = dt.datetime.fromisoformat(structure_str(value))
    # The API speaks UTC; a zone-less timestamp is UTC, never local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def structure_date(value: Any, _: Any = dt.date) -> dt.date:
    """An ISO 8601 date; a timestamp gives its date."""
    text = structure_str(value)
    return dt.date.fromisoformat(text[:10]) if "T" in text else dt.date.fromisoformat(text)


def structure_any(value: Any, _: Any = Any) -> Any:
    """The value as the server sent it."""
    return value


datetime_cache: dict[str, dt.datetime] = {}
date_cache: dict[str, dt.date] = {}


def _remembered(cache: dict[str, Any], parse: Hook) -> Callable[..., Any]:
    def parse_and_remember(value: Any, _: Any = None) -> Any:
        parsed = parse(value, None)
        if value.__class__ is str:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()  # bounded: a hostile or endless stream never grows it
            cache[value] = parsed
        return parsed

    return parse_and_remember


#: Parse a timestamp (or date), sharing one object per distinct string: immutable values, so
#: sharing is invisible except in memory and time.
cached_datetime_miss = _remembered(datetime_cache, structure_datetime)
cached_date_miss = _remembered(date_cache, structure_date)


def cached_datetime(value: Any, _: Any = dt.datetime) -> dt.datetime:
    """:func:`structure_datetime`, one object per distinct string."""
    hit = datetime_cache.get(value) if value.__class__ is str else None
    return hit if hit is not None else cached_datetime_miss(value)


def cached_date(value: Any, _: Any = dt.date) -> dt.date:
    """:func:`structure_date`, one object per distinct string."""
    hit = date_cache.get(value) if value.__class__ is str else None
    return hit if hit is not None else cached_date_miss(value)


def field_types(cls: type) -> dict[str, Any] | None:
    """Each attrs field's type, string annotations resolved (once per class: attrs keeps
    them); ``None`` when they cannot be (a class defined in a function, say)."""
    try:
        return {f.name: f.type for f in attrs.fields(attrs.resolve_types(cls))}
    except Exception:
        return None


def optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None`` (or ``Optional[X]``), else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, UnionType):
        return None
    args = typing.get_args(tp)
    if len(args) != 2 or NoneType not in args:
        return None
    return args[0] if args[1] is NoneType else args[1]


# -- unknown fields -------------------------------------------------------------------------------

_SHARED_EXTRAS: dict[tuple[str, type, Any], Mapping[str, Any]] = {}
_SHAREABLE = frozenset({str, int, bool, NoneType})


def extra_mapping(found: dict[str, Any]) -> Mapping[str, Any]:
    """``found`` as a read-only mapping; one shared mapping per single scalar unknown field.

    A server that adds a field usually sends it on every object with few values (a version,
    a flag), so a million kept objects share a handful of mappings instead of holding one each.
    """
    if not found:
        return NO_EXTRA
    if len(found) == 1:
        ((name, value),) = found.items()
        kind = value.__class__
        if kind in _SHAREABLE and (kind is not str or len(value) <= 64):
            key = (name, kind, value)  # the kind keeps True apart from 1
            shared = _SHARED_EXTRAS.get(key)
            if shared is None:
                if len(_SHARED_EXTRAS) >= _CACHE_LIMIT:
                    _SHARED_EXTRAS.clear()
                shared = _SHARED_EXTRAS[key] = MappingProxyType(found)
            return shared
    return MappingProxyType(found)


def one_extra(name: str) -> Callable[[Any], Mapping[str, Any]]:
    """``value -> {name: value}`` as :func:`extra_mapping` gives it, shared ones looked up first."""
    shared_get = _SHARED_EXTRAS.get
    shareable = _SHAREABLE

    def extra_of(value: Any) -> Mapping[str, Any]:
        kind = value.__class__
        if kind in shareable:
            shared = shared_get((name, kind, value))
            if shared is not None:
                return shared
        return extra_mapping({name: value})

    return extra_of


def _extra_finder(known: frozenset[str]) -> Callable[..., Mapping[str, Any]]:
    """``extra_of(data, unknown=None)``: the unknown members of ``data`` as a mapping.

    ``unknown`` is how many there are when the caller knows every known field was present.
    Objects of one listing carry the same unknown names, so the names found last are tried
    first: checking one or two names instead of filtering every member.
    """
    last: list[tuple[tuple[str, ...], Callable[[Any], Mapping[str, Any]] | None]] = [((), None)]

    def extra_of(data: Mapping[str, Any], unknown: int | None = None) -> Mapping[str, Any]:
        names, single = last[0]
        if unknown is not None and unknown == len(names):
            if single is not None:
                value = data.get(names[0], _MISSING)
                if value is not _MISSING:
                    return single(value)
            elif all(n in data for n in names):
                return extra_mapping({n: data[n] for n in names})
        found = {k: v for k, v in data.items() if k not in known}
        if found:
            names = tuple(found)
            last[0] = (names, one_extra(names[0]) if len(names) == 1 else None)
        return extra_mapping(found)

    return extra_of


# -- code generation ------------------------------------------------------------------------------


def buildable(cls: type) -> bool:
    """Whether storing each value in its slot is all ``cls(**values)`` would do."""
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__attrs_post_init__"):
        return False
    if hasattr(cls, "__attrs_pre_init__"):
        return False
    slots = {name for base in cls.__mro__ for name in base.__dict__.get("__slots__", ())}
    # Every slot a field (no hidden hash cache, no slot of a plain base left unset).
    if slots - {"__weakref__"} != {f.name for f in attrs.fields(cls)}:
        return False
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None or not field.init:
            return False
        if field.alias != field.name or field.name.startswith("_"):
            return False
        if isinstance(field.default, attrs.Factory) and field.default.takes_self:  # type: ignore[arg-type]
            return False
    return True


def twin(cls: type) -> type:
    """A subclass with the same slots whose attributes can be set while the instance is built.

    Both ``__setattr__`` and ``__delattr__`` are object's own, so CPython sets slots directly
    (and specialises the stores); ``__class__`` is then switched to ``cls``, whose layout is
    the same.
    """
    namespace = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}._Building",
    }
    return type(f"{cls.__name__}_Building", (cls,), namespace)


class FunctionSource:
    """The lines of one generated function and the values it uses.

    The values become positional defaults of the function, so each use is a local load (the
    cheapest), and a call copies them from a tuple (keyword-only defaults would each cost a
    dict lookup per call).
    """

    def __init__(self, names: Mapping[str, Any] | None = None) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = dict(names or {})
        self._bound: dict[int, str] = {}
        self._counter = itertools.count()

    def bind(self, value: Any) -> str:
        """A name for ``value`` in the generated code (one per distinct object)."""
        key = id(value)
        if key not in self._bound:
            self._bound[key] = name = f"_c{next(self._counter)}"
            self.names[name] = value
        return self._bound[key]

    def add(self, line: str, indent: int = 1) -> None:
        """One line of the body, indented ``indent`` levels."""
        self.lines.append("    " * indent + line)

    def indent_from(self, start: int) -> None:
        """Indent the lines from index ``start`` one more level."""
        self.lines[start:] = ["    " + line for line in self.lines[start:]]

    def compile(self, name: str, params: str, filename: str) -> Callable[..., Any]:
        """The function ``name(params)`` with this body."""
        defaults = "".join(f", {key}={key}" for key in self.names)
        text = f"def {name}({params}{defaults}):\n" + "\n".join(self.lines)
        namespace = dict(self.names)
        exec(compile(text, filename, "exec"), namespace)
        function: Callable[..., Any] = namespace[name]
        return function


def _check(
    src: FunctionSource, var: str, name: str, tp: Any, hook_for: Callable[[Any], Hook]
) -> None:
    """Lines that check/convert ``var`` (present in the body) for a field of type ``tp``."""
    inner = optional_inner(tp)
    base = tp if inner is None else inner
    indent = 1
    if inner is not None:
        src.add(f"if {var} is not None:")
        indent = 2
    if base is Id:
        src.add(f"if {var}.__class__ is not str: {var} = {src.bind(structure_str)}({var})", indent)
        src.add(f"{var} = {var}.lower()", indent)
    elif base is str and name in ENUM_LIKE:
        src.add(f"if {var}.__class__ is str: {var} = {src.bind(sys.intern)}({var})", indent)
        src.add(f"else: {var} = {src.bind(structure_str)}({var})", indent)
    elif base is str:
        src.add(f"if {var}.__class__ is not str: {var} = {src.bind(structure_str)}({var})", indent)
    elif base is int:
        src.add(f"if {var}.__class__ is not int: {var} = {src.bind(structure_int)}({var})", indent)
    elif base is float:
        fn = src.bind(structure_float)
        src.add(f"if {var}.__class__ is not float: {var} = {fn}({var})", indent)
    elif base is bool:
        fn = src.bind(structure_bool)
        src.add(f"if {var} is not True and {var} is not False: {var} = {fn}({var})", indent)
    elif base in (dt.datetime, dt.date):
        cache: dict[str, Any] = datetime_cache if base is dt.datetime else date_cache
        miss = cached_datetime_miss if base is dt.datetime else cached_date_miss
        # Datetimes and dates are never false: ``or`` falls through only on a cache miss.
        hit, parse = src.bind(cache.get), src.bind(miss)
        found = f"({hit}({var}) if {var}.__class__ is str else None)"
        src.add(f"{var} = {found} or {parse}({var})", indent)
    elif base is Any:
        pass
    elif typing.get_origin(base) in (collections.abc.Mapping, dict):
        # A JSON object stays a dict, as cattrs builds it (callers serialize and change it);
        # an empty one is kept as parsed: nothing to check, and one allocation fewer per
        # object for the garbage collector to count.
        hook, kind = src.bind(hook_for(base)), src.bind(base)
        src.add(f"if {var}.__class__ is not dict or {var}: {var} = {hook}({var}, {kind})", indent)
    else:
        # Nested models, tuples, ...: the converter's own hook, looked up once.
        hook, kind = src.bind(hook_for(base)), src.bind(base)
        src.add(f"{var} = {hook}({var}, {kind})", indent)


def structure_function(cls: type, hook_for: Callable[[Any], Hook]) -> Hook | None:
    """The structuring function of attrs class ``cls`` (``(data, type) -> instance``).

    ``hook_for(type)`` gives the converter's hook for a nested type. ``None`` when ``cls``
    cannot be built by storing slots (see the module docstring).
    """
    if not buildable(cls):
        return None
    hints = field_types(cls)
    if hints is None:
        return None
    fields = [f for f in attrs.fields(cls) if f.name != "extra"]
    names = [f.name for f in fields]
    known = frozenset(names)
    count = len(fields)

    shared = {
        "_Mapping": Mapping,
        "_new": object.__new__,
        "_twin": twin(cls),
        "_cls": cls,
        "_extra_of": _extra_finder(known),
        "_no_extra": NO_EXTRA,
        "_known_covers": known.issuperset,
        "_MISSING": _MISSING,
    }
    filename = f"<creatorsdk structure {cls.__module__}.{cls.__qualname__}>"
    name = f"structure_{cls.__name__}"
    head = [
        "    if data.__class__ is not dict and not isinstance(data, _Mapping):",
        "        raise TypeError(f'expected an object, got {type(data).__name__}')",
    ]

    # The sparse variant: any field may be missing.
    src = FunctionSource(shared)
    src.lines = [*head]
    src.add("get = data.get")
    src.add("obj = _new(_twin)")
    for field in fields:
        tp, default = hints[field.name], field.default
        if default is attrs.NOTHING:
            src.add(f"v = get({field.name!r}, _MISSING)")
            src.add(f"if v is _MISSING: raise KeyError({field.name!r})")
        elif default is None and (optional_inner(tp) is not None or tp is Any):
            src.add(f"v = get({field.name!r})")  # missing reads as None, the default
        else:
            src.add(f"v = get({field.name!r}, _MISSING)")
            src.add("if v is _MISSING:")
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                src.add(f"obj.{field.name} = {src.bind(default.factory)}()", 2)
            else:
                src.add(f"obj.{field.name} = {src.bind(default)}", 2)
            src.add("else:")
            start = len(src.lines)
            _check(src, "v", field.name, tp, hook_for)
            src.add(f"obj.{field.name} = v")
            src.indent_from(start)
            continue
        _check(src, "v", field.name, tp, hook_for)
        src.add(f"obj.{field.name} = v")
    src.add("obj.extra = _no_extra if _known_covers(data) else _extra_of(data)")
    src.add("obj.__class__ = _cls")
    src.add("return obj")
    sparse = src.compile(name, "data, _=None", filename + " (sparse)")
    if count < 2:
        return sparse

    # The full variant: every field present (the common case), read in one C call.
    src = FunctionSource({**shared, "_sparse": sparse, "_read_all": operator.itemgetter(*names)})
    src.lines = [*head]
    variables = [f"v{i}" for i in range(count)]
    src.add(f"if len(data) < {count}: return _sparse(data)")
    src.add("try:")
    src.add(f"({', '.join(variables)},) = _read_all(data)", 2)
    src.add("except KeyError:")
    src.add("return _sparse(data)", 2)
    src.add("obj = _new(_twin)")
    for var, field in zip(variables, fields, strict=True):
        _check(src, var, field.name, hints[field.name], hook_for)
        src.add(f"obj.{field.name} = {var}")
    src.add(f"unknown = len(data) - {count}")
    src.add("obj.extra = _extra_of(data, unknown) if unknown else _no_extra")
    src.add("obj.__class__ = _cls")
    src.add("return obj")
    full: Hook = src.compile(name, "data, _=None", filename)
    return full
