"""ca.accounts: listing, single-account calls, creates with idempotency keys, batch metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.creatoraudit import Account

from .conftest import (
    REQUEST_ID,
    account_json,
    metrics_json,
    ok,
    page,
    problem,
    sent_json,
    sent_query,
    uid,
)

FILTERS: dict[str, Any] = {
    "platform": "tiktok",
    "q": "cat",
    "is_active": True,
    "category": "pets",
    "creator_id": uid(7).upper(),
    "order_by": "follower_count",
    "order_direction": "asc",
    "sort": "-added_at",
}
SENT_FILTERS = {
    "platform": "tiktok",
    "q": "cat",
    "is_active": "true",
    "category": "pets",
    "creator_id": uid(7),
    "order_by": "follower_count",
    "order_direction": "asc",
    "sort": "-added_at",
}


def _accounts(*numbers: int) -> list[dict[str, Any]]:
    return [account_json(id=uid(n), username=f"user{n}") for n in numbers]


async def test_list_follows_cursors_across_an_empty_page_with_fixed_filters(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/accounts").mock(
        side_effect=[
            ok(page(_accounts(1, 2), next_cursor="c1")),
            ok(page([], next_cursor="c2")),
            ok(page(_accounts(3), has_next=False)),
        ]
    )
    accounts = await ca.accounts.list(**FILTERS).to_list()
    assert [a.id for a in accounts] == [uid(1), uid(2), uid(3)]
    assert all(isinstance(a, Account) for a in accounts)
    queries = [sent_query(call) for call in route.calls]
    assert [q.pop("cursor", None) for q in queries] == [None, "c1", "c2"]
    assert queries == [{**SENT_FILTERS, "limit": "200"}] * 3


async def test_list_sends_nothing_until_iterated(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/accounts").mock(return_value=ok(page([])))
    pager = ca.accounts.list(platform="instagram")
    assert route.call_count == 0
    assert await pager.to_list() == []
    assert route.call_count == 1


async def test_list_resumes_from_a_cursor_with_a_page_size(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/accounts").mock(return_value=ok(page(_accounts(9))))
    assert [a.id for a in await ca.accounts.list(cursor="saved", limit=25).to_list()] == [uid(9)]
    assert sent_query(route.calls[0]) == {"cursor": "saved", "limit": "25"}


async def test_pages_carry_cursors_and_total_count(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/accounts").mock(
        side_effect=[
            ok(page(_accounts(1), next_cursor="c1", total_count=2)),
            ok(page(_accounts(2), total_count=2)),
        ]
    )
    pages = [p async for p in ca.accounts.list(include_total=True).pages()]
    assert [(p.next_cursor, p.has_next, p.total_count) for p in pages] == [
        ("c1", True, 2),
        (None, False, 2),
    ]
    assert pages[0].request_id == REQUEST_ID
    assert all(sent_query(c)["include_total"] == "true" for c in route.calls)


async def test_a_503_mid_listing_is_retried_with_the_same_cursor(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/accounts").mock(
        side_effect=[
            ok(page(_accounts(1, 2), next_cursor="c1")),
            problem(503, "SERVICE_UNAVAILABLE"),
            ok(page(_accounts(3, 4), next_cursor="c2")),
            ok(page(_accounts(5))),
        ]
    )
    ids = [a.id async for a in ca.accounts.list()]
    assert ids == [uid(n) for n in (1, 2, 3, 4, 5)]
    assert [sent_query(c).get("cursor") for c in route.calls] == [None, "c1", "c1", "c2"]


async def test_get_lowercases_the_path_id(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.get(f"/accounts/{uid(5)}").mock(return_value=ok({"data": account_json(id=uid(5))}))
    account = await ca.accounts.get(uid(5).upper())
    assert account.id == uid(5)
    assert account.added_at == dt.datetime(2026, 6, 14, 9, 30, tzinfo=dt.UTC)
    assert account.last_scrape_time is None
    assert route.call_count == 1


async def test_create_sends_the_body_and_a_minted_key(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/accounts").mock(return_value=ok({"data": account_json()}, status=201))
    account = await ca.accounts.create(
        platform="tiktok", username="creatoraudit", category="tech", scrape_interval_hours=24
    )
    assert account.username == "creatoraudit"
    request = route.calls[0].request
    assert sent_json(route.calls[0]) == {
        "platform": "tiktok",
        "username": "creatoraudit",
        "category": "tech",
        "scrape_interval_hours": 24,
    }
    assert len(request.headers["Idempotency-Key"]) >= 16


async def test_create_retries_after_a_503_with_the_same_key(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/accounts").mock(
        side_effect=[problem(503, "SERVICE_UNAVAILABLE"), ok({"data": account_json()}, 201)]
    )
    await ca.accounts.create("tiktok", "creatoraudit")
    keys = [c.request.headers["Idempotency-Key"] for c in route.calls]
    assert len(keys) == 2
    assert keys[0] == keys[1]


async def test_create_is_retried_on_500_because_it_carries_a_key(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/accounts").mock(
        side_effect=[problem(500, "INTERNAL_ERROR"), ok({"data": account_json()}, 201)]
    )
    await ca.accounts.create("tiktok", "creatoraudit")
    keys = [c.request.headers["Idempotency-Key"] for c in route.calls]
    assert len(keys) == 2
    assert keys[0] == keys[1]


async def test_each_logical_create_gets_its_own_key(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/accounts").mock(return_value=ok({"data": account_json()}, 200))
    await ca.accounts.create("tiktok", "a")
    await ca.accounts.create("tiktok", "b")
    keys = {c.request.headers["Idempotency-Key"] for c in route.calls}
    assert len(keys) == 2


async def test_a_duplicate_account_raises_conflict(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/accounts").mock(return_value=problem(409, "CONFLICT"))
    with pytest.raises(errors.ConflictError) as caught:
        await ca.accounts.create("instagram", "taken")
    assert caught.value.request_id == REQUEST_ID
    assert route.call_count == 1


async def test_update_patches_only_given_fields_and_retries_on_500(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.patch(f"/accounts/{uid(1)}").mock(
        side_effect=[problem(500, "INTERNAL_ERROR"), ok({"data": account_json(is_active=False)})]
    )
    account = await ca.accounts.update(uid(1), is_active=False, metadata={"k": "v"})
    assert account.is_active is False
    assert [sent_json(c) for c in route.calls] == [{"is_active": False, "metadata": {"k": "v"}}] * 2


@pytest.mark.parametrize("response", [ok(None, 204), ok({"data": account_json(is_active=False)})])
async def test_delete_accepts_204_and_200(
    ca: AsyncCreatorAudit, api: respx.MockRouter, response: Any
) -> None:
    route = api.delete(f"/accounts/{uid(1)}").mock(return_value=response)
    await ca.accounts.delete(uid(1))  # returns None
    assert route.call_count == 1


async def test_metrics_chunks_and_merges_with_followers(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    ids = [uid(n) for n in range(1, 451)]

    def answer(request: httpx.Request) -> httpx.Response:
        sent = sent_json(request)["account_ids"]
        return ok(metrics_json(sent[1:], not_found=sent[:1], followers=77))

    route = api.post("/accounts/metrics").mock(side_effect=answer)
    metrics = await ca.accounts.metrics(ids, period="7d")
    bodies = [sent_json(c) for c in route.calls]
    assert sorted(len(b["account_ids"]) for b in bodies) == [50, 200, 200]
    assert all(b["period"] == "7d" and "start_date" not in b for b in bodies)
    assert len(metrics) == 447
    assert sorted(metrics.not_found) == sorted([ids[0], ids[200], ids[400]])
    values = metrics.get(ids[1])
    assert values is not None
    assert values.followers == 77
    assert values.views == 10


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"platform": "youtube"}, "platform"),
        ({"q": ""}, "q"),
        ({"is_active": "yes"}, "is_active"),
        ({"category": "  "}, "category"),
        ({"creator_id": "not-a-uuid"}, "creator_id"),
        ({"order_by": "name"}, "order_by"),
        ({"order_direction": "up"}, "order_direction"),
        ({"sort": "-name"}, "sort"),
        ({"include_total": 1}, "include_total"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": True}, "limit"),
        ({"cursor": ""}, "cursor"),
    ],
)
async def test_list_rejects_bad_arguments_before_sending(
    ca: AsyncCreatorAudit, api: respx.MockRouter, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        ca.accounts.list(**kwargs)
    assert not api.calls


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ca: ca.accounts.get("123"), "account_id"),
        (lambda ca: ca.accounts.create("youtube", "x"), "platform"),
        (lambda ca: ca.accounts.create("tiktok", ""), "username"),
        (lambda ca: ca.accounts.create("tiktok", "x", scrape_interval_hours=0), "scrape_interval"),
        (lambda ca: ca.accounts.create("tiktok", "x", creator_id="nope"), "creator_id"),
        (lambda ca: ca.accounts.create("tiktok", "x", idempotency_key=""), "idempotency_key"),
        (
            lambda ca: ca.accounts.create("tiktok", "x", metadata={str(i): i for i in range(21)}),
            "metadata",
        ),
        (lambda ca: ca.accounts.create("tiktok", "x", metadata={"k": "v" * 256}), "metadata"),
        (lambda ca: ca.accounts.update(uid(1)), "update needs"),
        (lambda ca: ca.accounts.update("x", is_active=True), "account_id"),
        (lambda ca: ca.accounts.delete(uid(1)[:-1]), "account_id"),
        (lambda ca: ca.accounts.metrics([]), "account_ids"),
        (lambda ca: ca.accounts.metrics(uid(1)), "account_ids"),
        (lambda ca: ca.accounts.metrics([uid(1)], period="1y"), "period"),
    ],
)
async def test_calls_reject_bad_arguments_before_sending(
    ca: AsyncCreatorAudit, api: respx.MockRouter, call: Any, argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        await call(ca)
    assert not api.calls
