"""What every request goes through: the envelope, request ids, keys, scopes, limits, quotas."""

from __future__ import annotations

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeTrackAGoat
from tests.testing.trackagoat.conftest import http_for, meta_code


async def test_every_answer_is_an_envelope_with_a_request_id(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/projects"),
        await client.get("/schema"),
        await client.get("/nowhere"),
        await client.put("/projects"),
        await client.post("/projects/00000000-0000-4000-8000-000000000000/creators", json={}),
    ]
    assert [a.status_code for a in answers] == [200, 200, 404, 405, 404]
    ids = {a.headers["x-request-id"] for a in answers}
    assert len(ids) == len(answers)
    assert all(i.startswith("req_") for i in ids)
    assert answers[0].json()["meta"] == {"nextCursor": None, "hasMore": False}
    assert answers[1].json()["meta"] is None
    assert [meta_code(a) for a in answers[2:]] == ["not_found", "method_not_allowed", "not_found"]


def test_the_key_and_base_url_look_like_the_real_ones(fake: FakeTrackAGoat) -> None:
    assert fake.api_key.startswith("tga_")
    assert len(fake.api_key) == 68
    int(fake.api_key[4:], 16)
    assert fake.api_key[4:] == fake.api_key[4:].lower()
    assert fake.base_url == "http://127.0.0.1/api/v1"
    assert FakeTrackAGoat(seed=0).api_key == fake.api_key
    assert FakeTrackAGoat(seed=1).api_key != fake.api_key


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer tga_nope", "Basic abc"])
async def test_bad_keys_get_invalid_api_key(
    fake: FakeTrackAGoat, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as http:
        response = await http.get("/projects", headers=headers)
    assert response.status_code == 401
    assert meta_code(response) == "invalid_api_key"
    assert "x-request-id" in response.headers


async def test_a_revoked_key_is_refused_at_once(
    fake: FakeTrackAGoat, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/schema")).status_code == 200
    fake.revoke_key(fake.api_key)
    assert (await client.get("/schema")).status_code == 401


async def test_writes_need_the_write_scope(reader: httpx.AsyncClient, project: str) -> None:
    assert (await reader.get("/creators")).status_code == 200
    response = await reader.post(f"/projects/{project}/campaigns", json={"name": "x"})
    assert response.status_code == 403
    assert meta_code(response) == "insufficient_scope"
    body = response.json()
    assert (body["meta"]["required"], body["meta"]["granted"]) == ("write", ["read"])
    assert body["error"] == "This action requires the 'write' scope. Granted: [read]"


async def test_bodies_must_be_json_objects_with_known_fields(
    client: httpx.AsyncClient, project: str
) -> None:
    path = f"/projects/{project}/campaigns"
    broken = await client.post(path, content=b"{nope", headers={"content-type": "application/json"})
    typo = await client.post(path, json={"nmae": "x"})
    listed = await client.post(path, json=["x"])
    assert [r.status_code for r in (broken, typo, listed)] == [400, 400, 400]
    assert {meta_code(r) for r in (broken, typo, listed)} == {"invalid_body"}
    assert "nmae" in typo.json()["error"]


async def test_the_per_key_window_rolls(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=0, clock=clock, rate_limit=60)
    async with http_for(fake) as http, http_for(fake, fake.read_only_api_key) as other:
        for _ in range(60):
            assert (await http.get("/schema")).status_code == 200
            clock.advance(0.5)
        refused = await http.get("/schema")
        assert (await other.get("/schema")).status_code == 200  # the window is per key
        clock.advance(int(refused.headers["retry-after"]))
        assert (await http.get("/schema")).status_code == 200
    assert refused.status_code == 429
    assert meta_code(refused) == "rate_limit_exceeded"
    assert refused.headers["retry-after"] == "30"  # the oldest request leaves the window then
    assert "retryAfter" not in refused.json()["meta"]


async def test_no_window_when_switched_off(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=0, clock=clock, rate_limit=None)
    async with http_for(fake) as http:
        statuses = {(await http.get("/schema")).status_code for _ in range(150)}
    assert statuses == {200}


async def test_the_daily_quota_resets_at_utc_midnight(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=0, clock=clock, limits={"max_api_requests_per_day": 2})
    async with http_for(fake) as http:
        assert [(await http.get("/schema")).status_code for _ in range(2)] == [200, 200]
        spent = await http.get("/projects")
        to_midnight = 86_400 - clock.now() % 86_400
        clock.advance(to_midnight)
        assert (await http.get("/schema")).status_code == 200
    assert spent.status_code == 429
    assert meta_code(spent) == "rate_limit_exceeded"
    assert spent.json()["meta"]["retryAfter"] == to_midnight
    assert "retry-after" not in spent.headers  # unlike the per-key window


async def test_the_free_plan_has_no_api_requests(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=0, clock=clock, plan="free", projects=1)
    async with http_for(fake) as http:
        response = await http.get("/projects")
    assert response.status_code == 429
    assert fake.limits["max_creators_per_org"] == 5


def test_plans_and_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="plan must be one of"):
        FakeTrackAGoat(plan="platinum")
    with pytest.raises(ValueError, match="allows 1 projects"):
        FakeTrackAGoat(plan="free", projects=2)
    with pytest.raises(ValueError, match="unknown limit"):
        FakeTrackAGoat(limits={"max_unicorns": 1})
    starter = FakeTrackAGoat(plan="starter", limits={"max_campaigns_per_project": 4})
    assert starter.limits["max_api_requests_per_day"] == 1_000
    assert starter.limits["stats_history_retention_days"] == 365
    assert starter.limits["max_campaigns_per_project"] == 4
