"""examples/fastapi_app.py through httpx's ASGI transport, with the app's own lifespan."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import fastapi_app
import httpx
import pytest
from fastapi import FastAPI

from creatorsdk import AsyncCreatorAudit
from creatorsdk.budgets import Budget, Rule
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from .conftest import EXAMPLES, Tap, client_for, expected_ranking


class Served:
    """The app under its lifespan, an HTTP client on it, and what the lifespan built."""

    def __init__(self, http: httpx.AsyncClient, tap: Tap | None, made: list[AsyncCreatorAudit]):
        self.http = http
        self._tap = tap
        self.made = made

    @property
    def tap(self) -> Tap:
        """The transport between the app's client and the fake."""
        assert self._tap is not None
        return self._tap


@contextlib.asynccontextmanager
async def serve(
    app: FastAPI, tap: Tap | None = None, made: list[AsyncCreatorAudit] | None = None
) -> AsyncIterator[Served]:
    """Run ``app``'s lifespan and yield an httpx client on its ASGI transport."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://app.test") as http,
    ):
        yield Served(http, tap, made if made is not None else [])


def app_on(
    fake: FakeCreatorAudit, before: Callable[[int, httpx.Request], None] | None = None
) -> contextlib.AbstractAsyncContextManager[Served]:
    """The app with its shared client on ``fake`` (one attempt: upstream errors surface)."""
    tap = Tap(fake.transport(), before)
    made: list[AsyncCreatorAudit] = []

    def make_client(budget: Budget | None) -> AsyncCreatorAudit:
        assert budget is None  # no REDIS_URL here: the client keeps its own
        made.append(client_for(fake, tap, attempts=1))
        return made[-1]

    return serve(fastapi_app.create_app(make_client), tap, made)


@pytest.fixture
async def served(fake: FakeCreatorAudit) -> AsyncIterator[Served]:
    async with app_on(fake) as running:
        yield running


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


async def test_accounts_pass_the_cursor_through_to_the_caller(
    served: Served, fake: FakeCreatorAudit
) -> None:
    seen: list[str] = []
    pages = 0
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        response = await served.http.get("/accounts", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        assert len(body["data"]) <= 4
        seen += [a["id"] for a in body["data"]]
        if not body["has_next"]:
            assert body["next_cursor"] is None
            break
        cursor = body["next_cursor"]

    assert sorted(seen) == sorted(fake.store.accounts)  # each exactly once
    assert pages == -(-len(fake.store.accounts) // 4)
    first = fake.store.accounts[seen[0]]
    page_one = (await served.http.get("/accounts", params={"limit": 4})).json()["data"][0]
    assert page_one["username"] == first["username"]
    assert page_one["follower_count"] == first["follower_count"]
    assert "extra" not in page_one

    tiktok = (await served.http.get("/accounts", params={"platform": "tiktok"})).json()
    want = {i for i, a in fake.store.accounts.items() if a["platform"] == "tiktok"}
    assert {a["id"] for a in tiktok["data"]} == want


async def test_breakouts_rank_as_computed_from_the_fake(
    served: Served, fake: FakeCreatorAudit
) -> None:
    response = await served.http.get("/breakouts", params={"window": 7, "top": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["window"] == 7
    assert [(b["video_id"], b["views_gained"]) for b in body["data"]] == expected_ranking(
        fake, 7, 10
    )

    response = await served.http.get("/breakouts", params={"window": 30, "top": 3})
    assert [(b["video_id"], b["views_gained"]) for b in response.json()["data"]] == (
        expected_ranking(fake, 30, 3)
    )


async def test_overview_serves_the_upstream_numbers(served: Served, fake: FakeCreatorAudit) -> None:
    response = await served.http.get("/overview", params={"period": "30d"})
    assert response.status_code == 200, response.text
    mine = response.json()["data"]

    async with httpx.AsyncClient(
        transport=fake.transport(),
        base_url=fake.base_url,
        headers={"Authorization": f"Bearer {fake.api_key}"},
    ) as direct:
        upstream = (await direct.get("/overview", params={"period": "30d"})).json()["data"]
    for part in ("current", "previous", "changes"):
        assert mine[part] == upstream[part]


async def test_one_client_is_shared_by_every_request_and_closed_at_shutdown(
    fake: FakeCreatorAudit,
) -> None:
    async with app_on(fake) as running:
        for path in ("/accounts", "/overview", "/accounts?limit=3", "/breakouts?top=2"):
            assert (await running.http.get(path)).status_code == 200
        assert len(running.made) == 1
        assert running.tap.count == len(fake.requests) > 4
        assert not running.tap.closed
    assert running.tap.closed


async def test_upstream_failures_become_problems_with_the_upstream_request_id(
    served: Served, fake: FakeCreatorAudit
) -> None:
    fake.faults = FaultPlan(error_503=1.0, paths={"/overview"})
    body = assert_problem(await served.http.get("/overview"), 502)
    assert body["upstream_status"] == 503
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert body["upstream_request_id"] in served.tap.request_ids(503)

    fake.faults = FaultPlan(error_429=1.0, retry_after=7, paths={"/overview"})
    response = await served.http.get("/overview")
    body = assert_problem(response, 503)
    assert body["upstream_status"] == 429
    assert response.headers["retry-after"] == "7"
    assert body["upstream_request_id"] in served.tap.request_ids(429)
    assert response.headers["x-upstream-request-id"] == body["upstream_request_id"]
    # The pacer holds the shared client for that 429's 7 s, longer than a route's 5 s
    # deadline: a call now would fail at once with a 503. Let the hold pass.
    clock = fake.clock
    assert isinstance(clock, FakeClock)
    clock.advance(7.0)

    # A batch call (the deltas behind /breakouts) fails with its chunk's request id.
    fake.faults = FaultPlan(error_500=1.0, paths={"/videos/deltas"})
    body = assert_problem(await served.http.get("/breakouts"), 502)
    assert body["upstream_status"] == 500
    assert body["upstream_request_id"] in served.tap.request_ids(500)


@pytest.mark.parametrize("retry_after", [50, 3])
async def test_a_sustained_upstream_429_is_a_503_within_the_request_budget(
    fake: FakeCreatorAudit, monkeypatch: pytest.MonkeyPatch, retry_after: int
) -> None:
    # Default retries (5 attempts) on the fake's clock: without the per-request deadline the
    # route would wait out Retry-After again and again, for minutes of the API's time.
    monkeypatch.setattr(fastapi_app, "REQUEST_DEADLINE", 5.0)
    fake.faults = FaultPlan(error_429=1.0, retry_after=retry_after, paths={"/overview"})
    tap = Tap(fake.transport())
    app = fastapi_app.create_app(lambda _budget: client_for(fake, tap, attempts=5))
    clock = fake.clock
    assert isinstance(clock, FakeClock)
    async with serve(app, tap) as running:
        started = clock.now()
        response = await running.http.get("/overview")
        waited = clock.now() - started
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert waited <= 5.0  # the API's time spent on this request, waits included
    assert tap.count >= 1


async def test_the_callers_mistakes_keep_their_status(served: Served) -> None:
    # A cursor the API never issued: its 422 passes through, with the upstream request id.
    response = await served.http.get("/accounts", params={"cursor": "not-a-cursor"})
    body = assert_problem(response, 422)
    assert body["code"] == "VALIDATION_ERROR"
    assert body["upstream_request_id"] in served.tap.request_ids(422)

    # Parameters this app checks itself never reach the API.
    sent = served.tap.count
    for path, field in (
        ("/breakouts?window=0", "window"),
        ("/breakouts?top=1000", "top"),
        ("/overview?period=1y", "period"),
        ("/accounts?platform=myspace", "platform"),
    ):
        body = assert_problem(await served.http.get(path), 422)
        assert [e["field"] for e in body["errors"]] == [field]
    assert served.tap.count == sent


async def test_an_unreachable_api_is_a_502(fake: FakeCreatorAudit) -> None:
    def refuse(_: int, request: httpx.Request) -> None:
        raise httpx.ConnectError("connection refused", request=request)

    async with app_on(fake, before=refuse) as running:
        body = assert_problem(await running.http.get("/overview"), 502)
        assert body["title"] == "Upstream unavailable"
        assert "connection refused" in body["detail"]


async def test_startup_fails_clearly_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    app = fastapi_app.create_app()
    with pytest.raises(
        RuntimeError, match=r"CREATORAUDIT_API_KEY is not set.*CREATORSDK_USE_FAKE=1"
    ):
        async with app.router.lifespan_context(app):
            pass


async def test_the_module_app_serves_the_fake_when_told_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORSDK_USE_FAKE", "1")
    async with serve(fastapi_app.app) as running:
        response = await running.http.get("/accounts")
        assert response.status_code == 200
        body = response.json()
        assert len(body["data"]) == 50
        assert body["has_next"] is True


async def test_the_readmes_sample_output_reproduces(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded fake is generated as of today 00:00 UTC, as in the other examples, so
    the README's ``/breakouts`` answer is what the app serves, whatever the day or hour."""
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8").splitlines()
    command = readme.index("$ curl -s 'localhost:8000/breakouts?window=7&top=2'")
    monkeypatch.setenv("CREATORSDK_USE_FAKE", "1")

    async with serve(fastapi_app.app) as running:
        response = await running.http.get("/breakouts", params={"window": 7, "top": 2})

    assert response.status_code == 200
    assert response.json() == json.loads(readme[command + 1])


async def test_workers_given_redis_spend_one_budget(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    """``REDIS_URL`` set: every worker's client takes from one budget in Redis, so the
    README's ``--workers 4`` deployment stays under the key's limit. Two workers (two apps,
    as two processes would build them) serve a request each; the budget counted both."""
    from creatorsdk.budgets import RedisBudget

    name = f"workers-{uuid.uuid4().hex}"
    monkeypatch.setenv("CREATORSDK_USE_FAKE", "1")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CREATORSDK_BUDGET_NAME", name)
    for _ in range(2):
        async with serve(fastapi_app.create_app()) as worker:
            assert (await worker.http.get("/accounts", params={"limit": 1})).status_code == 200
    async with RedisBudget(redis_url, name=name) as budget:
        taken = await budget.take(time.time(), Rule())
    assert taken.seq == 3  # the two workers' sends, then this one
