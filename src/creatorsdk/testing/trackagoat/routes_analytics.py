"""``GET /analytics``: one metric over time for up to 5 entities, as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import date_of_day, day_of, day_of_date
from creatorsdk.testing.trackagoat.analytics import (
    DERIVED,
    NOT_FOR_VIDEOS,
    RAW,
    Query,
    Subject,
    bucket_series,
    resolve,
)
from creatorsdk.testing.trackagoat.breakdown import BREAKDOWNS, breakdown_series
from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import ApiError, bad_query, not_found
from creatorsdk.testing.trackagoat.params import query_date, query_uuid
from creatorsdk.testing.trackagoat.responses import ok

__all__ = ["query"]

ENTITIES: Final = ("creator", "video", "campaign", "project")
MODES: Final = ("new", "cumulative", "rate")
GRANULARITIES: Final = ("day", "week", "month")
BASE_METRICS: Final = ("views", "likes", "comments", "shares", "saves", "followers")
MAX_ENTITIES: Final = 5
#: The longest range one query may span.
MAX_DAYS: Final = 3_660
_CSV_COLUMNS: Final = ("series_kind", "entity_id", "label", "t", "value", "partial")


async def query(request: Request) -> Response:
    """The series (and the prior period when ``compare=prior_period``)."""
    state = context(request).state
    store = state.store
    params = request.query_params
    entity = _choice(params, "entity", ENTITIES, None)
    metric = _choice(params, "metric", RAW + DERIVED, None)
    if entity == "video" and metric in NOT_FOR_VIDEOS:
        raise bad_query(f"metric {metric} is not available for videos")
    default_mode = "rate" if metric in DERIVED else "new"
    mode = _choice(params, "mode", MODES, default_mode)
    if metric in RAW and mode == "rate":
        raise bad_query(f"mode rate applies to derived metrics, not {metric}")
    granularity = _choice(params, "granularity", GRANULARITIES, "day")
    base_metric = _choice(params, "base_metric", BASE_METRICS, "views")
    if "base_metric" in params and metric != "growth_rate_pop":
        raise bad_query("base_metric applies only to growth_rate_pop")
    compare = _choice(params, "compare", ("prior_period",), "")
    output = _choice(params, "format", ("json", "csv"), "json")
    breakdown = _choice(params, "breakdown", BREAKDOWNS, "")
    today = _today(store.clock(), params.get("tz"))
    end = _day(query_date(params, "to"), today)
    start = _day(query_date(params, "from"), end - 29)
    if start > end or end - start >= MAX_DAYS:
        raise bad_query(f"from must be on or before to, at most {MAX_DAYS} days apart")
    retention = state.limit("stats_history_retention_days")
    if retention is not None and start < today - retention:
        earliest = date_of_day(today - retention).isoformat()
        raise ApiError(
            402,
            "retention_exceeded",
            f"Your plan keeps {retention} days of history; from must be on or after {earliest}.",
            meta={"retentionDays": retention, "earliestDate": earliest},
        )
    subjects = [_subject(store, entity, i) for i in _ids(params)]
    if breakdown and (entity == "video" or len(subjects) != 1):
        raise bad_query("breakdown needs one creator, campaign or project (entity_id)")
    current = Query(metric, mode, granularity, start, end, today, base_metric)
    series = [_series(store, s, current) for s in subjects]
    compare_series = None
    if compare:
        span = end - start + 1
        prior = Query(metric, mode, granularity, start - span, start - 1, today, base_metric)
        compare_series = [_series(store, s, prior) for s in subjects]
    breakdowns = breakdown_series(store, subjects[0], current) if breakdown else None
    if output == "csv":
        extra = [("compare", compare_series or []), ("breakdown", breakdowns or [])]
        return _csv(entity, metric, start, end, series, extra)
    data = {
        "entity": entity,
        "metric": metric,
        "mode": mode,
        "granularity": granularity,
        "from": date_of_day(start).isoformat(),
        "to": date_of_day(end).isoformat(),
        "series": series,
        "compare_series": compare_series,
        "breakdown_series": breakdowns,
        "annotations": state.annotations.for_query(entity, [s.id for s in subjects], start, end),
        "tier_retention_days": retention,
    }
    return ok(data)


def _choice(params: Any, name: str, allowed: tuple[str, ...], default: str | None) -> str:
    value = params.get(name)
    if value is None:
        if default is None:
            raise bad_query(f"{name} is required: one of {', '.join(allowed)}")
        return default
    if value not in allowed:
        raise bad_query(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _ids(params: Any) -> list[str]:
    one, many = params.get("entity_id"), params.get("entity_ids")
    if (one is None) == (many is None):
        raise bad_query("pass exactly one of entity_id and entity_ids")
    if one is not None:
        return [query_uuid(params, "entity_id") or ""]
    raw = [part.strip() for part in many.split(",")]
    if not 1 <= len(raw) <= MAX_ENTITIES:
        raise bad_query(f"entity_ids takes 1 to {MAX_ENTITIES} ids")
    ids = [query_uuid({"entity_ids": part}, "entity_ids") or "" for part in raw]
    return list(dict.fromkeys(ids))


def _subject(store: Any, entity: str, entity_id: str) -> Subject:
    subject = resolve(store, entity, entity_id)
    if subject is None:
        raise not_found(entity, entity_id)
    return subject


def _series(store: Any, subject: Subject, query: Query) -> dict[str, Any]:
    return {
        "entity_ref": {"id": subject.id, "label": subject.label},
        "points": bucket_series(store, subject, query),
    }


def _today(now: float, tz: str | None) -> int:
    if tz is None:
        return day_of(now)
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise bad_query(f"tz must be an IANA time zone, got {tz!r}") from None
    local = dt.datetime.fromtimestamp(now, zone).date()
    return day_of_date(local)


def _day(value: dt.date | None, default: int) -> int:
    return default if value is None else day_of_date(value)


def _csv(
    entity: str,
    metric: str,
    start: int,
    end: int,
    series: list[dict[str, Any]],
    others: list[tuple[str, list[dict[str, Any]]]],
) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for kind, group in [("main", series), *others]:
        for one in group:
            ref = one["entity_ref"]
            for point in one["points"]:
                value = "" if point["value"] is None else point["value"]
                partial = str(point["partial"]).lower()
                writer.writerow((kind, ref["id"], ref["label"], point["t"], value, partial))
    name = f"analytics-{entity}-{metric}-{date_of_day(start)}-{date_of_day(end)}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
