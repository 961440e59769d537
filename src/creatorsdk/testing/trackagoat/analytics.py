"""Time series computed from the store's own history, bucketed by day, week or month.

A subject (creator, video, campaign, project) is a set of counted videos plus the creators
whose followers it sums. Per day, a video contributes the views it gained since the day
before; the first tracked day is a baseline and contributes nothing. Likes, comments, shares
and saves are the video's fixed ratios of those views.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from creatorsdk.testing._dates import date_of_day, day_of, day_of_date
from creatorsdk.testing._history import ViewCurve
from creatorsdk.testing.trackagoat.store import Store

__all__ = [
    "DERIVED",
    "NOT_FOR_VIDEOS",
    "RAW",
    "Daily",
    "Query",
    "Subject",
    "bucket_series",
    "resolve",
]

RAW: Final = ("views", "likes", "comments", "shares", "saves", "followers")
DERIVED: Final = (
    "engagement_rate_by_views",
    "engagement_rate_by_followers",
    "posts_per_week",
    "avg_views_per_post",
    "growth_rate_pop",
)
NOT_FOR_VIDEOS: Final = frozenset(
    {"followers", "engagement_rate_by_followers", "posts_per_week", "avg_views_per_post"}
)


@dataclasses.dataclass(frozen=True)
class Subject:
    """What one series is about."""

    id: str
    label: str
    videos: tuple[str, ...]
    creators: tuple[str, ...]


def resolve(store: Store, entity: str, entity_id: str) -> Subject | None:
    """The subject for ``entity``/``entity_id``, or ``None`` when the org has no such thing."""
    if entity == "creator":
        creator = store.find(store.creators, entity_id)
        if creator is None:
            return None
        videos = store.counted(store.videos_of(entity_id))
        return _subject(entity_id, f"@{creator['tiktok_handle']}", videos, [entity_id])
    if entity == "video":
        video = store.find(store.videos, entity_id)
        if video is None or video["tracking_status"] == "excluded":
            return None
        return _subject(entity_id, video["title"] or video["tiktok_video_id"], [video], [])
    if entity == "campaign":
        campaign = store.find(store.campaigns, entity_id)
        if campaign is None:
            return None
        found = [store.videos[v] for v in sorted(store.campaign_videos(entity_id))]
        videos = store.counted(found)
        creators = sorted({v["creator_id"] for v in videos if v["creator_id"]})
        return _subject(entity_id, campaign["name"], videos, creators)
    project = store.find(store.projects, entity_id)
    if project is None:
        return None
    videos = store.counted(v for v in store.tracked_videos() if v["project_id"] == entity_id)
    creators = [
        c["id"]
        for c in store.live(store.creators)
        if c["project_id"] == entity_id and c["is_active"]
    ]
    return _subject(entity_id, project["name"], videos, creators)


def _subject(
    entity_id: str, label: str, videos: list[dict[str, Any]], creators: list[str]
) -> Subject:
    return Subject(entity_id, label, tuple(v["id"] for v in videos), tuple(creators))


@dataclasses.dataclass(frozen=True)
class Query:
    """One series request, in day numbers."""

    metric: str
    mode: str
    granularity: str
    start: int
    end: int
    today: int
    base_metric: str = "views"


def bucket_series(store: Store, subject: Subject, query: Query) -> list[dict[str, Any]]:
    """The points ``{t, value, partial}`` of ``subject`` over the query's buckets."""
    daily = Daily(store, subject)
    buckets = _buckets(query.start, query.end, query.granularity)
    value = _metric(daily, query)
    points = []
    for first, last in buckets:
        future = first > query.today
        points.append(
            {
                "t": date_of_day(first).isoformat(),
                "value": None if future else value(first, min(last, query.today)),
                "partial": not future and last >= query.today,
            }
        )
    return points


def _buckets(start: int, end: int, granularity: str) -> list[tuple[int, int]]:
    out, first = [], start
    while first <= end:
        date = date_of_day(first)
        if granularity == "week":
            last = first + (6 - date.weekday())
        elif granularity == "month":
            following = (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last = day_of_date(following) - 1
        else:
            last = first
        out.append((first, min(last, end)))
        first = last + 1
    return out


def _metric(daily: Daily, query: Query) -> Callable[[int, int], float | None]:
    metric = query.metric
    if metric == "followers":
        if query.mode == "cumulative":
            return lambda first, last: daily.followers(last)
        return lambda first, last: daily.followers(last) - daily.followers(first - 1)
    if metric in RAW:
        if query.mode == "cumulative":
            return lambda first, last: round(daily.total(metric, last))
        return lambda first, last: round(daily.gained(metric, first, last))
    if metric == "engagement_rate_by_views":
        return lambda first, last: _percent(
            daily.engagement(first, last), daily.gained("views", first, last)
        )
    if metric == "engagement_rate_by_followers":
        return lambda first, last: _percent(daily.engagement(first, last), daily.followers(last))
    if metric == "posts_per_week":
        return lambda first, last: round(daily.posts(first, last) * 7 / (last - first + 1), 2)
    if metric == "avg_views_per_post":
        return lambda first, last: _ratio(
            daily.gained("views", first, last), daily.posts(-(10**9), last)
        )

    def growth(first: int, last: int) -> float | None:
        span = last - first + 1
        before = daily.gained(query.base_metric, first - span, first - 1)
        return _percent(daily.gained(query.base_metric, first, last) - before, before)

    return growth


def _percent(part: float, whole: float) -> float | None:
    return None if not whole else round(part / whole * 100, 2)


def _ratio(part: float, whole: float) -> float | None:
    return None if not whole else round(part / whole, 2)


class Daily:
    """Day-level sums for one subject, memoised (a series asks for the same days often)."""

    def __init__(self, store: Store, subject: Subject) -> None:
        self.store = store
        self.curves = [store.curve(v) for v in subject.videos]
        self.creators = subject.creators
        self.posted = [day_of(_epoch(store.videos[v]["posted_at"])) for v in subject.videos]

    def total(self, metric: str, day: int) -> float:
        """Cumulative ``metric`` at the end of ``day``, as far as tracking saw it."""
        return sum(_seen(curve, day) * _share(curve, metric) for curve in self.curves)

    def gained(self, metric: str, first: int, last: int) -> float:
        """``metric`` gained over the days ``first``..``last`` (baselines gain nothing)."""
        if metric == "followers":
            return float(self.followers(last) - self.followers(first - 1))
        return sum(
            (_seen(curve, last) - _seen(curve, first - 1)) * _share(curve, metric)
            for curve in self.curves
        )

    def engagement(self, first: int, last: int) -> float:
        """Likes, comments, shares and saves gained over the days."""
        return sum(self.gained(m, first, last) for m in ("likes", "comments", "shares", "saves"))

    def followers(self, day: int) -> int:
        """The subject's creators' followers on ``day``."""
        return sum(self.store.followers_on(c, day) for c in self.creators)

    def posts(self, first: int, last: int) -> int:
        """Videos posted in the days ``first``..``last``."""
        return sum(1 for day in self.posted if first <= day <= last)


def _seen(curve: ViewCurve, day: int) -> int:
    """Views as tracking knows them at the end of ``day``.

    A video posted while tracked is known from its first view. One that existed before
    tracking began is known from its first snapshot, a baseline carried back to the days
    before it, so it counts as nothing gained and cumulative and new series agree.
    """
    first = curve.first_day
    if first is None:
        return 0
    return curve.views_on(day) if first <= curve.publish_day else curve.snapshot(day)


def _share(curve: ViewCurve, metric: str) -> float:
    ratios = {
        "views": 1.0,
        "likes": curve.like_ratio,
        "comments": curve.comment_ratio,
        "shares": curve.share_ratio,
        "saves": curve.save_ratio or 0.0,
    }
    return float(ratios[metric])


def _epoch(timestamp: str) -> float:
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
