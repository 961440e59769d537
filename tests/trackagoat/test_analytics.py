"""tg.analytics.query: parameters, decoded series, CSV, validation, retention errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import AnalyticsResult, AsyncTrackAGoat, Point

from .conftest import fail, ok, uid

RESULT: dict[str, Any] = {
    "series": [
        {
            "entity_ref": {"id": uid(1), "label": "@creator1"},
            "points": [
                {"t": "2026-06-01", "value": 120, "partial": False},
                {"t": "2026-06-02", "value": None, "partial": False},
                {"t": "2026-06-03", "value": 30.5, "partial": True},
            ],
        }
    ],
    "compare_series": [
        {
            "entity_ref": {"id": uid(1), "label": "@creator1"},
            "points": [{"t": "2026-05-29", "value": 80, "partial": False}],
        }
    ],
    "tier_retention_days": 365,
    "annotations": [],
}


async def test_query_one_entity(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/analytics").mock(return_value=ok(RESULT))
    result = await tg.analytics.query(
        "creator",
        uid(1),
        "views",
        mode="new",
        granularity="day",
        from_date=dt.date(2026, 6, 1),
        to_date="2026-06-03",
        tz="Europe/Berlin",
        compare="prior_period",
    )
    assert route.calls.last.request.url.params == httpx.QueryParams(
        {
            "entity": "creator",
            "entity_id": uid(1),
            "metric": "views",
            "mode": "new",
            "granularity": "day",
            "from": "2026-06-01",
            "to": "2026-06-03",
            "tz": "Europe/Berlin",
            "compare": "prior_period",
        }
    )
    assert isinstance(result, AnalyticsResult)
    [series] = result.series
    assert series.entity_ref is not None
    assert series.entity_ref.label == "@creator1"
    assert series.points[0] == Point(t=dt.date(2026, 6, 1), value=120.0)
    assert series.points[1].value is None
    assert series.points[2].partial
    assert series.total == 150.5
    assert result.totals() == {uid(1): 150.5}
    assert result.compare_series is not None
    assert result.compare_series[0].total == 80.0
    assert result.tier_retention_days == 365
    assert result.breakdown_series is None
    assert result.extra == {"annotations": []}


async def test_query_several_entities_uses_entity_ids(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/analytics").mock(
        return_value=ok({"series": [], "compare_series": None, "tier_retention_days": None})
    )
    result = await tg.analytics.query("campaign", [uid(1), uid(2).upper(), uid(1)], "likes")
    params = route.calls.last.request.url.params
    assert params["entity_ids"] == f"{uid(1)},{uid(2)}"
    assert "entity_id" not in params
    assert result.tier_retention_days is None  # unlimited


async def test_csv_returns_the_text(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    csv = "series_kind,entity_id,t,value\nmain,x,2026-06-01,120\n"
    route = routes.get("/analytics").mock(
        return_value=httpx.Response(
            200,
            text=csv,
            headers={
                "Content-Type": "text/csv",
                "Content-Disposition": 'attachment; filename="views.csv"',
            },
        )
    )
    text = await tg.analytics.query("video", uid(3), "views", format="csv")
    assert text == csv
    request = route.calls.last.request
    assert request.url.params["format"] == "csv"
    assert request.headers["accept"] == "text/csv"


async def test_retention_exceeded(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/analytics").mock(
        return_value=fail(
            402,
            "Requested range exceeds your plan's history retention",
            {"code": "retention_exceeded"},
        )
    )
    with pytest.raises(errors.RetentionExceededError):
        await tg.analytics.query("creator", uid(1), "views", from_date="2020-01-01")
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"entity": "org"}, "entity"),
        ({"metric": "revenue"}, "metric"),
        ({"mode": "total"}, "mode"),
        ({"granularity": "hour"}, "granularity"),
        ({"compare": "last_year"}, "compare"),
        ({"format": "xml"}, "format"),
        ({"ids": []}, "ids must not be empty"),
        ({"ids": [uid(n) for n in range(6)]}, "at most 5"),
        ({"ids": "creator-1"}, "ids"),
        ({"from_date": "2026-06-05", "to_date": "2026-06-01"}, "after"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"tz": "Europe/ Berlin"}, "tz"),
        ({"entity": "video", "metric": "engagement_rate_by_followers"}, "video"),
        ({"base_metric": "likes"}, "growth_rate_pop"),
    ],
)
async def test_validation_before_the_network(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, kwargs: dict[str, Any], match: str
) -> None:
    arguments: dict[str, Any] = {"entity": "creator", "ids": uid(1), "metric": "views", **kwargs}
    with pytest.raises(ValueError, match=match):
        await tg.analytics.query(**arguments)
    assert not routes.calls


async def test_growth_rate_with_base_metric(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/analytics").mock(return_value=ok({"series": []}))
    await tg.analytics.query("video", uid(1), "growth_rate_pop", base_metric="views", mode="rate")
    params = route.calls.last.request.url.params
    assert (params["metric"], params["base_metric"], params["mode"]) == (
        "growth_rate_pop",
        "views",
        "rate",
    )
