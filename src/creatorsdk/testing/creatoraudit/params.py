"""Reading typed values from query strings and JSON bodies, collecting every field's problem."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from creatorsdk.testing._dates import day_of_date
from creatorsdk.testing.creatoraudit.errors import FieldError, validation

__all__ = ["PLATFORMS", "Reader", "is_uuid", "object_body"]

PLATFORMS = ("instagram", "tiktok")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def is_uuid(value: object) -> bool:
    """Whether ``value`` is a UUID string (any case)."""
    return isinstance(value, str) and _UUID.match(value) is not None


def object_body(body: Any) -> dict[str, Any]:
    """The request body, which must be a JSON object."""
    if not isinstance(body, dict):
        raise validation([("body", "must be a JSON object")])
    return body


class Reader:
    """Typed access to one request's parameters; problems pile up until :meth:`check`.

    With ``from_query`` the values are strings to convert (``"true"``, ``"50"``); otherwise they
    are JSON values that must already have the right type.
    """

    def __init__(self, source: Mapping[str, Any], *, from_query: bool) -> None:
        self.source = source
        self.from_query = from_query
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        """Record a problem with ``field``."""
        self.errors.append((field, message))

    def check(self) -> None:
        """Raise the 422 for everything recorded so far, if anything was."""
        if self.errors:
            raise validation(self.errors)

    def present(self, name: str) -> bool:
        """Whether the parameter was sent at all (a JSON ``null`` counts as absent)."""
        return self.source.get(name) is not None

    def string(
        self, name: str, *, required: bool = False, max_length: int = 255, min_length: int = 0
    ) -> str | None:
        """A string of bounded length."""
        value = self.source.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return None
        if not min_length <= len(value) <= max_length:
            self.fail(name, f"must be {min_length}-{max_length} characters long")
            return None
        return value

    def choice(self, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        """One of ``choices``."""
        allowed = tuple(choices)
        value = self.source.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        if value not in allowed:
            self.fail(name, f"must be one of: {', '.join(allowed)}")
            return None
        return str(value)

    def boolean(self, name: str) -> bool | None:
        """A boolean (``true``/``false`` in a query string)."""
        value = self.source.get(name)
        if value is None:
            return None
        if self.from_query and isinstance(value, str):
            if value.lower() in _TRUE:
                return True
            if value.lower() in _FALSE:
                return False
        elif isinstance(value, bool):
            return value
        self.fail(name, "must be a boolean")
        return None

    def integer(
        self, name: str, low: int, high: int | None = None, *, required: bool = False
    ) -> int | None:
        """An integer in ``[low, high]``."""
        value = self.source.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        number: int | None = None
        if self.from_query and isinstance(value, str):
            if re.fullmatch(r"[+-]?\d{1,12}", value.strip()):
                number = int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        if number is None:
            self.fail(name, "must be an integer")
            return None
        if number < low or (high is not None and number > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.fail(name, f"must be {bound}")
            return None
        return number

    def uuid(self, name: str, *, required: bool = False) -> str | None:
        """A UUID, returned lowercase."""
        value = self.source.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        if not is_uuid(value):
            self.fail(name, "must be a UUID")
            return None
        return str(value).lower()

    def id_list(
        self, name: str, *, max_items: int, integers: bool = False, required: bool = True
    ) -> list[Any]:
        """A list of UUIDs (lowercased) or integers, duplicates dropped, order kept."""
        value = self.source.get(name)
        if value is None:
            if required:
                self.fail(name, "is required")
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(name, "must be a non-empty list" if required else "must be a list")
            return []
        if len(value) > max_items:
            self.fail(name, f"must have at most {max_items} items (got {len(value)})")
            return []
        out: list[Any] = []
        for index, item in enumerate(value):
            if integers and isinstance(item, int) and not isinstance(item, bool):
                out.append(item)
            elif not integers and is_uuid(item):
                out.append(item.lower())
            else:
                self.fail(
                    f"{name}[{index}]", "must be an integer" if integers else "must be a UUID"
                )
        return list(dict.fromkeys(out))

    def date(self, name: str) -> dt.date | None:
        """A ``YYYY-MM-DD`` date."""
        value = self.source.get(name)
        if value is None:
            return None
        if isinstance(value, str) and _DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(name, "must be a date (YYYY-MM-DD)")
        return None

    def metadata(self, name: str = "metadata") -> dict[str, Any] | None:
        """A metadata object: at most 20 keys, keys and string values at most 255 characters."""
        value = self.source.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(name, "must be an object")
            return None
        if len(value) > 20:
            self.fail(name, "must have at most 20 keys")
            return None
        for key, item in value.items():
            if len(key) > 255 or (isinstance(item, str) and len(item) > 255):
                self.fail(f"{name}.{key}", "must be at most 255 characters")
                return None
        return dict(value)

    def period(self, today: int, *, allowed: tuple[str, ...], default: str) -> tuple[str, int, int]:
        """``period`` (and, for ``custom``, ``start_date``/``end_date``) as inclusive days."""
        period = self.choice("period", allowed) or default
        if period != "custom":
            days = int(period.rstrip("d"))
            return period, today - days + 1, today
        start, end = self.date("start_date"), self.date("end_date")
        for name, value in (("start_date", start), ("end_date", end)):
            if value is None and not any(field == name for field, _ in self.errors):
                self.fail(name, "is required when period is custom")
        if start is not None and end is not None:
            if end < start:
                self.fail("end_date", "must not be before start_date")
            return period, day_of_date(start), day_of_date(end)
        return period, today, today
