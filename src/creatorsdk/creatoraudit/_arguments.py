"""Argument checks run before any request: a bad argument raises ``ValueError`` naming it.

Each helper returns the value as the API wants it on the wire (lowercase uuids, ``YYYY-MM-DD``
dates, de-duplicated lists), so a resource validates and serialises in one step. ``None``
means "not given" for optional arguments: the helpers named ``optional_*`` pass it through and
the engine leaves ``None`` query parameters out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final, TypeVar

__all__ = [
    "LIST_LIMIT",
    "METADATA_MAX_CHARS",
    "METADATA_MAX_KEYS",
    "METRIC_PERIODS",
    "ORDER_DIRECTIONS",
    "OVERVIEW_PERIODS",
    "PLATFORMS",
    "TOP_LIMIT",
    "boolean",
    "choice",
    "cursor_arg",
    "date_range",
    "id_list",
    "idempotency_key_arg",
    "int_id_list",
    "limit_arg",
    "metadata_arg",
    "optional",
    "period_body",
    "positive_int",
    "sort_args",
    "text",
    "uuid_arg",
    "windows_arg",
]

#: Largest page size of the list endpoints; also every ``list()``'s default.
LIST_LIMIT: Final = 200
#: Largest ``limit`` of ``GET /search`` (per section) and ``GET /creators/top``.
TOP_LIMIT: Final = 25
PLATFORMS: Final = frozenset({"instagram", "tiktok"})
ORDER_DIRECTIONS: Final = frozenset({"asc", "desc"})
METRIC_PERIODS: Final = frozenset({"7d", "30d", "90d", "custom"})
OVERVIEW_PERIODS: Final = frozenset({"7d", "30d", "90d"})
#: The documented bounds of a ``metadata`` object.
METADATA_MAX_KEYS: Final = 20
METADATA_MAX_CHARS: Final = 255

R = TypeVar("R")

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def uuid_arg(name: str, value: object) -> str:
    """``value`` as a lowercase UUID string, or ``ValueError`` naming ``name``."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise ValueError(f"{name} must be a UUID string, got {value!r}")
    return value.lower()


def optional(
    check: Callable[..., R], name: str, value: object, *args: Any, **kwargs: Any
) -> R | None:
    """``check(name, value, ...)``, or ``None`` when ``value`` is ``None`` (not given)."""
    return None if value is None else check(name, value, *args, **kwargs)


def _items(name: str, values: object) -> list[object]:
    # A bare string is refused: iterating it would send one id per character.
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be an iterable of ids, got {values!r}")
    return list(values)


def id_list(name: str, values: object) -> list[str]:
    """A non-empty list of UUIDs: lowercased, duplicates dropped, first occurrence kept."""
    ids = [uuid_arg(f"{name}[{i}]", value) for i, value in enumerate(_items(name, values))]
    if not ids:
        raise ValueError(f"{name} must not be empty")
    return list(dict.fromkeys(ids))


def int_id_list(name: str, values: object) -> list[int]:
    """A (possibly empty) list of non-negative integer ids, duplicates dropped."""
    ids: list[int] = []
    for index, value in enumerate(_items(name, values)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}[{index}] must be a non-negative integer id, got {value!r}")
        ids.append(value)
    return list(dict.fromkeys(ids))


def limit_arg(value: object, high: int, name: str = "limit") -> int:
    """An integer from 1 to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValueError(f"{name} must be an integer from 1 to {high}, got {value!r}")
    return value


def positive_int(name: str, value: object) -> int:
    """An integer of at least 1 (``scrape_interval_hours`` and the scraping overrides)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return value


def boolean(name: str, value: object) -> bool:
    """A real ``bool`` (``1`` or ``"true"`` are refused rather than guessed)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def choice(name: str, value: object, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed``, else ``ValueError`` listing them."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(sorted(allowed))}; got {value!r}")
    return value


def text(name: str, value: object, *, max_length: int | None = None, blank: bool = False) -> str:
    """A string of at most ``max_length`` characters; blank only when ``blank`` is true."""
    if not isinstance(value, str) or not (blank or value.strip()):
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters, got {len(value)}")
    return value


def metadata_arg(name: str, value: object) -> dict[str, Any]:
    """A ``metadata`` object: at most 20 keys; keys and string values at most 255 characters."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a mapping, got {value!r}")
    if len(value) > METADATA_MAX_KEYS:
        raise ValueError(f"{name} must have at most {METADATA_MAX_KEYS} keys, got {len(value)}")
    for key, item in value.items():
        if not isinstance(key, str):
            raise ValueError(f"{name} keys must be strings, got {key!r}")
        too_long = len(key) > METADATA_MAX_CHARS or (
            isinstance(item, str) and len(item) > METADATA_MAX_CHARS
        )
        if too_long:
            raise ValueError(
                f"{name}[{key[:40]!r}]: keys and values must be at most "
                f"{METADATA_MAX_CHARS} characters"
            )
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        # Otherwise httpx fails later with a bare TypeError that names no argument.
        raise ValueError(f"{name} must hold only JSON values: {error}") from None
    return dict(value)


def sort_args(
    order_by: str | None,
    order_direction: str | None,
    sort: str | None,
    keys: Collection[str],
) -> dict[str, str | None]:
    """The sort query of a list: ``order_by`` from ``keys``, a direction, a legacy ``sort``.

    ``sort`` is one key, ``-`` in front meaning descending (the server prefers ``order_by``
    when both are sent, and so do we: both are passed on as given).
    """
    if sort is not None and (not isinstance(sort, str) or sort.removeprefix("-") not in keys):
        options = ", ".join(sorted(keys))
        raise ValueError(
            f"sort must be one of {options}, optionally prefixed with '-'; got {sort!r}"
        )
    return {
        "order_by": optional(choice, "order_by", order_by, keys),
        "order_direction": optional(choice, "order_direction", order_direction, ORDER_DIRECTIONS),
        "sort": sort,
    }


def _date(name: str, value: object) -> str:
    # A datetime is a date too, but which day it falls on depends on its zone: refuse it.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{name} must be a datetime.date, got {value!r}")
    return value.isoformat()


def date_range(start_date: object, end_date: object) -> dict[str, str | None]:
    """``start_date``/``end_date`` (each optional) as ``YYYY-MM-DD``; start must not be later."""
    start = optional(_date, "start_date", start_date)
    end = optional(_date, "end_date", end_date)
    if start is not None and end is not None and start > end:
        raise ValueError(f"start_date {start} is after end_date {end}")
    return {"start_date": start, "end_date": end}


def period_body(period: object, start_date: object, end_date: object) -> dict[str, Any]:
    """The ``period``/``start_date``/``end_date`` fields of a batch metrics body.

    ``custom`` needs both dates; the other periods take none (their window is fixed).
    """
    chosen = choice("period", period, METRIC_PERIODS)
    dates = date_range(start_date, end_date)
    if chosen == "custom":
        missing = [name for name, value in dates.items() if value is None]
        if missing:
            raise ValueError(f"period='custom' needs {' and '.join(missing)}")
    elif any(value is not None for value in dates.values()):
        raise ValueError(
            f"start_date and end_date are used only with period='custom', not {chosen!r}"
        )
    return {"period": chosen, **{k: v for k, v in dates.items() if v is not None}}


def windows_arg(windows: object) -> list[int] | None:
    """Deltas ``windows``: ``None`` (the server's default), or 1–10 distinct days of 1–365."""
    if windows is None:
        return None
    if isinstance(windows, str | bytes) or not isinstance(windows, Iterable):
        raise ValueError(f"windows must be an iterable of integers, got {windows!r}")
    days: list[int] = []
    for index, value in enumerate(windows):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
            raise ValueError(f"windows[{index}] must be an integer from 1 to 365, got {value!r}")
        days.append(value)
    unique = list(dict.fromkeys(days))
    if not 1 <= len(unique) <= 10:
        raise ValueError(f"windows must hold 1 to 10 distinct values, got {len(unique)}")
    return unique


def idempotency_key_arg(value: object) -> str | None:
    """A caller's ``Idempotency-Key``: a non-empty string without whitespace at its ends."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ValueError(f"idempotency_key must be a non-empty string, got {value!r}")
    if any(ch in value for ch in "\r\n"):
        raise ValueError("idempotency_key must not contain line breaks")
    if not (value.isascii() and value.isprintable()):
        raise ValueError(f"idempotency_key must be printable ASCII (a header), got {value!r}")
    return value


def cursor_arg(value: object) -> str | None:
    """A saved ``next_cursor`` to resume from, or ``None`` for the first page."""
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f"cursor must be a non-empty string from next_cursor, got {value!r}")
    return value
