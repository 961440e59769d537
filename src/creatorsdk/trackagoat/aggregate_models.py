"""Models of the aggregate analytics (section 3.6), annotations and the OpenAPI documents.

The video leaderboard's and the posting heatmap's fields are documented; the other aggregate
shapes are this project's reading of what each endpoint is for (see
``docs/assumptions-trackagoat.md``). Every field but the identifying ones has a default and
anything else the server sends stays in ``extra``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from creatorsdk._engine.decoding import Id, Model

__all__ = [
    "Annotation",
    "CampaignOverlap",
    "CampaignRank",
    "CreatorRank",
    "GoalComplianceCounts",
    "HeatmapCell",
    "OpenAPISchema",
    "OutlierVideo",
    "PostingConsistency",
    "PostingHeatmap",
    "ScatterPoint",
    "VideoRank",
    "ViewBucket",
    "ViewDistribution",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _mapping() -> Any:
    return attrs.field(default=_EMPTY)


@attrs.frozen
class VideoRank(Model):
    """One row of the video leaderboard (documented fields)."""

    video_id: Id
    title: str | None = None
    thumbnail_url: str | None = None
    url: str | None = None
    view_count: int = 0
    like_count: int = 0
    comment_count: int = 0
    share_count: int = 0
    save_count: int = 0
    posted_at: dt.datetime | None = None
    creator_id: Id | None = None


@attrs.frozen
class HeatmapCell(Model):
    """Posts in one weekday × hour cell (``dow`` 0 = Sunday … 6 = Saturday)."""

    dow: int
    hour: int
    post_count: int = 0
    avg_views: float = 0.0


@attrs.frozen
class PostingHeatmap(Model):
    """The posting heatmap: the cells with at least one post; any other cell is zero."""

    cells: tuple[HeatmapCell, ...] = ()

    def cell(self, dow: int, hour: int) -> HeatmapCell:
        """The cell for a weekday (0 = Sunday) and hour, zero when nothing was posted then."""
        if not (0 <= dow <= 6 and 0 <= hour <= 23):
            raise ValueError(f"dow must be 0-6 and hour 0-23, got {dow}, {hour}")
        for cell in self.cells:
            if cell.dow == dow and cell.hour == hour:
                return cell
        return HeatmapCell(dow=dow, hour=hour)

    def grid(self) -> list[list[int]]:
        """Post counts as 7 rows (Sunday first) of 24 hours, zeros included."""
        rows = [[0] * 24 for _ in range(7)]
        for cell in self.cells:
            if 0 <= cell.dow <= 6 and 0 <= cell.hour <= 23:
                rows[cell.dow][cell.hour] += cell.post_count
        return rows


@attrs.frozen
class ViewBucket(Model):
    """Videos whose views lie in ``[min_views, max_views)`` (``max_views`` None: no bound)."""

    min_views: int = 0
    max_views: int | None = None
    video_count: int = 0


@attrs.frozen
class ViewDistribution(Model):
    """A histogram of video views with percentile markers (``p50``, ``p90``, ...)."""

    buckets: tuple[ViewBucket, ...] = ()
    percentiles: Mapping[str, float] = _mapping()
    video_count: int = 0


@attrs.frozen
class OutlierVideo(Model):
    """A video far above its creator's usual: ``ratio`` is its views over ``baseline_views``
    (the creator's median)."""

    video_id: Id
    creator_id: Id | None = None
    title: str | None = None
    url: str | None = None
    view_count: int = 0
    baseline_views: float | None = None
    ratio: float | None = None
    posted_at: dt.datetime | None = None


@attrs.frozen
class CreatorRank(Model):
    """One row of the creator leaderboard: what a creator gained over the range."""

    creator_id: Id
    tiktok_handle: str = ""
    display_name: str | None = None
    avatar_url: str | None = None
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    saves: int = 0
    posts: int = 0
    follower_count: int | None = None
    engagement_rate: float | None = None


@attrs.frozen
class PostingConsistency(Model):
    """How regularly a creator posted over the range."""

    creator_id: Id
    tiktok_handle: str = ""
    posts: int = 0
    active_days: int = 0
    days: int = 0
    posts_per_week: float = 0.0
    longest_gap_days: int = 0
    consistency: float = 0.0


@attrs.frozen
class ScatterPoint(Model):
    """One creator on the scatter chart."""

    creator_id: Id
    tiktok_handle: str = ""
    follower_count: int | None = None
    views: int = 0
    posts: int = 0
    engagement_rate: float | None = None


@attrs.frozen
class GoalComplianceCounts(Model):
    """The project's goals by status, counts only (``on_track``, ``missed``, ...)."""

    total: int = 0
    counts: Mapping[str, int] = _mapping()
    creators: int = 0


@attrs.frozen
class CampaignRank(Model):
    """One row of the campaign leaderboard: what a campaign's tree gained over the range."""

    campaign_id: Id
    name: str = ""
    views: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    saves: int = 0
    video_count: int = 0
    creator_count: int = 0
    target_views: int | None = None
    progress: float | None = None


@attrs.frozen
class CampaignOverlap(Model):
    """Two campaigns and the creators and videos both count."""

    campaign_a_id: Id
    campaign_b_id: Id
    shared_creators: int = 0
    shared_videos: int = 0
    creator_ids: tuple[Id, ...] = ()


@attrs.frozen
class Annotation(Model):
    """A dated note on the analytics charts, org-wide or about one entity."""

    id: Id
    date: dt.date | None = None
    label: str = ""
    description: str | None = None
    kind: str | None = None
    entity: str | None = None
    entity_id: Id | None = None
    project_id: Id | None = None
    org_id: Id | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class OpenAPISchema(Model):
    """An OpenAPI 3.1 document, kept as the server sent it."""

    openapi: str = ""
    info: Mapping[str, Any] = _mapping()
    paths: Mapping[str, Any] = _mapping()
    components: Mapping[str, Any] = _mapping()
