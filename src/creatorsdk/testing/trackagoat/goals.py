"""Goal compliance: each goal's progress in its current period, from the store's history."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from creatorsdk.testing._dates import DAY, date_of_day, day_of_date, iso
from creatorsdk.testing.trackagoat.analytics import Daily, resolve
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["compliance"]

#: Below this share of the expected pace, a goal is at risk (the goals guide's 70 %).
AT_RISK: Final = 0.7
#: How long after a period closes late posts may still arrive, and a scrape counts as fresh.
SETTLING_HOURS: Final = 48


def compliance(
    store: Store, creator: dict[str, Any], goal: dict[str, Any], ref: int
) -> dict[str, Any]:
    """One entry of ``compliance``: the goal, target, actual, percentage, status, advisory."""
    now = store.clock()
    start, end = _period(goal["period"], ref)
    subject = resolve(store, "creator", creator["id"])
    assert subject is not None  # the caller passes a live creator
    daily = Daily(store, subject)
    upto = min(end, ref)
    actual: float
    metric = goal["metric"]
    if metric == "posts":
        actual = daily.posts(start, upto)
    elif metric == "followers":
        actual = daily.followers(upto)
    elif metric == "engagement":
        actual = round(daily.engagement(start, upto))
    else:
        actual = round(daily.gained("views", start, upto))
    target = goal["target_value"]
    end_at = (end + 1) * DAY
    ended = end_at <= now
    if ended:
        status = "completed" if actual >= target else "missed"
    else:
        elapsed = (min(now, end_at) - start * DAY) / ((end - start + 1) * DAY)
        pace = actual / (target * max(elapsed, 1e-9)) if target else 1.0
        status = "on_track" if pace >= 1 else "behind_pace" if pace >= AT_RISK else "at_risk"
    return {
        "goal": goal,
        "target": target,
        "actual": actual,
        "percentage": round(actual / target * 100) if target else 100,
        "status": status,
        "advisory": _advisory(creator, goal, start, end_at, now, ref),
    }


def _period(period: str, ref: int) -> tuple[int, int]:
    date = date_of_day(ref)
    if period == "weekly":
        start = ref - date.weekday()
        return start, start + 6
    if period == "monthly":
        first = date.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return day_of_date(first), day_of_date(following) - 1
    return ref, ref


def _advisory(
    creator: dict[str, Any], goal: dict[str, Any], start: int, end_at: float, now: float, ref: int
) -> dict[str, Any]:
    hours_left = (end_at - now) / 3600
    scraped = creator["last_scraped_at"]
    scraped_at = None if scraped is None else dt.datetime.fromisoformat(scraped).timestamp()
    begins = goal["start_date"]
    flags = {
        "period_in_progress": hours_left > 0,
        "period_recently_ended": -SETTLING_HOURS < hours_left <= 0,
        "scrape_stale": scraped_at is None or now - scraped_at > SETTLING_HOURS * 3600,
        "not_yet_started": begins is not None and dt.date.fromisoformat(begins) > date_of_day(ref),
    }
    messages = {
        "period_in_progress": "The period is still in progress.",
        "period_recently_ended": (
            "The period ended less than 48 hours ago; late posts may still count."
        ),
        "scrape_stale": "The creator's stats have not been scraped recently; counts may be low.",
        "not_yet_started": "The goal has not started yet.",
    }
    return {
        **flags,
        "has_advisory": any(flags.values()),
        "messages": [messages[name] for name, on in flags.items() if on],
        "period_start": iso(start * DAY),
        "period_end": iso(end_at),
        "hours_until_period_end": round(hours_left, 1) if hours_left > 0 else None,
        "hours_since_period_end": round(-hours_left, 1) if hours_left <= 0 else None,
        "scrape_freshness": {"last_scraped_at": scraped},
    }
