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
        entity="creator",
        entity_id=uid(1),
        metric="views",
        mode="new",
        granularity="day",
        from_=dt.date(2026, 6, 1),
        to="2026-06-03",
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
    assert result.annotations == ()
    assert result.extra == {}


async def test_the_docs_calls_run_verbatim(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    # The creators page's four examples, each as keyword arguments named like its query.
    route = routes.get("/analytics").mock(return_value=ok({"series": []}))
    first, second = uid(1), uid(2)
    await tg.analytics.query(
        entity="creator", entity_id=first, metric="views", mode="new", granularity="day"
    )
    await tg.analytics.query(
        entity="creator", entity_id=first, metric="engagement_rate_by_views", mode="rate"
    )
    await tg.analytics.query(
        entity="creator", entity_id=first, metric="views", compare="prior_period"
    )
    await tg.analytics.query(
        entity="creator", entity_ids=f"{first},{second}", metric="views", granularity="week"
    )
    await tg.analytics.query(
        entity="creator",
        entity_id=first,
        metric="views",
        mode="new",
        granularity="day",
        from_="2026-01-01",
        to="2026-03-31",
    )
    sent = [dict(call.request.url.params) for call in route.calls]
    assert sent == [
        {
            "entity": "creator",
            "entity_id": first,
            "metric": "views",
            "mode": "new",
            "granularity": "day",
        },
        {
            "entity": "creator",
            "entity_id": first,
            "metric": "engagement_rate_by_views",
            "mode": "rate",
        },
        {"entity": "creator", "entity_id": first, "metric": "views", "compare": "prior_period"},
        {
            "entity": "creator",
            "entity_ids": f"{first},{second}",
            "metric": "views",
            "granularity": "week",
        },
        {
            "entity": "creator",
            "entity_id": first,
            "metric": "views",
            "mode": "new",
            "granularity": "day",
            "from": "2026-01-01",
            "to": "2026-03-31",
        },
    ]


async def test_several_entities_go_as_entity_ids(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/analytics").mock(
        return_value=ok({"series": [], "compare_series": None, "tier_retention_days": None})
    )
    result = await tg.analytics.query(
        "campaign", entity_ids=[uid(1), uid(2).upper(), uid(1)], metric="likes"
    )
    params = route.calls.last.request.url.params
    assert params["entity_ids"] == f"{uid(1)},{uid(2)}"
    assert "entity_id" not in params
    assert result.tier_retention_days is None  # unlimited

    await tg.analytics.query("creator", ids=[uid(3)], metric="views")  # the convenience
    assert route.calls.last.request.url.params["entity_id"] == uid(3)
    await tg.analytics.query("creator", ids=[uid(3), uid(4)], metric="views")
    assert route.calls.last.request.url.params["entity_ids"] == f"{uid(3)},{uid(4)}"


async def test_breakdown_fills_breakdown_series(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    series = RESULT["series"]
    other = {"entity_ref": {"id": "__other__", "label": "Other"}, "points": []}
    route = routes.get("/analytics").mock(
        return_value=ok({"series": series, "breakdown_series": [*series, other]})
    )
    result = await tg.analytics.query(
        entity="campaign", entity_id=uid(9), metric="views", breakdown="video"
    )
    assert route.calls.last.request.url.params["breakdown"] == "video"
    assert result.breakdown_series is not None
    refs = [s.entity_ref.id for s in result.breakdown_series if s.entity_ref is not None]
    assert refs == [uid(1), "__other__"]


async def test_the_old_spellings_still_work_with_a_deprecation_warning(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/analytics").mock(return_value=ok({"series": []}))
    with pytest.warns(DeprecationWarning, match="is deprecated") as seen:
        await tg.analytics.query(
            "creator", uid(1), "views", from_date="2026-06-01", to_date=dt.date(2026, 6, 3)
        )
    messages = sorted(str(w.message) for w in seen)
    assert [m.split(": ")[1] for m in messages] == [
        "from_date= is deprecated; use from_= as the docs spell it",
        "to_date= is deprecated; use to= as the docs spell it",
    ]
    assert seen[0].filename == __file__  # the warning points at the caller's line
    params = route.calls.last.request.url.params
    assert (params["from"], params["to"]) == ("2026-06-01", "2026-06-03")

    with pytest.warns(DeprecationWarning, match="entity_ids"):
        await tg.analytics.query("creator", [uid(1), uid(2)], "views")  # type: ignore[arg-type]
    assert route.calls.last.request.url.params["entity_ids"] == f"{uid(1)},{uid(2)}"


async def test_values_the_sdk_does_not_know_go_to_the_server(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/analytics").mock(
        side_effect=[
            ok({"series": [], "future_field": 1}),
            fail(400, "Unknown metric: vibes", {"code": "invalid_query"}),
        ]
    )
    result = await tg.analytics.query(
        entity="org", entity_id=uid(1), metric="watch_time", mode="rolling", granularity="hour"
    )
    params = route.calls.last.request.url.params
    assert (params["entity"], params["metric"], params["mode"], params["granularity"]) == (
        "org",
        "watch_time",
        "rolling",
        "hour",
    )
    assert result.extra == {"future_field": 1}
    with pytest.raises(errors.BadRequestError) as raised:
        await tg.analytics.query(entity="creator", entity_id=uid(1), metric="vibes")
    assert raised.value.code == "invalid_query"
    assert raised.value.request_id == "req_400"


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
    text = await tg.analytics.query(entity="video", entity_id=uid(3), metric="views", format="csv")
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
        await tg.analytics.query(
            entity="creator", entity_id=uid(1), metric="views", from_="2020-01-01"
        )
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"entity": ""}, "entity"),
        ({"metric": "views per day"}, "metric"),
        ({"metric": None}, "metric is required"),
        ({"mode": 3}, "mode"),
        ({"granularity": "day,week"}, "granularity"),
        ({"compare": "prior\nperiod"}, "compare"),
        ({"breakdown": ""}, "breakdown"),
        ({"format": "c sv"}, "format"),
        ({"entity_id": None, "entity_ids": []}, "entity_ids must not be empty"),
        ({"entity_id": None, "entity_ids": [uid(n) for n in range(6)]}, "at most 5"),
        ({"entity_id": None, "entity_ids": f"{uid(1)},creator-2"}, "entity_ids"),
        ({"entity_id": "creator-1"}, "entity_id"),
        ({"entity_id": None}, "exactly one of entity_id, entity_ids and ids"),
        ({"entity_ids": [uid(2)]}, "entity_id and entity_ids"),
        ({"from_": "2026-06-05", "to": "2026-06-01"}, "after"),
        ({"from_": "yesterday"}, "from_"),
        ({"to": dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC).time()}, "to"),
        ({"tz": "Europe/ Berlin"}, "tz"),
    ],
)
async def test_malformed_values_are_refused_before_the_network(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, kwargs: dict[str, Any], match: str
) -> None:
    arguments: dict[str, Any] = {
        "entity": "creator",
        "entity_id": uid(1),
        "metric": "views",
        **kwargs,
    }
    with pytest.raises(ValueError, match=match):
        await tg.analytics.query(**arguments)
    assert not routes.calls


async def test_growth_rate_with_base_metric(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/analytics").mock(return_value=ok({"series": []}))
    await tg.analytics.query(
        entity="video",
        entity_id=uid(1),
        metric="growth_rate_pop",
        base_metric="views",
        mode="rate",
    )
    params = route.calls.last.request.url.params
    assert (params["metric"], params["base_metric"], params["mode"]) == (
        "growth_rate_pop",
        "views",
        "rate",
    )
