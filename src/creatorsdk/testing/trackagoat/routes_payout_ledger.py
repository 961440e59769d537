"""``/payout-accruals`` and ``/payout-payments``: what creators earned, and what was paid.

Every read first brings the accruals up to date (:meth:`PayoutLedger.accrue`), so a period
that settled a moment ago is there. A payment names the accruals it pays (in order) or none
(an ad-hoc payment); it can never pay more than they still owe (409 ``exceeds_owed``), which
is what keeps a retried or repeated payment run from paying anyone twice. ``PATCH`` with
``{"status": "void"}`` voids a payment and makes its amounts owed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import bad_body, bad_query, not_found
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import UNSET, body_object, query_date, query_uuid
from creatorsdk.testing.trackagoat.payouts import served
from creatorsdk.testing.trackagoat.responses import ok

__all__ = [
    "create_payment",
    "get_accrual",
    "get_payment",
    "list_accruals",
    "list_payments",
    "update_accrual",
    "update_payment",
]

ACCRUAL_STATUSES: Final = ("open", "partially_paid", "paid", "waived")
#: What ``PATCH /payout-accruals/{id}`` may set ``status`` to.
ACCRUAL_MARKS: Final = ("open", "paid", "waived")
PAYMENT_STATUSES: Final = ("completed", "void")
ACCRUALS_PER_PAYMENT: Final = 100
_PAYMENT_FIELDS: Final = (
    "creator_id",
    "method_id",
    "amount_cents",
    "accrual_ids",
    "paid_at",
    "reference",
    "note",
    "metadata",
)


async def list_accruals(request: Request) -> Response:
    """``GET /payout-accruals?project_id=&creator_id=&structure_id=&status=&from=&to=``:
    ``status`` takes a comma list; ``from``/``to`` keep accruals whose period lies inside."""
    ledger = context(request).state.payouts
    ledger.accrue()
    params = request.query_params
    filters = {
        "project_id": query_uuid(params, "project_id"),
        "creator_id": query_uuid(params, "creator_id"),
        "structure_id": query_uuid(params, "structure_id"),
        "status": _statuses(params.get("status"), ACCRUAL_STATUSES),
        **_range(params),
    }
    keep = _matcher(filters, start="period_start", end="period_end")
    records = [a for a in ledger.accruals.values() if keep(a)]
    return serve_list(request, "payout-accruals", filters, records, served, rank=ledger.rank)


async def get_accrual(request: Request) -> Response:
    """``GET /payout-accruals/{id}``."""
    ledger = context(request).state.payouts
    ledger.accrue()
    return ok(served(ledger.accrual(request.path_params["id"])))


async def update_accrual(request: Request) -> Response:
    """``PATCH /payout-accruals/{id}``: ``status`` (open, paid, waived), ``adjustment_cents``
    (may be negative), ``note``, ``metadata``; at least one."""
    ctx = context(request)
    ledger = ctx.state.payouts
    ledger.accrue()
    fields = body_object(ctx.body, ("status", "adjustment_cents", "note", "metadata"))
    adjustment = fields.body.get("adjustment_cents", UNSET)
    if adjustment is not UNSET and (
        isinstance(adjustment, bool) or not isinstance(adjustment, int)
    ):
        raise bad_body("adjustment_cents must be an integer (cents, may be negative).")
    changes = {
        "status": fields.choice("status", ACCRUAL_MARKS),
        "adjustment_cents": adjustment,
        "note": fields.text("note", max_length=5_000, nullable=True),
        "metadata": fields.mapping("metadata"),
    }
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    if not changes:
        raise bad_body("At least one field is required.")
    return ok(served(ledger.update_accrual(request.path_params["id"], changes)))


async def list_payments(request: Request) -> Response:
    """``GET /payout-payments?project_id=&creator_id=&method_id=&status=&from=&to=``
    (``from``/``to`` on the day it was paid)."""
    ledger = context(request).state.payouts
    params = request.query_params
    filters = {
        "project_id": query_uuid(params, "project_id"),
        "creator_id": query_uuid(params, "creator_id"),
        "method_id": query_uuid(params, "method_id"),
        "status": _statuses(params.get("status"), PAYMENT_STATUSES),
        **_range(params),
    }
    keep = _matcher(filters, start="paid_at", end="paid_at")
    records = [p for p in ledger.payments.values() if keep(p)]
    return serve_list(request, "payout-payments", filters, records, served, rank=ledger.rank)


async def get_payment(request: Request) -> Response:
    """``GET /payout-payments/{id}``."""
    ledger = context(request).state.payouts
    return ok(served(ledger.payment(request.path_params["id"])))


async def create_payment(request: Request) -> Response:
    """``POST /payout-payments``: 201 with the payment and its allocations."""
    ctx = context(request)
    state = ctx.state
    ledger = state.payouts
    ledger.accrue()

    def create() -> Response:
        fields = body_object(ctx.body, _PAYMENT_FIELDS)
        creator_id = fields.uuid("creator_id", required=True)
        if creator_id not in state.store.creators:
            raise not_found("creator", creator_id)
        method = ledger.method(fields.uuid("method_id", required=True))
        amount = fields.body.get("amount_cents")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise bad_body("amount_cents must be a positive integer (cents).")
        accrual_ids = None
        if fields.body.get("accrual_ids") is not None:
            accrual_ids = fields.ids("accrual_ids", most=ACCRUALS_PER_PAYMENT)
        details = {
            "paid_at": fields.datetime("paid_at"),
            "reference": fields.text("reference", max_length=500, nullable=True),
            "note": fields.text("note", max_length=5_000, nullable=True),
            "metadata": fields.mapping("metadata"),
        }
        details = {k: v for k, v in details.items() if v is not UNSET}
        record = ledger.pay(creator_id, method, amount, accrual_ids, details)
        return ok(served(record), status=201)

    return idempotent_create(request, create)


async def update_payment(request: Request) -> Response:
    """``PATCH /payout-payments/{id}``: ``{"status": "void", "void_reason"?}`` voids it;
    ``reference``, ``note`` and ``metadata`` annotate it."""
    ctx = context(request)
    ledger = ctx.state.payouts
    fields = body_object(ctx.body, ("status", "void_reason", "reference", "note", "metadata"))
    changes = {
        "status": fields.choice("status", ("void",)),
        "void_reason": fields.text("void_reason", max_length=5_000, nullable=True),
        "reference": fields.text("reference", max_length=500, nullable=True),
        "note": fields.text("note", max_length=5_000, nullable=True),
        "metadata": fields.mapping("metadata"),
    }
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    if not changes:
        raise bad_body("At least one field is required.")
    if "void_reason" in changes and changes.get("status") != "void":
        raise bad_body("void_reason goes with status: void.")
    return ok(served(ledger.update_payment(request.path_params["id"], changes)))


def _statuses(raw: str | None, allowed: tuple[str, ...]) -> list[str] | None:
    if raw is None:
        return None
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    if not wanted or any(s not in allowed for s in wanted):
        raise bad_query(f"status must be one or more of {', '.join(allowed)}")
    return wanted


def _range(params: Mapping[str, str]) -> dict[str, str | None]:
    start, end = query_date(params, "from"), query_date(params, "to")
    if start is not None and end is not None and start > end:
        raise bad_query("from must be on or before to")
    return {"from": _iso(start), "to": _iso(end)}


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _matcher(
    filters: Mapping[str, Any], *, start: str, end: str
) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a record passes the filters; dates compare as ``YYYY-MM-DD`` prefixes."""

    def keep(record: Mapping[str, Any]) -> bool:
        for name in ("project_id", "creator_id", "structure_id", "method_id"):
            wanted = filters.get(name)
            if wanted is not None and record.get(name) != wanted:
                return False
        statuses = filters.get("status")
        if statuses is not None and record["status"] not in statuses:
            return False
        first, last = filters.get("from"), filters.get("to")
        if first is not None and record[start][:10] < first:
            return False
        return not (last is not None and record[end][:10] > last)

    return keep
