"""Per-call options: with_options views, extra_* arguments, raw responses."""

from __future__ import annotations

import anyio
import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, CreatorAudit, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeCreatorAudit

from ..conftest import API_KEY, BASE_URL

VIDEO = "6b29fc40-ca47-1067-b31d-00dd010662da"
VIDEO_BODY = {"data": {"id": VIDEO, "platform": "tiktok", "url": "https://t.example/v"}}


def _video_reply(**headers: str) -> httpx.Response:
    return httpx.Response(200, json=VIDEO_BODY, headers={"X-Request-ID": "req_video", **headers})


async def test_a_view_shares_pool_pacer_limit_and_counters(ca: AsyncCreatorAudit) -> None:
    view = ca.with_options(timeout=2.0, headers={"X-Tenant": "acme"})
    assert view._http is ca._http
    assert view._pacer is ca._pacer
    assert view.stats is ca.stats
    # Its resources call the view, and the client's own are untouched.
    assert view.videos._client is view
    assert ca.videos._client is ca


async def test_a_view_adds_headers_query_and_body_to_each_request(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos").mock(
        return_value=httpx.Response(201, json=VIDEO_BODY, headers={"X-Request-ID": "r"})
    )
    view = ca.with_options(
        headers={"X-Tenant": "acme"}, extra_query={"beta": "1"}, extra_body={"note": "hi"}
    )
    await view.videos.create("tiktok", "https://www.tiktok.com/@a/video/1")
    sent = route.calls.last.request
    assert sent.headers["x-tenant"] == "acme"
    assert sent.url.params["beta"] == "1"
    assert b'"note":"hi"' in sent.content
    # The client itself sends none of it.
    await ca.videos.create("tiktok", "https://www.tiktok.com/@a/video/2")
    plain = route.calls.last.request
    assert "x-tenant" not in plain.headers
    assert "beta" not in plain.url.params


async def test_every_method_takes_extra_arguments(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get(f"/videos/{VIDEO}").mock(return_value=_video_reply())
    video = await ca.videos.get(  # type: ignore[call-arg]  # added at run time
        VIDEO, extra_headers={"X-Trace": "t1"}, extra_query={"x": "y"}
    )
    assert video.id == VIDEO
    sent = route.calls.last.request
    assert sent.headers["x-trace"] == "t1"
    assert sent.url.params["x"] == "y"


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"timeout": 0}, "timeout"),
        ({"deadline": -1}, "deadline"),
        ({"deadline": True}, "deadline"),
        ({"timeout": True}, "timeout"),
        ({"retry": 3}, "retry"),
        ({"headers": {"Authorization": "Bearer other"}}, "Authorization"),
        ({"headers": {"X-Evil": "a\r\nb"}}, "X-Evil"),
    ],
)
def test_bad_options_are_refused_before_the_network(
    ca: AsyncCreatorAudit, options: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        ca.with_options(**options)  # type: ignore[arg-type]


async def test_a_deadline_view_bounds_each_call(ca: AsyncCreatorAudit) -> None:
    view = ca.with_options(deadline=2.0)
    assert view.retry_policy.deadline == 2.0
    assert ca.retry_policy.deadline is None


async def test_a_deadline_ends_a_call_under_a_persistent_429(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    route = api.get("/overview").mock(
        return_value=httpx.Response(
            429, json={"status": 429, "code": "RATE_LIMITED"}, headers={"Retry-After": "50"}
        )
    )
    started = policy.clock()
    async with AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, retry=policy) as ca:
        with pytest.raises(errors.RateLimitError):
            await ca.with_options(deadline=2.0).overview()
    # Retry-After 50 s would pass the 2 s deadline: no wait at all, one attempt.
    assert route.call_count == 1
    assert policy.clock() - started < 2.0


async def test_closing_a_view_leaves_the_client_open(ca: AsyncCreatorAudit) -> None:
    async with ca.with_options(timeout=1.0):
        pass
    assert not ca._http.is_closed


async def test_a_raw_response_carries_the_exchange_and_parses(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get(f"/videos/{VIDEO}").mock(
        side_effect=[
            httpx.Response(503, json={"status": 503, "code": "SERVICE_UNAVAILABLE"}),
            _video_reply(
                **{
                    "X-RateLimit-Limit": "600",
                    "X-RateLimit-Remaining": "599",
                    "X-RateLimit-Reset": "1800000060",
                }
            ),
        ]
    )
    raw = await ca.with_raw_response.videos.get(VIDEO)
    assert raw.status == 200
    assert raw.request_id == "req_video"
    assert raw.headers["x-request-id"] == "req_video"
    assert raw.attempts == 2
    assert raw.rate_limit is not None
    assert raw.rate_limit.remaining == 599
    assert raw.elapsed >= 0
    assert raw.parse().id == VIDEO


async def test_a_raw_response_s_reset_in_seconds_from_now_is_a_unix_time(
    ca: AsyncCreatorAudit, api: respx.MockRouter, clock: FakeClock
) -> None:
    """As ``ca.rate_limit``'s is (it was the 30 seconds themselves)."""
    api.get(f"/videos/{VIDEO}").mock(
        return_value=_video_reply(**{"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "30"})
    )
    raw = await ca.with_raw_response.videos.get(VIDEO)
    assert raw.rate_limit is not None
    assert raw.rate_limit.reset_at == pytest.approx(clock() + 30)
    assert ca.rate_limit is not None
    assert ca.rate_limit.reset_at == pytest.approx(clock() + 30)


async def test_a_raw_fan_out_lists_every_chunk() -> None:
    fake = FakeCreatorAudit(seed=0)
    ids = [v["id"] for v in list(fake.store.account_videos.values())[:450]]
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport()
    ) as ca:
        raw = await ca.with_raw_response.videos.deltas(ids, windows=[7])
    assert len(raw.exchanges) == 3
    assert all(exchange.status == 200 for exchange in raw.exchanges)
    assert raw.parse().get(ids[0], 7) is not None or ids[0] in raw.parse().not_found


def test_listings_have_no_raw_response(ca: AsyncCreatorAudit) -> None:
    with pytest.raises(AttributeError, match="raw"):
        ca.with_raw_response.videos.list  # noqa: B018


def test_the_sync_client_has_the_same_views() -> None:
    fake = FakeCreatorAudit(seed=0)
    with CreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport()
    ) as ca:
        video_id = next(iter(fake.store.videos))
        raw = ca.with_raw_response.videos.get(video_id)
        assert raw.status == 200
        assert raw.parse().id == video_id
        view = ca.with_options(headers={"X-Tenant": "acme"})
        assert view.videos.get(video_id).id == video_id
        view.close()
        assert not ca.closed
        assert ca.whoami().organization_id
    assert fake.requests[-2].headers.get("x-tenant") == "acme"


async def test_a_view_timeout_bounds_each_attempt_as_a_whole() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(5)
        return _video_reply()

    transport = httpx.MockTransport(slow)
    policy = RetryPolicy(max_attempts=1)
    async with AsyncCreatorAudit(
        api_key=API_KEY, base_url=BASE_URL, transport=transport, retry=policy
    ) as ca:
        with anyio.fail_after(3), pytest.raises(errors.APITimeoutError):
            await ca.with_options(timeout=0.05).videos.get(VIDEO)


# ---- a caller's own httpx client ------------------------------------------------------------


class Recording(httpx.AsyncBaseTransport):
    """Hands requests to ``inner`` and keeps each one as sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)


async def test_a_callers_http_client_is_used_as_it_is_and_left_open() -> None:
    fake = FakeCreatorAudit(0, accounts=1)
    transport = Recording(fake.transport())
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://elsewhere.test/other/",
        headers={"X-App": "mine"},
        timeout=httpx.Timeout(0.001),  # the SDK's own timeout applies, not this one
    ) as mine:
        before = (mine.auth, dict(mine.headers), mine.base_url)
        async with AsyncCreatorAudit(
            api_key=fake.api_key, base_url=fake.base_url, http_client=mine
        ) as ca:
            assert (await ca.whoami()).organization_id == fake.organization_id
            async for _ in ca.accounts.list():
                break
        assert not mine.is_closed  # the caller closes it
        assert (mine.auth, dict(mine.headers), mine.base_url) == before  # nothing changed
        (whoami, listing) = transport.sent
    assert str(whoami.url) == f"{fake.base_url}/whoami"
    assert listing.url.path == httpx.URL(fake.base_url).path + "/accounts"
    assert whoami.headers["Authorization"] == f"Bearer {fake.api_key}"
    assert whoami.headers["X-App"] == "mine"
    assert whoami.headers["User-Agent"].startswith("creatorsdk/")
    assert whoami.extensions["timeout"]["read"] == 30.0
    assert whoami.extensions["timeout"]["pool"] is None


async def test_a_callers_client_never_follows_a_redirect_with_the_key() -> None:
    hops: list[httpx.URL] = []

    def redirect(request: httpx.Request) -> httpx.Response:
        hops.append(request.url)
        return httpx.Response(302, headers={"Location": "https://attacker.test/steal"})

    policy = RetryPolicy(max_attempts=1)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(redirect), follow_redirects=True) as mine,
        AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, http_client=mine, retry=policy) as ca,
    ):
        with pytest.raises(errors.APIError):
            await ca.whoami()
    assert [url.host for url in hops] == ["api.creatoraudit.test"]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"transport": httpx.MockTransport(lambda r: httpx.Response(200))}, "transport"),
        ({"verify": "/etc/ssl/certs/ca-certificates.crt"}, "verify"),
        ({"proxy": "http://proxy.test:3128"}, "proxy"),
    ],
)
async def test_http_client_settings_belong_to_that_client(
    options: dict[str, object], says: str
) -> None:
    async with httpx.AsyncClient() as mine:
        with pytest.raises(errors.InvalidArgumentError, match=says):
            AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, http_client=mine, **options)  # type: ignore[arg-type]


async def test_a_closed_or_foreign_http_client_is_refused() -> None:
    mine = httpx.AsyncClient()
    await mine.aclose()
    with pytest.raises(errors.InvalidArgumentError, match="closed"):
        AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, http_client=mine)
    with pytest.raises(errors.InvalidArgumentError, match=r"httpx\.AsyncClient"):
        AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client())  # type: ignore[arg-type]


def test_the_sync_client_takes_an_http_client_too() -> None:
    fake = FakeCreatorAudit(0, accounts=1)
    mine = httpx.AsyncClient(transport=fake.transport())
    with CreatorAudit(api_key=fake.api_key, base_url=fake.base_url, http_client=mine) as ca:
        assert ca.whoami().organization_id == fake.organization_id
    assert not mine.is_closed
    anyio.run(mine.aclose)
