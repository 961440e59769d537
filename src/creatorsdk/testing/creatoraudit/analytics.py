"""Numbers computed from the history: windowed metrics, overview, leaderboard, analytics.

Day ranges are inclusive day numbers (see :mod:`creatorsdk.testing._dates`). Every figure is a
sum of what the videos gained inside the range, so the endpoints agree with each other and with
the deltas.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from creatorsdk.testing._dates import date_of_day
from creatorsdk.testing.creatoraudit.store import Store

__all__ = [
    "account_metrics",
    "creator_analytics",
    "overview",
    "top_creators",
    "video_metrics",
]

_SUMMED = ("views", "plays", "likes", "comments", "shares", "engagement")


def video_metrics(store: Store, video_id: str, start: int, end: int) -> dict[str, int]:
    """A video's views, plays, likes, comments, shares and engagement over the range."""
    return store.curve(video_id).metrics(start, end)


def _summed(store: Store, video_ids: Iterable[str], start: int, end: int) -> dict[str, int]:
    totals = dict.fromkeys(_SUMMED, 0)
    for video_id in video_ids:
        for name, value in store.curve(video_id).metrics(start, end).items():
            totals[name] += value
    return totals


def account_metrics(store: Store, account_id: str, start: int, end: int) -> dict[str, int]:
    """An account's summed video metrics over the range, plus its followers on the last day."""
    videos = (v["id"] for v in store.videos_of_account(account_id))
    totals = _summed(store, videos, start, end)
    totals["followers"] = store.followers(account_id).on(end)
    return totals


def creator_analytics(store: Store, creator_id: str, start: int, end: int) -> dict[str, Any]:
    """A creator's totals over its linked accounts (followers: on the last day)."""
    accounts = store.accounts_of_creator(creator_id)
    videos = (v["id"] for a in accounts for v in store.videos_of_account(a["id"]))
    totals = _summed(store, videos, start, end)
    return {
        "creator_id": creator_id,
        "start_date": date_of_day(start).isoformat(),
        "end_date": date_of_day(end).isoformat(),
        "views": totals["views"],
        "likes": totals["likes"],
        "comments": totals["comments"],
        "shares": totals["shares"],
        "followers": sum(store.followers(a["id"]).on(end) for a in accounts),
        "plays": totals["plays"],
        "engagement": totals["engagement"],
        "accounts": len(accounts),
    }


def top_creators(store: Store, start: int, end: int, limit: int) -> list[dict[str, Any]]:
    """Active creators ranked by views gained in the range (ties: by name, then id)."""
    rows = []
    for creator in store.creators.values():
        if not creator["is_active"]:
            continue
        stats = creator_analytics(store, creator["id"], start, end)
        rows.append(
            {
                "creator_id": creator["id"],
                "name": creator["name"],
                "total_views": stats["views"],
                "total_engagement": stats["engagement"],
                "accounts": stats["accounts"],
                "total_followers": stats["followers"],
            }
        )
    rows.sort(key=lambda r: (-r["total_views"], r["name"].lower(), r["creator_id"]))
    for rank, row in enumerate(rows[:limit], 1):
        row["rank"] = rank
    return rows[:limit]


def overview(store: Store, days: int) -> dict[str, Any]:
    """The ``/overview`` object: this period, the one before it, and the change in percent."""
    today = store.today()
    current = _period(store, today - days + 1, today)
    previous = _period(store, today - 2 * days + 1, today - days)
    changes = {f"{name}_pct": _change(current[name], previous[name]) for name in current}
    return {
        "current": current,
        "previous": previous,
        "changes": changes,
        "type": "overview",
        "period": f"{days}d",
        "start_date": date_of_day(today - days + 1).isoformat(),
        "end_date": date_of_day(today).isoformat(),
    }


def _period(store: Store, start: int, end: int) -> dict[str, Any]:
    views = engagement = 0
    for video_id in chain(store.account_videos, store.videos):
        gained = store.curve(video_id).metrics(start, end)
        views += gained["views"]
        engagement += gained["engagement"]
    # Timestamps are uniform ISO strings, so "added by the end of the range" is a string compare.
    cutoff = f"{date_of_day(end + 1).isoformat()}T00:00:00Z"
    return {
        "total_views": views,
        "engagement_rate": round(engagement / views * 100, 2) if views else 0.0,
        "active_accounts": sum(
            1 for a in store.accounts.values() if a["is_active"] and a["added_at"] < cutoff
        ),
        "account_videos": sum(1 for v in store.account_videos.values() if v["added_at"] < cutoff),
        "tracked_videos": sum(1 for v in store.videos.values() if v["added_at"] < cutoff),
    }


def _change(current: float, previous: float) -> float | None:
    # Undefined against a zero baseline; null says so rather than a fake infinity.
    return round((current - previous) / previous * 100, 2) if previous else None
