"""``/videos`` and ``/account-videos``: lists, tracking, deltas and batch metrics."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.creatoraudit.analytics import video_metrics
from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.errors import conflict
from creatorsdk.testing.creatoraudit.idempotency import idempotent_create
from creatorsdk.testing.creatoraudit.paging import Filter, ListSpec
from creatorsdk.testing.creatoraudit.params import PLATFORMS, Reader, object_body
from creatorsdk.testing.creatoraudit.responses import json_response
from creatorsdk.testing.creatoraudit.route_helpers import batch_meta, created, find, serve_list

__all__ = [
    "ACCOUNT_VIDEOS",
    "VIDEOS",
    "account_videos_metrics",
    "create_video",
    "delete_video",
    "get_video",
    "list_account_videos",
    "list_videos",
    "update_video",
    "video_deltas",
    "videos_metrics",
]

_VIDEO_ORDER = ("added_at", "create_time", "view_count", "like_count", "play_count")
_VIDEO_FILTERS = (
    Filter("account_id", "uuid", ("account_id",)),
    Filter("platform", "platform", ("platform",)),
    Filter("is_active", "bool", ("is_active",)),
    Filter("q", "text", ("description", "account_username")),
)
VIDEOS = ListSpec("videos", "videos", _VIDEO_ORDER, "added_at", "desc", _VIDEO_FILTERS)
ACCOUNT_VIDEOS = ListSpec(
    "account-videos", "account_videos", _VIDEO_ORDER, "added_at", "desc", _VIDEO_FILTERS
)
DEFAULT_WINDOWS = (1, 7, 14, 30)
_PERIODS = ("7d", "30d", "90d", "custom")
_TIKTOK_URL = re.compile(r"tiktok\.com/@([\w.]+)/(?:video|photo)/(\d+)")
_INSTAGRAM_URL = re.compile(r"instagram\.com/(?:[\w.]+/)?(?:p|reels?|tv)/([\w-]+)")


async def list_videos(request: Request) -> Response:
    """``GET /videos``: the individually tracked videos."""
    return serve_list(request, VIDEOS)


async def list_account_videos(request: Request) -> Response:
    """``GET /account-videos``: videos discovered from tracked accounts."""
    return serve_list(request, ACCOUNT_VIDEOS)


async def create_video(request: Request) -> Response:
    """``POST /videos``: 201; 409 when the same video is already tracked."""
    ctx = context(request)
    store = ctx.state.store

    def create() -> Response:
        reader = Reader(object_body(ctx.body), from_query=False)
        platform = reader.choice("platform", PLATFORMS, required=True)
        identifier = reader.string("identifier", required=True, min_length=1, max_length=2048)
        fields: dict[str, Any] = {
            "metadata": reader.metadata(),
            "is_active": reader.boolean("is_active"),
            "scrape_interval_hours": reader.integer("scrape_interval_hours", 1, 720),
        }
        parsed = None
        if platform is not None and identifier is not None:
            parsed = _parse_identifier(platform, identifier)
            if parsed is None:
                reader.fail("identifier", f"is not a {platform} URL, shortcode or id")
        reader.check()
        # reader.check() has rejected a missing platform or an unparsable identifier.
        assert platform is not None
        assert parsed is not None
        for video in store.videos.values():
            if video["platform"] == platform and (
                video["external_id"] == parsed["external_id"]
                or (
                    video["shortcode"] is not None and video["shortcode"] == parsed.get("shortcode")
                )
            ):
                raise conflict(f"This {platform} video is already tracked as {video['id']}.")
        fields.update(parsed)
        record = store.track_video(platform, **{k: v for k, v in fields.items() if v is not None})
        return created(request, record)

    return idempotent_create(request, create)


def _parse_identifier(platform: str, identifier: str) -> dict[str, Any] | None:
    text = identifier.strip()
    if platform == "tiktok":
        match = _TIKTOK_URL.search(text)
        if match:
            return {
                "account_username": match[1],
                "external_id": match[2],
                "video_url_original": text,
            }
        return {"external_id": text} if text.isdigit() else None
    match = _INSTAGRAM_URL.search(text)
    shortcode = match[1] if match else text
    if text.isdigit():
        return {"external_id": text}
    if not re.fullmatch(r"[\w-]{5,64}", shortcode):
        return None
    # Instagram media ids are numeric; derive a stable one from the shortcode.
    digest = hashlib.blake2b(shortcode.encode(), digest_size=8).digest()
    return {
        "shortcode": shortcode,
        "external_id": str(int.from_bytes(digest, "big") % 10**19),
        "video_url_original": f"https://www.instagram.com/p/{shortcode}/",
    }


async def get_video(request: Request) -> Response:
    """``GET /videos/{id}``."""
    record = find(context(request).state.store.videos, "video", request.path_params["id"])
    return json_response(request, {"data": record})


async def update_video(request: Request) -> Response:
    """``PATCH /videos/{id}``: ``is_active``, ``metadata``, ``scrape_interval_hours``."""
    ctx = context(request)
    record = find(ctx.state.store.videos, "video", request.path_params["id"])
    reader = Reader(object_body(ctx.body), from_query=False)
    changes = {
        "is_active": reader.boolean("is_active"),
        "metadata": reader.metadata(),
        "scrape_interval_hours": reader.integer("scrape_interval_hours", 1, 720),
    }
    reader.check()
    changes = {k: v for k, v in changes.items() if v is not None}
    return json_response(request, {"data": ctx.state.store.update("videos", record["id"], changes)})


async def delete_video(request: Request) -> Response:
    """``DELETE /videos/{id}``: stop tracking (soft)."""
    ctx = context(request)
    record = find(ctx.state.store.videos, "video", request.path_params["id"])
    ctx.state.store.update("videos", record["id"], {"is_active": False})
    return Response(status_code=204)


async def video_deltas(request: Request) -> Response:
    """``POST /videos/deltas``: views gained per window; ``null`` where history is short."""
    ctx = context(request)
    store = ctx.state.store
    body = object_body(ctx.body)
    reader = Reader(body, from_query=False)
    ids = reader.id_list("video_ids", max_items=200)
    windows = _windows(reader, body.get("windows"))
    reader.check()
    today = store.today()
    data: dict[str, dict[str, int | None]] = {}
    missing: list[str] = []
    for video_id in ids:
        if store.find_video(video_id) is None:
            missing.append(video_id)
            continue
        curve = store.curve(video_id)
        data[video_id] = {f"{w}d": curve.delta(today, w) for w in windows}
    meta = {"windows": windows, "video_count": len(data), "not_found": missing}
    return json_response(request, {"data": data, "meta": meta})


def _windows(reader: Reader, raw: Any) -> list[int]:
    if raw is None:
        return list(DEFAULT_WINDOWS)
    if not isinstance(raw, list) or not raw:
        reader.fail("windows", "must be a non-empty list of integers")
        return []
    windows: set[int] = set()
    for index, window in enumerate(raw):
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 365:
            reader.fail(f"windows[{index}]", "must be an integer between 1 and 365")
        else:
            windows.add(window)
    if len(windows) > 10:
        reader.fail("windows", f"must have at most 10 distinct windows (got {len(windows)})")
    return sorted(windows)


async def videos_metrics(request: Request) -> Response:
    """``POST /videos/metrics``: windowed sums for tracked videos and account-videos."""
    ctx = context(request)
    store = ctx.state.store
    reader = Reader(object_body(ctx.body), from_query=False)
    ids = reader.id_list("video_ids", max_items=200)
    period, start, end = reader.period(store.today(), allowed=_PERIODS, default="30d")
    reader.check()
    found = [i for i in ids if store.find_video(i) is not None]
    data = {i: video_metrics(store, i, start, end) for i in found}
    missing = [i for i in ids if i not in data]
    return json_response(request, {"data": data, "meta": batch_meta(period, start, end, missing)})


async def account_videos_metrics(request: Request) -> Response:
    """``POST /account-videos/metrics``: by internal integer ids, one list per platform."""
    ctx = context(request)
    store = ctx.state.store
    reader = Reader(object_body(ctx.body), from_query=False)
    lists = {
        platform: reader.id_list(name, max_items=200, integers=True, required=False)
        for platform, name in (("instagram", "instagram_post_ids"), ("tiktok", "tiktok_video_ids"))
    }
    period, start, end = reader.period(store.today(), allowed=_PERIODS, default="30d")
    if not reader.errors and not any(lists.values()):
        reader.fail("instagram_post_ids", "or tiktok_video_ids must list at least one id")
    reader.check()
    data: dict[str, dict[str, int]] = {}
    missing: list[int] = []
    for platform, internal_ids in lists.items():
        for internal_id in internal_ids:
            video_id = store.internal_ids.get(internal_id)
            if video_id is None or store.account_videos[video_id]["platform"] != platform:
                missing.append(internal_id)
            else:
                data[str(internal_id)] = video_metrics(store, video_id, start, end)
    return json_response(request, {"data": data, "meta": batch_meta(period, start, end, missing)})
