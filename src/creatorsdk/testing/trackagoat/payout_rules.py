"""How much a payout structure's rule earns a creator for one period, from the fake's history.

The payouts guide names four rule types, each with an amount (integer cents), a period and a
proration mode for partial-period assignments; the field names are this project's (see
``docs/assumptions-trackagoat.md``):

* ``recurring``: ``amount_cents`` every period;
* ``goals``: ``amount_cents`` when ``goal_metric`` (``views`` or ``posts``) over the period
  reaches ``goal_target``; evaluated 48 hours after the period closes (changelog 2026-05-19);
* ``cpm``: ``amount_cents`` per 1,000 views gained on assigned days, at most ``cap_cents``;
* ``view_threshold``: ``amount_cents`` when the period's views reach ``threshold_views``.

Proration of the flat amounts: ``daily`` pays the share of the period's days the creator was
assigned, ``full`` the whole amount for any part of it, ``none`` nothing unless assigned the
whole period. Shares are rounded down to the cent. Periods are UTC: ``daily``, ``weekly``
(Monday to Sunday) and ``monthly`` (calendar months).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from creatorsdk.testing._dates import DAY, date_of_day, day_of_date
from creatorsdk.testing.trackagoat.analytics import Daily, Subject
from creatorsdk.testing.trackagoat.store import Store

__all__ = [
    "EVALUATION_DELAY",
    "GOAL_METRICS",
    "PERIODS",
    "PRORATIONS",
    "RULE_FIELDS",
    "RULE_TYPES",
    "Earning",
    "earning",
    "period_containing",
    "settles_at",
]

RULE_TYPES: Final = ("recurring", "goals", "cpm", "view_threshold")
PERIODS: Final = ("daily", "weekly", "monthly")
PRORATIONS: Final = ("daily", "full", "none")
GOAL_METRICS: Final = ("views", "posts")
#: The fields of a structure that make up its rule: changing one makes a new version.
RULE_FIELDS: Final = (
    "rule_type",
    "amount_cents",
    "period",
    "proration",
    "goal_metric",
    "goal_target",
    "threshold_views",
    "cap_cents",
)
#: Seconds after a period closes before a goals-based rule is evaluated (late posts settle).
EVALUATION_DELAY: Final = 48 * 3600


@dataclasses.dataclass(frozen=True)
class Earning:
    """One evaluated period: what it earned and the figures it was computed from."""

    amount_cents: int
    basis: dict[str, Any]


def period_containing(period: str, day: int) -> tuple[int, int]:
    """The first and last day of the ``period`` (daily, weekly, monthly) holding ``day``."""
    if period == "daily":
        return day, day
    date = date_of_day(day)
    if period == "weekly":
        first = day - date.weekday()
        return first, first + 6
    start = date.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return day_of_date(start), day_of_date(following) - 1


def settles_at(rule: Mapping[str, Any], last_day: int) -> float:
    """When a period ending on ``last_day`` can be accrued (epoch seconds)."""
    closes = (last_day + 1) * DAY
    return closes + EVALUATION_DELAY if rule["rule_type"] == "goals" else closes


def earning(
    store: Store,
    rule: Mapping[str, Any],
    creator_id: str,
    period: tuple[int, int],
    assigned: tuple[int, int],
) -> Earning:
    """What ``rule`` earns ``creator_id`` for ``period``, assigned over the days ``assigned``
    (both inclusive day ranges; ``assigned`` lies within ``period``)."""
    first, last = period
    start, end = assigned
    daily = _history(store, creator_id)
    days_in_period, days_assigned = last - first + 1, end - start + 1
    views = round(daily.gained("views", first, last))
    posts = daily.posts(first, last)
    basis: dict[str, Any] = {
        "days_in_period": days_in_period,
        "days_assigned": days_assigned,
        "views": views,
        "posts": posts,
    }
    amount, kind = int(rule["amount_cents"]), rule["rule_type"]
    flat = _prorated(amount, rule["proration"], days_assigned, days_in_period)
    if kind == "recurring":
        return Earning(flat, basis)
    if kind == "goals":
        achieved = posts if rule["goal_metric"] == "posts" else views
        met = achieved >= rule["goal_target"]
        basis["goal_met"] = met
        return Earning(flat if met else 0, basis)
    if kind == "view_threshold":
        met = views >= rule["threshold_views"]
        basis["threshold_met"] = met
        return Earning(flat if met else 0, basis)
    # cpm: only the views gained on the days the creator was assigned count.
    assigned_views = round(daily.gained("views", start, end))
    basis["assigned_views"] = assigned_views
    earned = assigned_views * amount // 1000
    cap = rule.get("cap_cents")
    return Earning(earned if cap is None else min(earned, cap), basis)


def _prorated(amount: int, proration: str, assigned: int, total: int) -> int:
    # Integer arithmetic: a share of cents is rounded down, never through a float.
    if proration == "full":
        return amount if assigned > 0 else 0
    if proration == "none":
        return amount if assigned >= total else 0
    return amount * assigned // total


def _history(store: Store, creator_id: str) -> Daily:
    # The creator's counted videos, as the analytics count them (removed creators included:
    # what they earned while assigned stays earned).
    videos = store.counted(v for v in store.live(store.videos) if v["creator_id"] == creator_id)
    subject = Subject(creator_id, creator_id, tuple(v["id"] for v in videos), (creator_id,))
    return Daily(store, subject)
