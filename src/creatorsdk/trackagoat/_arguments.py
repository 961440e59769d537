"""Argument checks run before any request: a bad argument raises ``ValueError`` naming it.

Every helper returns the value in the form the API wants on the wire (lowercase uuids,
``YYYY-MM-DD`` dates, bare handles), so resources validate and serialise in one step.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final, TypeVar

__all__ = [
    "MAX_PAGE_SIZE",
    "UNSET",
    "Unset",
    "choice",
    "date_arg",
    "datetime_arg",
    "handle_arg",
    "id_list",
    "idempotency_key_arg",
    "mapping_arg",
    "maybe_uuid",
    "note_arg",
    "one_of",
    "page_size",
    "patch_body",
    "text_arg",
    "unless_unset",
    "uuid_arg",
]

#: The largest ``limit`` every trackagoat list endpoint accepts; also our default page size.
MAX_PAGE_SIZE: Final = 100

R = TypeVar("R")


class Unset(enum.Enum):
    """Marks a PATCH field the caller did not pass (``None`` means "clear it")."""

    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# The documented handle rule: 1–30 letters, digits, dots, underscores or hyphens.
_HANDLE = re.compile(r"[A-Za-z0-9._-]{1,30}")
# A TikTok profile URL (any subdomain, optional scheme, query or fragment); group 1 is the handle.
_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*tiktok\.com/@([^/?#]*)/?(?:[?#].*)?", re.IGNORECASE
)


def uuid_arg(name: str, value: object) -> str:
    """``value`` as a lowercase uuid string, or ``ValueError`` naming ``name``."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise ValueError(f"{name} must be a UUID string, got {value!r}")
    return value.lower()


def maybe_uuid(name: str, value: object) -> str | None:
    """Like :func:`uuid_arg`, but ``None`` passes through (an optional filter)."""
    return None if value is None else uuid_arg(name, value)


def id_list(name: str, values: object) -> list[str]:
    """A non-empty list of uuids, lowercased, duplicates dropped (first occurrence kept).

    A bare string is refused: iterating it would send one id per character.
    """
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a list of UUID strings, got {values!r}")
    ids = [uuid_arg(f"{name}[{i}]", value) for i, value in enumerate(values)]
    if not ids:
        raise ValueError(f"{name} must not be empty")
    return list(dict.fromkeys(ids))


def idempotency_key_arg(value: object) -> str | None:
    """A caller's ``Idempotency-Key`` (``None``: mint one): non-blank, one header-safe line."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValueError(f"idempotency_key must be a non-empty string, got {value!r}")
    if any(ch in value for ch in "\r\n\0"):
        raise ValueError("idempotency_key must not contain line breaks or NUL")
    if not (value.isascii() and value.isprintable()):
        raise ValueError(f"idempotency_key must be printable ASCII (a header), got {value!r}")
    return value


def page_size(value: object) -> int:
    """A list ``limit``: an integer from 1 to :data:`MAX_PAGE_SIZE`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}, got {value!r}")
    return value


def choice(name: str, value: object, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``, else ``ValueError`` listing them."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(sorted(allowed))
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def one_of(allowed: Collection[str]) -> Callable[[str, object], str]:
    """A check that accepts only the values in ``allowed`` (for :func:`unless_unset`)."""
    return lambda name, value: choice(name, value, allowed)


def text_arg(
    name: str, value: object, *, max_length: int | None = None, blank: bool = False
) -> str:
    """A string of at most ``max_length`` characters; blank ones only when ``blank``."""
    if not isinstance(value, str) or not (blank or value.strip()):
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters, got {len(value)}")
    return value


def handle_arg(name: str, value: object) -> str:
    """A TikTok handle as the API wants it: no ``@``, no profile URL around it.

    Accepts ``name``, ``@name`` and profile URLs such as
    ``https://www.tiktok.com/@name?lang=en``; the result must be 1–30 letters, digits,
    ``.``, ``_`` or ``-``.
    """
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a TikTok handle string, got {value!r}")
    text = value.strip()
    url = _PROFILE_URL.fullmatch(text)
    handle = url.group(1) if url else text.removeprefix("@")
    if not _HANDLE.fullmatch(handle):
        raise ValueError(
            f"{name} is not a valid TikTok handle: {value!r} (expected 1-30 letters, digits, "
            "'.', '_' or '-', optionally with a leading '@' or as a tiktok.com/@handle URL)"
        )
    return handle


def date_arg(name: str, value: object) -> str:
    """A calendar date as ``YYYY-MM-DD``, from a ``date``, a ``datetime`` or such a string."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date or a 'YYYY-MM-DD' string, got {value!r}")


def datetime_arg(name: str, value: object) -> str:
    """A timezone-aware ``datetime`` in ISO 8601; naive ones are refused, not guessed."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.isoformat()


def note_arg(name: str, value: object) -> str:
    """Free text such as a Markdown ``readme``: any string, the empty one included."""
    return text_arg(name, value, blank=True)


def mapping_arg(name: str, value: object) -> dict[str, Any]:
    """A JSON object argument (``metadata``), copied so later changes are not sent."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping, got {value!r}")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold only JSON values: {error}") from None
    return dict(value)


def unless_unset(
    check: Callable[[str, Any], R], name: str, value: object, *, nullable: bool = False
) -> R | Unset | None:
    """``check(name, value)`` for a PATCH field the caller passed; ``UNSET`` passes through,
    and so does ``None`` when the field is ``nullable`` (the API's "clear it")."""
    if value is UNSET:
        return UNSET
    if value is None and nullable:
        return None
    return check(name, value)


def patch_body(name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the caller passed (``UNSET`` dropped); PATCH needs at least one."""
    body = {key: value for key, value in fields.items() if value is not UNSET}
    if not body:
        raise ValueError(f"{name} needs at least one field to change")
    return body
