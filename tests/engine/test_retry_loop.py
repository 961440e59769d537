"""The retry loop: one loop for every attempt, tenacity only after a failure, no replay."""

from __future__ import annotations

import anyio
import httpx
import pytest
import respx

from creatorsdk import RetryPolicy, errors
from creatorsdk._engine import client as engine_client
from creatorsdk.testing import FakeClock

from ..conftest import API_KEY
from .conftest import EngineClient
from .test_client import ok, problem


async def test_a_call_that_succeeds_at_once_builds_no_retry_machinery(
    engine: EngineClient, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tenacity was built for a call that did not fail")

    monkeypatch.setattr(engine_client, "retrying_for", refuse)
    api.get("/things").mock(return_value=ok({"a": 1}))
    reply = await engine.request("GET", "/things")
    assert reply.data == {"data": {"a": 1}}


async def test_each_attempt_is_sent_once_and_counted_once(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    # With a replayed first attempt, tenacity would count one attempt the wire never saw.
    route = api.get("/things").mock(
        side_effect=[problem(503, "SERVICE_UNAVAILABLE"), problem(502, "BAD_GATEWAY"), ok()]
    )
    await engine.request("GET", "/things")
    assert route.call_count == 3
    assert engine.stats.requests == 3
    assert engine.stats.retries == 2


async def test_the_last_error_carries_the_attempts_the_wire_saw(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.get("/things").mock(return_value=problem(503, "SERVICE_UNAVAILABLE"))
    with pytest.raises(errors.ServiceUnavailableError) as caught:
        await engine.request("GET", "/things")
    assert caught.value.attempts == route.call_count == 5


async def test_a_429_waits_once_through_the_pacer_not_twice(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    api.get("/things").mock(
        side_effect=[problem(429, "RATE_LIMITED", **{"Retry-After": "3"}), ok()]
    )
    await engine.request("GET", "/things")
    # The pacer held the retry for Retry-After; the loop added no backoff of its own.
    assert clock.sleeps == [3.0]


async def test_a_headerless_429_is_waited_out_by_the_pacer(
    api: respx.MockRouter, clock: FakeClock
) -> None:
    policy = RetryPolicy(sleep=clock.sleep, clock=clock, random=lambda: 1.0)
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now())
        return problem(429, "RATE_LIMITED") if len(sent_at) == 1 else ok()

    api.get("/things").mock(side_effect=answer)
    async with EngineClient(api_key=API_KEY, retry=policy) as engine:
        await engine.request("GET", "/things")
        await engine.request("GET", "/things")
    # The pacer, not the loop's backoff, held the retry: it left later than the 429, at the
    # pace the pacer discovered; the next call was sent without any extra wait of its own.
    assert len(sent_at) == 3
    assert sent_at[1] > sent_at[0]
    assert sent_at[2] >= sent_at[1]


async def test_the_deadline_cuts_an_attempt_in_progress() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    policy = RetryPolicy(deadline=0.05)
    transport = httpx.MockTransport(hang)
    async with EngineClient(api_key=API_KEY, retry=policy, transport=transport) as engine:
        with anyio.fail_after(5), pytest.raises(errors.APITimeoutError, match="deadline"):
            await engine.request("GET", "/things")
        # The cut attempt gave its concurrency slot back.
        assert engine._pacer.in_flight == 0


async def test_a_429_asking_more_than_the_deadline_left_gives_up_at_once(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    bounded = RetryPolicy(deadline=5.0, sleep=policy.sleep, clock=policy.clock)
    route = api.get("/things").mock(
        return_value=problem(429, "RATE_LIMITED", **{"Retry-After": "30"})
    )
    async with EngineClient(api_key=API_KEY, retry=bounded) as engine:
        with pytest.raises(errors.RateLimitError):
            await engine.request("GET", "/things")
    assert route.call_count == 1
