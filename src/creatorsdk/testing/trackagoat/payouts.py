"""The fake's payout ledger: methods, structures and their versions, assignments, accruals and
payments of one organization (contract section 3.8), with every amount in integer cents.

Accruals are computed from the fake's own history, lazily: :meth:`PayoutLedger.accrue` walks
each assignment period by period up to "now" and records what each settled period earned
(:mod:`.payout_rules`), once. A structure's edits make a new immutable version that applies
from the day of the edit, so a period keeps the rules in force on its first assigned day.
Payments are allocated to accruals and reduce what is owed; voiding one gives it back.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from creatorsdk.testing._dates import DAY, date_of_day, day_of, iso
from creatorsdk.testing.trackagoat.errors import ApiError, bad_body, not_found
from creatorsdk.testing.trackagoat.payout_rules import (
    RULE_FIELDS,
    earning,
    period_containing,
    settles_at,
)
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["DEFAULT_METHODS", "PayoutLedger", "served"]

#: The seeded methods every organization has; they cannot be deleted, only disabled.
DEFAULT_METHODS: Final = ("Venmo", "Cash App", "PayPal")
CURRENCY: Final = "USD"
_ICON_BASE: Final = "https://cdn.trackagoat.test/payout-icons"


def served(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the API serves it: without the ledger's private ``_`` keys."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


class PayoutLedger:
    """Everything payout-related the fake knows, readable by tests (records as served, plus
    private ``_`` keys). Limits are the caller's to check; this class keeps the books."""

    def __init__(self, store: Store, org_id: str, seed: int = 0) -> None:
        self.store = store
        self.org_id = org_id
        self.methods: dict[str, dict[str, Any]] = {}
        self.structures: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.assignments: dict[str, dict[str, Any]] = {}
        self.accruals: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self._rank: dict[str, int] = {}
        self._rng = random.Random(f"payouts:{seed}")
        for name in DEFAULT_METHODS:
            self.add_method(name, is_default=True)

    # -- bookkeeping ----------------------------------------------------------------------------

    def rank(self, record_id: str) -> int:
        """Insertion rank: listings are served in this order."""
        return self._rank[record_id]

    def _now(self) -> float:
        return self.store.clock()

    def _insert(self, collection: dict[str, dict[str, Any]], record: dict[str, Any]) -> None:
        collection[record["id"]] = record
        self._rank[record["id"]] = len(self._rank)

    def _new(self, **fields: Any) -> dict[str, Any]:
        now = iso(self._now())
        record_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        return {
            "id": record_id,
            "org_id": self.org_id,
            **fields,
            "created_at": now,
            "updated_at": now,
        }

    def _touch(self, record: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        record.update(changes, updated_at=iso(self._now()))
        return record

    # -- methods --------------------------------------------------------------------------------

    def add_method(
        self,
        name: str,
        *,
        is_default: bool = False,
        icon_path: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        readme: str | None = None,
    ) -> dict[str, Any]:
        """A new payout method (409 ``duplicate`` when one has that name, any case)."""
        if any(m["name"].lower() == name.lower() for m in self.methods.values()):
            raise ApiError(409, "duplicate", f"A payout method named {name!r} already exists.")
        slug = name.lower().replace(" ", "-")
        record = self._new(
            name=name,
            icon_url=_icon_url(icon_path) if icon_path else f"{_ICON_BASE}/{slug}.svg",
            is_default=is_default,
            is_active=True,
            metadata=dict(metadata or {}),
            readme=readme,
        )
        self._insert(self.methods, record)
        return record

    def method(self, method_id: str) -> dict[str, Any]:
        """A method by id (404 when there is none)."""
        record = self.methods.get(method_id)
        if record is None:
            raise not_found("payout method", method_id)
        return record

    def update_method(self, method_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply validated changes; ``icon_path`` becomes ``icon_url``."""
        record = self.method(method_id)
        if "icon_path" in changes:
            path = changes.pop("icon_path")
            changes["icon_url"] = None if path is None else _icon_url(path)
        name = changes.get("name")
        if name is not None and any(
            m["name"].lower() == name.lower() and m["id"] != method_id
            for m in self.methods.values()
        ):
            raise ApiError(409, "duplicate", f"A payout method named {name!r} already exists.")
        return self._touch(record, changes)

    def delete_method(self, method_id: str) -> None:
        """Delete a custom method; the seeded defaults answer 409 ``default_method``."""
        record = self.method(method_id)
        if record["is_default"]:
            raise ApiError(
                409,
                "default_method",
                f"{record['name']} is a default payout method and cannot be deleted; "
                'disable it with PATCH {"is_active": false} instead.',
            )
        del self.methods[method_id]

    # -- structures -----------------------------------------------------------------------------

    def live_structures(self) -> Iterator[dict[str, Any]]:
        """Structures not deleted."""
        return (s for s in self.structures.values() if s["_deleted_at"] is None)

    def add_structure(self, project_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A new structure at version 1, in force from today."""
        record = self._new(project_id=project_id, **fields, _deleted_at=None)
        self._insert(self.structures, record)
        self.versions[record["id"]] = []
        self._new_version(record)
        return record

    def structure(self, structure_id: str) -> dict[str, Any]:
        """A structure not deleted (404 otherwise)."""
        record = self.structures.get(structure_id)
        if record is None or record["_deleted_at"] is not None:
            raise not_found("payout structure", structure_id)
        return record

    def update_structure(self, structure_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply validated changes; a change to the rule makes a new version from today."""
        record = self.structure(structure_id)
        rule_changed = any(
            field in changes and changes[field] != record[field] for field in RULE_FIELDS
        )
        self._touch(record, changes)
        if rule_changed:
            self._new_version(record)
        return record

    def delete_structure(self, structure_id: str) -> None:
        """Delete a structure: no period closing later accrues; what accrued stays owed."""
        self._touch(self.structure(structure_id), {"_deleted_at": self._now()})

    def _new_version(self, record: dict[str, Any]) -> None:
        versions = self.versions[record["id"]]
        today = day_of(self._now())
        number = versions[-1]["number"] + 1 if versions else 1
        rule = {field: record[field] for field in RULE_FIELDS}
        version_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        versions.append({"number": number, "effective_day": today, "rule": rule, "id": version_id})
        record.update(
            version=number, version_id=version_id, effective_from=date_of_day(today).isoformat()
        )

    def _rule_on(self, structure_id: str, day: int) -> tuple[int, Mapping[str, Any]]:
        """The version number and rule in force on ``day`` (the first version before it)."""
        versions = self.versions[structure_id]
        chosen = versions[0]
        for version in versions:
            if version["effective_day"] <= day:
                chosen = version
        return chosen["number"], chosen["rule"]

    # -- assignments ----------------------------------------------------------------------------

    def assignments_of(self, structure_id: str, *, ended: bool) -> list[dict[str, Any]]:
        """A structure's assignments; only the current ones unless ``ended``."""
        return [
            a
            for a in self.assignments.values()
            if a["structure_id"] == structure_id and (ended or a["end_date"] is None)
        ]

    def assign(self, structure: dict[str, Any], creator_id: str, start_day: int) -> dict[str, Any]:
        """Assign a creator (the caller checked it is in the project and not assigned)."""
        record = self._new(
            structure_id=structure["id"],
            project_id=structure["project_id"],
            creator_id=creator_id,
            start_date=date_of_day(start_day).isoformat(),
            end_date=None,
            _start=start_day,
            _end=None,
            _next_day=start_day,
        )
        record.pop("org_id")
        self._insert(self.assignments, record)
        return record

    def unassign(self, assignment: dict[str, Any], end_day: int) -> None:
        """End an assignment after ``end_day`` (never before the day it started)."""
        end_day = max(end_day, assignment["_start"])
        self._touch(assignment, {"end_date": date_of_day(end_day).isoformat(), "_end": end_day})

    # -- accruals -------------------------------------------------------------------------------

    def accrue(self) -> int:
        """Record every period that has settled since the last call; how many were new."""
        now, added = self._now(), 0
        for assignment in list(self.assignments.values()):
            added += self._accrue_assignment(assignment, now)
        return added

    def _accrue_assignment(self, assignment: dict[str, Any], now: float) -> int:
        structure = self.structures[assignment["structure_id"]]
        deleted_at, end, added = structure["_deleted_at"], assignment["_end"], 0
        while True:
            day = assignment["_next_day"]
            if end is not None and day > end:
                return added
            number, rule = self._rule_on(structure["id"], day)
            first, last = period_containing(rule["period"], day)
            if settles_at(rule, last) > now:
                return added
            if deleted_at is not None and (last + 1) * DAY > deleted_at:
                return added
            window = (day, last if end is None else min(last, end))
            earned = earning(self.store, rule, assignment["creator_id"], (first, last), window)
            if earned.amount_cents > 0:
                self._add_accrual(structure, number, rule, assignment, (first, last), earned)
                added += 1
            assignment["_next_day"] = last + 1

    def _add_accrual(
        self,
        structure: Mapping[str, Any],
        number: int,
        rule: Mapping[str, Any],
        assignment: Mapping[str, Any],
        period: tuple[int, int],
        earned: Any,
    ) -> None:
        record = self._new(
            project_id=structure["project_id"],
            structure_id=structure["id"],
            structure_name=structure["name"],
            structure_version=number,
            rule_type=rule["rule_type"],
            assignment_id=assignment["id"],
            creator_id=assignment["creator_id"],
            period=rule["period"],
            period_start=date_of_day(period[0]).isoformat(),
            period_end=date_of_day(period[1]).isoformat(),
            amount_cents=earned.amount_cents,
            adjustment_cents=0,
            paid_cents=0,
            owed_cents=earned.amount_cents,
            status="open",
            currency=CURRENCY,
            basis=earned.basis,
            note=None,
            metadata={},
            evaluated_at=iso(self._now()),
            _mark=None,
        )
        self._insert(self.accruals, record)

    def accrual(self, accrual_id: str) -> dict[str, Any]:
        """An accrual by id (404 when there is none)."""
        record = self.accruals.get(accrual_id)
        if record is None:
            raise not_found("payout accrual", accrual_id)
        return record

    def update_accrual(self, accrual_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Mark paid / waived / open again, adjust, annotate (changes already validated)."""
        record = self.accrual(accrual_id)
        if "adjustment_cents" in changes:
            total = record["amount_cents"] + changes["adjustment_cents"]
            if total < 0:
                raise bad_body("adjustment_cents would make the accrual negative.")
            if total < record["paid_cents"]:
                raise ApiError(
                    409,
                    "adjustment_below_paid",
                    "The adjusted amount is less than what was already paid; void a payment first.",
                    meta={"paid_cents": record["paid_cents"]},
                )
        status = changes.pop("status", None)
        if status is not None:
            changes["_mark"] = None if status == "open" else status
        self._touch(record, changes)
        _settle(record)
        return record

    # -- payments -------------------------------------------------------------------------------

    def pay(
        self,
        creator_id: str,
        method: Mapping[str, Any],
        amount: int,
        accrual_ids: Iterable[str] | None,
        details: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Record a payment, allocated to ``accrual_ids`` in order (ad hoc when ``None``)."""
        if not method["is_active"]:
            raise ApiError(
                409,
                "method_inactive",
                f"The payout method {method['name']} is disabled; enable it or use another.",
            )
        creator = self.store.creators[creator_id]
        allocations = self._allocate(creator_id, amount, accrual_ids)
        now = self._now()
        record = self._new(
            project_id=creator["project_id"],
            creator_id=creator_id,
            method_id=method["id"],
            method_name=method["name"],
            amount_cents=amount,
            currency=CURRENCY,
            status="completed",
            allocations=allocations,
            reference=details.get("reference"),
            note=details.get("note"),
            metadata=dict(details.get("metadata") or {}),
            paid_at=details.get("paid_at") or iso(now),
            voided_at=None,
            void_reason=None,
        )
        for allocation in allocations:
            accrual = self.accruals[allocation["accrual_id"]]
            accrual["paid_cents"] += allocation["amount_cents"]
            self._touch(accrual, {})
            _settle(accrual)
        self._insert(self.payments, record)
        return record

    def _allocate(
        self, creator_id: str, amount: int, accrual_ids: Iterable[str] | None
    ) -> list[dict[str, Any]]:
        if accrual_ids is None:
            return []
        accruals = [self.accrual(i) for i in accrual_ids]
        for accrual in accruals:
            if accrual["creator_id"] != creator_id:
                raise bad_body(f"Accrual {accrual['id']} belongs to another creator.")
        owed = sum(a["owed_cents"] for a in accruals)
        if amount > owed:
            raise ApiError(
                409,
                "exceeds_owed",
                f"The payment of {amount} cents is more than the {owed} cents these accruals "
                "still owe.",
                meta={"owed_cents": owed},
            )
        allocations, left = [], amount
        for accrual in accruals:
            share = min(left, accrual["owed_cents"])
            if share:
                allocations.append({"accrual_id": accrual["id"], "amount_cents": share})
                left -= share
        return allocations

    def payment(self, payment_id: str) -> dict[str, Any]:
        """A payment by id (404 when there is none)."""
        record = self.payments.get(payment_id)
        if record is None:
            raise not_found("payout payment", payment_id)
        return record

    def update_payment(self, payment_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Annotate a payment, or void it (``status: void``): its allocations are owed again."""
        record = self.payment(payment_id)
        if changes.pop("status", None) == "void":
            if record["status"] == "void":
                raise ApiError(409, "already_void", "This payment is already void.")
            for allocation in record["allocations"]:
                accrual = self.accruals[allocation["accrual_id"]]
                accrual["paid_cents"] -= allocation["amount_cents"]
                self._touch(accrual, {})
                _settle(accrual)
            changes.update(status="void", voided_at=iso(self._now()))
        return self._touch(record, changes)

    def paid_to(self, creator_id: str) -> int:
        """Cents paid to a creator by payments not voided."""
        return sum(
            p["amount_cents"]
            for p in self.payments.values()
            if p["creator_id"] == creator_id and p["status"] != "void"
        )


def _settle(accrual: dict[str, Any]) -> None:
    """Recompute what an accrual still owes, and its status."""
    total = accrual["amount_cents"] + accrual["adjustment_cents"]
    mark, paid = accrual["_mark"], accrual["paid_cents"]
    if mark == "waived":
        owed, status = 0, "waived"
    elif mark == "paid":
        owed, status = 0, "paid"
    else:
        owed = max(total - paid, 0)
        status = "paid" if owed == 0 else "partially_paid" if paid > 0 else "open"
    accrual.update(owed_cents=owed, status=status)


def _icon_url(icon_path: str) -> str:
    return f"{_ICON_BASE}/{icon_path.lstrip('/')}"
