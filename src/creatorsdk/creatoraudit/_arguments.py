"""CreatorAudit's own argument checks: its limits, sort keys, metric periods and windows.

They build on the checks both APIs share (:mod:`creatorsdk._resources.arguments`, where the
rules for optional arguments and dates are written down) and, like them, raise
``ValueError`` naming the argument before any request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any, Final

from creatorsdk._resources.arguments import (
    boolean_arg,
    choice_arg,
    date_range,
    int_arg,
    mapping_arg,
    optional,
)

__all__ = [
    "LIST_LIMIT",
    "METADATA_MAX_CHARS",
    "METADATA_MAX_KEYS",
    "METRIC_PERIODS",
    "ORDER_DIRECTIONS",
    "OVERVIEW_PERIODS",
    "PLATFORMS",
    "TOP_LIMIT",
    "date_range_params",
    "listing_params",
    "metadata_arg",
    "period_body",
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


def metadata_arg(name: str, value: object) -> dict[str, Any]:
    """A ``metadata`` object: at most 20 keys; keys and string values at most 255 characters."""
    return mapping_arg(name, value, max_keys=METADATA_MAX_KEYS, max_chars=METADATA_MAX_CHARS)


def listing_params(
    keys: Collection[str],
    order_by: str | None,
    order_direction: str | None,
    sort: str | None,
    include_total: bool,
) -> dict[str, Any]:
    """The sort and count query every listing takes: ``order_by`` from ``keys``, a
    direction, a legacy ``sort``, and ``include_total`` (sent only when true).

    ``sort`` is one key, ``-`` in front meaning descending (the server prefers ``order_by``
    when both are sent, and so do we: both are passed on as given).
    """
    if sort is not None and (not isinstance(sort, str) or sort.removeprefix("-") not in keys):
        options = ", ".join(sorted(keys))
        raise ValueError(
            f"sort must be one of {options}, optionally prefixed with '-'; got {sort!r}"
        )
    return {
        "order_by": optional(choice_arg, "order_by", order_by, keys),
        "order_direction": optional(
            choice_arg, "order_direction", order_direction, ORDER_DIRECTIONS
        ),
        "sort": sort,
        "include_total": boolean_arg("include_total", include_total) or None,
    }


def date_range_params(
    start_date: dt.date | str | None, end_date: dt.date | str | None
) -> dict[str, str]:
    """``start_date``/``end_date`` (each optional) as ``YYYY-MM-DD``; those given only."""
    start, end = date_range("start_date", start_date, "end_date", end_date)
    return {
        name: value
        for name, value in (("start_date", start), ("end_date", end))
        if isinstance(value, str)
    }


def period_body(
    period: object, start_date: dt.date | str | None, end_date: dt.date | str | None
) -> dict[str, Any]:
    """The ``period``/``start_date``/``end_date`` fields of a batch metrics body.

    ``custom`` needs both dates; the other periods take none (their window is fixed).
    """
    chosen = choice_arg("period", period, METRIC_PERIODS)
    dates = date_range_params(start_date, end_date)
    if chosen == "custom":
        missing = [name for name in ("start_date", "end_date") if name not in dates]
        if missing:
            raise ValueError(f"period='custom' needs {' and '.join(missing)}")
    elif dates:
        raise ValueError(
            f"start_date and end_date are used only with period='custom', not {chosen!r}"
        )
    return {"period": chosen, **dates}


def windows_arg(name: str, windows: object) -> list[int]:
    """Deltas ``windows``: 1–10 distinct day counts of 1–365."""
    if isinstance(windows, str | bytes) or not isinstance(windows, Iterable):
        raise ValueError(f"{name} must be an iterable of integers, got {windows!r}")
    days = [int_arg(f"{name}[{i}]", value, low=1, high=365) for i, value in enumerate(windows)]
    unique = list(dict.fromkeys(days))
    if not 1 <= len(unique) <= 10:
        raise ValueError(f"{name} must hold 1 to 10 distinct values, got {len(unique)}")
    return unique
