"""The ten aggregate analytics (section 3.6), computed from the same store the other
endpoints serve: the same counted videos, the same view history, the same goals.

Each function takes the store, the project and the inclusive day range, and returns the rows
the endpoint sends. "Videos of the range" are the project's counted videos posted in it, with
their counts as of now; "gained" figures (creators, campaigns) are what the analytics series
of the range add up to.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections.abc import Iterable
from typing import Any, Final

from creatorsdk.testing._dates import day_of, day_of_date
from creatorsdk.testing.trackagoat.analytics import Daily, Subject, resolve
from creatorsdk.testing.trackagoat.goals import compliance
from creatorsdk.testing.trackagoat.store import Store

__all__ = [
    "CAMPAIGN_ORDERS",
    "CREATOR_ORDERS",
    "GOAL_STATUSES",
    "VIDEO_ORDERS",
    "campaign_ranks",
    "creator_consistency",
    "creator_ranks",
    "creator_scatter",
    "goal_counts",
    "member_overlap",
    "outliers",
    "posting_heatmap",
    "video_ranks",
    "view_distribution",
]

VIDEO_ORDERS: Final = (
    "view_count",
    "like_count",
    "comment_count",
    "share_count",
    "save_count",
    "posted_at",
)
CREATOR_ORDERS: Final = (
    "views",
    "likes",
    "comments",
    "shares",
    "saves",
    "posts",
    "follower_count",
    "engagement_rate",
)
CAMPAIGN_ORDERS: Final = (
    "views",
    "likes",
    "comments",
    "shares",
    "saves",
    "video_count",
    "creator_count",
    "progress",
)
GOAL_STATUSES: Final = ("on_track", "behind_pace", "at_risk", "completed", "missed")
PERCENTILES: Final = (25, 50, 75, 90, 99)
_ENGAGEMENT: Final = ("likes", "comments", "shares", "saves")

Range = tuple[int, int]


def _posted(video: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(video["posted_at"].replace("Z", "+00:00"))


def _project_videos(store: Store, project_id: str, days: Range) -> list[dict[str, Any]]:
    """The project's counted videos posted in the range, served with today's counts."""
    first, last = days
    found = store.counted(v for v in store.tracked_videos() if v["project_id"] == project_id)
    return [
        store.serve_video(v["id"]) for v in found if first <= day_of(_posted(v).timestamp()) <= last
    ]


def _creators(store: Store, project_id: str) -> list[dict[str, Any]]:
    return [
        c for c in store.live(store.creators) if c["project_id"] == project_id and c["is_active"]
    ]


def _ranked(rows: list[dict[str, Any]], order: str, key: str) -> list[dict[str, Any]]:
    """Largest (or newest) first, ``None`` last, ties by ``key``: pages never overlap."""

    def rank(row: dict[str, Any]) -> tuple[int, float, str]:
        value = row[order]
        if value is None:
            return 1, 0.0, row[key]
        if isinstance(value, str):  # a timestamp: newest first
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        return 0, -float(value), row[key]

    return sorted(rows, key=rank)


def video_ranks(store: Store, project_id: str, days: Range, order: str) -> list[dict[str, Any]]:
    """Every row of the video leaderboard, in order."""
    rows = [
        {
            "video_id": v["id"],
            "creator_id": v["creator_id"],
            "title": v["title"],
            "thumbnail_url": f"https://p16.tiktokcdn.test/thumb/{v['tiktok_video_id']}.jpeg",
            "url": v["url"],
            **{k: v[k] for k in VIDEO_ORDERS},
        }
        for v in _project_videos(store, project_id, days)
    ]
    return _ranked(rows, order, "video_id")


def _gains(daily: Daily, days: Range) -> dict[str, Any]:
    first, last = days
    gained = {m: round(daily.gained(m, first, last)) for m in ("views", *_ENGAGEMENT)}
    engaged = sum(gained[m] for m in _ENGAGEMENT)
    rate = round(engaged / gained["views"] * 100, 2) if gained["views"] else None
    return {**gained, "engagement_rate": rate}


def _creator_subject(store: Store, creator: dict[str, Any]) -> Subject:
    subject = resolve(store, "creator", creator["id"])
    assert subject is not None  # a live creator
    return subject


def creator_ranks(store: Store, project_id: str, days: Range, order: str) -> list[dict[str, Any]]:
    """Every row of the creator leaderboard, in order."""
    rows = []
    for creator in _creators(store, project_id):
        daily = Daily(store, _creator_subject(store, creator))
        rows.append(
            {
                "creator_id": creator["id"],
                "tiktok_handle": creator["tiktok_handle"],
                "display_name": creator["display_name"],
                "avatar_url": creator["avatar_url"],
                **_gains(daily, days),
                "posts": daily.posts(*days),
                "follower_count": store.followers_on(creator["id"], store.today()),
            }
        )
    return _ranked(rows, order, "creator_id")


def campaign_ranks(store: Store, project_id: str, days: Range, order: str) -> list[dict[str, Any]]:
    """Every row of the campaign leaderboard, in order."""
    rows = []
    for campaign in store.live(store.campaigns):
        if campaign["project_id"] != project_id:
            continue
        subject = resolve(store, "campaign", campaign["id"])
        assert subject is not None
        daily = Daily(store, subject)
        target = campaign["target_views"]
        total = round(daily.total("views", days[1]))
        rows.append(
            {
                "campaign_id": campaign["id"],
                "name": campaign["name"],
                **_gains(daily, days),
                "video_count": len(subject.videos),
                "creator_count": len(subject.creators),
                "target_views": target,
                "progress": round(total / target, 4) if target else None,
            }
        )
    for row in rows:
        row.pop("engagement_rate")
    return _ranked(rows, order, "campaign_id")


def posting_heatmap(
    store: Store, project_id: str, days: Range, tz: zoneinfo.ZoneInfo
) -> list[dict[str, Any]]:
    """The cells with at least one post: weekday (0 = Sunday) × hour in ``tz``."""
    first, last = days
    cells: dict[tuple[int, int], list[int]] = {}
    found = store.counted(v for v in store.tracked_videos() if v["project_id"] == project_id)
    for video in found:
        local = _posted(video).astimezone(tz)
        if not first <= day_of_date(local.date()) <= last:
            continue
        dow = (local.weekday() + 1) % 7
        cells.setdefault((dow, local.hour), []).append(store.serve_video(video["id"])["view_count"])
    return [
        {
            "dow": dow,
            "hour": hour,
            "post_count": len(views),
            "avg_views": round(statistics.fmean(views), 1),
        }
        for (dow, hour), views in sorted(cells.items())
    ]


def view_distribution(store: Store, project_id: str, days: Range) -> dict[str, Any]:
    """Power-of-ten buckets of view counts, and percentiles (nearest rank)."""
    views = sorted(v["view_count"] for v in _project_videos(store, project_id, days))
    buckets = []
    low, high = 0, 10
    while views and low <= views[-1]:
        count = sum(1 for n in views if low <= n < high)
        buckets.append({"min_views": low, "max_views": high, "video_count": count})
        low, high = high, high * 10
    percentiles = {f"p{p}": float(_nearest_rank(views, p)) for p in PERCENTILES} if views else {}
    return {"buckets": buckets, "percentiles": percentiles, "video_count": len(views)}


def _nearest_rank(values: list[int], percent: int) -> int:
    rank = max(1, -(-percent * len(values) // 100))
    return values[rank - 1]


def outliers(
    store: Store, project_id: str, days: Range, min_ratio: float, limit: int
) -> list[dict[str, Any]]:
    """Videos of the range with ``min_ratio`` times their creator's median views or more."""
    rows = []
    medians: dict[str, float] = {}
    for video in _project_videos(store, project_id, days):
        creator_id = video["creator_id"]
        if creator_id is None:
            continue
        if creator_id not in medians:
            everything = store.counted(store.videos_of(creator_id))
            medians[creator_id] = statistics.median(
                store.serve_video(v["id"])["view_count"] for v in everything
            )
        baseline = medians[creator_id]
        ratio = video["view_count"] / baseline if baseline else None
        if ratio is not None and ratio >= min_ratio:
            rows.append(
                {
                    "video_id": video["id"],
                    "creator_id": creator_id,
                    "title": video["title"],
                    "url": video["url"],
                    "view_count": video["view_count"],
                    "baseline_views": float(baseline),
                    "ratio": round(ratio, 2),
                    "posted_at": video["posted_at"],
                }
            )
    return _ranked(rows, "ratio", "video_id")[:limit]


def creator_consistency(store: Store, project_id: str, days: Range) -> list[dict[str, Any]]:
    """Per creator: posts, days with a post, posts per week, the longest gap, consistency."""
    first, last = days
    span = last - first + 1
    rows = []
    for creator in _creators(store, project_id):
        daily = Daily(store, _creator_subject(store, creator))
        posted = sorted({d for d in daily.posted if first <= d <= last})
        rows.append(
            {
                "creator_id": creator["id"],
                "tiktok_handle": creator["tiktok_handle"],
                "posts": daily.posts(first, last),
                "active_days": len(posted),
                "days": span,
                "posts_per_week": round(daily.posts(first, last) * 7 / span, 2),
                "longest_gap_days": _longest_gap(posted, first, last),
                "consistency": round(len(posted) / span, 3),
            }
        )
    return rows


def _longest_gap(posted: Iterable[int], first: int, last: int) -> int:
    """The longest run of days without a post within the range."""
    longest, previous = 0, first - 1
    for day in [*posted, last + 1]:
        longest = max(longest, day - previous - 1)
        previous = day
    return longest


def creator_scatter(store: Store, project_id: str, days: Range) -> list[dict[str, Any]]:
    """One point per creator: followers now, views and posts in the range, engagement."""
    rows = []
    for creator in _creators(store, project_id):
        daily = Daily(store, _creator_subject(store, creator))
        gains = _gains(daily, days)
        rows.append(
            {
                "creator_id": creator["id"],
                "tiktok_handle": creator["tiktok_handle"],
                "follower_count": store.followers_on(creator["id"], store.today()),
                "views": gains["views"],
                "posts": daily.posts(*days),
                "engagement_rate": gains["engagement_rate"],
            }
        )
    return rows


def goal_counts(store: Store, project_id: str, period: str, reference: int) -> dict[str, Any]:
    """The active goals of the project's active creators, counted by status."""
    counts = dict.fromkeys(GOAL_STATUSES, 0)
    creators = 0
    for creator in _creators(store, project_id):
        goals = [
            g
            for g in store.goals.get(creator["id"], ())
            if g["is_active"] and period in ("all", g["period"])
        ]
        creators += bool(goals)
        for goal in goals:
            counts[compliance(store, creator, goal, reference)["status"]] += 1
    return {"total": sum(counts.values()), "counts": counts, "creators": creators}


def member_overlap(store: Store, project_id: str) -> list[dict[str, Any]]:
    """Pairs of the project's campaigns that count some of the same creators or videos."""
    subjects = []
    for campaign in store.live(store.campaigns):
        if campaign["project_id"] == project_id:
            subject = resolve(store, "campaign", campaign["id"])
            assert subject is not None
            subjects.append(subject)
    rows = []
    for index, a in enumerate(subjects):
        for b in subjects[index + 1 :]:
            creators = sorted(set(a.creators) & set(b.creators))
            videos = set(a.videos) & set(b.videos)
            if creators or videos:
                rows.append(
                    {
                        "campaign_a_id": a.id,
                        "campaign_b_id": b.id,
                        "shared_creators": len(creators),
                        "shared_videos": len(videos),
                        "creator_ids": creators,
                    }
                )
    return rows
