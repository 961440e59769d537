"""``tg.videos``: tracked TikTok posts, discovered from creators or added by URL."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from creatorsdk._engine.fan_out import chunked, fan_out
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    id_list_arg,
    mapping_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.models import ScrapeJob, TrackingDisableResult, Video

__all__ = ["DISABLE_CHUNK", "Videos"]

#: Video ids per bulk-tracking-disable request. The docs give no limit; this is the size of
#: the other bulk endpoints (bulk-remove takes at most 100).
DISABLE_CHUNK: Final = 100

_TIKTOK_URL = re.compile(r"https?://(?:[a-z0-9-]+\.)*tiktok\.com/\S+", re.IGNORECASE)


class Videos(Resource, envelope=ENVELOPE):
    """List, add by URL, annotate, remove, refresh and stop tracking videos."""

    def list(
        self,
        *,
        project_id: str | None = None,
        creator_id: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[Video]:
        """Every tracked video (never the ``excluded`` ones), optionally of one project or
        creator."""
        params = {
            "project_id": optional(uuid_arg, "project_id", project_id),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
        }
        return self._list("/videos", Video, params=params, limit=limit, cursor=cursor)

    async def create(
        self, project_id: str, url: str, *, idempotency_key: str | None = None
    ) -> Video:
        """Track one TikTok video by its URL (``tracking_status`` ``direct_add``)."""
        path = f"/projects/{uuid_arg('project_id', project_id)}/videos"
        if not isinstance(url, str) or not _TIKTOK_URL.fullmatch(url.strip()):
            raise ValueError(f"url must be an http(s) tiktok.com video URL, got {url!r}")
        return await self._create(
            path, {"url": url.strip()}, Video, idempotency_key=idempotency_key
        )

    async def update(
        self,
        video_id: str,
        *,
        readme: str | Unset | None = UNSET,
        metadata: Mapping[str, Any] | None = None,
    ) -> Video:
        """Change a video's notes (``readme=None`` clears them) or agent ``metadata``."""
        path = f"/videos/{uuid_arg('video_id', video_id)}"
        fields = {
            "readme": optional(text_arg, "readme", readme, blank=True),
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        return await self._update(path, fields, Video, clearable={"readme"})

    async def delete(self, video_id: str) -> None:
        """Stop tracking a video and remove it."""
        await self._delete(f"/videos/{uuid_arg('video_id', video_id)}")

    async def scrape(self, video_id: str) -> ScrapeJob:
        """Queue a manual stats refresh (uses the daily manual-scrape quota)."""
        path = f"/videos/{uuid_arg('video_id', video_id)}/scrape"
        reply = await self._client.request("POST", path, json={})
        return ENVELOPE.decode(reply, ScrapeJob, empty=ScrapeJob(job_type="video_stats"))

    async def disable_tracking(
        self, video_ids: str | Iterable[str], *, project_id: str | None = None
    ) -> TrackingDisableResult:
        """Stop tracking one video, or many of one project; what the server says it did.

        One id (a string) uses ``POST /videos/{id}/tracking-disable``. A list needs
        ``project_id`` and goes to the project's bulk endpoint, 100 ids per request, in
        parallel; the counts and the ids not found are summed over the requests, and a failed
        chunk raises :class:`~creatorsdk.errors.BatchError`. Disabled videos no longer count
        toward goals.
        """
        if isinstance(video_ids, str):
            optional(uuid_arg, "project_id", project_id)
            path = f"/videos/{uuid_arg('video_ids', video_ids)}/tracking-disable"
            reply = await self._client.request("POST", path, json={})
            result = self._envelope.decode(
                reply, TrackingDisableResult, empty=TrackingDisableResult()
            )
            # The single endpoint answers with the video ({id, tracking_enabled}), not counts:
            # a success means this one video is disabled.
            data = self._envelope.unwrap(reply)
            if not (isinstance(data, Mapping) and "disabled_count" in data):
                result = attrs.evolve(result, disabled_count=1)
            return result
        if project_id is None:
            raise ValueError("project_id is required to disable tracking of several videos")
        path = f"/projects/{uuid_arg('project_id', project_id)}/videos/bulk-tracking-disable"
        chunks = chunked(id_list_arg("video_ids", video_ids), DISABLE_CHUNK)

        async def disable(chunk: tuple[str, ...]) -> TrackingDisableResult:
            reply = await self._client.request("POST", path, json={"video_ids": list(chunk)})
            return self._envelope.decode(
                reply, TrackingDisableResult, empty=TrackingDisableResult()
            )

        return sum(await fan_out(chunks, disable), TrackingDisableResult())
