"""``tg.aggregate``: project-level summaries behind the UI's Analytics section (section 3.6).

Ten endpoints under ``/analytics/aggregate``. The video leaderboard and the posting heatmap
are documented; the other eight are this project's reading of what they are for (see
``docs/assumptions-trackagoat.md``), and their models keep anything else in ``extra``.

The leaderboards page by ``limit``/``offset`` and say how many rows match in ``total_count``;
they are :class:`~creatorsdk.AsyncPager` listings like every other, so ``async for`` reads
every row and ``pages()`` shows each page's ``total_count``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final, TypeVar

from creatorsdk._engine.client import Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk._resources.arguments import (
    date_arg,
    date_range,
    int_arg,
    literal_values,
    optional,
    positive_arg,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.errors import DecodeError, InvalidArgumentError
from creatorsdk.trackagoat._arguments import token_arg
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.aggregate_models import (
    CampaignOverlap,
    CampaignRank,
    CreatorRank,
    GoalComplianceCounts,
    HeatmapCell,
    OutlierVideo,
    PostingConsistency,
    PostingHeatmap,
    ScatterPoint,
    VideoRank,
    ViewDistribution,
)
from creatorsdk.trackagoat.literals import CampaignOrder, CreatorOrder, GoalPeriod, VideoOrder

__all__ = ["MAX_ROWS", "VIDEO_ORDERS", "Aggregate"]

M = TypeVar("M", bound=Model)

#: The documented orders of the video leaderboard; others are sent for the server to judge.
VIDEO_ORDERS: Final = literal_values(VideoOrder)
#: Rows per leaderboard page (the docs give no default or maximum; 100 as for listings).
MAX_ROWS: Final = 100
_BASE: Final = "/analytics/aggregate"


class Aggregate(Resource, envelope=ENVELOPE):
    """Leaderboards, heatmap, distribution, outliers and the other project summaries."""

    def video_leaderboard(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        order: VideoOrder = "view_count",
        limit: int = MAX_ROWS,
        offset: int = 0,
    ) -> AsyncPager[VideoRank]:
        """The project's tracked videos posted from ``from_`` to ``to`` (inclusive; the server
        defaults to the last 30 days), ranked by ``order`` (view_count, like_count,
        comment_count, share_count, save_count or posted_at), every row, ``limit`` per page
        from ``offset``."""
        params = {**_range(project_id, from_, to), "order": token_arg("order", order)}
        return self._ranked("video-leaderboard", VideoRank, params, limit, offset)

    def creator_leaderboard(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        order: CreatorOrder = "views",
        limit: int = MAX_ROWS,
        offset: int = 0,
    ) -> AsyncPager[CreatorRank]:
        """The project's creators ranked by what they gained over the range (``order``:
        views, likes, comments, shares, saves, posts, follower_count or engagement_rate)."""
        params = {**_range(project_id, from_, to), "order": token_arg("order", order)}
        return self._ranked("creator-leaderboard", CreatorRank, params, limit, offset)

    def campaign_leaderboard(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        order: CampaignOrder = "views",
        limit: int = MAX_ROWS,
        offset: int = 0,
    ) -> AsyncPager[CampaignRank]:
        """The project's campaigns ranked by what their whole tree gained over the range."""
        params = {**_range(project_id, from_, to), "order": token_arg("order", order)}
        return self._ranked("campaign-leaderboard", CampaignRank, params, limit, offset)

    async def posting_heatmap(
        self,
        project_id: str,
        from_: dt.date | str,
        to: dt.date | str,
        *,
        tz: str | None = None,
    ) -> PostingHeatmap:
        """Posts and average views per weekday × hour, in ``tz`` (default: the organization's
        time zone). Cells with no post are not sent; :meth:`PostingHeatmap.cell` reads them
        as zero."""
        if from_ is None or to is None:
            raise InvalidArgumentError("from_ and to are required for the posting heatmap")
        params = {**_range(project_id, from_, to), "tz": optional(text_arg, "tz", tz)}
        reply = await self._client.request("GET", f"{_BASE}/posting-heatmap", params=params)
        cells = _rows(self._envelope.unwrap(reply), reply, "cells")
        return PostingHeatmap(cells=tuple(_decode_all(cells, HeatmapCell, reply)))

    async def view_distribution(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
    ) -> ViewDistribution:
        """How the views of the videos posted in the range are spread: buckets and
        percentiles."""
        return await self._get(
            f"{_BASE}/view-distribution", ViewDistribution, params=_range(project_id, from_, to)
        )

    async def outliers(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        min_ratio: float | None = None,
        limit: int | None = None,
    ) -> list[OutlierVideo]:
        """Videos posted in the range with at least ``min_ratio`` (server default 3) times
        their creator's median views, the biggest outliers first."""
        optional(positive_arg, "min_ratio", min_ratio)
        params = {
            **_range(project_id, from_, to),
            "min_ratio": min_ratio,
            "limit": optional(int_arg, "limit", limit, low=1, high=MAX_ROWS),
        }
        return await self._list_of("outliers", OutlierVideo, params)

    async def posting_consistency(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
    ) -> list[PostingConsistency]:
        """How regularly each of the project's creators posted over the range."""
        return await self._list_of(
            "posting-consistency", PostingConsistency, _range(project_id, from_, to)
        )

    async def creator_scatter(
        self,
        project_id: str,
        *,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
    ) -> list[ScatterPoint]:
        """One point per creator: followers, views and posts over the range, engagement."""
        return await self._list_of("creator-scatter", ScatterPoint, _range(project_id, from_, to))

    async def goal_compliance(
        self,
        project_id: str,
        *,
        period: GoalPeriod | str | None = None,
        reference_date: dt.date | str | None = None,
    ) -> GoalComplianceCounts:
        """The project's goals counted by status (for one creator's detail, use
        ``tg.goal_compliance``)."""
        params = {
            "project_id": uuid_arg("project_id", project_id),
            "period": optional(token_arg, "period", period),
            "reference_date": optional(date_arg, "reference_date", reference_date),
        }
        return await self._get(f"{_BASE}/goal-compliance", GoalComplianceCounts, params=params)

    async def member_overlap(self, project_id: str) -> list[CampaignOverlap]:
        """Pairs of the project's campaigns that count some of the same creators or videos."""
        params = {"project_id": uuid_arg("project_id", project_id)}
        return await self._list_of("member-overlap", CampaignOverlap, params)

    def _ranked(
        self, name: str, model: type[M], params: Mapping[str, Any], limit: int, offset: int
    ) -> AsyncPager[M]:
        """Every row of a leaderboard, page by page: the cursor is the next ``offset``."""
        size = int_arg("limit", limit, low=1, high=MAX_ROWS)
        start = int_arg("offset", offset, low=0)
        path = f"{_BASE}/{name}"

        async def fetch(cursor: str | None) -> Page[M]:
            at = start if cursor is None else int(cursor)
            query = {**params, "limit": size, "offset": at}
            reply = await self._client.request("GET", path, params=query)
            return _ranked_page(reply, model, at, size, self._envelope.unwrap(reply))

        return AsyncPager(fetch)

    async def _list_of(self, name: str, model: type[M], params: Mapping[str, Any]) -> list[M]:
        reply = await self._client.request("GET", f"{_BASE}/{name}", params=params)
        return _decode_all(_rows(self._envelope.unwrap(reply), reply, "rows"), model, reply)


def _range(
    project_id: str, from_: dt.date | str | None, to: dt.date | str | None
) -> dict[str, object]:
    start, end = date_range("from_", from_, "to", to)
    return {"project_id": uuid_arg("project_id", project_id), "from": start, "to": end}


def _rows(data: Any, reply: Reply, key: str) -> list[Any]:
    """The rows of an answer: a list, or (the other plausible reading) an object holding them
    under ``rows``, ``items`` or ``key``."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for name in (key, "rows", "items"):
            if isinstance(data.get(name), list):
                return list(data[name])
    raise DecodeError("expected a list of rows", field="data", request_id=reply.request_id)


def _decode_all(rows: list[Any], model: type[M], reply: Reply) -> list[M]:
    decoded: list[M] = decode(rows, list[model], request_id=reply.request_id)  # type: ignore[valid-type]
    return decoded


def _ranked_page(reply: Reply, model: type[M], at: int, size: int, data: Any) -> Page[M]:
    items = _decode_all(_rows(data, reply, "rows"), model, reply)
    total = _total_count(reply, data)
    following = at + len(items)
    if total is not None and following < total and not items:
        # Asking again would get the same empty page; stopping would drop rows silently.
        raise DecodeError(
            f"the server counts {total} rows but sent none at offset {at}",
            field="data",
            request_id=reply.request_id,
        )
    # With a total the server says when it is done; without one a full page may have more.
    has_next = following < total if total is not None else len(items) == size
    return Page(
        items=items,
        next_cursor=str(following) if has_next else None,
        has_next=has_next,
        total_count=total,
        request_id=reply.request_id,
    )


def _total_count(reply: Reply, data: Any) -> int | None:
    """``total_count`` from ``meta`` (this project's reading) or next to the rows."""
    meta = reply.data.get("meta") if isinstance(reply.data, Mapping) else None
    for source in (meta, data):
        if isinstance(source, Mapping):
            value = source.get("total_count", source.get("totalCount"))
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None
