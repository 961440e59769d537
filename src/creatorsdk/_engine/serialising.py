"""Models out of the SDK: JSON-safe dicts, JSON text, pickling and deep copies.

:meth:`Model.to_dict` gives what ``json.dumps`` takes as it is: dates and datetimes as ISO 8601
strings, nested models as dicts, tuples as lists, every mapping a ``dict`` with string keys.
The fields the server sent that a model does not know (``extra``) are put back beside the
known ones, where the server had them, unless ``extra=False``; so decoding the dict again
gives an equal model with the same ``extra``.

Models keep read-only mappings (``extra``, empty defaults, merged batch results), which
``pickle`` refuses; :func:`reduce` hands pickle and ``copy.deepcopy`` the field values with
each read-only mapping wrapped in :class:`_ReadOnly`, which pickles as a plain dict and comes
back read-only, and :func:`restore` rebuilds the instance the way attrs' own ``__setstate__``
does. Both converters here are built on first use: importing the SDK costs nothing for them.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.fns import identity
from cattrs.gen import make_dict_unstructure_fn, make_mapping_unstructure_fn, override

from creatorsdk._engine.structuring import extra_mapping, optional_inner

__all__ = ["read_only", "reduce", "restore", "to_dict", "to_json"]

T = TypeVar("T")


def to_dict(model: Any, *, extra: bool = True) -> dict[str, Any]:
    """``model`` as a JSON-safe dict; ``extra`` puts the unknown fields back beside the rest."""
    result: dict[str, Any] = _converter(extra).unstructure(model)
    return result


def to_json(model: Any, *, extra: bool = True, indent: int | str | None = None) -> str:
    """``model`` as JSON text: ``json.dumps`` of :func:`to_dict`."""
    return json.dumps(to_dict(model, extra=extra), indent=indent)


# -- JSON-safe dicts ------------------------------------------------------------------------------


def _json_key(key: Any, _: Any = None) -> str:
    """A mapping key as JSON has it: a string (``Deltas`` rows are keyed by int windows)."""
    if key.__class__ is str:
        return str(key)
    if isinstance(key, dt.date):
        return key.isoformat()
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    return str(key)


def _is_mapping(tp: Any) -> bool:
    origin = typing.get_origin(tp) or tp
    return isinstance(origin, type) and issubclass(origin, Mapping)


def _optional_hook_factory(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    # cattrs dispatches ``X | None`` on each value's class; most model fields are optional
    # scalars, whose hook is the identity, which cattrs' generated code then leaves out.
    def factory(tp: Any) -> Callable[[Any], Any]:
        hook = conv.get_unstructure_hook(optional_inner(tp))
        if hook is identity:
            return identity

        def unstructure_optional(value: Any) -> Any:
            return None if value is None else hook(value)

        return unstructure_optional

    return factory


def _has_extra(cls: Any) -> bool:
    return isinstance(cls, type) and attrs.has(cls) and hasattr(attrs.fields(cls), "extra")


def _model_hook_factory(
    conv: cattrs.Converter, *, with_extra: bool
) -> Callable[[Any], Callable[[Any], dict[str, Any]]]:
    def factory(cls: type) -> Callable[[Any], dict[str, Any]]:
        known: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
            cls, conv, extra=override(omit=True)
        )
        if not with_extra:
            return known
        unstructure = conv.unstructure

        def unstructure_model(model: Any) -> dict[str, Any]:
            fields = known(model)
            unknown = model.extra
            if unknown:
                # Unknown names never collide with known ones: that is how they were sorted.
                fields.update({_json_key(k): unstructure(v) for k, v in unknown.items()})
            return fields

        return unstructure_model

    return factory


@cache
def _converter(with_extra: bool) -> cattrs.Converter:
    conv = cattrs.Converter()
    # datetime before date: a datetime is a date, and the most specific hook wins.
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_unstructure_hook_factory(
        _is_mapping,
        lambda tp: make_mapping_unstructure_fn(
            tp, conv, unstructure_to=dict, key_handler=_json_key
        ),
    )
    conv.register_unstructure_hook_factory(
        lambda tp: optional_inner(tp) is not None, _optional_hook_factory(conv)
    )
    conv.register_unstructure_hook_factory(
        _has_extra, _model_hook_factory(conv, with_extra=with_extra)
    )
    return conv


# -- pickle and deepcopy --------------------------------------------------------------------------


def read_only(mapping: dict[Any, Any]) -> Mapping[Any, Any]:
    """``mapping`` behind a read-only view again (what a pickled :class:`_ReadOnly` loads as)."""
    return MappingProxyType(mapping)


class _ReadOnly:
    """A read-only mapping on its way through pickle or deepcopy, which refuse the proxy."""

    __slots__ = ("mapping",)

    def __init__(self, mapping: Mapping[Any, Any]) -> None:
        self.mapping = mapping

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        # Proxies inside (the rows of ``Deltas.data``) are wrapped as pickle reaches them.
        return read_only, ({k: _portable(v) for k, v in self.mapping.items()},)


def _portable(value: Any) -> Any:
    return _ReadOnly(value) if value.__class__ is MappingProxyType else value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls) if f.name != "extra")


def reduce(model: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """What ``Model.__reduce__`` returns: :func:`restore` and its arguments."""
    cls = model.__class__
    state = {name: _portable(getattr(model, name)) for name in _field_names(cls)}
    return restore, (cls, state, dict(model.extra))


def restore(cls: type[T], state: dict[str, Any], extra: dict[str, Any]) -> T:
    """The model of class ``cls`` with these field values and unknown fields."""
    model: T = object.__new__(cls)
    for name, value in state.items():
        if value.__class__ is _ReadOnly:
            state[name] = value.mapping  # copy.copy: the arguments are not rebuilt
    state["extra"] = extra_mapping(extra)
    # attrs' own: sets each slot of the frozen instance (and resets a cached hash).
    model.__setstate__(state)  # type: ignore[attr-defined]
    return model
