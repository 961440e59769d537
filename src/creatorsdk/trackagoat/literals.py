"""The values trackagoat's enum-like arguments take, as ``Literal`` types.

Two kinds. Where the SDK refuses a value it does not know (``tracking_mode``, a scrape's
``job_type``, a campaign ``item_type``) the type is the ``Literal`` alone, and a type checker
refuses the same values the SDK does. Where a value the SDK does not know is sent for the
server to judge (analytics metrics and granularities, leaderboard orders, payout rules: the
API adds such words within v1), the type is ``Literal[...] | str``: the documented values
are offered by editors and listed here, and a new one still type-checks. Models keep plain
``str`` fields either way.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = [
    "AccrualStatus",
    "AccrualStatusChange",
    "AnalyticsCompare",
    "AnalyticsEntity",
    "AnnotationKind",
    "BaseMetric",
    "Breakdown",
    "CampaignItemType",
    "CampaignOrder",
    "CreatorOrder",
    "GoalMetric",
    "GoalPeriod",
    "Granularity",
    "Metric",
    "Mode",
    "PaymentStatus",
    "PaymentStatusChange",
    "PayoutPeriod",
    "Proration",
    "RuleType",
    "ScrapeJobType",
    "TrackingMode",
    "VideoOrder",
]

# -- checked by the SDK: only these values -------------------------------------------------------

TrackingMode: TypeAlias = Literal["auto", "selective"]
ScrapeJobType: TypeAlias = Literal["creator_profiles", "video_stats", "discover_videos"]
CampaignItemType: TypeAlias = Literal["creator", "video", "campaign"]
#: The goal periods of ``goal_compliance``; ``all`` covers every period.
GoalPeriod: TypeAlias = Literal["daily", "weekly", "monthly", "all"]
#: The one status a payment can be changed to.
PaymentStatusChange: TypeAlias = Literal["void"]

# -- sent as given: the documented values, or any other word -------------------------------------

AnalyticsEntity: TypeAlias = Literal["creator", "video", "campaign", "project"] | str
Metric: TypeAlias = (
    Literal[
        "views",
        "likes",
        "comments",
        "shares",
        "saves",
        "followers",
        "engagement_rate_by_views",
        "engagement_rate_by_followers",
        "posts_per_week",
        "avg_views_per_post",
        "growth_rate_pop",
    ]
    | str
)
#: What ``growth_rate_pop`` grows from.
BaseMetric: TypeAlias = Literal["views", "likes", "comments", "shares", "saves"] | str
Mode: TypeAlias = Literal["new", "cumulative", "rate"] | str
Granularity: TypeAlias = Literal["day", "week", "month"] | str
AnalyticsCompare: TypeAlias = Literal["prior_period"] | str
Breakdown: TypeAlias = Literal["video"] | str
AnnotationKind: TypeAlias = Literal["note", "campaign", "launch", "event", "incident"] | str

VideoOrder: TypeAlias = (
    Literal["view_count", "like_count", "comment_count", "share_count", "save_count", "posted_at"]
    | str
)
CreatorOrder: TypeAlias = (
    Literal[
        "views",
        "likes",
        "comments",
        "shares",
        "saves",
        "posts",
        "follower_count",
        "engagement_rate",
    ]
    | str
)
CampaignOrder: TypeAlias = (
    Literal[
        "views",
        "likes",
        "comments",
        "shares",
        "saves",
        "video_count",
        "creator_count",
        "progress",
    ]
    | str
)

RuleType: TypeAlias = Literal["recurring", "goals", "cpm", "view_threshold"] | str
PayoutPeriod: TypeAlias = Literal["daily", "weekly", "monthly"] | str
Proration: TypeAlias = Literal["daily", "full", "none"] | str
GoalMetric: TypeAlias = Literal["views", "posts"] | str
AccrualStatus: TypeAlias = Literal["open", "partially_paid", "paid", "waived"] | str
#: What ``payout_accruals.update`` sets: paid (outside trackagoat), waived, or open again.
AccrualStatusChange: TypeAlias = Literal["paid", "waived", "open"] | str
PaymentStatus: TypeAlias = Literal["completed", "void"] | str
