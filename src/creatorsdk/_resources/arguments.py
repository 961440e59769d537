"""Argument checks run before any request: a bad argument raises ``InvalidArgumentError``
(a ``ValueError`` and a ``CreatorSDKError``) naming it.

Both APIs use these. Each check is named ``<kind>_arg``, takes ``(name, value, ...)`` and
returns the value as the API wants it on the wire (lowercase uuids, ``YYYY-MM-DD`` dates,
de-duplicated lists), so a resource validates and serialises in one step. What only one API
has (its page sizes, handles, sort keys, metric periods) lives in that API's package. The
number checks (:func:`int_arg`, :func:`positive_arg`) come from the engine, which checks its
own settings with them, and are re-exported here.

The rules both APIs follow:

* **Optional arguments.** ``None`` means "not given". The one idiom is
  ``optional(check, name, value, ...)``: it runs ``check`` on a value the caller gave and
  passes "not given" through; the engine leaves ``None`` query parameters out and
  :func:`body_of` / :func:`patch_body` leave such fields out of a body.
* **Clearing a field.** Where a PATCH field can be cleared (the API takes ``null``), ``None``
  is that value, so the field's default is :data:`UNSET` instead; ``optional`` passes
  ``UNSET`` through as well and :func:`patch_body` sends ``None`` only for the fields it is
  told are ``clearable``.
* **Dates and datetimes.** A date argument takes a ``datetime.date`` or a ``'YYYY-MM-DD'``
  string. A ``datetime`` is refused there rather than cut to its date: which day it falls
  on depends on its time zone, so the caller says which day they mean (``.date()``). A
  datetime argument takes only a timezone-aware ``datetime``; a naive one is refused, not
  guessed.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import typing
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final, Literal, TypeVar, overload

import anyio.lowlevel

from creatorsdk._engine.checks import int_arg, positive_arg
from creatorsdk.errors import InvalidArgumentError

__all__ = [
    "UNSET",
    "Unset",
    "body_of",
    "boolean_arg",
    "choice_arg",
    "cursor_arg",
    "date_arg",
    "date_range",
    "datetime_arg",
    "id_list_arg",
    "idempotency_key_arg",
    "int_arg",
    "int_id_list_arg",
    "literal_values",
    "mapping_arg",
    "optional",
    "patch_body",
    "positive_arg",
    "text_arg",
    "uuid_arg",
]

R = TypeVar("R")


class Unset(enum.Enum):
    """Marks a PATCH field the caller did not pass, where ``None`` means "clear it"."""

    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

# The types a given argument can have. None and Unset are not among them, so mypy splits an
# argument typed ``str | None`` over the overloads of ``optional`` and types the result
# ``str | None`` (and ``... | Unset`` only where the argument can be UNSET).
_Given = str | int | float | dt.date | Mapping[Any, Any] | Iterable[Any]
V = TypeVar("V", bound=_Given)

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@overload
def optional(
    check: Callable[..., R], name: str, value: None, *args: Any, **kwargs: Any
) -> None: ...
@overload
def optional(
    check: Callable[..., R], name: str, value: Unset, *args: Any, **kwargs: Any
) -> Unset: ...
@overload
def optional(check: Callable[..., R], name: str, value: V, *args: Any, **kwargs: Any) -> R: ...
def optional(check: Callable[..., Any], name: str, value: object, *args: Any, **kwargs: Any) -> Any:
    """``check(name, value, *args, **kwargs)``; ``None`` and ``UNSET`` (not given) pass as is."""
    if value is None or value is UNSET:
        return value
    return check(name, value, *args, **kwargs)


def literal_values(tp: object) -> frozenset[str]:
    """The values of a ``Literal`` type (of its ``Literal`` parts, for ``Literal[...] | str``):
    the run-time checks are built from the types the signatures show, so they agree."""
    if typing.get_origin(tp) is Literal:
        return frozenset(str(value) for value in typing.get_args(tp))
    return frozenset().union(*(literal_values(arg) for arg in typing.get_args(tp)))


def body_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that were given: ``None`` and ``UNSET`` are left out."""
    return {key: value for key, value in fields.items() if value is not None and value is not UNSET}


def patch_body(fields: Mapping[str, Any], *, clearable: Collection[str] = ()) -> dict[str, Any]:
    """A PATCH body of the given fields; at least one is needed.

    ``UNSET`` is always left out; ``None`` too, except on a ``clearable`` field, where it is
    sent as JSON ``null`` (the API's "clear it").
    """
    body = {
        key: value
        for key, value in fields.items()
        if value is not UNSET and (value is not None or key in clearable)
    }
    if not body:
        raise InvalidArgumentError(f"update needs at least one of: {', '.join(fields)}")
    return body


def uuid_arg(name: str, value: object) -> str:
    """``value`` as a lowercase UUID string."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise InvalidArgumentError(f"{name} must be a UUID string, got {value!r}")
    return value.lower()


def _items(name: str, values: object) -> list[object]:
    # A bare string is refused: iterating it would send one id per character.
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidArgumentError(f"{name} must be a list of ids, got {values!r}")
    return list(values)


def id_list_arg(name: str, values: object) -> list[str]:
    """A non-empty list of UUIDs: lowercased, duplicates dropped, first occurrence kept."""
    items = _id_items(name, values)
    _check_ids(name, items)
    return _unique_lowered(items)


async def id_list_arg_yielding(name: str, values: object) -> list[str]:
    """:func:`id_list_arg`, letting other tasks run between slices of a long list.

    Tens of thousands of ids take milliseconds to check (a bulk call's, checked before its
    first chunk can go): a listing's next page, asked for meanwhile, would wait that long.
    """
    items = _id_items(name, values)
    for start in range(0, len(items), _ID_SLICE):
        _check_ids(name, items[start : start + _ID_SLICE], start)
        await anyio.lowlevel.checkpoint()
    return _unique_lowered(items)


#: Ids checked between two chances for other tasks to run (about a millisecond's worth).
_ID_SLICE: Final = 2000


def _id_items(name: str, values: object) -> list[object]:
    items = _items(name, values)
    if not items:
        raise InvalidArgumentError(f"{name} must not be empty")
    return items


def _check_ids(name: str, items: list[object], first: int = 0) -> None:
    # Checked in one pass, each item named only to say which one is refused (``first``:
    # the index of ``items[0]`` in the caller's list).
    match = _UUID.fullmatch
    if not all(isinstance(value, str) and match(value) for value in items):
        for i, value in enumerate(items, first):
            uuid_arg(f"{name}[{i}]", value)


def _unique_lowered(ids: list[object]) -> list[str]:
    """Checked ids, lowercased, duplicates dropped, first occurrence kept."""
    return list(dict.fromkeys(str(value).lower() for value in ids))


def int_id_list_arg(name: str, values: object) -> list[int]:
    """A (possibly empty) list of non-negative integer ids, duplicates dropped."""
    ids = [int_arg(f"{name}[{i}]", value, low=0) for i, value in enumerate(_items(name, values))]
    return list(dict.fromkeys(ids))


def boolean_arg(name: str, value: object) -> bool:
    """A real ``bool`` (``1`` or ``"true"`` are refused rather than guessed)."""
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be True or False, got {value!r}")
    return value


def choice_arg(name: str, value: object, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``, else ``InvalidArgumentError`` listing them."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidArgumentError(
            f"{name} must be one of {', '.join(sorted(allowed))}; got {value!r}"
        )
    return value


def text_arg(
    name: str, value: object, *, max_length: int | None = None, blank: bool = False
) -> str:
    """A string of at most ``max_length`` characters; blank only when ``blank`` is true."""
    if not isinstance(value, str) or not (blank or value.strip()):
        raise InvalidArgumentError(f"{name} must be a non-empty string, got {value!r}")
    if max_length is not None and len(value) > max_length:
        raise InvalidArgumentError(
            f"{name} must be at most {max_length} characters, got {len(value)}"
        )
    return value


def date_arg(name: str, value: object) -> str:
    """A calendar date as ``YYYY-MM-DD``, from a ``datetime.date`` or such a string."""
    if isinstance(value, dt.datetime):
        raise InvalidArgumentError(
            f"{name} must be a date, not a datetime (its day depends on its time zone): "
            f"pass .date() in the zone you mean, got {value!r}"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidArgumentError(
        f"{name} must be a datetime.date or a 'YYYY-MM-DD' string, got {value!r}"
    )


def date_range(
    start_name: str,
    start: dt.date | str | Unset | None,
    end_name: str,
    end: dt.date | str | Unset | None,
) -> tuple[str | Unset | None, str | Unset | None]:
    """Two optional dates (see :func:`date_arg`); the start must not be after the end."""
    first = optional(date_arg, start_name, start)
    last = optional(date_arg, end_name, end)
    if isinstance(first, str) and isinstance(last, str) and first > last:
        raise InvalidArgumentError(f"{start_name} {first} is after {end_name} {last}")
    return first, last


def datetime_arg(name: str, value: object) -> str:
    """A timezone-aware ``datetime`` in ISO 8601; naive ones are refused, not guessed."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InvalidArgumentError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.isoformat()


def mapping_arg(
    name: str, value: object, *, max_keys: int | None = None, max_chars: int | None = None
) -> dict[str, Any]:
    """A JSON object (``metadata``) with string keys, copied so later changes are not sent.

    ``max_keys`` bounds its size and ``max_chars`` the length of its keys and string values.
    """
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(f"{name} must be a mapping, got {value!r}")
    if max_keys is not None and len(value) > max_keys:
        raise InvalidArgumentError(f"{name} must have at most {max_keys} keys, got {len(value)}")
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidArgumentError(f"{name} keys must be strings, got {key!r}")
        too_long = max_chars is not None and (
            len(key) > max_chars or (isinstance(item, str) and len(item) > max_chars)
        )
        if too_long:
            raise InvalidArgumentError(
                f"{name}[{key[:40]!r}]: keys and values must be at most {max_chars} characters"
            )
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        # Otherwise httpx fails later with a bare TypeError that names no argument.
        raise InvalidArgumentError(f"{name} must hold only JSON values: {error}") from None
    return dict(value)


def idempotency_key_arg(name: str, value: object) -> str:
    """A caller's ``Idempotency-Key``: non-blank, one printable ASCII header line."""
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise InvalidArgumentError(f"{name} must be a non-empty string, got {value!r}")
    if any(ch in value for ch in "\r\n\0"):
        raise InvalidArgumentError(f"{name} must not contain line breaks or NUL")
    if not (value.isascii() and value.isprintable()):
        raise InvalidArgumentError(f"{name} must be printable ASCII (a header), got {value!r}")
    return value


def cursor_arg(name: str, value: object) -> str:
    """A saved ``next_cursor`` to resume a listing from."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(
            f"{name} must be a non-empty string from next_cursor, got {value!r}"
        )
    return value
