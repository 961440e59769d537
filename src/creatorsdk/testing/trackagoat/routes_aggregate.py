"""``/analytics/aggregate/*``: the ten project summaries (section 3.6), not cached.

Every endpoint needs ``project_id`` (400 without it, 404 for a project the org does not
have). ``from``/``to`` are inclusive dates defaulting to the last 30 days, except on the
posting heatmap, which requires both. The leaderboards page by ``limit`` (1-100, default 50)
and ``offset`` and put ``total_count`` (matching rows before limit/offset) in ``meta``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import day_of, day_of_date
from creatorsdk.testing.trackagoat import aggregates
from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import bad_query, not_found
from creatorsdk.testing.trackagoat.params import query_date, query_uuid
from creatorsdk.testing.trackagoat.responses import ok
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["ENDPOINTS"]

DEFAULT_ROWS: Final = 50
MAX_ROWS: Final = 100
DEFAULT_MIN_RATIO: Final = 3.0
DEFAULT_OUTLIERS: Final = 20
GOAL_PERIODS: Final = ("daily", "weekly", "monthly", "all")

Range = tuple[int, int]


def _project(request: Request) -> tuple[Store, str]:
    store = context(request).state.store
    project_id = query_uuid(request.query_params, "project_id")
    if project_id is None:
        raise bad_query("project_id is required")
    if store.find(store.projects, project_id) is None:
        raise not_found("project", project_id)
    return store, project_id


def _days(request: Request, store: Store, *, required: bool = False) -> Range:
    params = request.query_params
    first, last = query_date(params, "from"), query_date(params, "to")
    if required and (first is None or last is None):
        raise bad_query("from and to are both required")
    end = store.today() if last is None else day_of_date(last)
    start = end - 29 if first is None else day_of_date(first)
    if start > end:
        raise bad_query("from must be on or before to")
    return start, end


def _integer(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bounds = f"{low} to {high}" if high is not None else f"at least {low}"
        raise bad_query(f"{name} must be an integer, {bounds}")
    return int(raw)


def _order(request: Request, allowed: tuple[str, ...], default: str) -> str:
    order = request.query_params.get("order", default)
    if order not in allowed:
        raise bad_query(f"order must be one of {', '.join(allowed)}")
    return order


def _leaderboard(
    compute: Callable[[Store, str, Range, str], list[dict[str, Any]]],
    orders: tuple[str, ...],
    default: str,
) -> Callable[[Request], Any]:
    async def handler(request: Request) -> Response:
        store, project_id = _project(request)
        rows = compute(store, project_id, _days(request, store), _order(request, orders, default))
        limit = _integer(request, "limit", DEFAULT_ROWS, 1, MAX_ROWS)
        offset = _integer(request, "offset", 0, 0, None)
        meta = {"total_count": len(rows), "limit": limit, "offset": offset}
        return ok(rows[offset : offset + limit], meta=meta)

    return handler


async def posting_heatmap(request: Request) -> Response:
    """Weekday × hour cells with at least one post, in ``tz`` (default UTC, the org's)."""
    store, project_id = _project(request)
    name = request.query_params.get("tz", "UTC")
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise bad_query(f"tz must be an IANA time zone, got {name!r}") from None
    days = _days(request, store, required=True)
    return ok(aggregates.posting_heatmap(store, project_id, days, zone))


async def view_distribution(request: Request) -> Response:
    """Buckets and percentiles of the views of the range's videos."""
    store, project_id = _project(request)
    return ok(aggregates.view_distribution(store, project_id, _days(request, store)))


async def outliers(request: Request) -> Response:
    """Videos of the range at ``min_ratio`` times their creator's median views or more."""
    store, project_id = _project(request)
    raw = request.query_params.get("min_ratio")
    try:
        ratio = DEFAULT_MIN_RATIO if raw is None else float(raw)
    except ValueError:
        ratio = -1.0
    if not ratio > 0:
        raise bad_query("min_ratio must be a number > 0")
    limit = _integer(request, "limit", DEFAULT_OUTLIERS, 1, MAX_ROWS)
    return ok(aggregates.outliers(store, project_id, _days(request, store), ratio, limit))


async def posting_consistency(request: Request) -> Response:
    """Per creator: how regularly they posted in the range."""
    store, project_id = _project(request)
    return ok(aggregates.creator_consistency(store, project_id, _days(request, store)))


async def creator_scatter(request: Request) -> Response:
    """One point per creator."""
    store, project_id = _project(request)
    return ok(aggregates.creator_scatter(store, project_id, _days(request, store)))


async def goal_compliance(request: Request) -> Response:
    """The project's goals counted by status, as of ``reference_date`` (default today)."""
    store, project_id = _project(request)
    period = request.query_params.get("period", "all")
    if period not in GOAL_PERIODS:
        raise bad_query(f"period must be one of {', '.join(GOAL_PERIODS)}")
    when = query_date(request.query_params, "reference_date")
    reference = day_of(store.clock()) if when is None else day_of_date(when)
    return ok(aggregates.goal_counts(store, project_id, period, reference))


async def member_overlap(request: Request) -> Response:
    """Pairs of the project's campaigns sharing creators or videos."""
    store, project_id = _project(request)
    return ok(aggregates.member_overlap(store, project_id))


#: Each endpoint's name under ``/analytics/aggregate/`` and its handler.
ENDPOINTS: Final[dict[str, Callable[[Request], Any]]] = {
    "video-leaderboard": _leaderboard(
        aggregates.video_ranks, aggregates.VIDEO_ORDERS, "view_count"
    ),
    "posting-heatmap": posting_heatmap,
    "view-distribution": view_distribution,
    "outliers": outliers,
    "creator-leaderboard": _leaderboard(
        aggregates.creator_ranks, aggregates.CREATOR_ORDERS, "views"
    ),
    "posting-consistency": posting_consistency,
    "creator-scatter": creator_scatter,
    "goal-compliance": goal_compliance,
    "campaign-leaderboard": _leaderboard(
        aggregates.campaign_ranks, aggregates.CAMPAIGN_ORDERS, "views"
    ),
    "member-overlap": member_overlap,
}
