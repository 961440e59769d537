"""trackagoat fixtures: respx routes at a test base URL, a client on them, and body factories."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from creatorsdk import RetryPolicy
from creatorsdk._engine.decoding import Id
from creatorsdk.trackagoat import AsyncTrackAGoat

API_KEY = "tga_" + "5e" * 32
BASE_URL = "https://www.trackagoat.test/api/v1"


def uid(n: int) -> Id:
    """A deterministic, valid uuid: ``uid(1)`` → ``00000000-0000-4000-8000-000000000001``."""
    return Id(f"00000000-0000-4000-8000-{n:012d}")


PROJECT = uid(900)


def ok(data: Any, status: int = 200, meta: Any = None, **headers: str) -> httpx.Response:
    """A successful envelope."""
    return httpx.Response(
        status,
        json={"data": data, "error": None, "meta": meta},
        headers={"X-Request-ID": "req_ok", **headers},
    )


def page(items: list[Any], next_cursor: str | None = None, **meta: Any) -> httpx.Response:
    """One listing page; the last one has ``nextCursor: null`` and ``hasMore: false``."""
    return ok(items, meta={"nextCursor": next_cursor, "hasMore": next_cursor is not None, **meta})


def fail(
    status: int, error: str, meta: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    """An error envelope: ``{"data": null, "error": "...", "meta": {...}}``."""
    return httpx.Response(
        status,
        json={"data": None, "error": error, "meta": meta},
        headers={"X-Request-ID": f"req_{status}", **headers},
    )


def sent_json(request: httpx.Request) -> Any:
    """The JSON body a request carried."""
    return json.loads(request.content)


def project(n: int = 900, **fields: Any) -> dict[str, Any]:
    return {
        "id": uid(n),
        "name": f"Project {n}",
        "description": None,
        "org_id": uid(999),
        "created_at": "2026-05-01T10:00:00Z",
        "updated_at": "2026-05-02T10:00:00Z",
        **fields,
    }


def creator(n: int = 1, handle: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": uid(n),
        "project_id": PROJECT,
        "tiktok_handle": handle or f"creator{n}",
        "display_name": f"Creator {n}",
        "description": None,
        "readme": None,
        "metadata": {},
        "tracking_mode": "auto",
        "tracking_start_date": "2026-05-01",
        "tracking_end_date": None,
        "follower_count": 1000 + n,
        "is_active": True,
        "created_at": "2026-05-01T10:00:00Z",
        "updated_at": "2026-05-01T10:00:00Z",
        **fields,
    }


def video(n: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "id": uid(n),
        "project_id": PROJECT,
        "creator_id": uid(1),
        "tiktok_video_id": f"7{n:018d}",
        "url": f"https://www.tiktok.com/@creator1/video/7{n:018d}",
        "title": f"Video {n}",
        "description": None,
        "metadata": {},
        "tracking_status": "auto_tracked",
        "view_count": 100 * n,
        "like_count": 10 * n,
        "comment_count": n,
        "share_count": n,
        "posted_at": "2026-05-03T12:00:00Z",
        **fields,
    }


def campaign(n: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "id": uid(n),
        "project_id": PROJECT,
        "name": f"Campaign {n}",
        "readme": None,
        "metadata": {},
        "target_views": 1_000_000,
        "target_at": "2026-07-01T00:00:00Z",
        "created_at": "2026-05-01T10:00:00Z",
        **fields,
    }


@pytest.fixture
def routes() -> respx.MockRouter:
    """respx routes for the trackagoat test base URL; unmatched requests fail the test."""
    return respx.MockRouter(base_url=BASE_URL, assert_all_called=False)


def transport(routes: respx.MockRouter) -> httpx.MockTransport:
    """The routes as the client's transport: no network, and no TLS context to build."""
    return httpx.MockTransport(routes.async_handler)


@pytest.fixture
async def tg(routes: respx.MockRouter, policy: RetryPolicy) -> AsyncIterator[AsyncTrackAGoat]:
    """An AsyncTrackAGoat on the respx routes, with the manual clock (nothing really sleeps)."""
    async with AsyncTrackAGoat(
        api_key=API_KEY, base_url=BASE_URL, retry=policy, transport=transport(routes)
    ) as client:
        yield client
