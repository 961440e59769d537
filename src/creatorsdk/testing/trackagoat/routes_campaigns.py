"""Campaigns: list, create, change, delete, and their nestable items (cycles refused)."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import iso
from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import ApiError, bad_body, limit_reached, not_found
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import UNSET, Fields, body_object, query_uuid
from creatorsdk.testing.trackagoat.record_builders import campaign_record
from creatorsdk.testing.trackagoat.responses import ok
from creatorsdk.testing.trackagoat.store import Store

__all__ = [
    "add_item",
    "create_campaign",
    "delete_campaign",
    "list_campaigns",
    "remove_item",
    "update_campaign",
]

NAME_MAX: Final = 200
ITEM_TYPES: Final = ("creator", "video", "campaign")
_FIELDS: Final = ("name", "readme", "description", "metadata", "target_views", "target_at")


async def list_campaigns(request: Request) -> Response:
    """``GET /campaigns?project_id=``."""
    store = context(request).state.store
    project_id = query_uuid(request.query_params, "project_id")
    records = [
        c
        for c in store.live(store.campaigns)
        if project_id is None or c["project_id"] == project_id
    ]
    return serve_list(request, "campaigns", {"project_id": project_id}, records)


async def create_campaign(request: Request) -> Response:
    """``POST /projects/{id}/campaigns``: 201 with the campaign."""
    ctx = context(request)
    state = ctx.state
    store = state.store
    project_id = request.path_params["project_id"]
    if store.find(store.projects, project_id) is None:
        raise not_found("project", project_id)

    def create() -> Response:
        fields = body_object(ctx.body, _FIELDS)
        name = fields.text("name", max_length=NAME_MAX, required=True)
        if not name.strip():
            raise bad_body("name must not be blank.")
        cap = state.limit("max_campaigns_per_project")
        count = sum(1 for c in store.live(store.campaigns) if c["project_id"] == project_id)
        if cap is not None and count >= cap:
            raise limit_reached("max_campaigns_per_project", count, cap)
        record = campaign_record(
            id=store.new_id(),
            project_id=project_id,
            name=name,
            created_at=iso(store.clock()),
            **_changes(fields),
        )
        store.add_campaign(record)
        return ok(record, status=201)

    return idempotent_create(request, create)


async def update_campaign(request: Request) -> Response:
    """``PATCH /campaigns/{id}``: at least one field."""
    ctx = context(request)
    store = ctx.state.store
    record = _live_campaign(store, request.path_params["id"])
    fields = body_object(ctx.body, _FIELDS)
    changes = _changes(fields)
    name = fields.text("name", max_length=NAME_MAX)
    if name is not UNSET:
        if not name.strip():
            raise bad_body("name must not be blank.")
        changes["name"] = name
    if not changes:
        raise bad_body("At least one field is required.")
    return ok(store.touch(record, changes))


def _changes(fields: Fields) -> dict[str, Any]:
    changes = {
        "readme": fields.text("readme", max_length=100_000, nullable=True),
        "description": fields.text("description", nullable=True),
        "metadata": fields.mapping("metadata"),
        "target_views": fields.count("target_views"),
        "target_at": fields.datetime("target_at"),
    }
    return {k: v for k, v in changes.items() if v is not UNSET}


async def delete_campaign(request: Request) -> Response:
    """``DELETE /campaigns/{id}``: the campaign and every membership it is part of."""
    store = context(request).state.store
    record = _live_campaign(store, request.path_params["id"])
    store.remove(record["id"])
    store.items[record["id"]] = []
    for items in store.items.values():
        items[:] = [i for i in items if i["item_id"] != record["id"]]
    return ok({"id": record["id"], "is_active": False})


async def add_item(request: Request) -> Response:
    """``POST /campaigns/{id}/items``: 201 with the membership."""
    ctx = context(request)
    state = ctx.state
    store = state.store
    campaign = _live_campaign(store, request.path_params["id"])
    item_type, item_id = _item(ctx.body)
    target = store.find(_collection(store, item_type), item_id)
    if target is None or target["project_id"] != campaign["project_id"]:
        raise not_found(item_type, item_id)
    items = store.items[campaign["id"]]
    if any(i["item_type"] == item_type and i["item_id"] == item_id for i in items):
        raise ApiError(409, "duplicate", f"This {item_type} is already in the campaign.")
    if item_type == "campaign" and store.contains(item_id, campaign["id"]):
        raise ApiError(409, "circular_nesting", "Adding this campaign would create a cycle.")
    cap = state.limit("max_campaign_items_per_campaign")
    if cap is not None and len(items) >= cap:
        raise limit_reached("max_campaign_items_per_campaign", len(items), cap)
    return ok(store.add_item(campaign["id"], item_type, item_id), status=201)


async def remove_item(request: Request) -> Response:
    """``DELETE /campaigns/{id}/items`` with ``{item_type, item_id}``."""
    ctx = context(request)
    store = ctx.state.store
    campaign = _live_campaign(store, request.path_params["id"])
    item_type, item_id = _item(ctx.body)
    items = store.items[campaign["id"]]
    kept = [i for i in items if not (i["item_type"] == item_type and i["item_id"] == item_id)]
    if len(kept) == len(items):
        raise not_found(f"{item_type} item", item_id)
    items[:] = kept
    store.version += 1
    body = {"campaign_id": campaign["id"], "item_type": item_type, "item_id": item_id}
    return ok({**body, "removed": True})


def _item(body: Any) -> tuple[str, str]:
    fields = body_object(body, ("item_type", "item_id"))
    item_type = fields.choice("item_type", ITEM_TYPES, required=True)
    item_id = fields.uuid("item_id", required=True)
    return item_type, item_id


def _collection(store: Store, item_type: str) -> dict[str, dict[str, Any]]:
    return {"creator": store.creators, "video": store.videos, "campaign": store.campaigns}[
        item_type
    ]


def _live_campaign(store: Store, campaign_id: str) -> dict[str, Any]:
    record = store.find(store.campaigns, campaign_id)
    if record is None:
        raise not_found("campaign", campaign_id)
    return record
