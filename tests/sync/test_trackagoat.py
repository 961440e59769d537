"""TrackAGoat on respx routes (as the async trackagoat tests use them): same calls, no await."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import respx

from creatorsdk import AsyncTrackAGoat, RetryPolicy, SyncPager, TrackAGoat, errors
from creatorsdk.testing import FakeTrackAGoat
from creatorsdk.trackagoat import CreateManyResult, Creator, Project

from ..trackagoat.conftest import (
    API_KEY,
    BASE_URL,
    PROJECT,
    creator,
    fail,
    ok,
    page,
    project,
    sent_json,
    transport,
    uid,
)


@pytest.fixture
def routes() -> respx.MockRouter:
    """respx routes for the trackagoat test base URL, served through a mock transport."""
    return respx.MockRouter(base_url=BASE_URL, assert_all_called=False)


@pytest.fixture
def tg(routes: respx.MockRouter, policy: RetryPolicy) -> Iterator[TrackAGoat]:
    """A TrackAGoat on the routes, paced on the manual clock (nothing really sleeps)."""
    with TrackAGoat(
        api_key=API_KEY, base_url=BASE_URL, retry=policy, transport=transport(routes)
    ) as client:
        yield client


def test_list_fetches_page_by_page(tg: TrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/projects").mock(
        side_effect=[page([project(1), project(2)], "c1"), page([project(3)])]
    )
    pager = tg.projects.list(limit=2)
    assert isinstance(pager, SyncPager)
    items = iter(pager)
    first = next(items)
    assert isinstance(first, Project)
    assert route.call_count == 1
    assert [p.id for p in [first, *items]] == [uid(1), uid(2), uid(3)]
    assert [c.request.url.params.get("cursor") for c in route.calls] == [None, "c1"]


def test_create_many_fans_out_in_parallel(tg: TrackAGoat, routes: respx.MockRouter) -> None:
    arrived = 0
    all_in = anyio.Event()

    async def respond(request: httpx.Request) -> httpx.Response:
        # Each chunk waits until all three are on the wire: sequential sending would hang.
        nonlocal arrived
        arrived += 1
        if arrived == 3:
            all_in.set()
        with anyio.fail_after(2):
            await all_in.wait()
        results: list[dict[str, Any]] = [
            {"tiktok_handle": h, "status": "created", "creator": creator(1, h), "error": None}
            for h in (entry["tiktok_handle"] for entry in sent_json(request)["creators"])
        ]
        return ok({"results": results}, status=201)

    routes.post(f"/projects/{PROJECT}/creators").mock(side_effect=respond)
    result = tg.creators.create_many(PROJECT, [f"h{n:03d}" for n in range(120)])
    assert isinstance(result, CreateManyResult)
    assert len(result.created) == 120
    assert all(isinstance(c, Creator) for c in result.created)


def test_errors_keep_their_type_and_request_id(tg: TrackAGoat, routes: respx.MockRouter) -> None:
    routes.get("/schema").mock(return_value=fail(404, "Not found", {"code": "not_found"}))
    with pytest.raises(errors.NotFoundError) as caught:
        tg.schema()
    assert caught.value.status == 404
    assert caught.value.request_id == "req_404"


def test_bad_input_fails_before_the_network(tg: TrackAGoat, routes: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="project_id"):
        tg.goal_compliance("not-a-uuid")
    assert routes.calls.call_count == 0


async def async_creator_ids(fake: FakeTrackAGoat) -> list[str]:
    async with AsyncTrackAGoat(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        requests_per_minute=60_000,
    ) as tg:
        return [c.id async for c in tg.creators.list(limit=5)]


def test_against_the_trackagoat_fake() -> None:
    fake = FakeTrackAGoat(seed=0, rate_limit=None)
    with TrackAGoat(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        requests_per_minute=60_000,  # the documented 60/min would make this test take seconds
    ) as tg:
        creators = tg.creators.list(limit=5)
        first = next(iter(creators))
        assert isinstance(first, Creator)
        assert len(fake.requests) == 1
        listed = [c.id for c in creators]
        assert listed == asyncio.run(async_creator_ids(fake))  # what the async client lists
        assert len(set(listed)) == len(listed) > 5
        project_id = next(iter(fake.store.projects))
        result = tg.creators.create_many(project_id, [f"newhandle{n:03d}" for n in range(60)])
        assert len(result.created) == 60
        assert sum(r.method == "POST" for r in fake.requests) == 2  # chunks of 50


def test_paying_an_accrual_and_voiding_it_without_await() -> None:
    fake = FakeTrackAGoat(seed=0, rate_limit=None)
    with TrackAGoat(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        requests_per_minute=60_000,
    ) as tg:
        accruals = tg.payout_accruals.list(status="open")
        assert isinstance(accruals, SyncPager)
        accrual = next(iter(accruals))
        assert accrual.creator_id is not None
        venmo = next(m for m in tg.payout_methods.list() if m.name == "Venmo")
        paid = tg.payout_payments.create(
            accrual.creator_id, venmo.id, accrual.owed_cents, accrual_ids=[accrual.id]
        )
        assert tg.payout_accruals.get(accrual.id).status == "paid"
        assert tg.payout_payments.void(paid.id).status == "void"
        assert tg.payout_accruals.get(accrual.id).owed_cents == accrual.owed_cents
    assert fake.payouts.accruals[accrual.id]["status"] == "open"
