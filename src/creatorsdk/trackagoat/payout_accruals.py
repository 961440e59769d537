"""``tg.payout_accruals``: what each structure earned each creator, period by period.

Accruals are made by the server as periods close (goals-based ones 48 hours later, when late
posts have settled). ``owed_cents`` is what is left to pay; payments reduce it, voiding a
payment gives it back, and ``update`` marks an accrual paid (outside trackagoat), waives it,
reopens it, or adjusts it by a signed number of cents.
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
    int_arg,
    mapping_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE, token_arg
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.payout_models import PayoutAccrual

__all__ = ["ACCRUAL_STATUSES", "PayoutAccruals"]

#: The statuses the project's reading of the docs knows: open, partially_paid, paid, waived.
ACCRUAL_STATUSES: Final = frozenset({"open", "partially_paid", "paid", "waived"})
#: The largest amount JSON numbers carry exactly (an adjustment may be negative).
_LARGEST_CENTS: Final = 2**53
#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset({"note"})


class PayoutAccruals(Resource, envelope=ENVELOPE):
    """List and read accruals; mark them paid, waive, reopen or adjust them."""

    def list(
        self,
        *,
        project_id: str | None = None,
        creator_id: str | None = None,
        structure_id: str | None = None,
        status: str | Iterable[str] | None = None,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[PayoutAccrual]:
        """Accruals, filtered by project, creator, structure, ``status`` (one, or several
        such as ``["open", "partially_paid"]``) and period: ``from_``/``to`` keep the
        accruals whose period lies within those dates."""
        start, end = date_range("from_", from_, "to", to)
        params = {
            "project_id": optional(uuid_arg, "project_id", project_id),
            "creator_id": optional(uuid_arg, "creator_id", creator_id),
            "structure_id": optional(uuid_arg, "structure_id", structure_id),
            "status": optional(status_list, "status", status),
            "from": start,
            "to": end,
        }
        return self._list(
            "/payout-accruals", PayoutAccrual, params=params, limit=limit, cursor=cursor
        )

    async def get(self, accrual_id: str) -> PayoutAccrual:
        """One accrual."""
        return await self._get(_path(accrual_id), PayoutAccrual)

    async def update(
        self,
        accrual_id: str,
        *,
        status: str | None = None,
        adjustment_cents: int | None = None,
        note: str | Unset | None = UNSET,
        metadata: Mapping[str, Any] | None = None,
    ) -> PayoutAccrual:
        """Change an accrual: ``status="paid"`` marks it paid outside trackagoat,
        ``"waived"`` waives it, ``"open"`` undoes either; ``adjustment_cents`` (signed) is
        added to what it earned; ``note=None`` clears the note."""
        fields = {
            "status": optional(token_arg, "status", status),
            "adjustment_cents": optional(
                int_arg, "adjustment_cents", adjustment_cents, low=-(2**53)
            ),
            "note": optional(text_arg, "note", note, blank=True),
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        return await self._update(_path(accrual_id), fields, PayoutAccrual, clearable=_CLEARABLE)


def status_list(name: str, value: object) -> str:
    """One status or several, as the comma-separated list the query string carries."""
    if isinstance(value, str):
        return token_arg(name, value)
    if not isinstance(value, Iterable):
        raise ValueError(f"{name} must be a status or a list of statuses, got {value!r}")
    statuses = [token_arg(f"{name}[{i}]", item) for i, item in enumerate(value)]
    if not statuses:
        raise ValueError(f"{name} must not be empty")
    return ",".join(dict.fromkeys(statuses))


def _path(accrual_id: str) -> str:
    return f"/payout-accruals/{uuid_arg('accrual_id', accrual_id)}"
