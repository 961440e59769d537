"""CreatorAudit response models: frozen, slotted attrs classes decoded by the engine's converter.

Every field but ``id`` has a default, so a field the server leaves out decodes (the documented
schema default where the docs give one, else ``None``). Unknown fields land in ``extra``;
enum-like fields (``platform``, ``media_type``, ``type``, ``status``) are plain ``str`` so a new
value never breaks decoding. Ids are lowercase ``str``; dates are ``datetime.date`` and times
timezone-aware ``datetime.datetime``.

:class:`Deltas` and :class:`Metrics` are the merged results of the batch endpoints: one per
request, or several combined with their ``merge`` class methods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from creatorsdk._engine.decoding import Id, Model

__all__ = [
    "Account",
    "AccountsSummary",
    "ApiMeta",
    "Creator",
    "CreatorAnalytics",
    "CreatorLink",
    "Deltas",
    "Health",
    "MetricValues",
    "Metrics",
    "Overview",
    "OverviewChanges",
    "OverviewStats",
    "SearchAccount",
    "SearchCreator",
    "SearchResults",
    "SearchVideo",
    "TopCreator",
    "Video",
    "Whoami",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _mapping() -> Any:
    # A field default for JSON objects: an empty read-only mapping, shared (it never changes).
    return attrs.field(default=_EMPTY)


@attrs.frozen
class Account(Model):
    """A tracked Instagram or TikTok account (``type: "account"``)."""

    id: Id
    type: str = "account"
    platform: str | None = None
    username: str | None = None
    name: str | None = None
    description: str | None = None
    profile_pic_url: str | None = None
    profile_pic_url_original: str | None = None
    is_verified: bool = False
    is_active: bool = True
    is_unavailable: bool = False
    link_in_bio: str | None = None
    creator_id: Id | None = None
    creator_name: str | None = None
    category: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    added_at: dt.datetime | None = None
    first_scrape_time: dt.datetime | None = None
    last_scrape_time: dt.datetime | None = None
    scrape_interval_hours: int | None = 24
    follower_count: int = 0
    following_count: int = 0
    profile_post_count: int = 0
    total_post_count: int = 0
    view_count: int = 0
    like_count: int = 0
    comment_count: int = 0
    share_count: int = 0
    play_count: int = 0
    saved_count: int | None = None
    fb_play_count: int | None = None
    ig_play_count: int | None = None
    fb_like_count: int | None = None
    max_recent_posts_per_account: int | None = None
    post_lookback_days: int | None = None
    effective_max_recent_posts_per_account: int | None = None
    effective_post_lookback_days: int | None = None


@attrs.frozen
class Video(Model):
    """A video or post (``type: "video"``), tracked on its own or found in an account's feed.

    ``internal_id`` is the integer id account-discovered videos carry, the one
    ``account_videos.metrics`` takes (``None`` when the server sends none).
    """

    id: Id
    type: str = "video"
    platform: str | None = None
    internal_id: int | None = None
    external_id: str | None = None
    shortcode: str | None = None
    is_active: bool = True
    scrape_interval_hours: int | None = None
    metadata: Mapping[str, Any] = _mapping()
    added_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    first_scrape_time: dt.datetime | None = None
    last_scrape_time: dt.datetime | None = None
    description: str | None = None
    create_time: dt.datetime | None = None
    media_type: str | None = None
    duration: float | None = None
    is_unavailable: bool = False
    cover_image_url: str | None = None
    cover_image_url_original: str | None = None
    video_url: str | None = None
    video_url_original: str | None = None
    view_count: int | None = None
    like_count: int | None = None
    comment_count: int | None = None
    share_count: int | None = None
    play_count: int | None = None
    saved_count: int | None = None
    total_views: int | None = None
    total_plays: int | None = None
    account_id: Id | None = None
    account_username: str | None = None
    platform_account_id: str | None = None
    platform_data: Mapping[str, Any] = _mapping()


@attrs.frozen
class AccountsSummary(Model):
    """A creator's linked accounts: how many, per platform, and their followers."""

    total: int = 0
    platforms: Mapping[str, Any] = _mapping()
    total_followers: int = 0


@attrs.frozen
class Creator(Model):
    """A person or brand grouping accounts (``type: "creator"``)."""

    id: Id
    type: str = "creator"
    name: str = ""
    is_active: bool = True
    metadata: Mapping[str, Any] = _mapping()
    accounts_summary: AccountsSummary = attrs.field(factory=AccountsSummary)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class CreatorLink(Model):
    """The link record of ``PUT /creators/{id}/accounts/{account_id}`` (shape undocumented).

    ``created`` is true when the server answered 201 (a new link), false for 200 (it existed).
    """

    creator_id: Id | None = None
    account_id: Id | None = None
    created: bool | None = None


@attrs.frozen
class Whoami(Model):
    """The organization and key name the API key resolves to."""

    type: str = "whoami"
    organization_id: str = ""
    api_key_name: str | None = None


@attrs.frozen
class ApiMeta(Model):
    """Version and lifecycle of the API (``GET /meta``)."""

    type: str = "api_meta"
    api_version: str | None = None
    status: str | None = None
    docs_url: str | None = None
    openapi_url: str | None = None
    whoami_url: str | None = None
    #: ``null`` while supported; a date (in a format the docs do not give) once retiring.
    deprecation: str | None = None
    sunset: str | None = None


@attrs.frozen
class Health(Model):
    """``GET /health``: the body is undocumented, so everything it holds is in ``extra``."""

    @property
    def status(self) -> str | None:
        """The ``status`` member, when the server sent a string there."""
        value = self.extra.get("status")
        return value if isinstance(value, str) else None


@attrs.frozen
class OverviewStats(Model):
    """Headline numbers of one period."""

    total_views: int | None = None
    #: Probably a percentage (the docs define engagement rate as one).
    engagement_rate: float | None = None
    active_accounts: int | None = None
    account_videos: int | None = None
    tracked_videos: int | None = None


@attrs.frozen
class OverviewChanges(Model):
    """Percentage change from the previous period; ``None`` when it is undefined (e.g. from 0)."""

    total_views_pct: float | None = None
    engagement_rate_pct: float | None = None
    active_accounts_pct: float | None = None
    account_videos_pct: float | None = None
    tracked_videos_pct: float | None = None


@attrs.frozen
class Overview(Model):
    """Org-wide numbers for a period, the period before it, and the change between them."""

    type: str = "overview"
    current: OverviewStats = attrs.field(factory=OverviewStats)
    previous: OverviewStats = attrs.field(factory=OverviewStats)
    changes: OverviewChanges = attrs.field(factory=OverviewChanges)


@attrs.frozen
class SearchAccount(Model):
    """An account matching a search."""

    id: Id
    platform: str | None = None
    username: str | None = None
    display_name: str | None = None


@attrs.frozen
class SearchCreator(Model):
    """A creator matching a search."""

    id: Id
    name: str | None = None


@attrs.frozen
class SearchVideo(Model):
    """A video matching a search (on its caption)."""

    id: Id
    platform: str | None = None
    caption: str | None = None
    account_id: Id | None = None
    account_username: str | None = None


@attrs.frozen
class SearchResults(Model):
    """Matches per section, plus the search's ``meta``.

    ``effective_caps`` is the per-section cap the server applied, which can be lower than the
    requested limit. ``extra`` holds unknown members of both ``data`` and ``meta``.
    """

    accounts: tuple[SearchAccount, ...] = ()
    creators: tuple[SearchCreator, ...] = ()
    videos: tuple[SearchVideo, ...] = ()
    query: str | None = None
    limit_per_section: int | None = None
    effective_caps: Mapping[str, int] = _mapping()


@attrs.frozen
class TopCreator(Model):
    """One entry of the creator leaderboard (item fields are undocumented)."""

    creator_id: Id | None = None
    name: str | None = None
    total_views: int | None = None
    total_engagement: int | None = None
    #: As the server sends it: a count of linked accounts, or a list of them.
    accounts: Any = None


@attrs.frozen
class CreatorAnalytics(Model):
    """A creator's totals over a date range (shape undocumented; other fields in ``extra``)."""

    creator_id: Id | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    followers: int | None = None

    @property
    def engagement_rate(self) -> float | None:
        """(likes + comments + shares) / views as a percentage; ``None`` without views."""
        if not self.views or None in (self.likes, self.comments, self.shares):
            return None
        engaged = (self.likes or 0) + (self.comments or 0) + (self.shares or 0)
        return 100.0 * engaged / self.views


@attrs.frozen
class MetricValues(Model):
    """Sums over a metrics window for one id; ``followers`` only for accounts."""

    views: int | None = None
    plays: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    engagement: int | None = None
    followers: int | None = None


def _key(value: object) -> str | None:
    """A lookup key as stored: a lowercase string (integer ids as their digits)."""
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@attrs.frozen
class Metrics(Model):
    """Windowed metrics of a batch call, keyed by id (lowercase; integer ids as strings).

    ``metrics.get(id)`` is the :class:`MetricValues` of one id, or ``None`` for an id the
    server did not return; ``not_found`` lists the ids the organization does not track.
    """

    data: Mapping[str, MetricValues] = _mapping()
    not_found: tuple[str, ...] = ()
    period: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    days: int | None = None

    def get(self, id: str | int) -> MetricValues | None:
        """The values of ``id`` (any case; an ``int`` for account-videos), or ``None``."""
        key = _key(id)
        return None if key is None else self.data.get(key)

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids with values, in the order the server sent them."""
        return tuple(self.data)

    def __contains__(self, id: object) -> bool:
        return _key(id) in self.data

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    @classmethod
    def merge(cls, parts: Iterable[Metrics]) -> Metrics:
        """One result from several chunks' results (e.g. ``BatchError.results``).

        ``data`` is the union in order, ``not_found`` concatenated without repeats; the window
        (``period``, dates, ``days``) and ``extra`` come from the first part.
        """
        items = list(parts)
        if not items:
            return cls()
        first = items[0]
        data: dict[str, MetricValues] = {}
        for part in items:
            data.update(part.data)
        return attrs.evolve(
            first,
            data=MappingProxyType(data),
            not_found=_unique(i for part in items for i in part.not_found),
        )


@attrs.frozen
class Deltas(Model):
    """View-count change per video and look-back window, merged across chunks.

    ``deltas.get(video_id, 7)`` is the views gained over the last 7 days: an ``int`` (possibly
    negative after a platform recount), or ``None`` for an unknown id, a window the server left
    out, or a ``null`` value. ``data`` maps each lowercase video id to ``{window: value}``;
    ``not_found`` lists the ids the organization does not track; ``windows`` the windows the
    server used.
    """

    data: Mapping[str, Mapping[int, int | None]] = _mapping()
    windows: tuple[int, ...] = ()
    not_found: tuple[str, ...] = ()
    #: Sum of ``meta.video_count`` over the chunks; ``None`` if any chunk sent none.
    video_count: int | None = None

    def get(self, video_id: str, window: int) -> int | None:
        """Views gained by ``video_id`` (any case) over ``window`` days, or ``None``.

        Never raises: an unknown id, a missing window or a ``null`` value all give ``None``.
        """
        if not isinstance(video_id, str):
            return None
        row = self.data.get(video_id.lower())
        if row is None or isinstance(window, bool) or not isinstance(window, int):
            return None
        return row.get(window)

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids with a row, in the order received."""
        return tuple(self.data)

    def __contains__(self, video_id: object) -> bool:
        return isinstance(video_id, str) and video_id.lower() in self.data

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    @classmethod
    def merge(cls, parts: Iterable[Deltas]) -> Deltas:
        """One result from several chunks' results (e.g. ``BatchError.results``).

        Rows are combined in order, ``not_found`` and ``windows`` concatenated without repeats.
        """
        items = list(parts)
        data: dict[str, Mapping[int, int | None]] = {}
        extra: dict[str, Any] = {}
        for part in reversed(items):
            extra.update(part.extra)
        for part in items:
            data.update(part.data)
        counts = [part.video_count for part in items]
        return cls(
            data=MappingProxyType(data),
            windows=tuple(dict.fromkeys(w for part in items for w in part.windows)),
            not_found=_unique(i for part in items for i in part.not_found),
            video_count=None if not items or None in counts else sum(c or 0 for c in counts),
            extra=MappingProxyType(extra),
        )
