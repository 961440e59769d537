"""``AsyncCreatorAudit``: the CreatorAudit v2 client, its resources and its top-level calls."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from creatorsdk._engine.client import BaseClient, Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._resources.arguments import choice_arg, int_arg, text_arg
from creatorsdk._resources.resource import resource
from creatorsdk.creatoraudit._arguments import OVERVIEW_PERIODS, TOP_LIMIT
from creatorsdk.creatoraudit._envelope import ENVELOPE, envelope
from creatorsdk.creatoraudit.account_videos import AccountVideos
from creatorsdk.creatoraudit.accounts import Accounts
from creatorsdk.creatoraudit.creators import Creators
from creatorsdk.creatoraudit.literals import OverviewPeriod
from creatorsdk.creatoraudit.models import ApiMeta, Health, Overview, SearchResults, Whoami
from creatorsdk.creatoraudit.videos import Videos

__all__ = ["AsyncCreatorAudit"]

#: Longest ``q`` of ``GET /search``.
SEARCH_MAX_CHARS = 128


class AsyncCreatorAudit(BaseClient):
    """Async client of the CreatorAudit v2 API.

    Use it as ``async with AsyncCreatorAudit() as ca:`` (or ``await ca.aclose()``) and share
    one client: its concurrency limit and rate pacer cover every call made through it.

    Resources:

    - ``accounts``: tracked accounts (list, get, create, update, delete, metrics).
    - ``account_videos``: videos found in tracked accounts' feeds (list, metrics).
    - ``videos``: individually tracked videos (list, get, create, update, delete), and
      ``deltas``, ``iter_deltas`` and ``metrics`` for any number of video ids.
    - ``creators``: creators (list, get, create, update, delete), their linked accounts
      (``link_account``, ``unlink_account``), the leaderboard (``top``) and ``analytics``.

    Calls on the client itself: ``whoami()``, ``meta()``, ``health()``, ``overview()`` and
    ``search()``; ``rate_limit`` is the latest rate-limit state the server reported,
    ``retry_policy`` the policy in force and ``stats`` the request counters.

    """

    _api_name = "CreatorAudit"
    _env_api_key = "CREATORAUDIT_API_KEY"
    _env_base_url = "CREATORAUDIT_BASE_URL"
    _default_base_url = "https://api.creatoraudit.com/v2"

    accounts = resource(Accounts, "Tracked accounts.")
    account_videos = resource(AccountVideos, "Videos discovered in tracked accounts' feeds.")
    videos = resource(Videos, "Individually tracked videos, and batch deltas/metrics.")
    creators = resource(Creators, "Creators, their linked accounts, leaderboard and analytics.")

    async def whoami(self) -> Whoami:
        """The organization and key name this API key resolves to (a cheap key check)."""
        return ENVELOPE.decode(await self.request("GET", "/whoami"), Whoami)

    async def meta(self) -> ApiMeta:
        """The API's version and lifecycle (no key needed).

        When the version is being retired (``deprecation`` or ``sunset`` is set), an
        :class:`~creatorsdk.errors.APIDeprecationWarning` says so, once per client.
        """
        meta = ENVELOPE.decode(await self.request("GET", "/meta"), ApiMeta)
        if meta.deprecation is not None or meta.sunset is not None:
            version = meta.api_version or "this version"
            parts = [f"the server says API {version} is deprecated"]
            if meta.deprecation is not None:
                parts[0] += f" (since {meta.deprecation})"
            if meta.sunset is not None:
                parts.append(f"it goes away on {meta.sunset}")
            if meta.docs_url is not None:
                parts.append(f"see {meta.docs_url}")
            self._warn_deprecated_once(f"API {version}", "; ".join(parts))
        return meta

    async def health(self) -> Health:
        """Liveness (no key needed); a failure raises like any call. The body is in ``extra``."""
        return _health(await self.request("GET", "/health"))

    async def overview(self, period: OverviewPeriod = "7d") -> Overview:
        """Org-wide numbers for the last ``period`` (7d, 30d or 90d) and the one before it."""
        params = {"period": choice_arg("period", period, OVERVIEW_PERIODS)}
        return ENVELOPE.decode(await self.request("GET", "/overview", params=params), Overview)

    async def search(self, q: str, limit: int = 10) -> SearchResults:
        """Accounts, creators and videos matching ``q`` (up to ``limit`` each, at most 25).

        An empty or blank ``q`` is allowed: the server answers with empty sections.
        """
        params = {
            "q": text_arg("q", q, max_length=SEARCH_MAX_CHARS, blank=True),
            "limit": int_arg("limit", limit, low=1, high=TOP_LIMIT),
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
