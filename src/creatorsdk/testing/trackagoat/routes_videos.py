"""Videos: list (never ``excluded``), add by URL, notes, delete, scrape, stop tracking."""

from __future__ import annotations

import re
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import ApiError, bad_body, limit_reached, not_found
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import UNSET, body_object, query_uuid
from creatorsdk.testing.trackagoat.responses import ok
from creatorsdk.testing.trackagoat.routes_creators import BULK_IDS_MAX, take_manual_scrape
from creatorsdk.testing.trackagoat.store import Store

__all__ = [
    "bulk_disable",
    "create_video",
    "delete_video",
    "disable_video",
    "list_videos",
    "scrape_video",
    "update_video",
]

_VIDEO_URL: Final = re.compile(
    r"https?://(?:www\.|m\.)?tiktok\.com/@[A-Za-z0-9._-]{1,30}/(?:video|photo)/(\d{8,25})/?(?:\?\S*)?"
)


async def list_videos(request: Request) -> Response:
    """``GET /videos?project_id=&creator_id=``."""
    store = context(request).state.store
    params = request.query_params
    project_id, creator_id = query_uuid(params, "project_id"), query_uuid(params, "creator_id")
    records = [
        v
        for v in store.tracked_videos()
        if v["tracking_status"] != "excluded"
        and (project_id is None or v["project_id"] == project_id)
        and (creator_id is None or v["creator_id"] == creator_id)
    ]
    filters = {"project_id": project_id, "creator_id": creator_id}
    return serve_list(request, "videos", filters, records, lambda v: store.serve_video(v["id"]))


async def create_video(request: Request) -> Response:
    """``POST /projects/{id}/videos`` with ``{"url"}``: 201, ``tracking_status: direct_add``."""
    ctx = context(request)
    state = ctx.state
    store = state.store
    project_id = request.path_params["project_id"]
    if store.find(store.projects, project_id) is None:
        raise not_found("project", project_id)

    def create() -> Response:
        url = body_object(ctx.body, ("url",)).text("url", max_length=2_000, required=True)
        match = _VIDEO_URL.fullmatch(url.strip())
        if match is None:
            raise bad_body("url must be a TikTok video URL (https://www.tiktok.com/@user/video/…).")
        tiktok_id = match.group(1)
        if any(
            v["project_id"] == project_id and v["tiktok_video_id"] == tiktok_id
            for v in store.tracked_videos()
        ):
            raise ApiError(409, "duplicate", "This video is already tracked in the project.")
        cap = state.limit("max_tracked_videos_per_org")
        direct = sum(1 for v in store.tracked_videos() if v["tracking_status"] == "direct_add")
        if cap is not None and direct >= cap:
            raise limit_reached("max_tracked_videos_per_org", direct, cap)
        record = store.add_video_by_url(project_id, url.strip(), tiktok_id)
        return ok(store.serve_video(record["id"]), status=201)

    return idempotent_create(request, create)


async def update_video(request: Request) -> Response:
    """``PATCH /videos/{id}``: ``readme`` (null clears) and ``metadata``."""
    ctx = context(request)
    store = ctx.state.store
    record = _live_video(store, request.path_params["id"])
    fields = body_object(ctx.body, ("readme", "metadata"))
    changes = {
        "readme": fields.text("readme", max_length=100_000, nullable=True),
        "metadata": fields.mapping("metadata"),
    }
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    if not changes:
        raise bad_body("At least one field is required.")
    return ok(store.serve_video(store.touch(record, changes)["id"]))


async def delete_video(request: Request) -> Response:
    """``DELETE /videos/{id}``."""
    store = context(request).state.store
    record = _live_video(store, request.path_params["id"])
    store.remove(record["id"])
    return ok({"id": record["id"], "is_active": False})


async def scrape_video(request: Request) -> Response:
    """``POST /videos/{id}/scrape``: a ``video_stats`` job on the manual-scrape quota."""
    ctx = context(request)
    _live_video(ctx.state.store, request.path_params["id"])
    return ok(take_manual_scrape(ctx.state, "video_stats"), status=202)


async def disable_video(request: Request) -> Response:
    """``POST /videos/{id}/tracking-disable``: the video stops counting toward stats."""
    store = context(request).state.store
    record = _live_video(store, request.path_params["id"])
    store.touch(record, {"tracking_enabled": False})
    return ok({"id": record["id"], "tracking_enabled": False})


async def bulk_disable(request: Request) -> Response:
    """``POST /projects/{id}/videos/bulk-tracking-disable`` with ``{"video_ids"}`` (1-100)."""
    ctx = context(request)
    store = ctx.state.store
    project_id = request.path_params["project_id"]
    ids = body_object(ctx.body, ("video_ids",)).ids("video_ids", most=BULK_IDS_MAX)
    missing = []
    for video_id in ids:
        record = store.find(store.videos, video_id)
        if record is None or record["project_id"] != project_id:
            missing.append(video_id)
        else:
            store.touch(record, {"tracking_enabled": False})
    return ok({"disabled_count": len(ids) - len(missing), "not_found": missing})


def _live_video(store: Store, video_id: str) -> dict[str, Any]:
    record = store.find(store.videos, video_id)
    if record is None or record["tracking_status"] == "excluded":
        raise not_found("video", video_id)
    return record
