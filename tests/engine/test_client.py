"""The one request path: auth, retries, idempotency, errors, pacing, secrets."""

from __future__ import annotations

import email.utils
import gc
import logging
import math
import weakref
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from creatorsdk import RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeCreatorAudit

from ..conftest import API_KEY, BASE_URL, START, client_on
from .conftest import EngineClient

PROBLEM_503 = {"status": 503, "code": "SERVICE_UNAVAILABLE", "title": "Unavailable"}
RATE_HEADERS = {
    "X-RateLimit-Limit": "600",
    "X-RateLimit-Remaining": "599",
    "X-RateLimit-Reset": f"{START + 60:.0f}",
}


def ok(payload: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, json={"data": payload}, headers={"X-Request-ID": "req_ok", **headers}
    )


def problem(status: int, code: str, **headers: str) -> httpx.Response:
    body = {"status": status, "code": code, "title": code.title(), "detail": f"{code} happened"}
    return httpx.Response(
        status,
        json=body,
        headers={
            "Content-Type": "application/problem+json",
            "X-Request-ID": f"req_{status}",
            **headers,
        },
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://api.creatoraudit.com/v2",
        "http://10.0.0.5/v2",
        "ftp://127.0.0.1/v2",
        "api.creatoraudit.com/v2",
    ],
)
def test_refuses_unsafe_base_urls(url: str) -> None:
    with pytest.raises(ValueError, match="base"):
        EngineClient(api_key=API_KEY, base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v2",
        "http://localhost/v2",
        "http://[::1]:9/v2",
        "http://127.9.9.9/v2",
        "https://api.creatoraudit.com/v2",
    ],
)
def test_allows_https_and_loopback_http(url: str) -> None:
    assert EngineClient(api_key=API_KEY, base_url=url).base_url == url


def test_missing_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREATORSDK_TEST_API_KEY", raising=False)
    with pytest.raises(ValueError, match="CREATORSDK_TEST_API_KEY"):
        EngineClient()
    with pytest.raises(ValueError, match="API key"):
        EngineClient(api_key="  ")
    with pytest.raises(ValueError, match="line breaks"):
        EngineClient(api_key="abc\r\nX-Evil: 1")


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORSDK_TEST_API_KEY", "env-key")
    monkeypatch.setenv("CREATORSDK_TEST_BASE_URL", "http://127.0.0.1:1/v2")
    client = EngineClient()
    assert client.base_url == "http://127.0.0.1:1/v2"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_concurrency": 0},
        {"timeout": 0},
        {"timeout": -1},
        # Before: AttributeError or TypeError from inside httpx, a ValueError of httpx's own,
        # or (hooks) accepted, to fail on every call.
        {"proxy": 5},
        {"proxy": "nonsense"},
        {"transport": 5},
        {"hooks": 5},
    ],
)
def test_rejects_bad_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(errors.InvalidArgumentError, match=next(iter(kwargs))):
        EngineClient(api_key=API_KEY, **kwargs)  # type: ignore[arg-type]


async def test_success_sends_auth_and_records_rate_limit(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.get("/things").mock(return_value=ok([1], **RATE_HEADERS))
    reply = await engine.request("GET", "/things", params={"a": True, "b": None, "c": 2})
    assert reply.data == {"data": [1]}
    assert reply.request_id == "req_ok"
    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.url.params == httpx.QueryParams({"a": "true", "c": "2"})
    assert sent.url.path == "/v2/things"
    assert engine.rate_limit is not None
    assert engine.rate_limit.remaining == 599


async def test_503_is_retried_with_backoff(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    api.post("/things").mock(
        side_effect=[
            problem(503, "SERVICE_UNAVAILABLE"),
            problem(503, "SERVICE_UNAVAILABLE"),
            ok("done"),
        ]
    )
    reply = await engine.request("POST", "/things", json={"x": 1})  # keyless: 503 is safe
    assert reply.data == {"data": "done"}
    assert len(clock.sleeps) == 2
    assert clock.sleeps[0] <= 0.5
    assert clock.sleeps[1] <= 1.0
    assert engine.stats.retries == 2
    assert engine.stats.requests == 3


async def test_retry_after_is_honoured_and_pauses_the_client(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    api.get("/things").mock(
        side_effect=[problem(429, "RATE_LIMITED", **{"Retry-After": "7"}), ok()]
    )
    await engine.request("GET", "/things")
    assert clock.sleeps == [7.0]
    assert engine.stats.rate_limited == 1


async def test_retry_after_over_the_cap_raises_at_once(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    route = api.get("/things").mock(
        return_value=problem(429, "RATE_LIMITED", **{"Retry-After": "120", **RATE_HEADERS})
    )
    with pytest.raises(errors.RateLimitError) as caught:
        await engine.request("GET", "/things")
    assert clock.sleeps == []
    assert route.call_count == 1
    error = caught.value
    assert error.retry_after == 120.0
    assert error.attempts == 1
    assert error.rate_limit is not None
    assert error.rate_limit.remaining == 599


async def test_http_date_retry_after(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    assert clock.now() == START  # Sun, 14 Jun 2026 09:30:00 GMT
    api.get("/things").mock(
        side_effect=[
            problem(429, "RATE_LIMITED", **{"Retry-After": "Sun, 14 Jun 2026 09:30:09 GMT"}),
            ok(),
        ]
    )
    await engine.request("GET", "/things")
    assert clock.sleeps == [9.0]


async def test_a_retry_after_date_is_read_on_the_server_s_clock(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    """A server two hours and a quarter second behind ours, its answers a tenth of a second
    apart, each dated by its clock: a ``Retry-After`` date 9 s on in its time is waited for
    as it means it (no less: the offset is taken at its lower bound; at most the 0.3 s it is
    known to more), not as a wait that ended two hours ago. (Before: 0 s, at once.)"""
    behind = -(2 * 3600 + 0.25)
    calls, its_wait = 0, 0.0

    def on_its_clock(request: httpx.Request) -> httpx.Response:
        nonlocal calls, its_wait
        calls += 1
        clock.advance(0.1)
        its_now = clock() + behind
        date = email.utils.formatdate(math.floor(its_now), usegmt=True)
        if calls == 30:
            back_at = math.floor(its_now) + 9
            its_wait = back_at - its_now
            later = email.utils.formatdate(back_at, usegmt=True)
            return problem(429, "RATE_LIMITED", **{"Retry-After": later, "Date": date})
        return ok(Date=date)

    api.get("/things").mock(side_effect=on_its_clock)
    for _ in range(30):
        await engine.request("GET", "/things")
    assert len(clock.sleeps) == 1
    assert its_wait <= clock.sleeps[0] <= its_wait + 0.3


async def test_garbage_retry_after_falls_back_to_backoff(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    api.get("/things").mock(
        side_effect=[problem(429, "RATE_LIMITED", **{"Retry-After": "-inf"}), ok()]
    )
    await engine.request("GET", "/things")
    assert len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= 0.5


async def test_gives_up_after_max_attempts_with_the_last_error(
    engine: EngineClient, api: respx.MockRouter, clock: FakeClock
) -> None:
    route = api.get("/things").mock(return_value=problem(500, "INTERNAL_ERROR"))
    with pytest.raises(errors.ServerError) as caught:
        await engine.request("GET", "/things")
    assert route.call_count == 5
    assert caught.value.attempts == 5
    assert caught.value.request_id == "req_500"
    assert len(clock.sleeps) == 4
    assert all(0 <= s <= min(10.0, 0.5 * 2**i) for i, s in enumerate(clock.sleeps))


async def test_deadline_stops_retrying(api: respx.MockRouter, clock: FakeClock) -> None:
    policy = RetryPolicy(
        max_attempts=100, deadline=20.0, sleep=clock.sleep, clock=clock, random=lambda: 1.0
    )
    route = api.get("/things").mock(return_value=problem(503, "SERVICE_UNAVAILABLE"))
    async with EngineClient(api_key=API_KEY, retry=policy) as engine:
        with pytest.raises(errors.ServiceUnavailableError):
            await engine.request("GET", "/things")
    assert sum(clock.sleeps) <= 20.0
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]  # the next 10 s would pass the deadline
    assert route.call_count == 6


async def test_keyless_post_is_not_retried_on_500(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(return_value=problem(500, "INTERNAL_ERROR"))
    with pytest.raises(errors.ServerError):
        await engine.request("POST", "/things", json={})
    assert route.call_count == 1


async def test_keyed_post_reuses_its_idempotency_key(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(
        side_effect=[problem(500, "INTERNAL_ERROR"), httpx.ReadError("reset"), ok()]
    )
    await engine.request("POST", "/things", json={"a": 1}, idempotency_key="key-1")
    keys = [call.request.headers["idempotency-key"] for call in route.calls]
    assert keys == ["key-1", "key-1", "key-1"]
    assert {call.request.content for call in route.calls} == {b'{"a":1}'}


async def test_read_only_post_retries_when_marked_idempotent(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things/deltas").mock(side_effect=[problem(502, "UPSTREAM_ERROR"), ok()])
    await engine.request("POST", "/things/deltas", json={}, idempotent=True)
    assert route.call_count == 2


async def test_connect_errors_retry_even_for_keyless_posts(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(side_effect=[httpx.ConnectError("refused"), ok()])
    await engine.request("POST", "/things", json={})
    assert route.call_count == 2


async def test_dropped_keyless_post_is_not_repeated(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(side_effect=httpx.RemoteProtocolError("dropped"))
    with pytest.raises(errors.APIConnectionError) as caught:
        await engine.request("POST", "/things", json={})
    assert route.call_count == 1
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    assert caught.value.sent


async def test_timeouts_keep_their_cause(engine: EngineClient, api: respx.MockRouter) -> None:
    api.get("/things").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeoutError) as caught:
        await engine.request("GET", "/things")
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert caught.value.attempts == 5


async def test_truncated_json_is_retried_for_gets(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    cut = httpx.Response(
        200, content=b'{"data": [1, 2', headers={"Content-Type": "application/json"}
    )
    api.get("/things").mock(side_effect=[cut, ok([1, 2])])
    assert (await engine.request("GET", "/things")).data == {"data": [1, 2]}


async def test_truncated_json_on_keyless_post_raises(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    cut = httpx.Response(201, content=b'{"data": {', headers={"X-Request-ID": "req_cut"})
    api.post("/things").mock(return_value=cut)
    with pytest.raises(errors.MalformedResponseError) as caught:
        await engine.request("POST", "/things", json={})
    assert caught.value.request_id == "req_cut"


async def test_not_modified_and_no_content_have_no_data(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    api.get("/cached").mock(return_value=httpx.Response(304))
    api.delete("/gone").mock(return_value=httpx.Response(204))
    assert (await engine.request("GET", "/cached")).status == 304
    assert (await engine.request("DELETE", "/gone")).data is None


async def test_non_json_success_keeps_text(engine: EngineClient, api: respx.MockRouter) -> None:
    api.get("/export").mock(
        return_value=httpx.Response(200, text="a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    )
    reply = await engine.request("GET", "/export")
    assert reply.text == "a,b\n1,2\n"
    assert reply.data is None


async def test_redirects_are_not_followed(engine: EngineClient, api: respx.MockRouter) -> None:
    api.get("/moved").mock(
        return_value=httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    )
    with pytest.raises(errors.APIError) as caught:
        await engine.request("GET", "/moved")
    assert caught.value.status == 302
    assert len(api.calls) == 1


async def test_secret_never_in_logs_reprs_or_errors(
    engine: EngineClient, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.get("/things").mock(side_effect=[problem(503, "SERVICE_UNAVAILABLE"), ok()])
    api.get("/bad").mock(return_value=problem(401, "UNAUTHORIZED"))
    with caplog.at_level(logging.DEBUG):
        await engine.request("GET", "/things")
        with pytest.raises(errors.AuthenticationError) as caught:
            await engine.request("GET", "/bad")
    attempts = [r for r in caplog.records if r.name == "creatorsdk" and r.levelno == logging.DEBUG]
    assert len(attempts) == 3
    assert "status=503 attempt=1" in attempts[0].getMessage()
    assert "request_id=req_ok" in attempts[1].getMessage()
    texts = [r.getMessage() for r in caplog.records]
    texts += [repr(engine), str(caught.value), repr(caught.value), repr(engine._http.headers)]
    assert not [t for t in texts if API_KEY in t]


async def test_base_url_path_is_kept(api: respx.MockRouter, policy: RetryPolicy) -> None:
    async with EngineClient(api_key=API_KEY, base_url=BASE_URL + "/", retry=policy) as client:
        route = api.get("/whoami").mock(return_value=ok())
        await client.request("GET", "/whoami")
    assert route.calls.last.request.url == httpx.URL(BASE_URL + "/whoami")


class _RecordingTransport(httpx.AsyncBaseTransport):
    """Answers every request with a streamed JSON body and keeps only weak references to the
    responses it made."""

    def __init__(self) -> None:
        self.made: list[weakref.ref[httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b'{"data": {"views": 1}}'
        response = httpx.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
            stream=_Chunks([body[:5], body[5:]]),
            request=request,
        )
        self.made.append(weakref.ref(response))
        return response


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


async def test_a_read_response_is_freed_with_its_body_without_the_cyclic_collector(
    policy: RetryPolicy,
) -> None:
    # httpx's stream wrapper refers back to its response: left as it is, every body waits
    # for the cyclic collector, and peak memory follows how rarely that runs.
    transport = _RecordingTransport()
    async with EngineClient(api_key=API_KEY, retry=policy, transport=transport) as client:
        gc.collect()
        gc.disable()
        try:
            reply = await client.request("GET", "/things")
            assert reply.data == {"data": {"views": 1}}
            del reply
            assert len(transport.made) == 1
            assert transport.made[0]() is None
        finally:
            gc.enable()


async def _paced_on_a_clock(server_ahead: float) -> tuple[int, float]:
    """100 deltas chunks against a fake allowing 40 every 5 s, whose clock is
    ``server_ahead`` seconds ahead of ours; the 429s drawn and how long it took. Each
    reading of the fake's clock takes 5 ms (its work takes time, so a window's answers fall
    on either side of its seconds, as a real server's do)."""
    clock = FakeClock()

    def server_clock() -> float:
        clock.advance(0.005)
        return clock() + server_ahead

    fake = FakeCreatorAudit(0, accounts=2, rate_limit=40, rate_window=5.0, clock=server_clock)
    ids = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(100 * 200)]
    async with client_on(fake, retry=RetryPolicy(sleep=clock.sleep, clock=clock)) as ca:
        began = clock()
        await ca.videos.deltas(ids)
        return ca.stats.rate_limited, clock() - began


async def test_a_server_whose_clock_is_hours_behind_is_paced_as_one_on_ours() -> None:
    """The bulk-ingest example's demo server keeps its own clock, 13 h and a fraction behind
    ours; its resets are dates on that clock. They are moved onto ours by the offset the
    ``Date`` of its answers shows, and its windows are spent as if its clock were ours.
    (Before: every reset looked 13 h past and was dropped; the client paced as if there were
    no headers and drew a 429 a window, two here, as the example did.)"""
    on_ours = await _paced_on_a_clock(0.0)
    behind = await _paced_on_a_clock(-(13 * 3600 + 0.37))
    assert on_ours[0] == behind[0] == 0
    # Three windows; each moved reset may be late by what the offset is not known to (0.3 s).
    assert behind[1] <= on_ours[1] + 0.9
