"""Factories for the CreatorAudit client tests: ids, resources, envelopes, fake handlers.

The ``ca`` client and the ``api`` routes it answers from are in the root conftest."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx
import respx

REQUEST_ID = "req-0001"


def uid(n: int) -> str:
    """A stable, lowercase UUID for test object ``n``."""
    return str(uuid.UUID(int=n, version=4))


def account_json(**overrides: Any) -> dict[str, Any]:
    """An Account as the API sends it; ``overrides`` replace or add fields."""
    return {
        "id": uid(1),
        "type": "account",
        "platform": "tiktok",
        "username": "creatoraudit",
        "name": "CreatorAudit",
        "is_active": True,
        "creator_id": None,
        "category": "tech",
        "metadata": {},
        "added_at": "2026-06-14T09:30:00Z",
        "last_scrape_time": None,
        "scrape_interval_hours": 24,
        "follower_count": 1200,
        "view_count": 50_000,
        "saved_count": None,
        **overrides,
    }


def video_json(**overrides: Any) -> dict[str, Any]:
    """A Video as the API sends it."""
    return {
        "id": uid(100),
        "type": "video",
        "platform": "instagram",
        "external_id": "3141592653",
        "shortcode": "Cabc123",
        "is_active": True,
        "metadata": {},
        "added_at": "2026-06-14T09:30:00Z",
        "create_time": "2026-06-13T18:00:00Z",
        "media_type": "reel",
        "duration": 12.5,
        "view_count": 1000,
        "like_count": 50,
        "account_id": uid(1),
        "account_username": "creatoraudit",
        **overrides,
    }


def creator_json(**overrides: Any) -> dict[str, Any]:
    """A Creator as the API sends it."""
    return {
        "id": uid(200),
        "type": "creator",
        "name": "Ada",
        "is_active": True,
        "metadata": {"team": "a"},
        "accounts_summary": {"total": 2, "platforms": {"tiktok": 2}, "total_followers": 900},
        **overrides,
    }


def page(
    items: Iterable[Mapping[str, Any]],
    *,
    next_cursor: str | None = None,
    has_next: bool | None = None,
    total_count: int | None = None,
    limit: int = 200,
) -> dict[str, Any]:
    """A collection envelope; ``has_next`` defaults to whether there is a ``next_cursor``."""
    pagination: dict[str, Any] = {
        "next_cursor": next_cursor,
        "has_next": next_cursor is not None if has_next is None else has_next,
        "limit": limit,
    }
    if total_count is not None:
        pagination["total_count"] = total_count
    return {"data": list(items), "pagination": pagination, "filters": {}}


def ok(
    body: Any = None, status: int = 200, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """A JSON response carrying a request id (``None`` body: no content, as for a 204)."""
    all_headers = {"X-Request-ID": REQUEST_ID, **(headers or {})}
    if body is None:
        return httpx.Response(status, headers=all_headers)
    return httpx.Response(status, json=body, headers=all_headers)


def problem(status: int, code: str, **headers: str) -> httpx.Response:
    """An RFC 9457 error response."""
    body = {
        "type": f"urn:creatoraudit:error:{code.lower().replace('_', '-')}",
        "title": code.title(),
        "status": status,
        "detail": f"{code} for the test",
        "code": code,
        "request_id": REQUEST_ID,
    }
    return httpx.Response(
        status,
        json=body,
        headers={"Content-Type": "application/problem+json", "X-Request-ID": REQUEST_ID, **headers},
    )


def sent_json(sent: respx.models.Call | httpx.Request) -> Any:
    """The JSON body of a request, or of a recorded call's request."""
    request = sent if isinstance(sent, httpx.Request) else sent.request
    return json.loads(request.content)


def sent_query(call: respx.models.Call) -> dict[str, str]:
    """The query parameters a recorded request carried."""
    return dict(call.request.url.params)


DeltaValue = Callable[[str, int], int | None]


def deltas_server(
    value: DeltaValue,
    *,
    unknown: Iterable[str] = (),
    default_windows: Iterable[int] = (1, 7, 14, 30),
    omit: Iterable[int] = (),
) -> Callable[[httpx.Request], httpx.Response]:
    """A ``POST /videos/deltas`` handler: ``value(id, window)`` per row, ``unknown`` ids in
    ``not_found``, windows in ``omit`` left out of every row."""
    unknown_ids = {u.lower() for u in unknown}
    left_out = set(omit)

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        windows = body.get("windows", list(default_windows))
        ids = [i.lower() for i in body["video_ids"]]
        data = {
            i: {f"{w}d": value(i, w) for w in windows if w not in left_out}
            for i in ids
            if i not in unknown_ids
        }
        missing = [i for i in ids if i in unknown_ids]
        meta = {"windows": windows, "video_count": len(ids), "not_found": missing}
        return ok({"data": data, "meta": meta})

    return handle


def metrics_json(
    ids: Iterable[str], *, not_found: Iterable[Any] = (), period: str = "30d", **values: int
) -> dict[str, Any]:
    """A batch metrics response with the same ``values`` for every id."""
    row = {"views": 10, "plays": 10, "likes": 2, "comments": 1, "shares": 1, "engagement": 4}
    return {
        "data": {i: {**row, **values} for i in ids},
        "meta": {
            "period": period,
            "start_date": "2026-05-16",
            "end_date": "2026-06-14",
            "days": 30,
            "not_found": list(not_found),
        },
    }
