"""``tg.analytics``: the unified, bucketed time-series endpoint ``GET /analytics``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal, overload

from creatorsdk._resources.arguments import (
    choice_arg,
    date_range,
    id_list_arg,
    optional,
    text_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.models import AnalyticsResult

__all__ = ["ENTITIES", "GRANULARITIES", "MAX_ENTITIES", "METRICS", "MODES", "Analytics"]

ENTITIES: Final = frozenset({"creator", "video", "campaign", "project"})
METRICS: Final = frozenset(
    {
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
    }
)
#: Metrics the docs say a single video does not have.
_NOT_FOR_VIDEOS: Final = frozenset(
    {"followers", "engagement_rate_by_followers", "posts_per_week", "avg_views_per_post"}
)
MODES: Final = frozenset({"new", "cumulative", "rate"})
GRANULARITIES: Final = frozenset({"day", "week", "month"})
COMPARISONS: Final = frozenset({"prior_period"})
FORMATS: Final = frozenset({"json", "csv"})
#: Most entities one overlay query may compare.
MAX_ENTITIES: Final = 5


class Analytics(Resource, envelope=ENVELOPE):
    """Time series for creators, videos, campaigns and projects."""

    @overload
    async def query(
        self,
        entity: str,
        ids: str | Iterable[str],
        metric: str,
        *,
        mode: str | None = ...,
        granularity: str | None = ...,
        from_date: dt.date | str | None = ...,
        to_date: dt.date | str | None = ...,
        tz: str | None = ...,
        compare: str | None = ...,
        base_metric: str | None = ...,
        format: Literal["json"] = ...,
    ) -> AnalyticsResult: ...

    @overload
    async def query(
        self,
        entity: str,
        ids: str | Iterable[str],
        metric: str,
        *,
        mode: str | None = ...,
        granularity: str | None = ...,
        from_date: dt.date | str | None = ...,
        to_date: dt.date | str | None = ...,
        tz: str | None = ...,
        compare: str | None = ...,
        base_metric: str | None = ...,
        format: Literal["csv"],
    ) -> str: ...

    @overload
    async def query(
        self,
        entity: str,
        ids: str | Iterable[str],
        metric: str,
        *,
        mode: str | None = ...,
        granularity: str | None = ...,
        from_date: dt.date | str | None = ...,
        to_date: dt.date | str | None = ...,
        tz: str | None = ...,
        compare: str | None = ...,
        base_metric: str | None = ...,
        format: str,
    ) -> AnalyticsResult | str: ...

    async def query(
        self,
        entity: str,
        ids: str | Iterable[str],
        metric: str,
        *,
        mode: str | None = None,
        granularity: str | None = None,
        from_date: dt.date | str | None = None,
        to_date: dt.date | str | None = None,
        tz: str | None = None,
        compare: str | None = None,
        base_metric: str | None = None,
        format: str = "json",
    ) -> AnalyticsResult | str:
        """One metric over time for one entity, or up to 5 of one kind side by side.

        ``entity`` is creator, video, campaign or project; ``mode`` new, cumulative or
        rate; ``granularity`` day, week or month; ``from_date``/``to_date`` default to the
        last 30 days on the server; ``compare="prior_period"`` adds ``compare_series``;
        ``base_metric`` goes with ``growth_rate_pop``. ``format="csv"`` returns the CSV
        text instead of an :class:`AnalyticsResult`. A ``from_date`` older than the plan's
        history raises :class:`~creatorsdk.errors.RetentionExceededError`.
        """
        kind = choice_arg("entity", entity, ENTITIES)
        targets = id_list_arg("ids", [ids] if isinstance(ids, str) else ids)
        if len(targets) > MAX_ENTITIES:
            raise ValueError(f"ids: at most {MAX_ENTITIES} entities per query, got {len(targets)}")
        start, end = date_range("from_date", from_date, "to_date", to_date)
        params: dict[str, object] = {
            "entity": kind,
            "metric": choice_arg("metric", metric, METRICS),
            "mode": optional(choice_arg, "mode", mode, MODES),
            "granularity": optional(choice_arg, "granularity", granularity, GRANULARITIES),
            "from": start,
            "to": end,
            "tz": optional(_timezone, "tz", tz),
            "compare": optional(choice_arg, "compare", compare, COMPARISONS),
            "base_metric": optional(text_arg, "base_metric", base_metric),
            "format": None if format == "json" else choice_arg("format", format, FORMATS),
        }
        if kind == "video" and metric in _NOT_FOR_VIDEOS:
            raise ValueError(f"metric {metric!r} is not available for entity 'video'")
        if base_metric is not None and metric != "growth_rate_pop":
            raise ValueError("base_metric applies only to metric 'growth_rate_pop'")
        # One entity is entity_id; an overlay of several is a comma-separated entity_ids.
        if len(targets) == 1:
            params["entity_id"] = targets[0]
        else:
            params["entity_ids"] = ",".join(targets)
        if format == "csv":
            reply = await self._client.request(
                "GET", "/analytics", params=params, headers={"Accept": "text/csv"}
            )
            return reply.text
        return await self._get("/analytics", AnalyticsResult, params=params)


def _timezone(name: str, value: object) -> str:
    # An IANA name ("Europe/Berlin", "UTC"); the server knows which exist, we only refuse junk.
    text = text_arg(name, value)
    if any(ch.isspace() for ch in text):
        raise ValueError(f"{name} must be an IANA time zone name, got {value!r}")
    return text
