"""Plan tiers (section 1.7) and the limits that reset: the per-key window and daily counters."""

from __future__ import annotations

import collections
import math
from collections.abc import Mapping
from typing import Final

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._dates import DAY, day_of

__all__ = ["PLANS", "DailyCounter", "SlidingWindow", "plan_limits", "seconds_to_midnight"]


#: The tier table of the limits guide. ``None`` is unlimited; the limits the guide gives no
#: number for (videos, campaigns, campaign items) are unlimited unless a test sets them.
PLANS: Final[Mapping[str, Mapping[str, int | None]]] = {
    "free": {
        "max_creators_per_org": 5,
        "max_projects_per_org": 1,
        "max_members_per_org": 2,
        "max_api_requests_per_day": 0,
        "max_manual_scrape_triggers_per_day": 1,
        "stats_history_retention_days": 30,
        "max_payout_methods_per_org": 6,
    },
    "starter": {
        "max_creators_per_org": 50,
        "max_projects_per_org": 3,
        "max_members_per_org": 5,
        "max_api_requests_per_day": 1_000,
        "max_manual_scrape_triggers_per_day": 10,
        "stats_history_retention_days": 365,
        "max_payout_methods_per_org": 10,
    },
    "ultra": {
        "max_creators_per_org": 300,
        "max_projects_per_org": 10,
        "max_members_per_org": 50,
        "max_api_requests_per_day": 50_000,
        "max_manual_scrape_triggers_per_day": 100,
        "stats_history_retention_days": None,
        "max_payout_methods_per_org": None,
    },
}
_UNSET_ELSEWHERE: Final = (
    "max_tracked_videos_per_org",
    "max_campaigns_per_project",
    "max_campaign_items_per_campaign",
    "max_payout_structures_per_project",
)


def plan_limits(
    plan: str, overrides: Mapping[str, int | None] | None = None
) -> dict[str, int | None]:
    """The limits of ``plan`` (free, starter or ultra) with ``overrides`` applied."""
    tier = PLANS.get(plan.lower())
    if tier is None:
        raise ValueError(f"plan must be one of {', '.join(PLANS)}, got {plan!r}")
    limits: dict[str, int | None] = {**dict.fromkeys(_UNSET_ELSEWHERE), **tier}
    for key, value in (overrides or {}).items():
        if key not in limits:
            raise ValueError(f"unknown limit {key!r}; known: {', '.join(sorted(limits))}")
        if value is not None and value < 0:
            raise ValueError(f"limit {key} must be >= 0 or None, got {value!r}")
        limits[key] = value
    return limits


def seconds_to_midnight(now: float) -> int:
    """Whole seconds until the next UTC midnight (at least 1)."""
    return max(math.ceil(DAY - now % DAY), 1)


class SlidingWindow:
    """At most ``limit`` admitted requests per key in any rolling ``window`` seconds.

    Refused requests are not counted: the window is a log of what was served.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"rate limit needs limit >= 1 and window > 0, got {limit}/{window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._log: dict[str, collections.deque[float]] = {}

    def admit(self, key: str) -> int | None:
        """Count one request; ``None`` when admitted, else the whole seconds to wait."""
        now = self._clock()
        log = self._log.setdefault(key, collections.deque())
        while log and log[0] <= now - self.window:
            log.popleft()
        if len(log) >= self.limit:
            return max(math.ceil(log[0] + self.window - now), 1)
        log.append(now)
        return None


class DailyCounter:
    """A count that starts over at every UTC midnight of the fake's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._day = -1
        self.count = 0

    def current(self) -> int:
        """Today's count."""
        day = day_of(self._clock())
        if day != self._day:
            self._day, self.count = day, 0
        return self.count

    def take(self, maximum: int | None) -> bool:
        """Count one use if today's count is under ``maximum`` (``None``: no cap)."""
        if maximum is not None and self.current() >= maximum:
            return False
        self.current()
        self.count += 1
        return True
