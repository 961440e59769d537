"""``ca.creators``: people or brands grouping accounts, their leaderboard and analytics."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import attrs

from creatorsdk._engine.decoding import Id, decode
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    boolean_arg,
    choice_arg,
    int_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.creatoraudit._arguments import (
    LIST_LIMIT,
    OVERVIEW_PERIODS,
    TOP_LIMIT,
    date_range_params,
    listing_params,
    metadata_arg,
)
from creatorsdk.creatoraudit._envelope import ENVELOPE
from creatorsdk.creatoraudit.models import Creator, CreatorAnalytics, CreatorLink, TopCreator

__all__ = ["NAME_MAX", "ORDER_BY", "Creators"]

#: The only sort key of ``GET /creators``.
ORDER_BY: Final = frozenset({"name"})
#: Longest creator name.
NAME_MAX: Final = 255


class Creators(Resource, envelope=ENVELOPE):
    """List, create, change and delete creators; link accounts; leaderboard; analytics."""

    def list(
        self,
        *,
        is_active: bool | None = None,
        order_by: str | None = None,
        order_direction: str | None = None,
        sort: str | None = None,
        include_total: bool = False,
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> AsyncPager[Creator]:
        """Every creator (``is_active=False``: the archived ones), page by page, by name."""
        params = {
            "is_active": optional(boolean_arg, "is_active", is_active),
            **listing_params(ORDER_BY, order_by, order_direction, sort, include_total),
        }
        return self._list("/creators", Creator, params=params, limit=limit, cursor=cursor)

    async def get(self, creator_id: str) -> Creator:
        """One creator."""
        return await self._get(f"/creators/{uuid_arg('creator_id', creator_id)}", Creator)

    async def create(
        self,
        name: str,
        *,
        is_active: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Creator:
        """Create a creator (link accounts afterwards). Retries reuse one key."""
        fields = {
            "name": text_arg("name", name, max_length=NAME_MAX),
            "is_active": optional(boolean_arg, "is_active", is_active),
            "metadata": optional(metadata_arg, "metadata", metadata),
        }
        return await self._create("/creators", fields, Creator, idempotency_key=idempotency_key)

    async def update(
        self,
        creator_id: str,
        *,
        name: str | None = None,
        is_active: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Creator:
        """Rename, archive (``is_active=False``, pausing its accounts) or re-tag a creator.

        ``metadata`` replaces the existing metadata.
        """
        path = f"/creators/{uuid_arg('creator_id', creator_id)}"
        fields = {
            "name": optional(text_arg, "name", name, max_length=NAME_MAX),
            "is_active": optional(boolean_arg, "is_active", is_active),
            "metadata": optional(metadata_arg, "metadata", metadata),
        }
        return await self._update(path, fields, Creator)

    async def delete(self, creator_id: str) -> None:
        """Delete a creator."""
        await self._delete(f"/creators/{uuid_arg('creator_id', creator_id)}")

    async def link_account(self, creator_id: str, account_id: str) -> CreatorLink:
        """Link an account to a creator; linking it again is harmless.

        An account owned by another creator raises :class:`~creatorsdk.errors.ConflictError`.
        """
        creator = uuid_arg("creator_id", creator_id)
        account = uuid_arg("account_id", account_id)
        reply = await self._client.request("PUT", f"/creators/{creator}/accounts/{account}")
        body = reply.data
        link = (
            ENVELOPE.decode(reply, CreatorLink)
            if isinstance(body, Mapping) and body.get("data") is not None
            else CreatorLink()
        )
        return attrs.evolve(
            link,
            creator_id=link.creator_id or Id(creator),
            account_id=link.account_id or Id(account),
            created=link.created if link.created is not None else reply.status == 201,
        )

    async def unlink_account(self, creator_id: str, account_id: str) -> None:
        """Unlink an account from a creator."""
        creator = uuid_arg("creator_id", creator_id)
        account = uuid_arg("account_id", account_id)
        await self._delete(f"/creators/{creator}/accounts/{account}")

    async def top(self, period: str | None = None, limit: int = 10) -> builtins.list[TopCreator]:
        """The creator leaderboard by views (at most 25; ``period`` 7d, 30d or 90d)."""
        params = {
            "period": optional(choice_arg, "period", period, OVERVIEW_PERIODS),
            "limit": int_arg("limit", limit, low=1, high=TOP_LIMIT),
        }
        reply = await self._client.request("GET", "/creators/top", params=params)
        result: builtins.list[TopCreator] = decode(
            ENVELOPE.unwrap(reply), list[TopCreator], request_id=reply.request_id
        )
        return result

    async def analytics(
        self,
        creator_id: str,
        start_date: dt.date | str | None = None,
        end_date: dt.date | str | None = None,
    ) -> CreatorAnalytics:
        """A creator's views, likes, comments, shares and followers over a date range."""
        path = f"/creators/{uuid_arg('creator_id', creator_id)}/analytics"
        params = date_range_params(start_date, end_date)
        return await self._get(path, CreatorAnalytics, params=params)
