"""Both fakes' snapshot history, kept compactly: each video's views as a seeded curve over days.

Days are day numbers (see :mod:`creatorsdk.testing._dates`). A video has one snapshot per day
from ``first_day`` (when tracking began) to ``last_day`` (its last scrape); before the first
snapshot nothing is known, after the last one the last value stands. Likes, comments, shares,
saves and plays are fixed ratios of views, so every metric comes from the same curve.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

__all__ = ["FollowerCurve", "ViewCurve"]


@dataclasses.dataclass(slots=True)
class ViewCurve:
    """Cumulative views of one video.

    A saturating launch curve (``scale``, ``tau`` days), a slow long tail (``tail``, so old
    videos still gain a little) and an optional breakout around ``breakout_day``.
    """

    publish_day: int
    first_day: int | None
    last_day: int | None
    scale: float
    tau: float
    tail: float = 0.1
    breakout_day: int = 0
    breakout_scale: float = 0.0
    like_ratio: float = 0.05
    comment_ratio: float = 0.004
    share_ratio: float = 0.006
    save_ratio: float | None = None
    play_ratio: float = 1.0

    @property
    def scraped(self) -> bool:
        """Whether any snapshot exists yet."""
        return self.first_day is not None and self.last_day is not None

    def views_on(self, day: int) -> int:
        """The curve's cumulative views at the end of ``day``, ignoring the snapshot range."""
        age = day - self.publish_day + 1
        if age <= 0:
            return 0
        views = self.scale * (1.0 - math.exp(-age / self.tau) + self.tail * math.log1p(age / 30))
        if self.breakout_scale:
            views += self.breakout_scale / (1.0 + math.exp((self.breakout_day - day) / 1.5))
        return int(views)

    def snapshot(self, day: int) -> int:
        """Views as the snapshots know them on ``day`` (clamped into the snapshot range)."""
        if self.first_day is None or self.last_day is None:
            return 0
        return self.views_on(min(max(day, self.first_day), self.last_day))

    def latest(self) -> int | None:
        """Views at the last snapshot, or ``None`` when never scraped."""
        return self.snapshot(self.last_day) if self.last_day is not None else None

    def delta(self, today: int, window: int) -> int | None:
        """Views gained over the last ``window`` days; ``None`` when the history is shorter."""
        if self.first_day is None or self.last_day is None:
            return None
        start = today - window
        if start < self.first_day:
            return None
        return self.snapshot(self.last_day) - self.snapshot(start)

    def metrics(self, start_day: int, end_day: int) -> dict[str, int]:
        """Sums over the inclusive day range: views, plays, likes, comments, shares, engagement."""
        views = max(self.snapshot(end_day) - self.snapshot(start_day - 1), 0)
        likes = round(views * self.like_ratio)
        comments = round(views * self.comment_ratio)
        shares = round(views * self.share_ratio)
        return {
            "views": views,
            "plays": round(views * self.play_ratio),
            "likes": likes,
            "comments": comments,
            "shares": shares,
            "engagement": likes + comments + shares,
        }

    def counts(self) -> dict[str, Any]:
        """The ``*_count`` fields of the video as last scraped (``None`` before any scrape)."""
        views = self.latest()
        if views is None:
            return dict.fromkeys(_COUNT_FIELDS)
        plays = round(views * self.play_ratio)
        return {
            "view_count": views,
            "like_count": round(views * self.like_ratio),
            "comment_count": round(views * self.comment_ratio),
            "share_count": round(views * self.share_ratio),
            "play_count": plays,
            "saved_count": None if self.save_ratio is None else round(views * self.save_ratio),
            "total_views": views,
            "total_plays": plays,
        }


_COUNT_FIELDS = (
    "view_count",
    "like_count",
    "comment_count",
    "share_count",
    "play_count",
    "saved_count",
    "total_views",
    "total_plays",
)


@dataclasses.dataclass(slots=True)
class FollowerCurve:
    """An account's followers: ``count`` at the last scrape, growing linearly before it."""

    count: int
    yearly_growth: float
    last_day: int | None

    def on(self, day: int) -> int:
        """Followers on ``day`` (0 before the first scrape)."""
        if self.last_day is None:
            return 0
        days_before = max(self.last_day - day, 0)
        return max(round(self.count * (1.0 - self.yearly_growth * days_before / 365)), 0)
