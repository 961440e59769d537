"""``AsyncTrackAGoat``: the trackagoat v1 client on the shared engine."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Final

import httpx

from creatorsdk._engine.client import BaseClient
from creatorsdk._engine.problems import ProblemParser
from creatorsdk._engine.retry import RetryPolicy
from creatorsdk.budgets import Budget
from creatorsdk.trackagoat._arguments import choice, date_arg, maybe_uuid, uuid_arg
from creatorsdk.trackagoat._listing import decode_data, pager
from creatorsdk.trackagoat._problems import parse_problem
from creatorsdk.trackagoat.analytics import Analytics
from creatorsdk.trackagoat.campaigns import Campaigns
from creatorsdk.trackagoat.creators import Creators
from creatorsdk.trackagoat.models import CreatorCompliance, Schema
from creatorsdk.trackagoat.projects import Projects
from creatorsdk.trackagoat.videos import Videos

__all__ = ["AsyncTrackAGoat"]

GOAL_PERIODS: Final = frozenset({"daily", "weekly", "monthly", "all"})


class AsyncTrackAGoat(BaseClient):
    """The trackagoat v1 API: projects, creators, videos, campaigns and analytics.

    The key comes from ``api_key`` or ``TRACKAGOAT_API_KEY``, the base URL from ``base_url``,
    ``TRACKAGOAT_BASE_URL`` or ``https://www.trackagoat.com/api/v1``. The API sends no
    rate-limit headers, so requests are spaced to the documented 60 per minute per key
    (``requests_per_minute=`` changes it), shared by every task using this client.
    """

    _api_name: ClassVar[str] = "trackagoat"
    _env_api_key: ClassVar[str] = "TRACKAGOAT_API_KEY"
    _env_base_url: ClassVar[str] = "TRACKAGOAT_BASE_URL"
    _default_base_url: ClassVar[str] = "https://www.trackagoat.com/api/v1"
    _parse_problem: ClassVar[ProblemParser] = staticmethod(parse_problem)
    _default_requests_per_minute: ClassVar[float | None] = 60.0

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        requests_per_minute: float | None = None,
        budget: Budget | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_concurrency=max_concurrency,
            retry=retry,
            transport=transport,
            requests_per_minute=requests_per_minute,
            budget=budget,
        )
        self.projects = Projects(self)
        self.creators = Creators(self)
        self.videos = Videos(self)
        self.campaigns = Campaigns(self)
        self.analytics = Analytics(self)

    async def schema(self) -> Schema:
        """The machine-readable data model (entities, fields, relationships)."""
        return decode_data(await self.request("GET", "/schema"), Schema)

    async def goal_compliance(
        self,
        project_id: str,
        *,
        creator_id: str | None = None,
        period: str | None = None,
        reference_date: dt.date | str | None = None,
    ) -> list[CreatorCompliance]:
        """Each active creator's progress on each goal, as of ``reference_date`` (default
        today in the organization's time zone); ``period`` is daily, weekly, monthly or all.
        """
        path = f"/projects/{uuid_arg('project_id', project_id)}/goal-compliance"
        params = {
            "creator_id": maybe_uuid("creator_id", creator_id),
            "period": None if period is None else choice("period", period, GOAL_PERIODS),
            "reference_date": (
                None if reference_date is None else date_arg("reference_date", reference_date)
            ),
        }
        # Documented as one array; a nextCursor, should the server ever send one, is followed
        # rather than silently dropping creators.
        listing = pager(self, path, CreatorCompliance, params=params, limit=None, cursor=None)
        return await listing.to_list()
