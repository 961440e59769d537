"""``/payout-methods``: the organization's ways of paying creators (contract section 3.8).

The seeded defaults (Venmo, Cash App, PayPal) cannot be deleted (409 ``default_method``),
only disabled; ``max_payout_methods_per_org`` counts every method, the defaults included.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import bad_body, bad_query, limit_reached
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import UNSET, body_object
from creatorsdk.testing.trackagoat.payouts import served
from creatorsdk.testing.trackagoat.responses import ok

__all__ = ["create_method", "delete_method", "get_method", "list_methods", "update_method"]

NAME_MAX: Final = 100
_TRUE: Final = ("1", "true")
_FALSE: Final = ("0", "false")
_CREATE_FIELDS: Final = ("name", "icon_path", "metadata", "readme")
_PATCH_FIELDS: Final = ("name", "is_active", "icon_path", "metadata", "readme")


async def list_methods(request: Request) -> Response:
    """``GET /payout-methods``; ``include_disabled=1|true`` adds the inactive ones."""
    ledger = context(request).state.payouts
    raw = request.query_params.get("include_disabled", "false").lower()
    if raw not in _TRUE + _FALSE:
        raise bad_query("include_disabled must be 1, true, 0 or false")
    everything = raw in _TRUE
    records = [m for m in ledger.methods.values() if everything or m["is_active"]]
    filters = {"include_disabled": everything}
    return serve_list(request, "payout-methods", filters, records, served, rank=ledger.rank)


async def get_method(request: Request) -> Response:
    """``GET /payout-methods/{id}``."""
    ledger = context(request).state.payouts
    return ok(served(ledger.method(request.path_params["id"])))


async def create_method(request: Request) -> Response:
    """``POST /payout-methods``: 201 with the new method."""
    ctx = context(request)
    state = ctx.state

    def create() -> Response:
        fields = body_object(ctx.body, _CREATE_FIELDS)
        name = fields.text("name", max_length=NAME_MAX, required=True)
        if not name.strip():
            raise bad_body("name must not be blank.")
        icon_path = fields.text("icon_path", max_length=500, nullable=True)
        metadata = fields.mapping("metadata")
        readme = fields.text("readme", max_length=100_000, nullable=True)
        cap = state.limit("max_payout_methods_per_org")
        count = len(state.payouts.methods)
        if cap is not None and count >= cap:
            raise limit_reached("max_payout_methods_per_org", count, cap)
        record = state.payouts.add_method(
            name,
            icon_path=None if icon_path is UNSET else icon_path,
            metadata=None if metadata is UNSET else metadata,
            readme=None if readme is UNSET else readme,
        )
        return ok(served(record), status=201)

    return idempotent_create(request, create)


async def update_method(request: Request) -> Response:
    """``PATCH /payout-methods/{id}``: at least one field."""
    ctx = context(request)
    ledger = ctx.state.payouts
    method_id = request.path_params["id"]
    ledger.method(method_id)
    fields = body_object(ctx.body, _PATCH_FIELDS)
    is_active = fields.body.get("is_active", UNSET)
    if is_active is not UNSET and not isinstance(is_active, bool):
        raise bad_body("is_active must be a boolean.")
    changes = {
        "name": fields.text("name", max_length=NAME_MAX),
        "is_active": is_active,
        "icon_path": fields.text("icon_path", max_length=500, nullable=True),
        "metadata": fields.mapping("metadata"),
        "readme": fields.text("readme", max_length=100_000, nullable=True),
    }
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    if not changes:
        raise bad_body("At least one field is required.")
    if isinstance(changes.get("name"), str) and not changes["name"].strip():
        raise bad_body("name must not be blank.")
    return ok(served(ledger.update_method(method_id, changes)))


async def delete_method(request: Request) -> Response:
    """``DELETE /payout-methods/{id}``: custom methods only."""
    ledger = context(request).state.payouts
    method_id = request.path_params["id"]
    ledger.delete_method(method_id)
    return ok({"id": method_id, "deleted": True})
