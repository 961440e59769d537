"""``AsyncTrackAGoat``: the trackagoat v1 client on the shared engine."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Final

from creatorsdk._engine.client import BaseClient
from creatorsdk._engine.decoding import decode
from creatorsdk._engine.problems import ProblemParser
from creatorsdk._resources.arguments import choice_arg, date_arg, optional, uuid_arg
from creatorsdk._resources.resource import resource
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat._error_envelope import parse_problem
from creatorsdk.trackagoat.aggregate import Aggregate
from creatorsdk.trackagoat.aggregate_models import OpenAPISchema
from creatorsdk.trackagoat.analytics import Analytics
from creatorsdk.trackagoat.annotations import Annotations
from creatorsdk.trackagoat.campaigns import Campaigns
from creatorsdk.trackagoat.creators import Creators
from creatorsdk.trackagoat.models import CreatorCompliance, Schema
from creatorsdk.trackagoat.payout_accruals import PayoutAccruals
from creatorsdk.trackagoat.payout_methods import PayoutMethods
from creatorsdk.trackagoat.payout_payments import PayoutPayments
from creatorsdk.trackagoat.payout_structures import PayoutStructures
from creatorsdk.trackagoat.projects import Projects
from creatorsdk.trackagoat.videos import Videos

__all__ = ["AsyncTrackAGoat"]

GOAL_PERIODS: Final = frozenset({"daily", "weekly", "monthly", "all"})


class AsyncTrackAGoat(BaseClient):
    """The trackagoat v1 API: projects, creators, videos, campaigns, analytics and payouts.

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

    projects = resource(Projects, "The organization's projects.")
    creators = resource(Creators, "Tracked TikTok creators, one at a time or in bulk.")
    videos = resource(Videos, "Tracked TikTok posts, discovered from creators or added by URL.")
    campaigns = resource(Campaigns, "Campaigns and their (nestable) members.")
    analytics = resource(
        Analytics, "Bucketed time series of creators, videos, campaigns, projects."
    )
    aggregate = resource(Aggregate, "Project summaries: leaderboards, heatmap, outliers, ...")
    annotations = resource(Annotations, "Dated notes on the analytics charts.")
    payout_methods = resource(PayoutMethods, "Ways of paying creators (Venmo, PayPal, ...).")
    payout_structures = resource(PayoutStructures, "Earning rules and the creators on them.")
    payout_accruals = resource(PayoutAccruals, "What each creator earned, period by period.")
    payout_payments = resource(PayoutPayments, "Payments recorded to creators.")

    async def schema(self) -> Schema:
        """The machine-readable data model (entities, fields, relationships)."""
        return ENVELOPE.decode(await self.request("GET", "/schema"), Schema)

    async def openapi(self) -> OpenAPISchema:
        """The API's OpenAPI document (``GET /openapi.json``), as Postman or Insomnia import it."""
        reply = await self.request("GET", "/openapi.json")
        body = reply.data
        # Served bare (as OpenAPI files are) or in the usual envelope: both are read.
        if isinstance(body, dict) and "openapi" not in body and "data" in body:
            return ENVELOPE.decode(reply, OpenAPISchema)
        return decode(body, OpenAPISchema, request_id=reply.request_id)

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
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            "period": optional(choice_arg, "period", period, GOAL_PERIODS),
            "reference_date": optional(date_arg, "reference_date", reference_date),
        }
        # Documented as one array; a nextCursor, should the server ever send one, is followed
        # rather than silently dropping creators.
        listing = ENVELOPE.pager(
            self, path, CreatorCompliance, params=params, limit=None, cursor=None
        )
        return await listing.to_list()
