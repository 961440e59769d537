"""``/creators``: list, create, get, update, delete, account links, leaderboard, analytics."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import date_of_day, day_of_date, iso
from creatorsdk.testing.creatoraudit.analytics import creator_analytics, top_creators
from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.errors import conflict, not_found, validation
from creatorsdk.testing.creatoraudit.idempotency import idempotent_create
from creatorsdk.testing.creatoraudit.paging import Filter, ListSpec
from creatorsdk.testing.creatoraudit.params import Reader, object_body
from creatorsdk.testing.creatoraudit.responses import json_response
from creatorsdk.testing.creatoraudit.route_helpers import created, find, serve_list

__all__ = [
    "CREATORS",
    "create_creator",
    "creator_analytics_route",
    "delete_creator",
    "get_creator",
    "link_account",
    "list_creators",
    "top_creators_route",
    "unlink_account",
    "update_creator",
]

CREATORS = ListSpec(
    name="creators",
    collection="creators",
    order_fields=("name",),
    default_order="name",
    default_direction="asc",
    filters=(Filter("is_active", "bool", ("is_active",)), Filter("q", "text", ("name",))),
)


async def list_creators(request: Request) -> Response:
    """``GET /creators`` (sorted by name, ascending by default)."""
    return serve_list(request, CREATORS)


async def create_creator(request: Request) -> Response:
    """``POST /creators``: 201 with the new creator."""
    ctx = context(request)

    def create() -> Response:
        reader = Reader(object_body(ctx.body), from_query=False)
        name = reader.string("name", required=True, min_length=1, max_length=255)
        is_active = reader.boolean("is_active")
        metadata = reader.metadata()
        reader.check()
        assert name is not None  # reader.check() has rejected a missing name
        fields: dict[str, Any] = {"metadata": metadata or {}}
        if is_active is not None:
            fields["is_active"] = is_active
        record = ctx.state.store.create_creator(name, **fields)
        return created(request, record)

    return idempotent_create(request, create)


async def get_creator(request: Request) -> Response:
    """``GET /creators/{id}``."""
    record = find(context(request).state.store.creators, "creator", request.path_params["id"])
    return json_response(request, {"data": record})


async def update_creator(request: Request) -> Response:
    """``PATCH /creators/{id}``: ``name``, ``is_active``, ``metadata`` (replaced whole)."""
    ctx = context(request)
    record = find(ctx.state.store.creators, "creator", request.path_params["id"])
    reader = Reader(object_body(ctx.body), from_query=False)
    changes = {
        "name": reader.string("name", min_length=1, max_length=255),
        "is_active": reader.boolean("is_active"),
        "metadata": reader.metadata(),
    }
    reader.check()
    changes = {k: v for k, v in changes.items() if v is not None}
    updated = ctx.state.store.update("creators", record["id"], changes)
    return json_response(request, {"data": updated})


async def delete_creator(request: Request) -> Response:
    """``DELETE /creators/{id}``: archive (soft), which pauses its accounts."""
    ctx = context(request)
    record = find(ctx.state.store.creators, "creator", request.path_params["id"])
    ctx.state.store.update("creators", record["id"], {"is_active": False})
    return Response(status_code=204)


async def link_account(request: Request) -> Response:
    """``PUT /creators/{id}/accounts/{account_id}``: 201 + Location, 200 again, 409 if taken."""
    ctx = context(request)
    store = ctx.state.store
    creator = find(store.creators, "creator", request.path_params["id"])
    account = find(store.accounts, "account", request.path_params["account_id"])
    owner = account["creator_id"]
    if owner is not None and owner != creator["id"]:
        raise conflict(f"Account {account['id']} is already linked to creator {owner}.")
    created = store.link(creator["id"], account["id"])
    record = {
        "type": "creator_account_link",
        "creator_id": creator["id"],
        "account_id": account["id"],
        "platform": account["platform"],
        "username": account["username"],
        "linked_at": iso(store.clock()),
    }
    if not created:
        return json_response(request, {"data": record})
    return json_response(
        request, {"data": record}, status=201, headers={"Location": str(request.url)}
    )


async def unlink_account(request: Request) -> Response:
    """``DELETE /creators/{id}/accounts/{account_id}``: 204, or 404 when not linked."""
    ctx = context(request)
    store = ctx.state.store
    creator = find(store.creators, "creator", request.path_params["id"])
    account = find(store.accounts, "account", request.path_params["account_id"])
    if not store.unlink(creator["id"], account["id"]):
        raise not_found("link to that account for creator", creator["id"])
    return Response(status_code=204)


async def top_creators_route(request: Request) -> Response:
    """``GET /creators/top``: active creators ranked by views gained in the period."""
    ctx = context(request)
    store = ctx.state.store
    reader = Reader(request.query_params, from_query=True)
    limit = reader.integer("limit", 1, 25) or 10
    period, start, end = reader.period(store.today(), allowed=("7d", "30d", "90d"), default="30d")
    reader.check()
    rows = top_creators(store, start, end, limit)
    meta = {
        "period": period,
        "start_date": date_of_day(start).isoformat(),
        "end_date": date_of_day(end).isoformat(),
        "limit": limit,
    }
    return json_response(request, {"data": rows, "meta": meta})


async def creator_analytics_route(request: Request) -> Response:
    """``GET /creators/{id}/analytics?start_date&end_date`` (default: the last 30 days)."""
    ctx = context(request)
    store = ctx.state.store
    creator = find(store.creators, "creator", request.path_params["id"])
    reader = Reader(request.query_params, from_query=True)
    start_date, end_date = reader.date("start_date"), reader.date("end_date")
    reader.check()
    today = store.today()
    end = day_of_date(end_date) if end_date else today
    start = day_of_date(start_date) if start_date else end - 29
    if end < start:
        raise validation([("end_date", "must not be before start_date")])
    data = {"type": "creator_analytics", **creator_analytics(store, creator["id"], start, end)}
    return json_response(request, {"data": data})
