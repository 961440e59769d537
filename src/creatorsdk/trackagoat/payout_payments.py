"""``tg.payout_payments``: payments recorded to creators, and voiding them.

A payment names the accruals it pays (allocated in the order given) or none (an ad-hoc
payment, such as a bonus). The server refuses a payment larger than what those accruals still
owe (409 ``exceeds_owed``), so a rerun of a payout job cannot pay an accrual twice; the
``Idempotency-Key`` of each create (the caller's, or one minted per call) makes a retried or
replayed request answer with the first payment instead of making a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    date_range,
    datetime_arg,
    id_list_arg,
    int_arg,
    mapping_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.payout_accruals import status_list
from creatorsdk.trackagoat.payout_models import PayoutPayment

__all__ = ["MAX_ACCRUALS", "PayoutPayments"]

#: Most accruals one payment may pay (the size of the API's other id lists).
MAX_ACCRUALS: Final = 100
#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset({"reference", "note"})


class PayoutPayments(Resource, envelope=ENVELOPE):
    """List, read, record and void payments."""

    def list(
        self,
        *,
        project_id: str | None = None,
        creator_id: str | None = None,
        method_id: str | None = None,
        status: str | Iterable[str] | None = None,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[PayoutPayment]:
        """Payments, filtered by project, creator, method, ``status`` (completed, void) and
        the day they were paid (``from_``/``to``)."""
        start, end = date_range("from_", from_, "to", to)
        params = {
            "project_id": optional(uuid_arg, "project_id", project_id),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            "method_id": optional(uuid_arg, "method_id", method_id),
            "status": optional(status_list, "status", status),
            "from": start,
            "to": end,
        }
        return self._list(
            "/payout-payments", PayoutPayment, params=params, limit=limit, cursor=cursor
        )

    async def get(self, payment_id: str) -> PayoutPayment:
        """One payment."""
        return await self._get(_path(payment_id), PayoutPayment)

    async def create(
        self,
        creator_id: str,
        method_id: str,
        amount_cents: int,
        *,
        accrual_ids: Iterable[str] | None = None,
        paid_at: dt.datetime | None = None,
        reference: str | None = None,
        note: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> PayoutPayment:
        """Record a payment of ``amount_cents`` (a positive integer) to a creator through a
        method, paying ``accrual_ids`` in order (without them: an ad-hoc payment).

        ``paid_at`` (timezone-aware; default now) and ``reference`` (e.g. the Venmo
        transaction id) are kept with it, and so is the method's name at this moment. Pass a
        stable ``idempotency_key`` (derived from what is being paid) to make a rerun of the
        same payment answer with the first one.
        """
        accruals = optional(id_list_arg, "accrual_ids", accrual_ids)
        if accruals is not None and len(accruals) > MAX_ACCRUALS:
            raise ValueError(
                f"accrual_ids: at most {MAX_ACCRUALS} per payment, got {len(accruals)}"
            )
        fields = {
            "creator_id": uuid_arg("creator_id", creator_id),
            "method_id": uuid_arg("method_id", method_id),
            "amount_cents": int_arg("amount_cents", amount_cents, low=1),
            "accrual_ids": accruals,
            "paid_at": optional(datetime_arg, "paid_at", paid_at),
            "reference": optional(text_arg, "reference", reference),
            "note": optional(text_arg, "note", note, blank=True),
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        return await self._create(
            "/payout-payments", fields, PayoutPayment, idempotency_key=idempotency_key
        )

    async def update(
        self,
        payment_id: str,
        *,
        status: str | None = None,
        void_reason: str | None = None,
        reference: str | Unset | None = UNSET,
        note: str | Unset | None = UNSET,
        metadata: Mapping[str, Any] | None = None,
    ) -> PayoutPayment:
        """Change a payment: ``status="void"`` (with a ``void_reason``) voids it, and what it
        paid is owed again; ``reference``, ``note`` and ``metadata`` annotate it."""
        if status is not None and status != "void":
            raise ValueError(f"status can only be set to 'void', got {status!r}")
        fields = {
            "status": status,
            "void_reason": optional(text_arg, "void_reason", void_reason, blank=True),
            "reference": optional(text_arg, "reference", reference),
            "note": optional(text_arg, "note", note, blank=True),
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        return await self._update(_path(payment_id), fields, PayoutPayment, clearable=_CLEARABLE)

    async def void(self, payment_id: str, *, reason: str | None = None) -> PayoutPayment:
        """Void a payment (``update(payment_id, status="void", void_reason=reason)``)."""
        return await self.update(payment_id, status="void", void_reason=reason)


def _path(payment_id: str) -> str:
    return f"/payout-payments/{uuid_arg('payment_id', payment_id)}"
