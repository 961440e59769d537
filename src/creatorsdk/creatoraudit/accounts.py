"""``ca.accounts``: tracked Instagram and TikTok accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from creatorsdk._engine.fan_out import chunked
from creatorsdk._engine.client import mint_idempotency_key
from creatorsdk._engine.paging import AsyncPager
from creatorsdk.creatoraudit._arguments import (
    LIST_LIMIT,
    PLATFORMS,
    boolean,
    choice,
    id_list,
    idempotency_key_arg,
    metadata_arg,
    optional,
    period_body,
    positive_int,
    sort_args,
    text,
    uuid_arg,
)
from creatorsdk.creatoraudit._batch import CHUNK, fetch_metrics
from creatorsdk.creatoraudit._listing import Resource, decode_data, pager
from creatorsdk.creatoraudit._writes import patch_body, send_create, send_delete
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


class Accounts(Resource):
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
            "platform": optional(choice, "platform", platform, PLATFORMS),
            "q": optional(text, "q", q),
            "is_active": optional(boolean, "is_active", is_active),
            "category": optional(text, "category", category),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            **sort_args(order_by, order_direction, sort, ORDER_BY),
        }
        return pager(
            self._client,
            "/accounts",
            Account,
            params=params,
            limit=limit,
            cursor=cursor,
            include_total=include_total,
        )

    async def get(self, account_id: str) -> Account:
        """One account, e.g. to poll ``last_scrape_time`` after :meth:`create`."""
        path = f"/accounts/{uuid_arg('account_id', account_id)}"
        return decode_data(await self._client.request("GET", path), Account)

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
        body = {
            "platform": choice("platform", platform, PLATFORMS),
            "username": text("username", username),
            "category": optional(text, "category", category, blank=True),
            "scrape_interval_hours": optional(
                positive_int, "scrape_interval_hours", scrape_interval_hours
            ),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            "metadata": optional(metadata_arg, "metadata", metadata),
            "is_active": optional(boolean, "is_active", is_active),
            "max_recent_posts_per_account": optional(
                positive_int, "max_recent_posts_per_account", max_recent_posts_per_account
            ),
            "post_lookback_days": optional(positive_int, "post_lookback_days", post_lookback_days),
        }
        key = idempotency_key_arg(idempotency_key) or mint_idempotency_key()
        return await send_create(self._client, "/accounts", body, key, Account)

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
        body = patch_body(
            {
                "is_active": optional(boolean, "is_active", is_active),
                "category": optional(text, "category", category, blank=True),
                "metadata": optional(metadata_arg, "metadata", metadata),
                "scrape_interval_hours": optional(
                    positive_int, "scrape_interval_hours", scrape_interval_hours
                ),
            }
        )
        reply = await self._client.request("PATCH", path, json=body, idempotent=True)
        return decode_data(reply, Account)

    async def delete(self, account_id: str) -> None:
        """Stop tracking an account."""
        await send_delete(self._client, f"/accounts/{uuid_arg('account_id', account_id)}")

    async def metrics(
        self,
        account_ids: Iterable[str],
        period: str = "30d",
        start_date: dt.date | None = None,
        end_date: dt.date | None = None,
    ) -> Metrics:
        """Windowed sums (views, likes, ..., ``followers``) for any number of accounts.

        Sent in chunks of 200 in parallel; ``period='custom'`` needs both dates.
        """
        window = period_body(period, start_date, end_date)
        chunks = chunked(id_list("account_ids", account_ids), CHUNK)
        return await fetch_metrics(
            self._client,
            "/accounts/metrics",
            chunks,
            lambda chunk: {"account_ids": list(chunk), **window},
        )
