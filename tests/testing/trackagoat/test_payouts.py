"""The fake's payout endpoints over plain HTTP: the seeded books, what each body may hold, the
rule arithmetic (proration, caps, thresholds) and the ledger's invariants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeTrackAGoat
from creatorsdk.testing.trackagoat.payout_rules import earning, period_containing
from tests.testing.trackagoat.conftest import list_all, meta_code

DAY = 86_400


def active_creator(fake: FakeTrackAGoat, project: str) -> str:
    return next(
        c["id"]
        for c in fake.store.live(fake.store.creators)
        if c["project_id"] == project and c["is_active"]
    )


async def test_the_seeded_books_leave_last_and_this_month_open(
    client: httpx.AsyncClient, fake: FakeTrackAGoat
) -> None:
    accruals, _ = await list_all(client, "/payout-accruals", limit=7)
    assert accruals
    assert all(isinstance(a["amount_cents"], int) for a in accruals)
    for accrual in accruals:
        if accrual["period_end"] < "2026-05-01":
            assert (accrual["status"], accrual["owed_cents"]) == ("paid", 0)
        else:
            assert (accrual["status"], accrual["owed_cents"]) == ("open", accrual["amount_cents"])
    payments, _ = await list_all(client, "/payout-payments")
    assert [p["status"] for p in payments].count("void") == 1
    paid = sum(p["amount_cents"] for p in payments if p["status"] == "completed")
    assert paid == sum(a["paid_cents"] for a in accruals)
    assert {p["method_name"] for p in payments} <= {"Venmo", "Cash App", "PayPal"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "x", "rule_type": "recurring"}, "amount_cents is required"),
        ({"name": "x", "rule_type": "recurring", "amount_cents": 9.5}, "amount_cents"),
        ({"name": "x", "rule_type": "recurring", "amount_cents": -1}, "amount_cents"),
        ({"name": "x", "rule_type": "bounty", "amount_cents": 1}, "rule_type"),
        ({"name": "x", "rule_type": "goals", "amount_cents": 1}, "goal_target"),
        ({"name": "x", "rule_type": "view_threshold", "amount_cents": 1}, "threshold_views"),
        ({"name": "x", "rule_type": "recurring", "amount_cents": 1, "cap_cents": 5}, "cap_cents"),
        ({"name": " ", "rule_type": "recurring", "amount_cents": 1}, "name"),
        ({"name": "x", "rule_type": "recurring", "amount_cents": 1, "tier": 2}, "tier"),
    ],
)
async def test_a_structure_body_is_checked_field_by_field(
    client: httpx.AsyncClient, project: str, body: dict[str, Any], message: str
) -> None:
    response = await client.post("/payout-structures", json={"project_id": project, **body})
    assert response.status_code == 400
    assert meta_code(response) == "invalid_body"
    assert message in response.json()["error"]


async def test_payment_bodies_and_accrual_ownership(
    client: httpx.AsyncClient, fake: FakeTrackAGoat
) -> None:
    open_ = [a for a in fake.payouts.accruals.values() if a["status"] == "open"]
    mine, theirs = open_[0], next(a for a in open_ if a["creator_id"] != open_[0]["creator_id"])
    venmo = next(m["id"] for m in fake.payouts.methods.values() if m["name"] == "Venmo")
    base = {"creator_id": mine["creator_id"], "method_id": venmo}
    cents = await client.post("/payout-payments", json={**base, "amount_cents": 10.5})
    assert (cents.status_code, meta_code(cents)) == (400, "invalid_body")
    foreign = await client.post(
        "/payout-payments", json={**base, "amount_cents": 1, "accrual_ids": [theirs["id"]]}
    )
    assert foreign.status_code == 400
    assert "another creator" in foreign.json()["error"]
    adhoc = await client.post("/payout-payments", json={**base, "amount_cents": 2_500})
    assert adhoc.status_code == 201
    assert adhoc.json()["data"]["allocations"] == []  # a bonus: owes nothing less
    assert fake.payouts.accruals[mine["id"]]["owed_cents"] == mine["amount_cents"]


async def test_adjusting_below_what_was_paid_is_a_conflict(
    client: httpx.AsyncClient, fake: FakeTrackAGoat
) -> None:
    accrual = next(a for a in fake.payouts.accruals.values() if a["status"] == "paid")
    response = await client.patch(
        f"/payout-accruals/{accrual['id']}", json={"adjustment_cents": -1}
    )
    assert (response.status_code, meta_code(response)) == (409, "adjustment_below_paid")
    empty = await client.patch(f"/payout-accruals/{accrual['id']}", json={})
    assert (empty.status_code, meta_code(empty)) == (400, "invalid_body")


async def test_every_write_is_refused_to_a_read_only_key(
    reader: httpx.AsyncClient, fake: FakeTrackAGoat
) -> None:
    method = next(iter(fake.payouts.methods))
    for response in (
        await reader.post("/payout-methods", json={"name": "Zelle"}),
        await reader.patch(f"/payout-methods/{method}", json={"readme": "x"}),
        await reader.delete(f"/payout-methods/{method}"),
        await reader.post("/payout-payments", json={}),
    ):
        assert (response.status_code, meta_code(response)) == (403, "insufficient_scope")
    assert (await reader.get("/payout-methods")).status_code == 200


@pytest.mark.parametrize(
    ("rule", "assigned", "expected"),
    [
        ({"rule_type": "recurring", "proration": "daily"}, (3, 6), 31_000 * 4 // 7),
        ({"rule_type": "recurring", "proration": "full"}, (6, 6), 31_000),
        ({"rule_type": "recurring", "proration": "none"}, (1, 6), 0),
        ({"rule_type": "recurring", "proration": "none"}, (0, 6), 31_000),
    ],
)
def test_proration_of_a_weekly_flat_amount(
    fake: FakeTrackAGoat,
    project: str,
    rule: dict[str, Any],
    assigned: tuple[int, int],
    expected: int,
) -> None:
    creator = active_creator(fake, project)
    monday = period_containing("weekly", fake.store.today() - 14)[0]
    full = {"amount_cents": 31_000, "period": "weekly", **rule}
    window = (monday + assigned[0], monday + assigned[1])
    result = earning(fake.store, full, creator, (monday, monday + 6), window)
    assert result.amount_cents == expected
    assert result.basis["days_assigned"] == assigned[1] - assigned[0] + 1


def test_thresholds_and_caps_follow_the_views(fake: FakeTrackAGoat, project: str) -> None:
    creator = active_creator(fake, project)
    first, last = period_containing("monthly", fake.store.today() - 40)
    base = {"period": "monthly", "proration": "daily"}
    views = earning(
        fake.store,
        {**base, "rule_type": "recurring", "amount_cents": 0},
        creator,
        (first, last),
        (first, last),
    ).basis["views"]
    assert views > 10
    met = {**base, "rule_type": "view_threshold", "amount_cents": 900, "threshold_views": views}
    missed = {**met, "threshold_views": views + 1}
    window = (first, last)
    assert earning(fake.store, met, creator, window, window).amount_cents == 900
    assert earning(fake.store, missed, creator, window, window).amount_cents == 0
    cpm = {**base, "rule_type": "cpm", "amount_cents": 1_000, "cap_cents": None}
    assert earning(fake.store, cpm, creator, window, window).amount_cents == views
    capped = {**cpm, "cap_cents": 7}
    assert earning(fake.store, capped, creator, window, window).amount_cents == 7


def test_periods_are_utc_weeks_from_monday_and_calendar_months() -> None:
    june_14 = (dt.date(2026, 6, 14) - dt.date(1970, 1, 1)).days
    monday, sunday = period_containing("weekly", june_14)
    assert (dt.date(1970, 1, 1) + dt.timedelta(days=monday)).isoformat() == "2026-06-08"
    assert sunday - monday == 6
    first, last = period_containing("monthly", june_14)
    assert last - first == 29  # June
    assert period_containing("daily", june_14) == (june_14, june_14)


async def test_accruals_appear_as_time_passes_and_only_once(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, fake_clock: FakeClock
) -> None:
    before, _ = await list_all(client, "/payout-accruals")
    again, _ = await list_all(client, "/payout-accruals")
    assert [a["id"] for a in again] == [a["id"] for a in before]
    fake_clock.advance(20 * DAY)  # June closes: every monthly structure accrues once more
    after, _ = await list_all(client, "/payout-accruals")
    new = [a for a in after if a["id"] not in {b["id"] for b in before}]
    assert {a["period_end"] for a in new if a["period"] == "monthly"} == {"2026-06-30"}
    keys = [(a["assignment_id"], a["period_start"]) for a in after]
    assert len(keys) == len(set(keys))
