"""``AsyncCreatorAudit``: the CreatorAudit v2 client, its resources and its top-level calls."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs
import httpx

from creatorsdk._engine.client import BaseClient, Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.retry import RetryPolicy
from creatorsdk.budgets import Budget
from creatorsdk.creatoraudit._arguments import OVERVIEW_PERIODS, TOP_LIMIT, choice, limit_arg, text
from creatorsdk.creatoraudit._listing import decode_data, envelope
from creatorsdk.creatoraudit.account_videos import AccountVideos
from creatorsdk.creatoraudit.accounts import Accounts
from creatorsdk.creatoraudit.creators import Creators
from creatorsdk.creatoraudit.models import ApiMeta, Health, Overview, SearchResults, Whoami
from creatorsdk.creatoraudit.videos import Videos

__all__ = ["AsyncCreatorAudit"]

#: Longest ``q`` of ``GET /search``.
SEARCH_MAX_CHARS = 128


class AsyncCreatorAudit(BaseClient):
    """Async client of the CreatorAudit v2 API.

    ``api_key`` defaults to ``$CREATORAUDIT_API_KEY`` and ``base_url`` to
    ``$CREATORAUDIT_BASE_URL``, else ``https://api.creatoraudit.com/v2``. Use it as
    ``async with AsyncCreatorAudit() as ca:`` (or ``await ca.aclose()``) and share one client:
    its concurrency limit and rate pacer cover every call made through it.
    """

    _api_name = "CreatorAudit"
    _env_api_key = "CREATORAUDIT_API_KEY"
    _env_base_url = "CREATORAUDIT_BASE_URL"
    _default_base_url = "https://api.creatoraudit.com/v2"

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
        #: Tracked accounts.
        self.accounts = Accounts(self)
        #: Videos discovered in tracked accounts' feeds.
        self.account_videos = AccountVideos(self)
        #: Individually tracked videos, and batch deltas/metrics.
        self.videos = Videos(self)
        #: Creators, their linked accounts, leaderboard and analytics.
        self.creators = Creators(self)

    async def whoami(self) -> Whoami:
        """The organization and key name this API key resolves to (a cheap key check)."""
        return decode_data(await self.request("GET", "/whoami"), Whoami)

    async def meta(self) -> ApiMeta:
        """The API's version and lifecycle (no key needed)."""
        return decode_data(await self.request("GET", "/meta"), ApiMeta)

    async def health(self) -> Health:
        """Liveness (no key needed); a failure raises like any call. The body is in ``extra``."""
        return _health(await self.request("GET", "/health"))

    async def overview(self, period: str = "7d") -> Overview:
        """Org-wide numbers for the last ``period`` (7d, 30d or 90d) and the one before it."""
        params = {"period": choice("period", period, OVERVIEW_PERIODS)}
        return decode_data(await self.request("GET", "/overview", params=params), Overview)

    async def search(self, q: str, limit: int = 10) -> SearchResults:
        """Accounts, creators and videos matching ``q`` (up to ``limit`` each, at most 25).

        An empty or blank ``q`` is allowed: the server answers with empty sections.
        """
        params = {
            "q": text("q", q, max_length=SEARCH_MAX_CHARS, blank=True),
            "limit": limit_arg(limit, TOP_LIMIT),
        }
        reply = await self.request("GET", "/search", params=params)
        body: _SearchBody = decode(envelope(reply), _SearchBody, request_id=reply.request_id)
        meta = body.meta
        return attrs.evolve(
            body.data,
            query=meta.query,
            limit_per_section=meta.limit_per_section,
            effective_caps=meta.effective_caps,
            extra=MappingProxyType({**body.data.extra, **meta.extra}),
        )


@attrs.frozen
class _SearchMeta(Model):
    query: str | None = None
    limit_per_section: int | None = None
    effective_caps: Mapping[str, int] = attrs.field(factory=dict)


@attrs.frozen
class _SearchBody(Model):
    data: SearchResults = attrs.field(factory=SearchResults)
    meta: _SearchMeta = attrs.field(factory=_SearchMeta)


def _health(reply: Reply) -> Health:
    """``{data: {...}}``, a bare object, or text: whatever it is ends up in ``extra``."""
    body = reply.data
    if isinstance(body, Mapping):
        inner = body.get("data")
        fields = inner if isinstance(inner, Mapping) else body
        return Health(extra=MappingProxyType(dict(fields)))
    if body is not None:
        return Health(extra=MappingProxyType({"data": body}))
    text_body = reply.text.strip()
    return Health(extra=MappingProxyType({"status": text_body} if text_body else {}))
