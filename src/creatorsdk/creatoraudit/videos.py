"""``ca.videos``: individually tracked videos, and the batch deltas and metrics of any video."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Final

from creatorsdk._engine.fan_out import chunked, fan_out, stream_fan_out
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    body_of,
    boolean_arg,
    choice_arg,
    id_list_arg,
    id_list_arg_yielding,
    int_arg,
    literal_values,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.creatoraudit._arguments import (
    LIST_LIMIT,
    PLATFORMS,
    listing_params,
    metadata_arg,
    period_body,
    windows_arg,
)
from creatorsdk.creatoraudit._deltas_and_metrics import CHUNK, fetch_metrics, parse_deltas
from creatorsdk.creatoraudit._envelope import ENVELOPE
from creatorsdk.creatoraudit.literals import (
    MetricPeriod,
    OrderDirection,
    Platform,
    VideoOrderBy,
    VideoSort,
)
from creatorsdk.creatoraudit.models import Deltas, Metrics, Video

__all__ = ["ORDER_BY", "Videos", "video_filters"]

#: The sort keys of ``GET /videos`` (and ``GET /account-videos``).
ORDER_BY: Final = literal_values(VideoOrderBy)


def video_filters(
    *,
    account_id: str | None,
    platform: Platform | None,
    q: str | None,
    is_active: bool | None,
    order_by: VideoOrderBy | None,
    order_direction: OrderDirection | None,
    sort: VideoSort | None,
    include_total: bool,
) -> dict[str, Any]:
    """The checked filter, sort and count query of a video listing."""
    return {
        "account_id": optional(uuid_arg, "account_id", account_id),
        "platform": optional(choice_arg, "platform", platform, PLATFORMS),
        "q": optional(text_arg, "q", q),
        "is_active": optional(boolean_arg, "is_active", is_active),
        **listing_params(ORDER_BY, order_by, order_direction, sort, include_total),
    }


class Videos(Resource, envelope=ENVELOPE):
    """List, track, change and untrack videos; batch view deltas and metrics."""

    def list(
        self,
        *,
        account_id: str | None = None,
        platform: Platform | None = None,
        q: str | None = None,
        is_active: bool | None = None,
        order_by: VideoOrderBy | None = None,
        order_direction: OrderDirection | None = None,
        sort: VideoSort | None = None,
        include_total: bool = False,
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> AsyncPager[Video]:
        """Every individually tracked video matching the filters, page by page."""
        params = video_filters(
            account_id=account_id,
            platform=platform,
            q=q,
            is_active=is_active,
            order_by=order_by,
            order_direction=order_direction,
            sort=sort,
            include_total=include_total,
        )
        return self._list("/videos", Video, params=params, limit=limit, cursor=cursor)

    async def get(self, video_id: str) -> Video:
        """One tracked video."""
        return await self._get(f"/videos/{uuid_arg('video_id', video_id)}", Video)

    async def create(
        self,
        platform: Platform,
        identifier: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        is_active: bool | None = None,
        scrape_interval_hours: int | None = None,
        idempotency_key: str | None = None,
    ) -> Video:
        """Track one post or video by URL, shortcode or id. Retries reuse one key."""
        fields = {
            "platform": choice_arg("platform", platform, PLATFORMS),
            "identifier": text_arg("identifier", identifier),
            "metadata": optional(metadata_arg, "metadata", metadata),
            "is_active": optional(boolean_arg, "is_active", is_active),
            "scrape_interval_hours": optional(
                int_arg, "scrape_interval_hours", scrape_interval_hours, low=1
            ),
        }
        return await self._create("/videos", fields, Video, idempotency_key=idempotency_key)

    async def update(
        self,
        video_id: str,
        *,
        is_active: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        scrape_interval_hours: int | None = None,
    ) -> Video:
        """Change a tracked video; pass only what changes."""
        path = f"/videos/{uuid_arg('video_id', video_id)}"
        fields = {
            "is_active": optional(boolean_arg, "is_active", is_active),
            "metadata": optional(metadata_arg, "metadata", metadata),
            "scrape_interval_hours": optional(
                int_arg, "scrape_interval_hours", scrape_interval_hours, low=1
            ),
        }
        return await self._update(path, fields, Video)

    async def delete(self, video_id: str) -> None:
        """Stop tracking a video."""
        await self._delete(f"/videos/{uuid_arg('video_id', video_id)}")

    async def deltas(
        self, video_ids: Iterable[str], windows: Iterable[int] | None = None
    ) -> Deltas:
        """Views gained per video over each look-back window, for any number of videos.

        Ids (any case, repeats ignored) go out in chunks of 200 in parallel; ``windows`` is 1
        to 10 day counts of 1–365 (``None``: the server's default). A failed chunk raises
        :class:`~creatorsdk.errors.BatchError`; ``Deltas.merge(error.results)`` is the rest.
        """
        ids = await id_list_arg_yielding("video_ids", video_ids)
        chunks, call = self._deltas_calls(ids, windows)
        return Deltas.merge(await fan_out(chunks, call))

    def iter_deltas(
        self, video_ids: Iterable[str], windows: Iterable[int] | None = None
    ) -> AbstractAsyncContextManager[AsyncIterator[Deltas]]:
        """Like :meth:`deltas`, but hand over each chunk's :class:`Deltas` as it arrives.

        ``async with ca.videos.iter_deltas(ids) as parts: async for part in parts: ...``.
        Arguments are checked at the call; leaving the block early cancels what is still
        running; failed chunks raise :class:`~creatorsdk.errors.BatchError` at the end.
        """
        chunks, call = self._deltas_calls(id_list_arg("video_ids", video_ids), windows)
        return stream_fan_out(chunks, call)

    def _deltas_calls(
        self, ids: Sequence[str], windows: Iterable[int] | None
    ) -> tuple[Sequence[tuple[str, ...]], Callable[[tuple[str, ...]], Awaitable[Deltas]]]:
        chunks = chunked(ids, CHUNK)
        days = optional(windows_arg, "windows", windows)

        async def call(chunk: tuple[str, ...]) -> Deltas:
            body = body_of({"video_ids": list(chunk), "windows": days})
            reply = await self._client.request("POST", "/videos/deltas", json=body, idempotent=True)
            return parse_deltas(reply)

        return chunks, call

    async def metrics(
        self,
        video_ids: Iterable[str],
        period: MetricPeriod = "30d",
        start_date: dt.date | str | None = None,
        end_date: dt.date | str | None = None,
    ) -> Metrics:
        """Windowed sums (views, plays, likes, comments, shares, engagement) per video.

        Sent in chunks of 200 in parallel; ``period='custom'`` needs both dates.
        """
        window = period_body(period, start_date, end_date)
        chunks = chunked(await id_list_arg_yielding("video_ids", video_ids), CHUNK)
        return await fetch_metrics(
            self._client,
            "/videos/metrics",
            chunks,
            lambda chunk: {"video_ids": list(chunk), **window},
        )
