"""``ca.account_videos``: videos found automatically in tracked accounts' feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import zip_longest
from typing import Any, Final

from creatorsdk._engine.fan_out import chunked
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import int_id_list_arg
from creatorsdk._resources.resource import Resource
from creatorsdk.creatoraudit._arguments import LIST_LIMIT, period_body
from creatorsdk.creatoraudit._deltas_and_metrics import CHUNK, fetch_metrics
from creatorsdk.creatoraudit._envelope import ENVELOPE
from creatorsdk.creatoraudit.models import Metrics, Video
from creatorsdk.creatoraudit.videos import video_filters

__all__ = ["AccountVideos"]

#: The body arrays of ``POST /account-videos/metrics``, by the platform prefix of a chunk item.
_ARRAYS: Final = {"instagram": "instagram_post_ids", "tiktok": "tiktok_video_ids"}


class AccountVideos(Resource, envelope=ENVELOPE):
    """List account-discovered videos and fetch their windowed metrics."""

    def list(
        self,
        *,
        account_id: str | None = None,
        platform: str | None = None,
        q: str | None = None,
        is_active: bool | None = None,
        order_by: str | None = None,
        order_direction: str | None = None,
        sort: str | None = None,
        include_total: bool = False,
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> AsyncPager[Video]:
        """Every discovered video matching the filters (``account_id``: one account's feed)."""
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
        return self._list("/account-videos", Video, params=params, limit=limit, cursor=cursor)

    async def metrics(
        self,
        instagram_post_ids: Iterable[int] = (),
        tiktok_video_ids: Iterable[int] = (),
        period: str = "30d",
        start_date: dt.date | str | None = None,
        end_date: dt.date | str | None = None,
    ) -> Metrics:
        """Windowed sums per account video, by the integer ``internal_id`` of each.

        Each array goes out in chunks of 200 (request *n* carries chunk *n* of both), in
        parallel. The result is keyed by the ids as the server sends them (``get`` takes an
        ``int``).
        """
        window = period_body(period, start_date, end_date)
        instagram = int_id_list_arg("instagram_post_ids", instagram_post_ids)
        tiktok = int_id_list_arg("tiktok_video_ids", tiktok_video_ids)
        if not instagram and not tiktok:
            raise ValueError("instagram_post_ids and tiktok_video_ids must not both be empty")
        # fan_out works on string ids; "instagram:17" keeps each id's array in failure reports.
        pairs = zip_longest(_labelled("instagram", instagram), _labelled("tiktok", tiktok))
        chunks = [(ig or ()) + (tt or ()) for ig, tt in pairs]
        return await fetch_metrics(
            self._client,
            "/account-videos/metrics",
            chunks,
            lambda chunk: {**_arrays(chunk), **window},
        )


def _labelled(platform: str, ids: list[int]) -> list[tuple[str, ...]]:
    """``ids`` as ``"<platform>:<id>"`` strings, in consecutive chunks of at most 200."""
    return chunked([f"{platform}:{i}" for i in ids], CHUNK)


def _arrays(chunk: tuple[str, ...]) -> dict[str, Any]:
    """The body arrays of one chunk; an empty array is left out."""
    arrays: dict[str, list[int]] = {}
    for item in chunk:
        platform, _, number = item.partition(":")
        arrays.setdefault(_ARRAYS[platform], []).append(int(number))
    return dict(arrays)
