"""The seeded payout books of :class:`~creatorsdk.testing.FakeTrackAGoat`.

Besides the three default methods, a custom "Bank transfer" method and a disabled "Wise" one.
Each project gets one structure of each rule type; every active creator is on the monthly
retainer from the day its tracking started, and on the weekly views goal or the CPM deal,
some also on the breakout bonus. Everything that accrued for periods ending before the
previous calendar month is paid (one payment per creator and month, one of them voided and
paid again), so what is still open is last month's and this month's: what a month-end payout
run finds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any, Final

from creatorsdk.testing._dates import DAY, date_of_day, day_of, day_of_date, iso
from creatorsdk.testing.trackagoat.payouts import PayoutLedger
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["STRUCTURES", "seed_payouts"]

_NO_EXTRAS: Final = {"goal_metric": None, "goal_target": None, "threshold_views": None}
#: The structures every project starts with.
STRUCTURES: Final[tuple[dict[str, Any], ...]] = (
    {
        "name": "Monthly retainer",
        "rule_type": "recurring",
        "amount_cents": 30_000,
        "period": "monthly",
        "proration": "daily",
        **_NO_EXTRAS,
        "cap_cents": None,
    },
    {
        "name": "Weekly views goal",
        "rule_type": "goals",
        "amount_cents": 5_000,
        "period": "weekly",
        "proration": "full",
        "goal_metric": "views",
        "goal_target": 20_000,
        "threshold_views": None,
        "cap_cents": None,
    },
    {
        "name": "CPM $1.50",
        "rule_type": "cpm",
        "amount_cents": 150,
        "period": "monthly",
        "proration": "daily",
        **_NO_EXTRAS,
        "cap_cents": 150_000,
    },
    {
        "name": "Breakout bonus",
        "rule_type": "view_threshold",
        "amount_cents": 25_000,
        "period": "monthly",
        "proration": "none",
        "goal_metric": None,
        "goal_target": None,
        "threshold_views": 100_000,
        "cap_cents": None,
    },
)


def seed_payouts(ledger: PayoutLedger, store: Store, *, seed: int) -> None:
    """Fill a new ledger with the seeded methods, structures, assignments and payments."""
    rng = random.Random(f"payout-seed:{seed}")
    ledger.add_method("Bank transfer", metadata={"rails": "ACH"}, readme="US accounts only.")
    wise = ledger.add_method("Wise")
    ledger.update_method(wise["id"], {"is_active": False})
    for project in store.live(store.projects):
        made = [
            ledger.add_structure(
                project["id"], {**fields, "readme": None, "metadata": {"seeded": True}}
            )
            for fields in STRUCTURES
        ]
        retainer, goal, cpm, bonus = made
        creators = [
            c
            for c in store.live(store.creators)
            if c["project_id"] == project["id"] and c["is_active"]
        ]
        for index, creator in enumerate(creators):
            start = day_of_date(dt.date.fromisoformat(creator["tracking_start_date"]))
            ledger.assign(retainer, creator["id"], start)
            ledger.assign(goal if index % 2 == 0 else cpm, creator["id"], start)
            if index % 3 == 0:
                ledger.assign(bonus, creator["id"], start)
    ledger.accrue()
    _pay_older_months(ledger, rng)


def _pay_older_months(ledger: PayoutLedger, rng: random.Random) -> None:
    """One payment per creator and month for everything ending before last month."""
    today = date_of_day(day_of(ledger.store.clock()))
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    batches: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for accrual in ledger.accruals.values():
        if accrual["period_end"] < last_month.isoformat():
            batches[(accrual["creator_id"], accrual["period_end"][:7])].append(accrual)
    usable = [m for m in ledger.methods.values() if m["is_active"] and m["name"] != "Bank transfer"]
    for number, ((creator_id, month), accruals) in enumerate(sorted(batches.items())):
        method = rng.choice(usable)
        owed = sum(a["owed_cents"] for a in accruals)
        paid_on = day_of_date(dt.date.fromisoformat(f"{month}-01")) + 33
        details = {"paid_at": iso(paid_on * DAY + 15 * 3600), "reference": f"seed-{month}"}
        ids = [a["id"] for a in accruals]
        payment = ledger.pay(creator_id, method, owed, ids, details)
        if number == 0:
            # History with a correction in it: the first payment was voided and made again.
            ledger.update_payment(payment["id"], {"status": "void", "void_reason": "Wrong handle"})
            ledger.pay(creator_id, method, owed, ids, {**details, "reference": f"seed-{month}-2"})
