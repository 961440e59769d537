"""Organization-wide endpoints: health, meta, whoami, overview, search."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.creatoraudit.analytics import overview
from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.params import Reader
from creatorsdk.testing.creatoraudit.record_builders import ETL_VERSION
from creatorsdk.testing.creatoraudit.responses import json_response

__all__ = ["health", "meta", "overview_route", "search", "whoami"]

#: Per-section caps the service applies whatever ``limit`` asks (the docs saw 10 for 25).
SEARCH_CAPS = {"accounts": 25, "creators": 25, "videos": 10}


async def health(request: Request) -> Response:
    """``GET /health``: no auth, no rate limit."""
    return json_response(request, {"status": "ok"})


async def meta(request: Request) -> Response:
    """``GET /meta``: version and lifecycle; URLs point at this server."""
    base = str(request.url).split("/meta")[0]
    data = {
        "type": "api_meta",
        "api_version": "v2",
        "status": "current",
        "docs_url": f"{base}/docs",
        "openapi_url": f"{base}/openapi.json",
        "whoami_url": f"{base}/whoami",
        "deprecation": None,
        "sunset": None,
    }
    return json_response(request, {"data": data})


async def whoami(request: Request) -> Response:
    """``GET /whoami``: the organization and key name (plus the key's scopes, undocumented)."""
    ctx = context(request)
    key = ctx.key
    data = {
        "type": "whoami",
        "organization_id": ctx.state.organization_id,
        "api_key_name": key.name if key else "",
        "scopes": sorted(key.scopes) if key else [],
        "etl_version": ETL_VERSION,
    }
    return json_response(request, {"data": data})


async def overview_route(request: Request) -> Response:
    """``GET /overview?period=7d|30d|90d`` (default 7d)."""
    ctx = context(request)
    reader = Reader(request.query_params, from_query=True)
    period = reader.choice("period", ("7d", "30d", "90d")) or "7d"
    reader.check()
    return json_response(request, {"data": overview(ctx.state.store, int(period[:-1]))})


async def search(request: Request) -> Response:
    """``GET /search?q&limit``: account usernames, creator names, video captions."""
    ctx = context(request)
    store = ctx.state.store
    reader = Reader(request.query_params, from_query=True)
    query = reader.string("q", max_length=128) or ""
    limit = reader.integer("limit", 1, 25) or 10
    reader.check()
    caps = {section: min(limit, cap) for section, cap in SEARCH_CAPS.items()}
    needle = query.strip().lower()
    sections: dict[str, list[dict[str, Any]]] = {"accounts": [], "creators": [], "videos": []}
    if needle:
        accounts = sorted(
            (a for a in store.accounts.values() if needle in a["username"].lower()),
            key=lambda a: (a["username"].lower(), a["id"]),
        )
        sections["accounts"] = [
            {
                "id": a["id"],
                "platform": a["platform"],
                "username": a["username"],
                "display_name": a["name"],
            }
            for a in accounts[: caps["accounts"]]
        ]
        creators = sorted(
            (c for c in store.creators.values() if needle in c["name"].lower()),
            key=lambda c: (c["name"].lower(), c["id"]),
        )
        sections["creators"] = [
            {"id": c["id"], "name": c["name"]} for c in creators[: caps["creators"]]
        ]
        videos = [
            v
            for v in (*store.videos.values(), *store.account_videos.values())
            if needle in v["description"].lower()
        ]
        videos.sort(key=lambda v: (v["added_at"], v["id"]), reverse=True)
        sections["videos"] = [
            {
                "id": v["id"],
                "platform": v["platform"],
                "caption": v["description"],
                "account_id": v["account_id"],
                "account_username": v["account_username"],
            }
            for v in videos[: caps["videos"]]
        ]
    meta = {"query": query, "limit_per_section": limit, "effective_caps": caps}
    return json_response(request, {"data": sections, "meta": meta})
