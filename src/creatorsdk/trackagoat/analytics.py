"""``tg.analytics``: the unified, bucketed time-series endpoint ``GET /analytics``.

The keyword names are the documentation's own (``entity``, ``entity_id``, ``entity_ids``,
``metric``, ``mode``, ``granularity``, ``from_`` sent as ``from``, ``to``, ``tz``, ``compare``,
``base_metric``, ``breakdown``, ``format``), so the docs' calls run as written. Values the SDK
does not know (a new metric, a custom granularity) go to the server, which decides; only what
could not be sent as it is (not a string, blank, spaces, a malformed id or date) is refused here.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable
from typing import Final, Literal, overload

from creatorsdk._resources.arguments import date_range, optional, text_arg, uuid_arg
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import token_arg
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.aggregate_models import OpenAPISchema
from creatorsdk.trackagoat.models import AnalyticsResult

__all__ = ["ENTITIES", "GRANULARITIES", "MAX_ENTITIES", "METRICS", "MODES", "Analytics"]

#: The values the docs name; others are sent as they are and left to the server.
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
MODES: Final = frozenset({"new", "cumulative", "rate"})
GRANULARITIES: Final = frozenset({"day", "week", "month"})
#: Most entities one overlay query may compare (documented).
MAX_ENTITIES: Final = 5


class Analytics(Resource, envelope=ENVELOPE):
    """Time series for creators, videos, campaigns and projects."""

    @overload
    async def query(
        self,
        entity: str,
        entity_id: str | None = ...,
        metric: str | None = ...,
        *,
        entity_ids: str | Iterable[str] | None = ...,
        ids: str | Iterable[str] | None = ...,
        mode: str | None = ...,
        granularity: str | None = ...,
        from_: dt.date | str | None = ...,
        to: dt.date | str | None = ...,
        tz: str | None = ...,
        compare: str | None = ...,
        base_metric: str | None = ...,
        breakdown: str | None = ...,
        format: Literal["json"] = ...,
        from_date: dt.date | str | None = ...,
        to_date: dt.date | str | None = ...,
    ) -> AnalyticsResult: ...

    @overload
    async def query(
        self,
        entity: str,
        entity_id: str | None = ...,
        metric: str | None = ...,
        *,
        entity_ids: str | Iterable[str] | None = ...,
        ids: str | Iterable[str] | None = ...,
        mode: str | None = ...,
        granularity: str | None = ...,
        from_: dt.date | str | None = ...,
        to: dt.date | str | None = ...,
        tz: str | None = ...,
        compare: str | None = ...,
        base_metric: str | None = ...,
        breakdown: str | None = ...,
        format: Literal["csv"],
        from_date: dt.date | str | None = ...,
        to_date: dt.date | str | None = ...,
    ) -> str: ...

    @overload
    async def query(
        self,
        entity: str,
        entity_id: str | None = ...,
        metric: str | None = ...,
        *,
        entity_ids: str | Iterable[str] | None = ...,
        ids: str | Iterable[str] | None = ...,
        mode: str | None = ...,
        granularity: str | None = ...,
        from_: dt.date | str | None = ...,
        to: dt.date | str | None = ...,
        tz: str | None = ...,
        compare: str | None = ...,
        base_metric: str | None = ...,
        breakdown: str | None = ...,
        format: str,
        from_date: dt.date | str | None = ...,
        to_date: dt.date | str | None = ...,
    ) -> AnalyticsResult | str: ...

    async def query(
        self,
        entity: str,
        entity_id: str | None = None,
        metric: str | None = None,
        *,
        entity_ids: str | Iterable[str] | None = None,
        ids: str | Iterable[str] | None = None,
        mode: str | None = None,
        granularity: str | None = None,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        tz: str | None = None,
        compare: str | None = None,
        base_metric: str | None = None,
        breakdown: str | None = None,
        format: str = "json",
        from_date: dt.date | str | None = None,
        to_date: dt.date | str | None = None,
    ) -> AnalyticsResult | str:
        """One metric over time for one entity, or up to 5 of one kind side by side.

        As in the docs: ``entity`` (creator, video, campaign, project), ``entity_id`` or
        ``entity_ids`` (a list or a comma-separated string of up to 5), ``metric`` (views,
        likes, ..., engagement_rate_by_views, growth_rate_pop with ``base_metric``), ``mode``
        (new, cumulative, rate), ``granularity`` (day, week, month), ``from_``/``to`` (sent as
        ``from``/``to``; the server defaults to the last 30 days), ``tz``,
        ``compare="prior_period"`` (fills ``compare_series``), ``breakdown`` (e.g.
        ``"video"`` for a campaign: fills ``breakdown_series``) and ``format``: ``"csv"``
        returns the CSV text. ``ids=`` takes one id or several. Values this SDK does not know
        are sent as they are: the server decides. A ``from_`` older than the plan's history
        raises :class:`~creatorsdk.errors.RetentionExceededError`.

        ``from_date``/``to_date`` and a list as the second argument are the old spellings of
        ``from_``/``to`` and ``entity_ids``: they still work, with a ``DeprecationWarning``.
        """
        if entity_id is not None and not isinstance(entity_id, str):
            _deprecated("a list as the second argument", "entity_ids=[...]", stacklevel=3)
            if ids is not None:
                raise ValueError("pass the entity ids once: entity_id or ids, not both")
            entity_id, ids = None, entity_id
        start = _renamed("from_date", from_date, "from_", from_)
        end = _renamed("to_date", to_date, "to", to)
        if metric is None:
            raise ValueError("metric is required, e.g. metric='views'")
        first, last = date_range("from_", start, "to", end)
        params: dict[str, object] = {
            "entity": token_arg("entity", entity),
            **_targets(entity_id, entity_ids, ids),
            "metric": token_arg("metric", metric),
            "mode": optional(token_arg, "mode", mode),
            "granularity": optional(token_arg, "granularity", granularity),
            "from": first,
            "to": last,
            "tz": optional(_timezone, "tz", tz),
            "compare": optional(token_arg, "compare", compare),
            "base_metric": optional(token_arg, "base_metric", base_metric),
            "breakdown": optional(token_arg, "breakdown", breakdown),
            "format": None if format == "json" else token_arg("format", format),
        }
        if format == "csv":
            reply = await self._client.request(
                "GET", "/analytics", params=params, headers={"Accept": "text/csv"}
            )
            return reply.text
        reply = await self._client.request("GET", "/analytics", params=params)
        if format != "json" and reply.data is None:
            return reply.text  # a format this SDK does not know, answered as text
        return self._envelope.decode(reply, AnalyticsResult)

    async def schema(self) -> OpenAPISchema:
        """The analytics API's OpenAPI 3.1 document (``GET /analytics/schema``), which the docs
        call its authoritative contract."""
        return await self._get("/analytics/schema", OpenAPISchema)


def _targets(
    entity_id: str | None,
    entity_ids: str | Iterable[str] | None,
    ids: str | Iterable[str] | None,
) -> dict[str, str]:
    """``entity_id`` for one entity, ``entity_ids`` (comma-joined) for an overlay."""
    passed = (("entity_id", entity_id), ("entity_ids", entity_ids), ("ids", ids))
    given = [name for name, value in passed if value is not None]
    if len(given) != 1:
        named = " and ".join(given) if given else "none"
        raise ValueError(f"pass exactly one of entity_id, entity_ids and ids (got {named})")
    if entity_id is not None:
        return {"entity_id": uuid_arg("entity_id", entity_id)}
    name, value = ("entity_ids", entity_ids) if entity_ids is not None else ("ids", ids)
    targets = _id_list(name, value)
    if len(targets) == 1 and name == "ids":
        return {"entity_id": targets[0]}
    return {"entity_ids": ",".join(targets)}


def _id_list(name: str, value: object) -> list[str]:
    """1 to :data:`MAX_ENTITIES` uuids from a list or a comma-separated string."""
    if isinstance(value, str):
        parts: list[object] = [part.strip() for part in value.split(",")]
    elif isinstance(value, Iterable):
        parts = list(value)
    else:
        raise ValueError(f"{name} must be a UUID or a list of UUIDs, got {value!r}")
    found = [uuid_arg(f"{name}[{i}]", part) for i, part in enumerate(parts)]
    if not found:
        raise ValueError(f"{name} must not be empty")
    unique = list(dict.fromkeys(found))
    if len(unique) > MAX_ENTITIES:
        raise ValueError(f"{name}: at most {MAX_ENTITIES} entities per query, got {len(unique)}")
    return unique


def _renamed(
    old: str, old_value: dt.date | str | None, new: str, new_value: dt.date | str | None
) -> dt.date | str | None:
    if old_value is None:
        return new_value
    _deprecated(f"{old}=", f"{new}=", stacklevel=4)
    if new_value is not None:
        raise ValueError(f"pass {new} only ({old} is its old name)")
    return old_value


def _deprecated(old: str, new: str, *, stacklevel: int) -> None:
    # ``stacklevel`` counts from here to the line that called query().
    warnings.warn(
        f"analytics.query: {old} is deprecated; use {new} as the docs spell it",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _timezone(name: str, value: object) -> str:
    # An IANA name ("Europe/Berlin", "UTC"); the server knows which exist, we only refuse junk.
    text = text_arg(name, value)
    if any(ch.isspace() for ch in text):
        raise ValueError(f"{name} must be an IANA time zone name, got {value!r}")
    return text
