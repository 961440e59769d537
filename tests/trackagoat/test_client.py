"""AsyncTrackAGoat itself: construction, auth, pacing, errors on the wire, client methods."""

from __future__ import annotations

import datetime as dt
import logging

import anyio
import httpx
import pytest
import respx

from creatorsdk import RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeTrackAGoat
from creatorsdk.trackagoat import AsyncTrackAGoat, CreatorCompliance, Schema

from ..conftest import client_on
from .conftest import API_KEY, BASE_URL, PROJECT, creator, fail, ok, transport, uid


def test_key_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKAGOAT_API_KEY", API_KEY)
    monkeypatch.delenv("TRACKAGOAT_BASE_URL", raising=False)
    assert AsyncTrackAGoat().base_url == "https://www.trackagoat.com/api/v1"
    monkeypatch.setenv("TRACKAGOAT_BASE_URL", "http://127.0.0.1:9000/api/v1")
    assert AsyncTrackAGoat().base_url == "http://127.0.0.1:9000/api/v1"


def test_missing_key_and_plain_http_fail_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKAGOAT_API_KEY", raising=False)
    with pytest.raises(ValueError, match="TRACKAGOAT_API_KEY"):
        AsyncTrackAGoat()
    with pytest.raises(ValueError, match="http://"):
        AsyncTrackAGoat(api_key=API_KEY, base_url="http://www.trackagoat.com/api/v1")


async def test_requests_carry_the_bearer_key_and_hit_the_base_path(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/schema").mock(return_value=ok({"entities": {}}))
    await tg.schema()
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.url == httpx.URL(BASE_URL + "/schema")


async def test_schema_is_kept_as_a_mapping(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    entities = {"project": {"description": "A project", "fields": {"id": {"type": "uuid"}}}}
    routes.get("/schema").mock(
        return_value=ok(
            {"entities": entities, "relationships": [["project", "creator"]], "version": "1.4.0"}
        )
    )
    schema = await tg.schema()
    assert isinstance(schema, Schema)
    assert schema.entities["project"]["fields"]["id"]["type"] == "uuid"
    assert schema.relationships == [["project", "creator"]]
    assert schema.extra == {"version": "1.4.0"}


GOAL_COMPLIANCE = [
    {
        "creator": {
            "id": uid(1),
            "tiktok_handle": "creator1",
            "display_name": "One",
            "avatar_url": None,
        },
        "compliance": [
            {
                "goal": {
                    "id": uid(50),
                    "creator_id": uid(1),
                    "project_id": PROJECT,
                    "metric": "posts",
                    "period": "weekly",
                    "target_value": 5,
                    "start_date": "2026-05-01",
                    "end_date": None,
                    "is_active": True,
                },
                "target": 5,
                "actual": 3,
                "percentage": 60,
                "status": "at_risk",
                "advisory": {
                    "has_advisory": True,
                    "period_in_progress": True,
                    "period_recently_ended": False,
                    "scrape_stale": False,
                    "not_yet_started": False,
                    "messages": ["Period still in progress"],
                    "period_start": "2026-06-01T00:00:00Z",
                    "period_end": "2026-06-08T00:00:00Z",
                    "hours_until_period_end": 40.5,
                    "hours_since_period_end": None,
                    "scrape_freshness": {"last_scraped_at": "2026-06-05T03:00:00Z"},
                },
            }
        ],
    }
]


async def test_goal_compliance(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get(f"/projects/{PROJECT}/goal-compliance").mock(
        return_value=ok(GOAL_COMPLIANCE)
    )
    result = await tg.goal_compliance(
        PROJECT.upper(), creator_id=uid(1), period="weekly", reference_date=dt.date(2026, 6, 6)
    )
    assert route.calls.last.request.url.params == httpx.QueryParams(
        {"creator_id": uid(1), "period": "weekly", "reference_date": "2026-06-06"}
    )
    [entry] = result
    assert isinstance(entry, CreatorCompliance)
    assert entry.creator is not None
    assert entry.creator.tiktok_handle == "creator1"
    [goal] = entry.compliance
    assert goal.status == "at_risk"
    assert goal.percentage == 60.0
    assert goal.goal is not None
    assert goal.goal.start_date == dt.date(2026, 5, 1)
    assert goal.advisory is not None
    assert goal.advisory.period_in_progress
    assert goal.advisory.period_end == dt.datetime(2026, 6, 8, tzinfo=dt.UTC)
    assert goal.advisory.messages == ("Period still in progress",)


async def test_goal_compliance_follows_a_cursor_if_one_is_sent(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get(f"/projects/{PROJECT}/goal-compliance").mock(
        side_effect=[
            ok(GOAL_COMPLIANCE, meta={"nextCursor": "c2"}),
            ok([{"creator": {"id": uid(2)}, "compliance": []}], meta={"nextCursor": None}),
        ]
    )
    result = await tg.goal_compliance(PROJECT)
    assert [e.creator.id for e in result if e.creator] == [uid(1), uid(2)]
    assert [c.request.url.params.get("cursor") for c in route.calls] == [None, "c2"]
    assert "limit" not in route.calls[0].request.url.params


async def test_goal_compliance_validates_before_the_network(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="project_id"):
        await tg.goal_compliance("not-a-uuid")
    with pytest.raises(ValueError, match="period"):
        await tg.goal_compliance(PROJECT, period="yearly")
    with pytest.raises(ValueError, match="reference_date"):
        await tg.goal_compliance(PROJECT, reference_date="06/06/2026")
    assert not routes.calls


async def test_sixty_per_minute_spaces_quick_calls_one_second_apart(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, clock: FakeClock
) -> None:
    routes.get("/schema").mock(return_value=ok({"entities": {}}))
    started = clock.now()
    for _ in range(3):
        await tg.schema()
    assert clock.sleeps == [1.0, 1.0]
    assert clock.now() - started == pytest.approx(2.0)


async def test_calls_queued_past_a_minute_keep_to_sixty_a_minute(clock: FakeClock) -> None:
    """150 calls at once against the fake, which refuses past 60 a minute: the last waits
    about two and a half minutes in line, and never goes early. (Before: a call held a
    minute in line went anyway, and 118 of them drew 429s; 268 requests in all.)"""
    fake = FakeTrackAGoat(0, clock=clock)
    async with client_on(fake, retry=RetryPolicy(sleep=clock.sleep, clock=clock)) as client:
        started = clock.now()
        async with anyio.create_task_group() as group:
            for _ in range(150):
                group.start_soon(client.schema)
        assert (client.stats.requests, client.stats.rate_limited) == (150, 0)
    assert clock.now() - started == pytest.approx(149.0, abs=1.0)


async def test_requests_per_minute_is_configurable(
    routes: respx.MockRouter, policy: RetryPolicy, clock: FakeClock
) -> None:
    routes.get("/schema").mock(return_value=ok({"entities": {}}))
    async with AsyncTrackAGoat(
        api_key=API_KEY,
        base_url=BASE_URL,
        retry=policy,
        transport=transport(routes),
        requests_per_minute=120,
    ) as client:
        for _ in range(3):
            await client.schema()
    assert clock.sleeps == [0.5, 0.5]


async def test_per_key_429_is_retried_after_retry_after(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, clock: FakeClock
) -> None:
    route = routes.get("/schema").mock(
        side_effect=[
            fail(429, "Too many requests", {"code": "rate_limit_exceeded"}, **{"Retry-After": "7"}),
            ok({"entities": {}}),
        ]
    )
    await tg.schema()
    assert route.call_count == 2
    assert clock.sleeps == [7.0]  # the pause also covers the pacer's 1 s spacing
    assert tg.stats.rate_limited == 1


async def test_per_key_429_without_retry_after_waits_60_seconds(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, clock: FakeClock
) -> None:
    routes.get("/schema").mock(
        side_effect=[
            fail(429, "Too many requests", {"code": "too_many_requests"}),
            ok({"entities": {}}),
        ]
    )
    await tg.schema()
    assert clock.sleeps == [60.0]


async def test_daily_quota_is_raised_at_once_without_sleeping(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, clock: FakeClock
) -> None:
    route = routes.get("/schema").mock(
        return_value=fail(
            429, "Rate limit exceeded", {"code": "rate_limit_exceeded", "retryAfter": 3421}
        )
    )
    with pytest.raises(errors.DailyQuotaExceededError) as caught:
        await tg.schema()
    assert route.call_count == 1
    assert clock.sleeps == []
    assert caught.value.retry_after == 3421.0
    assert caught.value.code == "daily_quota_exceeded"
    assert caught.value.request_id == "req_429"


async def test_scope_and_limit_errors_on_the_wire(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post(f"/projects/{PROJECT}/creators").mock(
        return_value=fail(
            403,
            "This action requires the 'write' scope. Granted: [read]",
            {"code": "insufficient_scope", "required": "write", "granted": ["read"]},
        )
    )
    with pytest.raises(errors.InsufficientScopeError) as caught:
        await tg.creators.create(PROJECT, "someone")
    assert caught.value.required == ("write",)
    assert caught.value.granted == ("read",)
    assert caught.value.attempts == 1


async def test_gone_endpoint_error_points_to_analytics(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get("/schema").mock(return_value=fail(410, "Gone"))
    with pytest.raises(errors.GoneError) as caught:
        await tg.schema()
    assert "/analytics" in caught.value.detail


async def test_html_error_page_is_an_api_error_with_its_status(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get("/schema").mock(
        return_value=httpx.Response(
            404, text="<html>Not Found</html>", headers={"Content-Type": "text/html"}
        )
    )
    with pytest.raises(errors.NotFoundError) as caught:
        await tg.schema()
    assert caught.value.status == 404


async def test_500_on_a_get_is_retried(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/schema").mock(
        side_effect=[fail(500, "Internal error", {"code": "internal_error"}), ok({"entities": {}})]
    )
    await tg.schema()
    assert route.call_count == 2


async def test_body_outside_the_envelope_is_a_decode_error(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get("/schema").mock(return_value=httpx.Response(200, json={"entities": {}}))
    with pytest.raises(errors.DecodeError, match="envelope"):
        await tg.schema()


async def test_the_key_never_leaks(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    routes.get("/creators").mock(
        return_value=fail(401, "Invalid or missing API key", {"code": "invalid_api_key"})
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(errors.AuthenticationError) as caught:
        await tg.creators.list().to_list()
    texts = [r.getMessage() for r in caplog.records]
    texts += [repr(tg), str(caught.value), repr(caught.value)]
    assert not [t for t in texts if API_KEY in t]
    assert caught.value.code == "invalid_api_key"


async def test_decoded_ids_are_lowercase(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    routes.post(f"/projects/{PROJECT}/creators").mock(
        return_value=ok(creator(1, id=uid(1).upper()), status=201)
    )
    made = await tg.creators.create(PROJECT, "creator1")
    assert made.id == uid(1)
