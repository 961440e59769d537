"""Payout models: methods, structures, assignments, accruals and payments (section 3.8).

Every amount is integer cents (``int``), never a float. The docs list the method's fields;
the others' field names are this project's reading of the payouts guide (see
``docs/assumptions-trackagoat.md``), so everything else the server sends stays reachable
through ``extra``, and every field but ``id`` has a default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from creatorsdk._engine.decoding import Id, Model

__all__ = [
    "AssignResult",
    "PaymentAllocation",
    "PayoutAccrual",
    "PayoutAssignment",
    "PayoutMethod",
    "PayoutPayment",
    "PayoutStructure",
    "UnassignResult",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _mapping() -> Any:
    return attrs.field(default=_EMPTY)


@attrs.frozen
class PayoutMethod(Model):
    """A way of paying creators (Venmo, Cash App, PayPal are the undeletable defaults)."""

    id: Id
    org_id: Id | None = None
    name: str = ""
    icon_url: str | None = None
    is_default: bool = False
    is_active: bool = True
    metadata: Mapping[str, Any] = _mapping()
    readme: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class PayoutStructure(Model):
    """A project's earning rule, at its current ``version``.

    ``rule_type`` is recurring, goals, cpm or view_threshold; ``amount_cents`` is paid per
    ``period`` (per 1,000 views for cpm), prorated by ``proration`` (daily, full, none) for
    partial periods. A rule edit makes a new immutable version, in force from
    ``effective_from``; accruals already made keep the version they were computed with.
    """

    id: Id
    org_id: Id | None = None
    project_id: Id | None = None
    name: str = ""
    rule_type: str = ""
    amount_cents: int = 0
    period: str | None = None
    proration: str | None = None
    goal_metric: str | None = None
    goal_target: int | None = None
    threshold_views: int | None = None
    cap_cents: int | None = None
    version: int = 1
    version_id: Id | None = None
    effective_from: dt.date | None = None
    readme: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class PayoutAssignment(Model):
    """A creator on a structure from ``start_date`` (to ``end_date`` once removed)."""

    id: Id
    structure_id: Id | None = None
    project_id: Id | None = None
    creator_id: Id | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class AssignResult(Model):
    """What ``payout_structures.assign`` did: new assignments, creators already on the
    structure, and ids that are not creators of its project."""

    assigned: tuple[PayoutAssignment, ...] = ()
    already_assigned: tuple[Id, ...] = ()
    not_found: tuple[Id, ...] = ()

    def __add__(self, other: AssignResult) -> AssignResult:
        return AssignResult(
            assigned=self.assigned + other.assigned,
            already_assigned=self.already_assigned + other.already_assigned,
            not_found=self.not_found + other.not_found,
        )


@attrs.frozen
class UnassignResult(Model):
    """What ``payout_structures.unassign`` did: assignments ended, and ids not assigned."""

    removed_count: int = 0
    not_found: tuple[Id, ...] = ()

    def __add__(self, other: UnassignResult) -> UnassignResult:
        return UnassignResult(
            removed_count=self.removed_count + other.removed_count,
            not_found=self.not_found + other.not_found,
        )


@attrs.frozen
class PayoutAccrual(Model):
    """What one structure earned one creator for one period.

    ``owed_cents`` is ``amount_cents + adjustment_cents - paid_cents`` (zero once marked paid
    or waived); ``status`` is open, partially_paid, paid or waived. ``basis`` holds the
    figures the amount was computed from (views, posts, days assigned, ...).
    """

    id: Id
    org_id: Id | None = None
    project_id: Id | None = None
    structure_id: Id | None = None
    structure_name: str | None = None
    structure_version: int | None = None
    rule_type: str | None = None
    creator_id: Id | None = None
    period: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    amount_cents: int = 0
    adjustment_cents: int = 0
    paid_cents: int = 0
    owed_cents: int = 0
    status: str = ""
    currency: str | None = None
    basis: Mapping[str, Any] = _mapping()
    note: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    evaluated_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class PaymentAllocation(Model):
    """The part of a payment that went to one accrual."""

    accrual_id: Id
    amount_cents: int = 0


@attrs.frozen
class PayoutPayment(Model):
    """A recorded payment to a creator; ``method_name`` is a snapshot taken when it was made,
    so renaming or disabling the method later does not change history. ``status`` is
    completed or void."""

    id: Id
    org_id: Id | None = None
    project_id: Id | None = None
    creator_id: Id | None = None
    method_id: Id | None = None
    method_name: str | None = None
    amount_cents: int = 0
    currency: str | None = None
    status: str = ""
    allocations: tuple[PaymentAllocation, ...] = ()
    reference: str | None = None
    note: str | None = None
    metadata: Mapping[str, Any] = _mapping()
    paid_at: dt.datetime | None = None
    voided_at: dt.datetime | None = None
    void_reason: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
