"""``/accounts``: list, track, get, update, untrack, and batch metrics."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.creatoraudit.analytics import account_metrics
from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.errors import ApiError, conflict
from creatorsdk.testing.creatoraudit.idempotency import idempotent_create
from creatorsdk.testing.creatoraudit.paging import Filter, ListSpec
from creatorsdk.testing.creatoraudit.params import PLATFORMS, Reader, object_body
from creatorsdk.testing.creatoraudit.responses import json_response
from creatorsdk.testing.creatoraudit.route_helpers import batch_meta, created, find, serve_list

__all__ = [
    "ACCOUNTS",
    "accounts_metrics",
    "create_account",
    "delete_account",
    "get_account",
    "list_accounts",
    "update_account",
]

ACCOUNTS = ListSpec(
    name="accounts",
    collection="accounts",
    order_fields=(
        "added_at",
        "username",
        "last_scrape_time",
        "follower_count",
        "view_count",
        "like_count",
        "play_count",
    ),
    default_order="added_at",
    default_direction="desc",
    filters=(
        Filter("platform", "platform", ("platform",)),
        Filter("q", "text", ("username",)),
        Filter("is_active", "bool", ("is_active",)),
        Filter("category", "exact", ("category",)),
        Filter("creator_id", "uuid", ("creator_id",)),
    ),
)


async def list_accounts(request: Request) -> Response:
    """``GET /accounts``."""
    return serve_list(request, ACCOUNTS)


async def create_account(request: Request) -> Response:
    """``POST /accounts``: 201, 409 for an account already tracked, 403 over the quota."""
    ctx = context(request)
    state, store = ctx.state, ctx.state.store

    def create() -> Response:
        reader = Reader(object_body(ctx.body), from_query=False)
        platform = reader.choice("platform", PLATFORMS, required=True)
        username = reader.string("username", required=True, min_length=1, max_length=64)
        fields: dict[str, Any] = {
            "category": reader.string("category", max_length=64),
            "scrape_interval_hours": reader.integer("scrape_interval_hours", 1, 720),
            "creator_id": reader.uuid("creator_id"),
            "metadata": reader.metadata(),
            "is_active": reader.boolean("is_active"),
            "max_recent_posts_per_account": reader.integer("max_recent_posts_per_account", 1),
            "post_lookback_days": reader.integer("post_lookback_days", 1, 3650),
        }
        creator_id = fields["creator_id"]
        if creator_id is not None and creator_id not in store.creators:
            reader.fail("creator_id", "is not a creator of your organization")
        reader.check()
        # reader.check() has rejected a missing platform or username.
        assert platform is not None
        assert username is not None
        handle = username.removeprefix("@")
        if store.account_by_handle(platform, handle) is not None:
            raise conflict(f"The {platform} account {handle!r} is already tracked.")
        active = sum(1 for a in store.accounts.values() if a["is_active"])
        if state.account_quota is not None and active >= state.account_quota:
            raise ApiError(
                403,
                "QUOTA_EXCEEDED",
                f"Your organization tracks {active} accounts, its cap of "
                f"{state.account_quota} tracked accounts.",
            )
        if creator_id is not None:
            fields["creator_name"] = store.creators[creator_id]["name"]
        record = store.track_account(
            platform, handle, **{k: v for k, v in fields.items() if v is not None}
        )
        return created(request, record)

    return idempotent_create(request, create)


async def get_account(request: Request) -> Response:
    """``GET /accounts/{id}``."""
    record = find(context(request).state.store.accounts, "account", request.path_params["id"])
    return json_response(request, {"data": record})


async def update_account(request: Request) -> Response:
    """``PATCH /accounts/{id}``: ``is_active``, ``category``, ``metadata``, interval."""
    ctx = context(request)
    record = find(ctx.state.store.accounts, "account", request.path_params["id"])
    reader = Reader(object_body(ctx.body), from_query=False)
    changes = {
        "is_active": reader.boolean("is_active"),
        "category": reader.string("category", max_length=64),
        "metadata": reader.metadata(),
        "scrape_interval_hours": reader.integer("scrape_interval_hours", 1, 720),
    }
    reader.check()
    changes = {k: v for k, v in changes.items() if v is not None}
    record = ctx.state.store.update("accounts", record["id"], changes)
    return json_response(request, {"data": record})


async def delete_account(request: Request) -> Response:
    """``DELETE /accounts/{id}``: stop tracking (soft: ``is_active`` becomes false)."""
    ctx = context(request)
    record = find(ctx.state.store.accounts, "account", request.path_params["id"])
    ctx.state.store.update("accounts", record["id"], {"is_active": False})
    return Response(status_code=204)


async def accounts_metrics(request: Request) -> Response:
    """``POST /accounts/metrics``: like ``/videos/metrics``, with ``followers`` added."""
    ctx = context(request)
    store = ctx.state.store
    reader = Reader(object_body(ctx.body), from_query=False)
    ids = reader.id_list("account_ids", max_items=200)
    period, start, end = reader.period(store.today(), allowed=_PERIODS, default="30d")
    reader.check()
    data = {i: account_metrics(store, i, start, end) for i in ids if i in store.accounts}
    missing = [i for i in ids if i not in store.accounts]
    return json_response(request, {"data": data, "meta": batch_meta(period, start, end, missing)})


_PERIODS = ("7d", "30d", "90d", "custom")
