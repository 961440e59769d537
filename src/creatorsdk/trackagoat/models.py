"""trackagoat response models: frozen, slotted attrs classes decoded by the engine's converter.

Every field but ``id`` has a default, because list responses carry fewer fields than the
full objects (``GET /creators`` documents five) and the API adds fields within v1. Unknown
fields land in ``extra``; enum-like fields (``tracking_mode``, ``tracking_status``,
``status``, ``metric``, ...) are plain ``str`` so a new value never breaks decoding.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from creatorsdk._engine.decoding import Id, Model
from creatorsdk.trackagoat.aggregate_models import Annotation

__all__ = [
    "Advisory",
    "AnalyticsResult",
    "BulkReenableResult",
    "BulkRemoveResult",
    "Campaign",
    "CampaignItem",
    "CreateManyResult",
    "Creator",
    "CreatorCompliance",
    "CreatorFailure",
    "EntityRef",
    "Goal",
    "GoalCompliance",
    "Point",
    "Project",
    "Schema",
    "ScrapeJob",
    "Series",
    "TrackingDisableResult",
    "Video",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _mapping() -> Any:
    # A field default for JSON objects: an empty read-only mapping, shared (it never changes).
    return attrs.field(default=_EMPTY)


@attrs.frozen
class Project(Model):
    """A project: the container of creators, videos and campaigns."""

    id: Id
    name: str = ""
    description: str | None = None
    org_id: Id | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class Creator(Model):
    """A tracked TikTok account in one project. ``tiktok_handle`` has no leading ``@``."""

    id: Id
    project_id: Id | None = None
    tiktok_handle: str = ""
    display_name: str | None = None
    description: str | None = None
    readme: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    tracking_mode: str | None = None
    tracking_start_date: dt.date | None = None
    tracking_end_date: dt.date | None = None
    avatar_url: str | None = None
    follower_count: int | None = None
    following_count: int | None = None
    total_likes_count: int | None = None
    video_count: int | None = None
    last_scraped_at: dt.datetime | None = None
    is_active: bool | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    #: Set by the SDK, not sent by the API: a create answered 200 brought a removed creator
    #: back (history kept) instead of adding a new one (201).
    reactivated: bool = False


@attrs.frozen
class Video(Model):
    """A tracked TikTok post. ``creator_id`` is ``None`` for videos added by URL."""

    id: Id
    project_id: Id | None = None
    creator_id: Id | None = None
    tiktok_video_id: str | None = None
    url: str | None = None
    title: str | None = None
    description: str | None = None
    readme: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    tracking_status: str | None = None
    view_count: int | None = None
    like_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    save_count: int | None = None
    posted_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class Campaign(Model):
    """A campaign: a (possibly nested) group of creators, videos and campaigns."""

    id: Id
    project_id: Id | None = None
    name: str = ""
    readme: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    target_views: int | None = None
    target_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class CampaignItem(Model):
    """A campaign membership: ``item_type`` (creator, video or campaign) and ``item_id``."""

    id: Id | None = None
    campaign_id: Id | None = None
    item_type: str = ""
    item_id: Id | None = None
    created_at: dt.datetime | None = None


@attrs.frozen
class ScrapeJob(Model):
    """A queued manual scrape (``status`` is ``queued`` when it was accepted)."""

    job_id: str | None = None
    job_type: str = ""
    status: str = ""


@attrs.frozen
class CreatorFailure(Model):
    """One handle a bulk create could not add, with the server's code and message."""

    handle: str
    code: str | None = None
    message: str | None = None


@attrs.frozen
class CreateManyResult(Model):
    """What ``creators.create_many`` did: created (201), reactivated (was removed) and failed."""

    created: tuple[Creator, ...] = ()
    reactivated: tuple[Creator, ...] = ()
    failed: tuple[CreatorFailure, ...] = ()

    def __add__(self, other: CreateManyResult) -> CreateManyResult:
        return CreateManyResult(
            created=self.created + other.created,
            reactivated=self.reactivated + other.reactivated,
            failed=self.failed + other.failed,
        )


@attrs.frozen
class BulkRemoveResult(Model):
    """What ``creators.bulk_remove`` did: how many were removed, and ids it did not find."""

    removed_count: int = 0
    not_found: tuple[Id, ...] = ()


@attrs.frozen
class TrackingDisableResult(Model):
    """What ``videos.disable_tracking`` did: how many videos stopped being tracked, and the
    ids the server did not find in the project."""

    disabled_count: int = 0
    not_found: tuple[Id, ...] = ()

    def __add__(self, other: TrackingDisableResult) -> TrackingDisableResult:
        return TrackingDisableResult(
            disabled_count=self.disabled_count + other.disabled_count,
            not_found=self.not_found + other.not_found,
        )


@attrs.frozen
class BulkReenableResult(Model):
    """What ``creators.bulk_reenable`` did. Skipped: re-enabled less than 24 hours ago."""

    ok_count: int = 0
    skipped_count: int = 0
    failed_count: int = 0


@attrs.frozen
class EntityRef(Model):
    """Which entity a series belongs to (``id`` ``"__other__"`` for a folded breakdown)."""

    id: Id
    label: str | None = None


@attrs.frozen
class Point(Model):
    """One bucket of a series: its start date, value (``None`` when undefined) and whether
    the bucket is still filling (``partial``)."""

    t: dt.date
    value: float | None = None
    partial: bool = False


@attrs.frozen
class Series(Model):
    """One entity's time series."""

    entity_ref: EntityRef | None = None
    points: tuple[Point, ...] = ()

    @property
    def total(self) -> float:
        """The sum of the non-null values: the period's total for ``mode="new"`` series."""
        return math.fsum(p.value for p in self.points if p.value is not None)


@attrs.frozen
class AnalyticsResult(Model):
    """An ``/analytics`` response: the series, the prior-period comparison when asked for,
    the per-video breakdown when asked for, the annotations of the range, and the plan's
    retention (``None`` = unlimited)."""

    series: tuple[Series, ...] = ()
    compare_series: tuple[Series, ...] | None = None
    breakdown_series: tuple[Series, ...] | None = None
    tier_retention_days: int | None = None
    annotations: tuple[Annotation, ...] = ()

    def totals(self) -> dict[str, float]:
        """Each main series' :attr:`Series.total`, keyed by entity id."""
        return {s.entity_ref.id: s.total for s in self.series if s.entity_ref is not None}


@attrs.frozen
class Schema(Model):
    """The data model from ``GET /schema``, kept as the server sent it."""

    entities: Mapping[str, Any] = _mapping()
    relationships: Any = None


@attrs.frozen
class Goal(Model):
    """A creator goal: ``metric`` over ``period`` (daily, weekly, monthly) to ``target_value``."""

    id: Id
    creator_id: Id | None = None
    project_id: Id | None = None
    metric: str | None = None
    period: str | None = None
    target_value: float | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    is_active: bool | None = None


@attrs.frozen
class Advisory(Model):
    """Why a goal's numbers may still move: open or just-closed period, stale scrape, ..."""

    has_advisory: bool = False
    period_in_progress: bool = False
    period_recently_ended: bool = False
    scrape_stale: bool = False
    not_yet_started: bool = False
    messages: tuple[str, ...] = ()
    period_start: dt.datetime | None = None
    period_end: dt.datetime | None = None
    hours_until_period_end: float | None = None
    hours_since_period_end: float | None = None
    scrape_freshness: Mapping[str, Any] | None = None


@attrs.frozen
class GoalCompliance(Model):
    """One goal's progress: ``status`` is on_track, behind_pace, at_risk, completed or missed."""

    goal: Goal | None = None
    target: float | None = None
    actual: float | None = None
    percentage: float | None = None
    status: str | None = None
    advisory: Advisory | None = None


@attrs.frozen
class CreatorCompliance(Model):
    """One active creator of a project and the progress of each of their goals."""

    creator: Creator | None = None
    compliance: tuple[GoalCompliance, ...] = ()
