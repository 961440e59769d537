"""JSON → attrs models, through one cattrs converter built at import.

Models are frozen, slotted attrs classes deriving from :class:`Model`. Unknown fields are kept
in ``model.extra`` (the API may add fields within a version), enum-like fields are plain
``str`` so a new value never breaks decoding, and a body that does not fit raises
:class:`~creatorsdk.errors.DecodeError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType, NoneType, UnionType
from typing import Any, NewType, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from creatorsdk.errors import DecodeError

__all__ = ["Id", "Model", "converter", "decode"]

T = TypeVar("T")

#: A resource id: a plain ``str``, always lowercase however the server spelled it.
Id = NewType("Id", str)

_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


@attrs.frozen
class Model:
    """Base of every response model: ``extra`` holds the fields this SDK does not know yet."""

    extra: Mapping[str, Any] = attrs.field(default=_NO_EXTRA, kw_only=True, eq=False, repr=False)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_id(value: Any, _: type) -> str:
    return _structure_str(value, str).lower()


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(_structure_str(value, str))
    # The API speaks UTC; a zone-less timestamp is UTC, never local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _structure_date(value: Any, _: type) -> dt.date:
    text = _structure_str(value, str)
    return dt.date.fromisoformat(text[:10]) if "T" in text else dt.date.fromisoformat(text)


def _structure_any(value: Any, _: type) -> Any:
    return value


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None`` (or ``Optional[X]``), else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, UnionType):
        return None
    args = typing.get_args(tp)
    if len(args) != 2 or NoneType not in args:
        return None
    return args[0] if args[1] is NoneType else args[1]


def _optional_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
    # cattrs' generic Optional handler looks the inner hook up again on every value; most of
    # a model's fields are ``X | None``, so resolving it once per type halves decoding time.
    def factory(tp: Any) -> Callable[[Any, type], Any]:
        inner = _optional_inner(tp)
        hook = conv.get_structure_hook(inner)

        def structure(value: Any, _: type) -> Any:
            return None if value is None else hook(value, inner)

        return structure

    return factory


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model) and attrs.has(cls)


def _model_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
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


def _build(*, detailed: bool) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=detailed)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(Id, _structure_id)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_structure_hook(Any, _structure_any)
    conv.register_structure_hook_factory(_is_model, _model_hook_factory(conv))
    conv.register_structure_hook_factory(
        lambda tp: _optional_inner(tp) is not None, _optional_hook_factory(conv)
    )
    return conv


#: The fast converter every response goes through.
converter = _build(detailed=False)
#: Rebuilt lazily only to explain a failure: detailed validation names the field.
_explainer: cattrs.Converter | None = None


def decode(data: Any, cls: type[T] | Any, *, request_id: str | None = None) -> T:
    """Structure JSON ``data`` into ``cls``; a misfit raises ``DecodeError`` naming the field."""
    try:
        return converter.structure(data, cls)  # type: ignore[no-any-return]
    except Exception as error:
        raise _explain(data, cls, error, request_id) from error


def _explain(data: Any, cls: Any, error: Exception, request_id: str | None) -> DecodeError:
    global _explainer
    if _explainer is None:
        _explainer = _build(detailed=True)
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
