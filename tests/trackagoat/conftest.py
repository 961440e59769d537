"""Body factories for the trackagoat client tests.

The ``tg`` client and the ``routes`` it answers from are in the root conftest."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from creatorsdk._engine.decoding import Id

from ..conftest import TG_API_KEY, TG_BASE_URL

# The names the trackagoat tests know them by.
API_KEY = TG_API_KEY
BASE_URL = TG_BASE_URL


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


def transport(routes: respx.MockRouter) -> httpx.MockTransport:
    """The routes as the client's transport: no network, and no TLS context to build."""
    return httpx.MockTransport(routes.async_handler)
