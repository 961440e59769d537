"""The values CreatorAudit's enum-like arguments take, as ``Literal`` types.

A type checker refuses ``ca.accounts.list(platform="youtube")`` before the SDK refuses it at
run time; the run-time checks are built from these same types, so the two never disagree.
Use them to type your own code: ``def sync(platform: Platform) -> None``. Models keep plain
``str`` fields, so a value the server adds later still decodes.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = [
    "AccountOrderBy",
    "AccountSort",
    "CreatorOrderBy",
    "CreatorSort",
    "MetricPeriod",
    "OrderDirection",
    "OverviewPeriod",
    "Platform",
    "VideoOrderBy",
    "VideoSort",
]

Platform: TypeAlias = Literal["instagram", "tiktok"]
OrderDirection: TypeAlias = Literal["asc", "desc"]
#: The window of the batch metrics endpoints; ``custom`` takes a start and an end date.
MetricPeriod: TypeAlias = Literal["7d", "30d", "90d", "custom"]
#: The window of ``overview()`` and the creator leaderboard.
OverviewPeriod: TypeAlias = Literal["7d", "30d", "90d"]

AccountOrderBy: TypeAlias = Literal[
    "added_at",
    "username",
    "last_scrape_time",
    "follower_count",
    "view_count",
    "like_count",
    "play_count",
]
#: The legacy ``sort``: one key, ``-`` in front for descending.
AccountSort: TypeAlias = Literal[
    "added_at",
    "-added_at",
    "username",
    "-username",
    "last_scrape_time",
    "-last_scrape_time",
    "follower_count",
    "-follower_count",
    "view_count",
    "-view_count",
    "like_count",
    "-like_count",
    "play_count",
    "-play_count",
]
#: The sort keys of ``videos.list`` and ``account_videos.list``.
VideoOrderBy: TypeAlias = Literal[
    "added_at", "create_time", "view_count", "like_count", "play_count"
]
VideoSort: TypeAlias = Literal[
    "added_at",
    "-added_at",
    "create_time",
    "-create_time",
    "view_count",
    "-view_count",
    "like_count",
    "-like_count",
    "play_count",
    "-play_count",
]
CreatorOrderBy: TypeAlias = Literal["name"]
CreatorSort: TypeAlias = Literal["name", "-name"]
