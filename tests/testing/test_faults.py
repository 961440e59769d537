"""Each fault kind, its counting, its seeding, and where faults never apply."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest

from creatorsdk.testing import FakeCreatorAudit, FaultPlan

from .conftest import client_for


def faulty(**kinds: float) -> FakeCreatorAudit:
    return FakeCreatorAudit(accounts=6, tracked_videos=4, faults=FaultPlan(**kinds))  # type: ignore[arg-type]


async def test_html_502_looks_like_a_proxy() -> None:
    fake = faulty(html_502=1.0)
    async with client_for(fake) as http:
        response = await http.get("/accounts")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert b"502 Bad Gateway" in response.content
    assert "x-request-id" not in response.headers
    assert fake.faults_injected["html_502"] == 1


async def test_truncated_body_does_not_parse_but_write_is_applied() -> None:
    fake = faulty(truncated_body=1.0)
    async with client_for(fake) as http:
        response = await http.get("/accounts")
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(response.content)
        with pytest.raises(json.JSONDecodeError):
            response.json()
        created = await http.post("/creators", json={"name": "Half"})
    assert created.status_code == 201
    assert any(c["name"] == "Half" for c in fake.store.creators.values())
    assert fake.faults_injected["truncated_body"] == 2


async def test_drop_before_commit_applies_nothing() -> None:
    fake = faulty(drop_before_commit=1.0)
    before = len(fake.store.creators)
    async with client_for(fake) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/creators", json={"name": "Never"})
    assert len(fake.store.creators) == before
    assert fake.faults_injected["drop_before_commit"] == 1
    assert len(fake.requests) == 1


async def test_drop_after_commit_applies_the_write() -> None:
    fake = faulty(drop_after_commit=1.0)
    async with client_for(fake) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/creators", json={"name": "Ghost"}, headers={"Idempotency-Key": "g"})
    assert [c["name"] for c in fake.store.creators.values()].count("Ghost") == 1
    assert fake.faults_injected["drop_after_commit"] == 1


async def test_retry_after_drop_after_commit_replays_with_the_key() -> None:
    fake = FakeCreatorAudit(accounts=6, faults=FaultPlan(drop_after_commit=1.0))
    async with client_for(fake) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/creators", json={"name": "Once"}, headers={"Idempotency-Key": "k"})
        fake.faults = FaultPlan()
        retry = await http.post(
            "/creators", json={"name": "Once"}, headers={"Idempotency-Key": "k"}
        )
    assert retry.status_code == 201
    assert [c["name"] for c in fake.store.creators.values()].count("Once") == 1
    assert fake.faults_injected == {"drop_after_commit": 1}


async def test_slow_waits() -> None:
    fake = FakeCreatorAudit(accounts=4, faults=FaultPlan(slow=1.0, slow_seconds=0.05))
    async with client_for(fake) as http:
        started = anyio.current_time()
        response = await http.get("/whoami")
        elapsed = anyio.current_time() - started
    assert response.status_code == 200
    assert elapsed >= 0.05
    assert fake.faults_injected["slow"] == 1


async def test_slow_beyond_the_client_timeout_is_a_read_timeout() -> None:
    fake = FakeCreatorAudit(accounts=4, faults=FaultPlan(slow=1.0, slow_seconds=5.0))
    async with client_for(fake) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/whoami", timeout=0.05)


async def test_latency_is_real_waiting() -> None:
    fake = FakeCreatorAudit(accounts=4, latency=0.02, latency_jitter=0.01)
    async with client_for(fake) as http:
        started = anyio.current_time()
        await http.get("/health")
        assert anyio.current_time() - started >= 0.02


async def test_faults_never_touch_health_or_meta() -> None:
    fake = faulty(drop_before_commit=1.0)
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/meta")).status_code == 200
    assert not fake.faults_injected


async def test_paths_narrow_the_faults() -> None:
    fake = FakeCreatorAudit(accounts=4, faults=FaultPlan(error_503=1.0, paths=["/videos*"]))
    async with client_for(fake) as http:
        assert (await http.get("/accounts")).status_code == 200
        assert (await http.get("/videos")).status_code == 503
        assert (await http.post("/videos/deltas", json={"video_ids": []})).status_code == 503


async def test_injected_429_carries_the_plans_retry_after() -> None:
    fake = faulty(error_429=1.0)
    async with client_for(fake) as http:
        response = await http.get("/videos")
    assert response.headers["retry-after"] == "1"


async def test_fault_draws_are_seeded_and_in_arrival_order() -> None:
    async def statuses(seed: int) -> list[int]:
        fake = FakeCreatorAudit(accounts=4, faults=FaultPlan(seed=seed, error_503=0.3))
        async with client_for(fake) as http:
            return [(await http.get("/whoami")).status_code for _ in range(40)]

    first, again, other = await statuses(7), await statuses(7), await statuses(8)
    assert first == again
    assert first != other
    assert 0 < first.count(503) < 40


async def test_counts_by_kind() -> None:
    fake = faulty(seed=2, error_503=0.2, html_502=0.2, empty_page=0.2)
    async with client_for(fake) as http:
        for _ in range(50):
            await http.get("/accounts")
    injected = fake.faults_injected
    assert set(injected) == {"error_503", "html_502", "empty_page"}
    assert sum(injected.values()) < 50


def test_plan_validation() -> None:
    with pytest.raises(ValueError, match="probability"):
        FaultPlan(error_503=1.5)
    with pytest.raises(ValueError, match="sum"):
        FaultPlan(error_503=0.6, html_502=0.6)
    assert FaultPlan(paths="/videos").paths == ("/videos",)
