"""JSON → attrs models, through one cattrs converter built at import.

Models are frozen, slotted attrs classes deriving from :class:`Model`. Unknown fields are kept
in ``model.extra`` (the API may add fields within a version), enum-like fields are plain
``str`` so a new value never breaks decoding, and a body that does not fit raises
:class:`~creatorsdk.errors.DecodeError` naming the field.

The converter's hook for each model is generated once per class (``structuring.py``); the
field a misfit breaks at is found by rerunning cattrs' stock, detailed structuring, which is
also the reference the tests hold every faster path to. With the ``speedups`` extra installed
``decode`` first tries the compiled path (``fast_decoding.py``) and falls back to the
converter for whatever that path cannot take, and :func:`page_parser` reads listing pages
straight from their bytes.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType
from typing import Any, Self, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from creatorsdk._engine import serialising, speedups
from creatorsdk._engine.fast_decoding import Decoded, FastDecoder
from creatorsdk._engine.parsing import parse_json
from creatorsdk._engine.structuring import (
    NO_EXTRA,
    Id,
    cached_date,
    cached_datetime,
    optional_inner,
    structure_any,
    structure_bool,
    structure_date,
    structure_datetime,
    structure_float,
    structure_function,
    structure_id,
    structure_int,
    structure_str,
)
from creatorsdk.errors import DecodeError

__all__ = [
    "Id",
    "Model",
    "converter",
    "decode",
    "page_parser",
    "reference_converter",
    "use_msgspec",
]

T = TypeVar("T")


@attrs.frozen
class Model:
    """Base of every response model: ``extra`` holds the fields this SDK does not know yet."""

    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, kw_only=True, eq=False, repr=False)

    def to_dict(self, *, extra: bool = True) -> dict[str, Any]:
        """This model as a JSON-safe dict (ISO 8601 dates, lists, string keys); ``extra=True``
        puts the fields this SDK does not know back beside the others."""
        return serialising.to_dict(self, extra=extra)

    def to_json(self, *, extra: bool = True, indent: int | str | None = None) -> str:
        """This model as JSON text (see :meth:`to_dict`)."""
        return serialising.to_json(self, extra=extra, indent=indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The model :meth:`to_dict` (or the server) gave ``data`` for; a misfit raises
        :class:`~creatorsdk.errors.DecodeError` naming the field."""
        return decode(data, cls)

    def __reduce__(self) -> tuple[Any, ...]:
        # attrs' generated __getstate__ would hand pickle the read-only ``extra`` it refuses.
        return serialising.reduce(self)


def _optional_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
    # cattrs' generic Optional handler looks the inner hook up again on every value; most of
    # a model's fields are ``X | None``, so resolving it once per type halves decoding time.
    def factory(tp: Any) -> Callable[[Any, type], Any]:
        inner = optional_inner(tp)
        hook = conv.get_structure_hook(inner)

        def structure(value: Any, _: type) -> Any:
            return None if value is None else hook(value, inner)

        return structure

    return factory


def _int_keyed(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    return origin in (Mapping, dict) and len(args) == 2 and args[0] is int


def _int_keyed_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
    # JSON object keys are strings, so an int-keyed mapping (``Deltas`` rows, windows in days)
    # comes back from ``to_dict``/JSON with its keys spelled in decimal.
    def factory(tp: Any) -> Callable[[Any, type], dict[int, Any]]:
        value_type = typing.get_args(tp)[1]
        hook = conv.get_structure_hook(value_type)

        def structure(data: Any, _: type) -> dict[int, Any]:
            if not isinstance(data, Mapping):
                raise TypeError(f"expected an object, got {type(data).__name__}")
            return {_int_key(k): hook(v, value_type) for k, v in data.items()}

        return structure

    return factory


def _int_key(key: Any) -> int:
    if isinstance(key, str) and key.lstrip("-").isdecimal() and key.isascii():
        return int(key)
    return structure_int(key)


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model) and attrs.has(cls)


def _stock_model_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """cattrs' own generated function per model, plus ``extra``: the reference behaviour."""

    def factory(cls: type[Model]) -> Callable[[Any, type], Model]:
        fields = attrs.fields(cls)
        known = frozenset(f.name for f in fields if f.name != "extra")
        base = make_dict_structure_fn(cls, conv, extra=override(omit=True))

        def structure(data: Any, _: type) -> Model:
            if not isinstance(data, Mapping):
                raise TypeError(f"expected an object, got {type(data).__name__}")
            obj = base(data, cls)
            if len(data) > len(known) or not known.issuperset(data):
                extra = {k: v for k, v in data.items() if k not in known}
                if extra:
                    # Frozen on purpose for users; set once here, before anyone sees it.
                    object.__setattr__(obj, "extra", MappingProxyType(extra))
            return obj

        return structure

    return factory


def _tuned_model_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
    stock = _stock_model_hook_factory(conv)

    def factory(cls: type[Model]) -> Callable[[Any, type], Model]:
        return structure_function(cls, conv.get_structure_hook) or stock(cls)

    return factory


def _build(*, detailed: bool, tuned: bool) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=detailed)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(Id, structure_id)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(dt.datetime, cached_datetime if tuned else structure_datetime)
    conv.register_structure_hook(dt.date, cached_date if tuned else structure_date)
    conv.register_structure_hook(Any, structure_any)
    models = _tuned_model_hook_factory if tuned else _stock_model_hook_factory
    conv.register_structure_hook_factory(_is_model, models(conv))
    conv.register_structure_hook_factory(
        lambda tp: optional_inner(tp) is not None, _optional_hook_factory(conv)
    )
    conv.register_structure_hook_factory(_int_keyed, _int_keyed_hook_factory(conv))
    return conv


#: The converter every response goes through.
converter = _build(detailed=False, tuned=True)
#: Built lazily: cattrs' stock structuring, the reference every faster path must agree with.
_reference: cattrs.Converter | None = None
#: Built lazily only to explain a failure: detailed validation names the field.
_explainer: cattrs.Converter | None = None


#: The msgspec path's ``structure`` while the speedups extra is in use, else ``None``.
_fast: Callable[[Any, Any], Any] | None = None
#: The msgspec path's page decoder (``FastDecoder.page``) while the extra is in use.
_fast_pages: Callable[[bytes, Any, tuple[str, ...]], dict[str, Any] | None] | None = None
#: Built once per msgspec module: switching back and forth keeps what it compiled.
_fast_decoders: dict[ModuleType, FastDecoder] = {}


def use_msgspec(msgspec: ModuleType | None) -> None:
    """Decode through msgspec where it can (``None``: the converter only)."""
    global _fast, _fast_pages
    if msgspec is not None and msgspec not in _fast_decoders:
        decoder = FastDecoder(msgspec, converter.get_structure_hook, converter.structure)
        _fast_decoders[msgspec] = decoder
    fast = None if msgspec is None else _fast_decoders[msgspec]
    _fast = None if fast is None else fast.structure
    _fast_pages = None if fast is None else fast.page


def page_parser(model: type[Model], members: tuple[str, ...]) -> Callable[[bytes], Any]:
    """A parser of listing pages' bodies, for the engine's ``request(parse=...)``.

    With the speedups extra a page whose ``data`` holds ``model`` objects is decoded from its
    bytes (into a ``Decoded`` that :func:`decode` hands back), keeping only the envelope's
    ``members`` beside it; any body that path does not take is parsed as JSON, as without
    the extra, so both accept and refuse the same bodies.
    """
    many = list[model]  # type: ignore[valid-type]

    def parse(body: bytes) -> Any:
        fast = _fast_pages
        if fast is not None:
            page = fast(body, many, members)
            if page is not None:
                return page
        return parse_json(body)

    return parse


def reference_converter() -> cattrs.Converter:
    """cattrs' stock structuring with the same rules: what ``converter`` must equal."""
    global _reference
    if _reference is None:
        _reference = _build(detailed=False, tuned=False)
    return _reference


def decode(data: Any, cls: type[T] | Any, *, request_id: str | None = None) -> T:
    """Structure JSON ``data`` into ``cls``; a misfit raises ``DecodeError`` naming the field."""
    if data.__class__ is Decoded and data.cls == cls:
        return data.value  # type: ignore[no-any-return]
    try:
        fast = _fast
        if fast is not None:
            return fast(data, cls)  # type: ignore[no-any-return]
        return converter.structure(data, cls)  # type: ignore[no-any-return]
    except Exception as error:
        raise _explain(data, cls, error, request_id) from error


def _explain(data: Any, cls: Any, error: Exception, request_id: str | None) -> DecodeError:
    global _explainer
    if _explainer is None:
        _explainer = _build(detailed=True, tuned=False)
    try:
        _explainer.structure(data, cls)
    except Exception as detailed:
        messages = cattrs.transform_error(detailed)
        first = messages[0] if messages else str(detailed)
        field = first.rsplit(" @ ", 1)[-1] if " @ " in first else None
        name = getattr(cls, "__name__", str(cls))
        return DecodeError(
            f"response does not fit {name}: {'; '.join(messages)}",
            field=field,
            request_id=request_id,
        )
    name = getattr(cls, "__name__", str(cls))
    return DecodeError(f"response does not fit {name}: {error}", request_id=request_id)


use_msgspec(speedups.installed())
