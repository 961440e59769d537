"""Payouts through AsyncTrackAGoat against FakeTrackAGoat: accruals computed from the fake's
history by each rule (checked against the analytics the same fake serves), versions that only
change future periods, goals evaluated 48 hours after the period, payments that reduce what is
owed and voids that restore it, undeletable defaults, plan limits, scopes and replays."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from creatorsdk import AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeTrackAGoat

DAY = 86_400.0
# FakeClock starts on Sunday 2026-06-14 09:30 UTC: this week closes at midnight.
TODAY = dt.date(2026, 6, 14)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeTrackAGoat:
    return FakeTrackAGoat(seed=5, clock=clock)


def client(fake: FakeTrackAGoat, clock: FakeClock, key: str | None = None) -> AsyncTrackAGoat:
    return AsyncTrackAGoat(
        api_key=key or fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        retry=RetryPolicy(sleep=clock.sleep, clock=clock),
        requests_per_minute=60_000,
    )


@pytest.fixture
async def tg(fake: FakeTrackAGoat, clock: FakeClock) -> AsyncIterator[AsyncTrackAGoat]:
    async with client(fake, clock) as c:
        yield c


def project_and_creator(fake: FakeTrackAGoat, index: int = 0) -> tuple[str, str]:
    """A project and one of its active creators tracked since before May."""
    project = next(iter(fake.store.projects))
    creators = [
        c["id"]
        for c in fake.store.live(fake.store.creators)
        if c["project_id"] == project and c["is_active"] and c["tracking_start_date"] < "2026-05-01"
    ]
    return project, creators[index]


async def views_between(tg: AsyncTrackAGoat, creator: str, first: str, last: str) -> float:
    result = await tg.analytics.query(
        entity="creator", entity_id=creator, metric="views", mode="new", from_=first, to=last
    )
    return result.series[0].total


# ---- methods ----------------------------------------------------------------------------------


async def test_defaults_cannot_be_deleted_only_disabled(tg: AsyncTrackAGoat) -> None:
    methods = {m.name: m for m in await tg.payout_methods.list().to_list()}
    assert {"Venmo", "Cash App", "PayPal", "Bank transfer"} <= set(methods)
    assert "Wise" not in methods  # seeded disabled
    venmo = methods["Venmo"]
    assert venmo.is_default
    with pytest.raises(errors.DefaultPayoutMethodError) as refused:
        await tg.payout_methods.delete(venmo.id)
    assert refused.value.request_id
    assert "disable" in str(refused.value)
    off = await tg.payout_methods.update(venmo.id, is_active=False)
    assert not off.is_active
    active = {m.name for m in await tg.payout_methods.list().to_list()}
    everything = {m.name for m in await tg.payout_methods.list(include_disabled=True).to_list()}
    assert "Venmo" not in active
    assert {"Venmo", "Wise"} <= everything

    custom = await tg.payout_methods.create("Zelle", metadata={"fee_cents": 0})
    await tg.payout_methods.delete(custom.id)
    with pytest.raises(errors.NotFoundError):
        await tg.payout_methods.get(custom.id)


async def test_the_method_limit_counts_the_defaults(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=5, clock=clock, limits={"max_payout_methods_per_org": 6})
    async with client(fake, clock) as tg:
        await tg.payout_methods.create("Zelle")  # 5 seeded + 1
        with pytest.raises(errors.LimitReachedError) as full:
            await tg.payout_methods.create("Revolut")
    assert (full.value.limit_key, full.value.current, full.value.max) == (
        "max_payout_methods_per_org",
        6,
        6,
    )


async def test_payout_writes_need_the_write_scope(fake: FakeTrackAGoat, clock: FakeClock) -> None:
    async with client(fake, clock, key=fake.read_only_api_key) as reader:
        assert await reader.payout_accruals.list(status="open").to_list()
        method = (await reader.payout_methods.list().to_list())[0]
        with pytest.raises(errors.InsufficientScopeError) as denied:
            await reader.payout_methods.update(method.id, readme="x")
        with pytest.raises(errors.InsufficientScopeError):
            await reader.payout_payments.create(method.id, method.id, 1)
    assert denied.value.required == ("write",)


# ---- structures, versions, rules --------------------------------------------------------------


async def test_an_edit_is_a_new_version_that_only_changes_future_periods(
    tg: AsyncTrackAGoat, clock: FakeClock, fake: FakeTrackAGoat
) -> None:
    project, creator = project_and_creator(fake)
    weekly = await tg.payout_structures.create(
        project, "Weekly flat", rule_type="recurring", amount_cents=7_000, period="weekly"
    )
    assert (weekly.version, weekly.effective_from, weekly.proration) == (1, TODAY, "daily")
    # Assigned from Wednesday 2026-05-27: that week is prorated 5/7, the next one is whole.
    result = await tg.payout_structures.assign(weekly.id, [creator], start_date="2026-05-27")
    assert [a.creator_id for a in result.assigned] == [creator]
    before = await tg.payout_accruals.list(structure_id=weekly.id).to_list()
    assert [(a.period_start, a.amount_cents, a.structure_version) for a in before] == [
        (dt.date(2026, 5, 25), 5_000, 1),
        (dt.date(2026, 6, 1), 7_000, 1),
    ]

    edited = await tg.payout_structures.update(weekly.id, amount_cents=14_000)
    assert (edited.version, edited.amount_cents) == (2, 14_000)
    clock.advance(8 * DAY)  # the current week and the next one close
    after = await tg.payout_accruals.list(structure_id=weekly.id).to_list()
    assert [(a.period_start, a.amount_cents, a.structure_version) for a in after] == [
        (dt.date(2026, 5, 25), 5_000, 1),
        (dt.date(2026, 6, 1), 7_000, 1),
        (dt.date(2026, 6, 8), 7_000, 1),  # it had begun under version 1
        (dt.date(2026, 6, 15), 14_000, 2),
    ]
    assert all(a.owed_cents == a.amount_cents and a.status == "open" for a in after)


async def test_goals_are_evaluated_48_hours_after_the_period_closes(
    tg: AsyncTrackAGoat, clock: FakeClock, fake: FakeTrackAGoat
) -> None:
    project, creator = project_and_creator(fake)
    goal = await tg.payout_structures.create(
        project,
        "Any views",
        rule_type="goals",
        amount_cents=2_500,
        period="weekly",
        goal_metric="views",
        goal_target=1,
    )
    await tg.payout_structures.assign(goal.id, [creator], start_date="2026-06-01")
    closed = await tg.payout_accruals.list(structure_id=goal.id).to_list()
    gained = await views_between(tg, creator, "2026-06-01", "2026-06-07")
    assert [a.period_start for a in closed] == ([dt.date(2026, 6, 1)] if gained >= 1 else [])

    clock.advance(DAY + 2 * 3600)  # Monday 11:30: the week closed 11.5 hours ago
    assert len(await tg.payout_accruals.list(structure_id=goal.id).to_list()) == len(closed)
    clock.advance(DAY + 12 * 3600)  # Tuesday 23:30: 47.5 hours since the close
    assert len(await tg.payout_accruals.list(structure_id=goal.id).to_list()) == len(closed)
    clock.advance(3600)  # Wednesday 00:30: 48.5 hours
    later = await tg.payout_accruals.list(structure_id=goal.id).to_list()
    gained = await views_between(tg, creator, "2026-06-08", "2026-06-14")
    assert len(later) == len(closed) + (1 if gained >= 1 else 0)
    assert all(a.basis["goal_met"] for a in later)


async def test_cpm_pays_for_the_views_the_analytics_show_on_assigned_days(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    project, creator = project_and_creator(fake, index=1)
    cpm = await tg.payout_structures.create(
        project, "CPM $2", rule_type="cpm", amount_cents=200, period="monthly"
    )
    await tg.payout_structures.assign(cpm.id, [creator], start_date=dt.date(2026, 5, 10))
    [may] = await tg.payout_accruals.list(structure_id=cpm.id).to_list()
    assert (may.period_start, may.period_end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    views = await views_between(tg, creator, "2026-05-10", "2026-05-31")
    # Each day's point is rounded; the accrual counts the range's views once.
    assert may.basis["assigned_views"] == pytest.approx(views, abs=22)
    assert may.amount_cents == may.basis["assigned_views"] * 200 // 1000
    assert may.amount_cents > 0


async def test_assignments_not_found_already_assigned_and_ended(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    project, creator = project_and_creator(fake)
    other_project = list(fake.store.projects)[1]
    stranger = next(
        c["id"] for c in fake.store.creators.values() if c["project_id"] == other_project
    )
    flat = await tg.payout_structures.create(
        project, "Flat", rule_type="recurring", amount_cents=1_000, period="daily"
    )
    first = await tg.payout_structures.assign(flat.id, [creator, stranger])
    again = await tg.payout_structures.assign(flat.id, [creator])
    assert (len(first.assigned), first.not_found) == (1, (stranger,))
    assert (again.assigned, again.already_assigned) == ((), (creator,))
    removed = await tg.payout_structures.unassign(flat.id, [creator, stranger])
    assert (removed.removed_count, removed.not_found) == (1, (stranger,))
    assert await tg.payout_structures.list_assignments(flat.id).to_list() == []
    [ended] = await tg.payout_structures.list_assignments(flat.id, include_ended=True).to_list()
    assert ended.end_date == TODAY


async def test_the_structure_limit_and_delete(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=5, clock=clock, limits={"max_payout_structures_per_project": 4})
    project = next(iter(fake.store.projects))
    async with client(fake, clock) as tg:
        seeded = await tg.payout_structures.list(project_id=project).to_list()
        assert len(seeded) == 4
        with pytest.raises(errors.LimitReachedError):
            await tg.payout_structures.create(project, "5th", rule_type="recurring", amount_cents=1)
        owed_before = await tg.payout_accruals.list(structure_id=seeded[0].id).to_list()
        await tg.payout_structures.delete(seeded[0].id)
        with pytest.raises(errors.NotFoundError):
            await tg.payout_structures.get(seeded[0].id)
        # What accrued stays, and stays owed.
        assert await tg.payout_accruals.list(structure_id=seeded[0].id).to_list() == owed_before
        await tg.payout_structures.create(project, "5th", rule_type="recurring", amount_cents=1)


# ---- payments ---------------------------------------------------------------------------------


async def test_payments_reduce_what_is_owed_and_voiding_restores_it(tg: AsyncTrackAGoat) -> None:
    accrual = (await tg.payout_accruals.list(status="open").to_list())[0]
    assert accrual.creator_id is not None
    venmo = next(m for m in await tg.payout_methods.list().to_list() if m.name == "Venmo")
    owed = accrual.owed_cents
    part = await tg.payout_payments.create(
        accrual.creator_id, venmo.id, owed // 2, accrual_ids=[accrual.id]
    )
    assert part.allocations[0].amount_cents == owed // 2
    half = await tg.payout_accruals.get(accrual.id)
    assert (half.status, half.owed_cents, half.paid_cents) == (
        "partially_paid",
        owed - owed // 2,
        owed // 2,
    )
    with pytest.raises(errors.ConflictError) as too_much:
        await tg.payout_payments.create(
            accrual.creator_id, venmo.id, owed, accrual_ids=[accrual.id]
        )
    assert too_much.value.code == "exceeds_owed"
    rest = await tg.payout_payments.create(
        accrual.creator_id, venmo.id, half.owed_cents, accrual_ids=[accrual.id]
    )
    assert (await tg.payout_accruals.get(accrual.id)).status == "paid"

    voided = await tg.payout_payments.void(part.id, reason="sent to the wrong account")
    assert (voided.status, voided.void_reason) == ("void", "sent to the wrong account")
    reopened = await tg.payout_accruals.get(accrual.id)
    assert (reopened.status, reopened.owed_cents) == ("partially_paid", owed // 2)
    with pytest.raises(errors.ConflictError) as twice:
        await tg.payout_payments.void(part.id)
    assert twice.value.code == "already_void"
    mine = await tg.payout_payments.list(creator_id=accrual.creator_id).to_list()
    assert {p.id: p.status for p in mine if p.id in (part.id, rest.id)} == {
        part.id: "void",
        rest.id: "completed",
    }


async def test_a_payment_keeps_its_method_name_and_needs_an_active_method(
    tg: AsyncTrackAGoat,
) -> None:
    accrual = (await tg.payout_accruals.list(status="open").to_list())[0]
    assert accrual.creator_id is not None
    paypal = next(m for m in await tg.payout_methods.list().to_list() if m.name == "PayPal")
    paid = await tg.payout_payments.create(
        accrual.creator_id, paypal.id, 1, accrual_ids=[accrual.id]
    )
    await tg.payout_methods.update(paypal.id, name="PayPal (old)", is_active=False)
    assert (await tg.payout_payments.get(paid.id)).method_name == "PayPal"
    with pytest.raises(errors.ConflictError) as inactive:
        await tg.payout_payments.create(accrual.creator_id, paypal.id, 1, accrual_ids=[accrual.id])
    assert inactive.value.code == "method_inactive"


async def test_a_replayed_payment_is_the_first_one(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    accrual = (await tg.payout_accruals.list(status="open").to_list())[0]
    assert accrual.creator_id is not None
    method = (await tg.payout_methods.list().to_list())[0]
    key = f"payout-{accrual.creator_id}-2026-05"
    first = await tg.payout_payments.create(
        accrual.creator_id,
        method.id,
        accrual.owed_cents,
        accrual_ids=[accrual.id],
        idempotency_key=key,
    )
    again = await tg.payout_payments.create(
        accrual.creator_id,
        method.id,
        accrual.owed_cents,
        accrual_ids=[accrual.id],
        idempotency_key=key,
    )
    assert again.id == first.id
    assert fake.idempotent_replays == 1
    assert sum(1 for p in fake.payouts.payments.values() if p["id"] == first.id) == 1
    assert (await tg.payout_accruals.get(accrual.id)).paid_cents == accrual.owed_cents


async def test_accruals_can_be_marked_paid_waived_reopened_and_adjusted(
    tg: AsyncTrackAGoat,
) -> None:
    accrual = (await tg.payout_accruals.list(status="open").to_list())[0]
    marked = await tg.payout_accruals.update(accrual.id, status="paid", note="paid in cash")
    assert (marked.status, marked.owed_cents, marked.note) == ("paid", 0, "paid in cash")
    reopened = await tg.payout_accruals.update(accrual.id, status="open", note=None)
    assert (reopened.status, reopened.owed_cents, reopened.note) == (
        "open",
        accrual.owed_cents,
        None,
    )
    bonus = await tg.payout_accruals.update(accrual.id, adjustment_cents=1_234)
    assert bonus.owed_cents == accrual.owed_cents + 1_234
    waived = await tg.payout_accruals.update(accrual.id, status="waived")
    assert (waived.status, waived.owed_cents) == ("waived", 0)


async def test_open_accruals_filter_by_period_and_creator(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    may = await tg.payout_accruals.list(
        status="open", from_="2026-05-01", to="2026-05-31"
    ).to_list()
    assert may
    assert all(
        dt.date(2026, 5, 1) <= a.period_start <= a.period_end <= dt.date(2026, 5, 31) for a in may
    )
    expected = {
        a["id"]
        for a in fake.payouts.accruals.values()
        if a["status"] == "open"
        and a["period_start"] >= "2026-05-01"
        and a["period_end"] <= "2026-05-31"
    }
    assert {a.id for a in may} == expected
    creator = may[0].creator_id
    assert creator is not None
    theirs = await tg.payout_accruals.list(creator_id=creator, limit=1).to_list()
    assert {a.creator_id for a in theirs} == {creator}
    # Older months were paid by the seeded payments.
    assert not await tg.payout_accruals.list(status="open", to="2026-04-30").to_list()
