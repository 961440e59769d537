"""``ca.accounts``: tracked Instagram and TikTok accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from creatorsdk._engine.fan_out import chunked
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    boolean_arg,
    choice_arg,
    id_list_arg,
    int_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.creatoraudit._arguments import (
    LIST_LIMIT,
    PLATFORMS,
    listing_params,
    metadata_arg,
    period_body,
)
from creatorsdk.creatoraudit._deltas_and_metrics import CHUNK, fetch_metrics
from creatorsdk.creatoraudit._envelope import ENVELOPE
from creatorsdk.creatoraudit.models import Account, Metrics

__all__ = ["ORDER_BY", "Accounts"]

#: The sort keys of ``GET /accounts``.
ORDER_BY: Final = frozenset(
    {
        "added_at",
        "username",
        "last_scrape_time",
        "follower_count",
        "view_count",
        "like_count",
        "play_count",
    }
)


class Accounts(Resource, envelope=ENVELOPE):
    """List, track, change, untrack and measure accounts."""

    def list(
        self,
        *,
        platform: str | None = None,
        q: str | None = None,
        is_active: bool | None = None,
        category: str | None = None,
        creator_id: str | None = None,
        order_by: str | None = None,
        order_direction: str | None = None,
        sort: str | None = None,
        include_total: bool = False,
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> AsyncPager[Account]:
        """Every tracked account matching the filters (combined with AND), page by page.

        ``q`` matches part of the username, case-insensitively. Nothing is sent until the
        pager is iterated.
        """
        params = {
            "platform": optional(choice_arg, "platform", platform, PLATFORMS),
            "q": optional(text_arg, "q", q),
            "is_active": optional(boolean_arg, "is_active", is_active),
            "category": optional(text_arg, "category", category),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            **listing_params(ORDER_BY, order_by, order_direction, sort, include_total),
        }
        return self._list("/accounts", Account, params=params, limit=limit, cursor=cursor)

    async def get(self, account_id: str) -> Account:
        """One account, e.g. to poll ``last_scrape_time`` after :meth:`create`."""
        return await self._get(f"/accounts/{uuid_arg('account_id', account_id)}", Account)

    async def create(
        self,
        platform: str,
        username: str,
        *,
        category: str | None = None,
        scrape_interval_hours: int | None = None,
        creator_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        is_active: bool | None = None,
        max_recent_posts_per_account: int | None = None,
        post_lookback_days: int | None = None,
        idempotency_key: str | None = None,
    ) -> Account:
        """Track an account; its profile and posts are fetched in the background.

        An account already tracked raises :class:`~creatorsdk.errors.ConflictError` (or is
        returned as is, if the server answers 200). Retries reuse one ``Idempotency-Key``.
        """
        fields = {
            "platform": choice_arg("platform", platform, PLATFORMS),
            "username": text_arg("username", username),
            "category": optional(text_arg, "category", category, blank=True),
            "scrape_interval_hours": optional(
                int_arg, "scrape_interval_hours", scrape_interval_hours, low=1
            ),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            "metadata": optional(metadata_arg, "metadata", metadata),
            "is_active": optional(boolean_arg, "is_active", is_active),
            "max_recent_posts_per_account": optional(
                int_arg, "max_recent_posts_per_account", max_recent_posts_per_account, low=1
            ),
            "post_lookback_days": optional(
                int_arg, "post_lookback_days", post_lookback_days, low=1
            ),
        }
        return await self._create("/accounts", fields, Account, idempotency_key=idempotency_key)

    async def update(
        self,
        account_id: str,
        *,
        is_active: bool | None = None,
        category: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        scrape_interval_hours: int | None = None,
    ) -> Account:
        """Change an account; pass only what changes (``is_active=False`` pauses tracking)."""
        path = f"/accounts/{uuid_arg('account_id', account_id)}"
        fields = {
            "is_active": optional(boolean_arg, "is_active", is_active),
            "category": optional(text_arg, "category", category, blank=True),
            "metadata": optional(metadata_arg, "metadata", metadata),
            "scrape_interval_hours": optional(
                int_arg, "scrape_interval_hours", scrape_interval_hours, low=1
            ),
        }
        return await self._update(path, fields, Account)

    async def delete(self, account_id: str) -> None:
        """Stop tracking an account."""
        await self._delete(f"/accounts/{uuid_arg('account_id', account_id)}")

    async def metrics(
        self,
        account_ids: Iterable[str],
        period: str = "30d",
        start_date: dt.date | str | None = None,
        end_date: dt.date | str | None = None,
    ) -> Metrics:
        """Windowed sums (views, likes, ..., ``followers``) for any number of accounts.

        Sent in chunks of 200 in parallel; ``period='custom'`` needs both dates.
        """
        window = period_body(period, start_date, end_date)
        chunks = chunked(id_list_arg("account_ids", account_ids), CHUNK)
        return await fetch_metrics(
            self._client,
            "/accounts/metrics",
            chunks,
            lambda chunk: {"account_ids": list(chunk), **window},
        )
