"""What the fake received: method, path, query, body, headers, arrival time, concurrency."""

from __future__ import annotations

import anyio
import httpx

from creatorsdk.testing import FakeClock, FakeCreatorAudit, RecordedRequest

from .conftest import client_for


async def test_requests_are_recorded_in_order(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, clock: FakeClock
) -> None:
    await client.get("/accounts", params=[("platform", "tiktok"), ("q", "a"), ("q", "b")])
    clock.advance(5)
    await client.post("/creators", json={"name": "Rec"}, headers={"Idempotency-Key": "r1"})
    first, second = fake.requests
    assert isinstance(first, RecordedRequest)
    assert (first.method, first.path) == ("GET", "/v2/accounts")
    assert first.query == {"platform": ["tiktok"], "q": ["a", "b"]}
    assert first.body is None
    assert first.arrived_at == clock.now() - 5
    assert (second.method, second.path, second.body) == ("POST", "/v2/creators", {"name": "Rec"})
    assert second.headers["idempotency-key"] == "r1"
    assert second.arrived_at == clock.now()


async def test_the_key_is_never_recorded(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    await client.get("/whoami")
    recorded = fake.requests[0]
    assert "authorization" not in recorded.headers
    assert fake.api_key not in repr(recorded)


async def test_failed_and_dropped_requests_are_recorded_too(fake: FakeCreatorAudit) -> None:
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as http:
        await http.get("/accounts")
        await http.post("/creators", content=b"{", headers={"Content-Type": "application/json"})
    assert [r.path for r in fake.requests] == ["/v2/accounts", "/v2/creators"]
    assert fake.requests[1].body is None


async def test_in_flight_counts_concurrent_requests() -> None:
    fake = FakeCreatorAudit(accounts=4, latency=0.05)
    async with client_for(fake) as http, anyio.create_task_group() as group:
        for _ in range(6):
            group.start_soon(http.get, "/whoami")
    assert fake.max_in_flight == 6
    assert sorted(r.in_flight for r in fake.requests) == [1, 2, 3, 4, 5, 6]


async def test_reset_requests(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    await client.get("/whoami")
    fake.reset_requests()
    assert fake.requests == []
    assert fake.max_in_flight == 0
    await client.get("/whoami")
    assert len(fake.requests) == 1
    assert fake.requests[0].in_flight == 1
