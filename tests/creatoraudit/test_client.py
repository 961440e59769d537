"""AsyncCreatorAudit itself: construction and the top-level calls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, RateLimit, errors
from creatorsdk.creatoraudit import Overview

from ..conftest import API_KEY, BASE_URL
from .conftest import REQUEST_ID, ok, sent_query, uid


def test_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORAUDIT_API_KEY", "from-env")
    monkeypatch.delenv("CREATORAUDIT_BASE_URL", raising=False)
    client = AsyncCreatorAudit()
    assert client.base_url == "https://api.creatoraudit.com/v2"
    monkeypatch.setenv("CREATORAUDIT_BASE_URL", "https://proxy.example/v2")
    assert AsyncCreatorAudit().base_url == "https://proxy.example/v2"


def test_a_missing_key_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREATORAUDIT_API_KEY", raising=False)
    with pytest.raises(ValueError, match="CREATORAUDIT_API_KEY"):
        AsyncCreatorAudit()


def test_a_plain_http_remote_base_url_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        AsyncCreatorAudit(api_key=API_KEY, base_url="http://api.creatoraudit.com/v2")


async def test_the_key_is_sent_as_a_bearer_token_and_never_shown(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/whoami").mock(
        return_value=ok(
            {"data": {"type": "whoami", "organization_id": uid(50), "api_key_name": "Prod"}},
            headers={
                "X-RateLimit-Limit": "600",
                "X-RateLimit-Remaining": "599",
                "X-RateLimit-Reset": "1",
            },
        )
    )
    me = await ca.whoami()
    assert (me.organization_id, me.api_key_name) == (uid(50), "Prod")
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in repr(ca)
    assert isinstance(ca.rate_limit, RateLimit)
    assert ca.rate_limit.remaining == 599


async def test_whoami_keeps_a_non_uuid_organization_id(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get("/whoami").mock(return_value=ok({"data": {"organization_id": "org_2aBc"}}))
    me = await ca.whoami()
    assert me.organization_id == "org_2aBc"
    assert me.api_key_name is None


async def test_meta(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    data = {
        "type": "api_meta",
        "api_version": "v2",
        "status": "current",
        "docs_url": "https://api.creatoraudit.com/v2/docs",
        "openapi_url": "https://api.creatoraudit.com/v2/openapi.json",
        "whoami_url": "https://api.creatoraudit.com/v2/whoami",
        "deprecation": None,
        "sunset": None,
    }
    api.get("/meta").mock(return_value=ok({"data": data}))
    meta = await ca.meta()
    assert (meta.api_version, meta.status, meta.sunset) == ("v2", "current", None)
    assert meta.extra == {}


@pytest.mark.parametrize(
    ("response", "extra"),
    [
        (ok({"data": {"status": "ok", "db": "up"}}), {"status": "ok", "db": "up"}),
        (ok({"status": "ok"}), {"status": "ok"}),
        (ok(["ok"]), {"data": ["ok"]}),
        (httpx.Response(200, text="OK", headers={"Content-Type": "text/plain"}), {"status": "OK"}),
        (ok(None, 204), {}),
    ],
)
async def test_health_keeps_whatever_body_it_gets(
    ca: AsyncCreatorAudit, api: respx.MockRouter, response: httpx.Response, extra: dict[str, Any]
) -> None:
    api.get("/health").mock(return_value=response)
    health = await ca.health()
    assert dict(health.extra) == extra
    assert health.status == extra.get("status")


async def test_overview_with_null_percentages(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    stats = {
        "total_views": 1200,
        "engagement_rate": 4.2,
        "active_accounts": 3,
        "account_videos": 40,
        "tracked_videos": 2,
    }
    changes = {
        "total_views_pct": 12.5,
        "engagement_rate_pct": None,
        "active_accounts_pct": 0,
        "account_videos_pct": None,
        "tracked_videos_pct": -50,
    }
    body = {
        "data": {
            "current": stats,
            "previous": {**stats, "total_views": 0, "engagement_rate": 0},
            "changes": changes,
            "type": "overview",
        }
    }
    route = api.get("/overview").mock(return_value=ok(body))
    overview = await ca.overview(period="30d")
    assert sent_query(route.calls[0]) == {"period": "30d"}
    assert isinstance(overview, Overview)
    assert overview.current.total_views == 1200
    assert overview.previous.total_views == 0
    assert overview.previous.engagement_rate == 0.0
    assert overview.changes.total_views_pct == 12.5
    assert overview.changes.engagement_rate_pct is None
    assert overview.changes.tracked_videos_pct == -50.0


async def test_overview_defaults_to_seven_days(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/overview").mock(return_value=ok({"data": {"type": "overview"}}))
    overview = await ca.overview()
    assert sent_query(route.calls[0]) == {"period": "7d"}
    assert overview.current.total_views is None


async def test_search_merges_data_and_meta(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    body = {
        "data": {
            "accounts": [
                {"id": uid(1), "platform": "tiktok", "username": "cat", "display_name": "Cat"}
            ],
            "creators": [{"id": uid(200).upper(), "name": "Catherine"}],
            "videos": [
                {
                    "id": uid(100),
                    "platform": "instagram",
                    "caption": "my cat",
                    "account_id": uid(1),
                    "account_username": "cat",
                }
            ],
        },
        "meta": {
            "query": "cat",
            "limit_per_section": 25,
            "effective_caps": {"accounts": 10, "creators": 10, "videos": 10},
            "took_ms": 3,
        },
    }
    route = api.get("/search").mock(return_value=ok(body))
    results = await ca.search("cat", limit=25)
    assert sent_query(route.calls[0]) == {"q": "cat", "limit": "25"}
    assert [a.username for a in results.accounts] == ["cat"]
    assert results.creators[0].id == uid(200)
    assert results.videos[0].caption == "my cat"
    assert (results.query, results.limit_per_section) == ("cat", 25)
    assert dict(results.effective_caps) == {"accounts": 10, "creators": 10, "videos": 10}
    assert results.extra == {"took_ms": 3}


async def test_search_allows_a_blank_query(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.get("/search").mock(return_value=ok({"data": {}, "meta": {}}))
    results = await ca.search(" ")
    assert results.accounts == ()
    assert results.effective_caps == {}


async def test_errors_carry_the_request_id(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.get("/whoami").mock(
        return_value=httpx.Response(401, json={"code": "UNAUTHORIZED", "request_id": REQUEST_ID})
    )
    with pytest.raises(errors.AuthenticationError) as caught:
        await ca.whoami()
    assert caught.value.request_id == REQUEST_ID
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ca: ca.overview(period="custom"), "period"),
        (lambda ca: ca.overview(period="1y"), "period"),
        (lambda ca: ca.search("x" * 129), "q"),
        (lambda ca: ca.search(None), "q"),
        (lambda ca: ca.search("cat", limit=26), "limit"),
        (lambda ca: ca.search("cat", limit=0), "limit"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    ca: AsyncCreatorAudit, api: respx.MockRouter, call: Any, argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        await call(ca)
    assert not api.calls


async def test_a_transport_can_be_plugged_in() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": {"organization_id": uid(1)}})

    async with AsyncCreatorAudit(
        api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)
    ) as client:
        assert (await client.whoami()).organization_id == uid(1)
