"""tg.payout_methods, payout_structures, payout_accruals, payout_payments: request shapes,
integer cents, idempotency keys, chunking, typed errors and refusals before the network."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
import httpx
import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import (
    AsyncTrackAGoat,
    PayoutAccrual,
    PayoutMethod,
    PayoutPayment,
    PayoutStructure,
)

from .conftest import PROJECT, fail, ok, page, sent_json, uid

METHOD = uid(501)
STRUCTURE = uid(601)
ACCRUAL = uid(701)
PAYMENT = uid(801)


def method(n: int = 501, **fields: Any) -> dict[str, Any]:
    return {
        "id": uid(n),
        "org_id": uid(999),
        "name": "Venmo",
        "icon_url": "https://cdn.test/venmo.svg",
        "is_default": True,
        "is_active": True,
        "metadata": {},
        "readme": None,
        "created_at": "2026-05-01T10:00:00Z",
        **fields,
    }


def structure(**fields: Any) -> dict[str, Any]:
    return {
        "id": STRUCTURE,
        "project_id": PROJECT,
        "name": "Retainer",
        "rule_type": "recurring",
        "amount_cents": 30_000,
        "period": "monthly",
        "proration": "daily",
        "version": 1,
        "effective_from": "2026-05-01",
        **fields,
    }


def accrual(n: int = 701, **fields: Any) -> dict[str, Any]:
    return {
        "id": uid(n),
        "structure_id": STRUCTURE,
        "creator_id": uid(1),
        "period_start": "2026-05-01",
        "period_end": "2026-05-31",
        "amount_cents": 30_000,
        "adjustment_cents": 0,
        "paid_cents": 0,
        "owed_cents": 30_000,
        "status": "open",
        "basis": {"views": 1234, "days_assigned": 31},
        **fields,
    }


def payment(**fields: Any) -> dict[str, Any]:
    return {
        "id": PAYMENT,
        "creator_id": uid(1),
        "method_id": METHOD,
        "method_name": "Venmo",
        "amount_cents": 30_000,
        "status": "completed",
        "allocations": [{"accrual_id": ACCRUAL, "amount_cents": 30_000}],
        "paid_at": "2026-06-01T12:00:00Z",
        **fields,
    }


# ---- payout methods ---------------------------------------------------------------------------


async def test_methods_list_get_create_update_delete(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    listing = routes.get("/payout-methods").mock(return_value=page([method()]))
    one = routes.get(f"/payout-methods/{METHOD}").mock(return_value=ok(method()))
    made = routes.post("/payout-methods").mock(
        return_value=ok(method(502, name="Wise", is_default=False), status=201)
    )
    changed = routes.patch(f"/payout-methods/{METHOD}").mock(
        return_value=ok(method(is_active=False))
    )
    gone = routes.delete(f"/payout-methods/{uid(502)}").mock(
        return_value=ok({"id": uid(502), "deleted": True})
    )

    [venmo] = await tg.payout_methods.list(include_disabled=True).to_list()
    assert isinstance(venmo, PayoutMethod)
    assert (venmo.name, venmo.is_default, venmo.is_active) == ("Venmo", True, True)
    assert listing.calls.last.request.url.params["include_disabled"] == "true"
    await tg.payout_methods.list().to_list()
    assert "include_disabled" not in listing.calls.last.request.url.params
    assert (await tg.payout_methods.get(METHOD.upper())).id == METHOD
    assert one.call_count == 1

    wise = await tg.payout_methods.create("Wise", icon_path="uploads/wise.png", readme="EU")
    assert sent_json(made.calls.last.request) == {
        "name": "Wise",
        "icon_path": "uploads/wise.png",
        "readme": "EU",
    }
    assert made.calls.last.request.headers["idempotency-key"]
    assert not wise.is_default

    disabled = await tg.payout_methods.update(METHOD, is_active=False, icon_path=None)
    assert sent_json(changed.calls.last.request) == {"is_active": False, "icon_path": None}
    assert not disabled.is_active
    await tg.payout_methods.delete(uid(502))
    assert gone.call_count == 1


async def test_deleting_a_default_method_is_a_typed_error_that_says_to_disable_it(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.delete(f"/payout-methods/{METHOD}").mock(
        return_value=fail(409, "Venmo is a default payout method", {"code": "default_method"})
    )
    with pytest.raises(errors.DefaultPayoutMethodError) as raised:
        await tg.payout_methods.delete(METHOD)
    assert isinstance(raised.value, errors.ConflictError)
    assert raised.value.code == "default_method"
    assert raised.value.request_id == "req_409"
    assert "is_active=False" in str(raised.value)


async def test_the_method_limit_is_limit_reached(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post("/payout-methods").mock(
        return_value=fail(
            402,
            "Limit reached: max_payout_methods_per_org",
            {
                "code": "limit_reached",
                "limitKey": "max_payout_methods_per_org",
                "current": 6,
                "max": 6,
            },
        )
    )
    with pytest.raises(errors.LimitReachedError) as raised:
        await tg.payout_methods.create("Zelle")
    assert (raised.value.limit_key, raised.value.current, raised.value.max) == (
        "max_payout_methods_per_org",
        6,
        6,
    )


# ---- payout structures and assignments --------------------------------------------------------


async def test_structure_create_sends_the_rule_and_decodes_the_version(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post("/payout-structures").mock(
        return_value=ok(
            structure(rule_type="goals", goal_metric="views", goal_target=20_000, tiers=[1, 2]),
            status=201,
        )
    )
    made = await tg.payout_structures.create(
        PROJECT,
        "Weekly goal",
        rule_type="goals",
        amount_cents=5_000,
        period="weekly",
        proration="full",
        goal_metric="views",
        goal_target=20_000,
    )
    assert sent_json(route.calls.last.request) == {
        "project_id": PROJECT,
        "name": "Weekly goal",
        "rule_type": "goals",
        "amount_cents": 5_000,
        "period": "weekly",
        "proration": "full",
        "goal_metric": "views",
        "goal_target": 20_000,
    }
    assert isinstance(made, PayoutStructure)
    assert made.version == 1
    assert made.effective_from == dt.date(2026, 5, 1)
    assert isinstance(made.amount_cents, int)
    assert made.extra == {"tiers": [1, 2]}


async def test_a_rule_type_the_sdk_does_not_know_goes_to_the_server(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post("/payout-structures").mock(
        return_value=ok(structure(rule_type="per_post"), status=201)
    )
    made = await tg.payout_structures.create(
        PROJECT, "Per post", rule_type="per_post", amount_cents=500, goal_target=3
    )
    assert made.rule_type == "per_post"
    assert sent_json(route.calls.last.request)["goal_target"] == 3


async def test_structure_update_list_get_delete(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    changed = routes.patch(f"/payout-structures/{STRUCTURE}").mock(
        return_value=ok(structure(amount_cents=35_000, version=2, effective_from="2026-06-14"))
    )
    listing = routes.get("/payout-structures").mock(return_value=page([structure()]))
    routes.get(f"/payout-structures/{STRUCTURE}").mock(return_value=ok(structure()))
    gone = routes.delete(f"/payout-structures/{STRUCTURE}").mock(return_value=httpx.Response(204))

    new = await tg.payout_structures.update(STRUCTURE, amount_cents=35_000, readme=None)
    assert sent_json(changed.calls.last.request) == {"amount_cents": 35_000, "readme": None}
    assert (new.version, new.effective_from) == (2, dt.date(2026, 6, 14))
    await tg.payout_structures.list(project_id=PROJECT, rule_type="cpm", limit=5).to_list()
    assert listing.calls.last.request.url.params == httpx.QueryParams(
        {"project_id": PROJECT, "rule_type": "cpm", "limit": "5"}
    )
    assert (await tg.payout_structures.get(STRUCTURE)).name == "Retainer"
    await tg.payout_structures.delete(STRUCTURE)
    assert gone.call_count == 1


async def test_assign_sends_parallel_chunks_of_100_each_with_its_own_key(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    arrived = 0
    all_in = anyio.Event()

    async def respond(request: httpx.Request) -> httpx.Response:
        nonlocal arrived
        arrived += 1
        if arrived == 3:
            all_in.set()
        with anyio.fail_after(2):
            await all_in.wait()  # each chunk waits for the others: sequential sending hangs
        ids = sent_json(request)["creator_ids"]
        assigned = [
            {"id": uid(5000 + int(i[-4:])), "structure_id": STRUCTURE, "creator_id": i}
            for i in ids[1:]
        ]
        return ok({"assigned": assigned, "already_assigned": ids[:1], "not_found": []}, status=201)

    route = routes.post(f"/payout-structures/{STRUCTURE}/assignments").mock(side_effect=respond)
    ids = [uid(n) for n in range(250)]
    result = await tg.payout_structures.assign(STRUCTURE, ids, start_date=dt.date(2026, 5, 1))
    bodies = [sent_json(c.request) for c in route.calls]
    assert sorted(len(b["creator_ids"]) for b in bodies) == [50, 100, 100]
    assert {b["start_date"] for b in bodies} == {"2026-05-01"}
    assert len({c.request.headers["idempotency-key"] for c in route.calls}) == 3
    assert len(result.assigned) == 247
    assert sorted(result.already_assigned) == [uid(0), uid(100), uid(200)]


async def test_unassign_and_list_assignments(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    path = f"/payout-structures/{STRUCTURE}/assignments"
    removed = routes.delete(path).mock(return_value=ok({"removed_count": 1, "not_found": [uid(2)]}))
    listing = routes.get(path).mock(
        return_value=page(
            [{"id": uid(9), "creator_id": uid(1), "start_date": "2026-05-01", "end_date": None}]
        )
    )
    result = await tg.payout_structures.unassign(STRUCTURE, [uid(1), uid(2)], end_date="2026-06-10")
    assert sent_json(removed.calls.last.request) == {
        "creator_ids": [uid(1), uid(2)],
        "end_date": "2026-06-10",
    }
    assert (result.removed_count, result.not_found) == (1, (uid(2),))
    [one] = await tg.payout_structures.list_assignments(STRUCTURE, include_ended=True).to_list()
    assert one.start_date == dt.date(2026, 5, 1)
    assert listing.calls.last.request.url.params["include_ended"] == "true"


# ---- accruals and payments --------------------------------------------------------------------


async def test_accruals_filter_by_project_creator_status_and_period(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/payout-accruals").mock(return_value=page([accrual()]))
    [found] = await tg.payout_accruals.list(
        project_id=PROJECT,
        creator_id=uid(1),
        status=["open", "partially_paid"],
        from_=dt.date(2026, 5, 1),
        to="2026-05-31",
    ).to_list()
    assert route.calls.last.request.url.params == httpx.QueryParams(
        {
            "project_id": PROJECT,
            "creator_id": uid(1),
            "status": "open,partially_paid",
            "from": "2026-05-01",
            "to": "2026-05-31",
            "limit": "100",
        }
    )
    assert isinstance(found, PayoutAccrual)
    assert (found.owed_cents, found.period_end) == (30_000, dt.date(2026, 5, 31))
    assert found.basis["views"] == 1234


async def test_accrual_update_marks_paid_and_adjusts(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.patch(f"/payout-accruals/{ACCRUAL}").mock(
        return_value=ok(accrual(adjustment_cents=-500, owed_cents=29_500))
    )
    changed = await tg.payout_accruals.update(ACCRUAL, adjustment_cents=-500, note=None)
    assert sent_json(route.calls.last.request) == {"adjustment_cents": -500, "note": None}
    assert changed.owed_cents == 29_500
    await tg.payout_accruals.update(ACCRUAL, status="paid")
    assert sent_json(route.calls.last.request) == {"status": "paid"}
    routes.get(f"/payout-accruals/{ACCRUAL}").mock(return_value=ok(accrual()))
    assert (await tg.payout_accruals.get(ACCRUAL)).status == "open"


async def test_a_payment_reuses_its_key_on_a_retry_and_keeps_the_method_name(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post("/payout-payments").mock(
        side_effect=[fail(503, "Unavailable"), ok(payment(), status=201), ok(payment(), status=201)]
    )
    paid = await tg.payout_payments.create(
        uid(1),
        METHOD,
        30_000,
        accrual_ids=[ACCRUAL],
        paid_at=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC),
        reference="venmo-123",
    )
    first, second = (c.request for c in route.calls)
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert sent_json(first) == {
        "creator_id": uid(1),
        "method_id": METHOD,
        "amount_cents": 30_000,
        "accrual_ids": [ACCRUAL],
        "paid_at": "2026-06-01T12:00:00+00:00",
        "reference": "venmo-123",
    }
    assert isinstance(paid, PayoutPayment)
    assert paid.method_name == "Venmo"
    assert paid.allocations[0].amount_cents == 30_000

    await tg.payout_payments.create(uid(1), METHOD, 100, idempotency_key="pay-ada-2026-05")
    assert route.calls.last.request.headers["idempotency-key"] == "pay-ada-2026-05"


async def test_void_list_and_get_payments(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    voided = routes.patch(f"/payout-payments/{PAYMENT}").mock(
        return_value=ok(payment(status="void", void_reason="typo"))
    )
    listing = routes.get("/payout-payments").mock(return_value=page([payment()]))
    routes.get(f"/payout-payments/{PAYMENT}").mock(return_value=ok(payment()))
    result = await tg.payout_payments.void(PAYMENT, reason="typo")
    assert sent_json(voided.calls.last.request) == {"status": "void", "void_reason": "typo"}
    assert result.status == "void"
    await tg.payout_payments.list(method_id=METHOD, status="completed").to_list()
    assert listing.calls.last.request.url.params["status"] == "completed"
    assert (await tg.payout_payments.get(PAYMENT)).amount_cents == 30_000


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda tg: tg.payout_methods.create(""), "name"),
        (lambda tg: tg.payout_methods.create("x" * 101), "name"),
        (lambda tg: tg.payout_methods.update(METHOD), "at least one"),
        (lambda tg: tg.payout_methods.update(METHOD, is_active=1), "is_active"),
        (lambda tg: tg.payout_methods.get("venmo"), "method_id"),
        (
            lambda tg: tg.payout_structures.create(
                PROJECT, "x", rule_type="recurring", amount_cents=12.5
            ),
            "amount_cents",
        ),
        (
            lambda tg: tg.payout_structures.create(
                PROJECT, "x", rule_type="recurring", amount_cents=True
            ),
            "amount_cents",
        ),
        (
            lambda tg: tg.payout_structures.create(PROJECT, "x", rule_type="goals", amount_cents=1),
            "goal_target",
        ),
        (
            lambda tg: tg.payout_structures.create(
                PROJECT, "x", rule_type="view_threshold", amount_cents=1
            ),
            "threshold_views",
        ),
        (
            lambda tg: tg.payout_structures.create(
                PROJECT, "x", rule_type="recurring", amount_cents=1, cap_cents=5
            ),
            "cap_cents",
        ),
        (
            lambda tg: tg.payout_structures.create(
                PROJECT, "x", rule_type="per post", amount_cents=1
            ),
            "rule_type",
        ),
        (lambda tg: tg.payout_structures.assign(STRUCTURE, []), "creator_ids"),
        (lambda tg: tg.payout_structures.assign(STRUCTURE, uid(1)), "creator_ids"),
        (
            lambda tg: tg.payout_structures.unassign(STRUCTURE, [uid(1)], end_date="soon"),
            "end_date",
        ),
        (lambda tg: tg.payout_accruals.list(status=[]).to_list(), "status"),
        (lambda tg: tg.payout_accruals.list(from_="2026-06-02", to="2026-06-01"), "from_"),
        (lambda tg: tg.payout_accruals.update(ACCRUAL, adjustment_cents=0.5), "adjustment_cents"),
        (lambda tg: tg.payout_payments.create(uid(1), METHOD, 0), "amount_cents"),
        (lambda tg: tg.payout_payments.create(uid(1), METHOD, 99.99), "amount_cents"),
        (lambda tg: tg.payout_payments.create(uid(1), METHOD, 1, accrual_ids=[]), "accrual_ids"),
        (
            lambda tg: tg.payout_payments.create(
                uid(1), METHOD, 1, accrual_ids=[uid(n) for n in range(101)]
            ),
            "accrual_ids",
        ),
        (
            lambda tg: tg.payout_payments.create(
                uid(1), METHOD, 1, paid_at=dt.datetime(2026, 6, 1)
            ),
            "paid_at",
        ),
        (lambda tg: tg.payout_payments.update(PAYMENT, status="completed"), "status"),
    ],
)
async def test_bad_arguments_are_refused_before_the_network(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, call: Any, name: str
) -> None:
    with pytest.raises(ValueError, match=name):
        await _finished(call(tg))
    assert not routes.calls


async def _finished(result: Any) -> None:
    # Listings refuse when built, the other calls when awaited.
    if hasattr(result, "__await__"):
        await result
