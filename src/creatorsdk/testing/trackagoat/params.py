"""Reading request bodies and query strings; anything malformed is a 400 naming the field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from creatorsdk.testing.trackagoat.errors import ApiError, bad_body, bad_query

__all__ = [
    "HANDLE",
    "UNSET",
    "Fields",
    "body_object",
    "normalise_handle",
    "query_date",
    "query_uuid",
]

_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
#: A field the body did not contain (``None`` is an explicit JSON null).
UNSET: Final = object()


#: The documented handle rule: 1-30 letters, digits, ``.``, ``_`` or ``-``.
HANDLE: Final = re.compile(r"[A-Za-z0-9._-]{1,30}")


def normalise_handle(value: object) -> str | None:
    """A handle as stored (leading ``@`` stripped), or ``None`` when it breaks the rule."""
    if not isinstance(value, str):
        return None
    handle = value.strip().removeprefix("@")
    return handle if HANDLE.fullmatch(handle) else None


def body_object(body: Any, allowed: Collection[str]) -> Fields:
    """The body as a JSON object with only ``allowed`` keys (a typo is an error, not a no-op)."""
    if not isinstance(body, dict):
        raise bad_body("The request body must be a JSON object.")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise bad_body(f"Unknown field(s): {', '.join(unknown)}.")
    return Fields(body)


def query_uuid(params: Mapping[str, str], name: str) -> str | None:
    """An optional UUID query parameter, lowercased."""
    value = params.get(name)
    if value is None:
        return None
    if not _UUID.fullmatch(value):
        raise bad_query(f"{name} must be a UUID, got {value!r}")
    return value.lower()


def query_date(params: Mapping[str, str], name: str) -> dt.date | None:
    """An optional ``YYYY-MM-DD`` query parameter."""
    value = params.get(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_query(f"{name} must be a YYYY-MM-DD date, got {value!r}") from None


class Fields:
    """Typed access to a JSON object body; each getter returns :data:`UNSET` when absent."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def __len__(self) -> int:
        return len(self.body)

    def text(
        self, name: str, *, max_length: int = 5_000, nullable: bool = False, required: bool = False
    ) -> Any:
        """A string (or ``None`` when ``nullable``)."""
        value = self._get(name, required)
        if value is UNSET or (value is None and nullable):
            return value
        if not isinstance(value, str) or len(value) > max_length:
            raise _field(name, f"must be a string of at most {max_length} characters")
        return value

    def choice(self, name: str, allowed: Collection[str], *, required: bool = False) -> Any:
        """One of ``allowed``."""
        value = self._get(name, required)
        if value is not UNSET and value not in allowed:
            raise _field(name, f"must be one of {', '.join(sorted(allowed))}")
        return value

    def date(self, name: str, *, nullable: bool = False) -> Any:
        """A ``YYYY-MM-DD`` string, as given."""
        value = self._get(name, False)
        if value is UNSET or (value is None and nullable):
            return value
        try:
            return dt.date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise _field(name, "must be a YYYY-MM-DD date") from None

    def datetime(self, name: str) -> Any:
        """An ISO 8601 datetime with an offset (or ``None``), normalised to UTC ``Z``."""
        value = self._get(name, False)
        if value is UNSET or value is None:
            return value
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise _field(name, "must be an ISO 8601 datetime") from None
        if moment.utcoffset() is None:
            raise _field(name, "must carry a time zone offset")
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def count(self, name: str) -> Any:
        """A non-negative integer (or ``None``)."""
        value = self._get(name, False)
        if value is UNSET or value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _field(name, "must be a non-negative integer")
        return value

    def mapping(self, name: str) -> Any:
        """A JSON object."""
        value = self._get(name, False)
        if value is not UNSET and not isinstance(value, dict):
            raise _field(name, "must be a JSON object")
        return value

    def uuid(self, name: str, *, required: bool = False) -> Any:
        """A UUID, lowercased."""
        value = self._get(name, required)
        if value is UNSET:
            return value
        if not isinstance(value, str) or not _UUID.fullmatch(value):
            raise _field(name, "must be a UUID")
        return value.lower()

    def ids(self, name: str, *, most: int) -> list[str]:
        """A required list of 1 to ``most`` UUIDs, lowercased, duplicates dropped."""
        value = self._get(name, True)
        if not isinstance(value, list) or not 1 <= len(value) <= most:
            raise _field(name, f"must be a list of 1 to {most} ids")
        if not all(isinstance(v, str) and _UUID.fullmatch(v) for v in value):
            raise _field(name, "must contain only UUIDs")
        return list(dict.fromkeys(v.lower() for v in value))

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.body:
            if required:
                raise _field(name, "is required")
            return UNSET
        return self.body[name]


def _field(name: str, message: str) -> ApiError:
    return bad_body(f"{name} {message}.")
