"""Errors as problem+json for every documented code; auth, scopes, quota, idempotency, ETags."""

from __future__ import annotations

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from .conftest import client_for

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "request_id"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    """The response is the problem+json ``status``/``code`` with every documented member."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:creatoraudit:error:{code.lower().replace('_', '-')}"
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["instance"] == response.request.url.path
    assert ("errors" in body) == (status == 422)
    return body


async def test_400_bad_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts", content=b'{"platform": ', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "BAD_REQUEST")


async def test_401_missing_and_unknown_keys(fake: FakeCreatorAudit) -> None:
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as http:
        missing = await http.get("/accounts")
        unknown = await http.get("/accounts", headers={"Authorization": "Bearer nope"})
    assert_problem(missing, 401, "UNAUTHORIZED")
    assert_problem(unknown, 401, "UNAUTHORIZED")
    assert "x-ratelimit-limit" not in missing.headers


async def test_403_disabled_key_until_enabled(fake: FakeCreatorAudit) -> None:
    fake.disable_key(fake.api_key)
    async with client_for(fake) as http:
        assert_problem(await http.get("/whoami"), 403, "FORBIDDEN")
        fake.enable_key(fake.api_key)
        assert (await http.get("/whoami")).status_code == 200


async def test_403_insufficient_scope_for_writes_only(
    reader: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    account_id = next(iter(fake.store.accounts))
    writes = [
        reader.post("/accounts", json={"platform": "tiktok", "username": "x"}),
        reader.patch(f"/accounts/{account_id}", json={"is_active": False}),
        reader.delete(f"/accounts/{account_id}"),
        reader.post("/creators", json={"name": "x"}),
    ]
    for write in writes:
        assert_problem(await write, 403, "INSUFFICIENT_SCOPE")
    video_ids = list(fake.store.videos)[:2]
    assert (await reader.post("/videos/deltas", json={"video_ids": video_ids})).status_code == 200
    assert (await reader.post("/videos/metrics", json={"video_ids": video_ids})).status_code == 200
    assert (await reader.get("/accounts")).status_code == 200
    assert (await reader.get("/whoami")).json()["data"]["scopes"] == ["read"]


async def test_403_quota_exceeded() -> None:
    fake = FakeCreatorAudit(accounts=5, account_quota=6)
    async with client_for(fake) as http:
        active = sum(a["is_active"] for a in fake.store.accounts.values())
        for n in range(6 - active):
            ok = await http.post("/accounts", json={"platform": "tiktok", "username": f"q{n}"})
            assert ok.status_code == 201
        over = await http.post("/accounts", json={"platform": "tiktok", "username": "over"})
        assert_problem(over, 403, "QUOTA_EXCEEDED")
        fake.account_quota = None
        again = await http.post("/accounts", json={"platform": "tiktok", "username": "over"})
        assert again.status_code == 201


async def test_404_unknown_ids_and_paths(client: httpx.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (f"/accounts/{missing}", f"/videos/{missing}", f"/creators/{missing}"):
        assert_problem(await client.get(path), 404, "NOT_FOUND")
    assert_problem(await client.get("/accounts/not-a-uuid"), 404, "NOT_FOUND")
    assert_problem(await client.get("/nothing-here"), 404, "NOT_FOUND")
    assert_problem(await client.get(f"/creators/{missing}/analytics"), 404, "NOT_FOUND")


async def test_406_when_json_is_not_acceptable(client: httpx.AsyncClient) -> None:
    assert_problem(
        await client.get("/accounts", headers={"Accept": "text/html"}), 406, "NOT_ACCEPTABLE"
    )
    refused = {"Accept": "application/json;q=0, text/html"}
    assert_problem(await client.get("/accounts", headers=refused), 406, "NOT_ACCEPTABLE")
    for accept in ("application/json", "*/*", "application/*;q=0.5", "text/html, */*;q=0.1"):
        assert (await client.get("/accounts", headers={"Accept": accept})).status_code == 200


async def test_409_duplicate_account_case_insensitive(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    account = next(iter(fake.store.accounts.values()))
    body = {"platform": account["platform"], "username": account["username"].upper()}
    assert_problem(await client.post("/accounts", json=body), 409, "CONFLICT")
    other = "tiktok" if account["platform"] == "instagram" else "instagram"
    elsewhere = await client.post("/accounts", json={**body, "platform": other})
    assert elsewhere.status_code == 201


async def test_409_duplicate_tracked_video(client: httpx.AsyncClient) -> None:
    body = {"platform": "tiktok", "identifier": "7300000000000000002"}
    assert (await client.post("/videos", json=body)).status_code == 201
    assert_problem(await client.post("/videos", json=body), 409, "CONFLICT")


async def test_415_non_json_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/accounts", content=b"platform=tiktok", headers={"Content-Type": "text/plain"}
    )
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_422_lists_every_field_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/accounts", json={"platform": "myspace", "username": 5})
    body = assert_problem(response, 422, "VALIDATION_ERROR")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert {"field": "platform", "message": "must be one of: instagram, tiktok"} in errors
    assert "username" in {e["field"] for e in errors}
    not_object = await client.post("/creators", json=["a"])
    assert_problem(not_object, 422, "VALIDATION_ERROR")


async def test_429_rate_limited() -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(rate_limit=1, clock=clock)
    async with client_for(fake) as http:
        await http.get("/whoami")
        response = await http.get("/whoami")
    assert_problem(response, 429, "RATE_LIMITED")
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("error_500", 500, "INTERNAL_ERROR"),
        ("error_502", 502, "UPSTREAM_ERROR"),
        ("error_503", 503, "SERVICE_UNAVAILABLE"),
        ("error_429", 429, "RATE_LIMITED"),
    ],
)
async def test_injected_server_errors_are_problems(kind: str, status: int, code: str) -> None:
    fake = FakeCreatorAudit(faults=FaultPlan(**{kind: 1.0}))  # type: ignore[arg-type]
    async with client_for(fake) as http:
        response = await http.get("/accounts")
        health = await http.get("/health")
    assert_problem(response, status, code)
    assert "x-ratelimit-remaining" in response.headers
    assert health.status_code == 200
    assert fake.faults_injected == {kind: 1}


async def test_405_is_a_problem_too(client: httpx.AsyncClient) -> None:
    response = await client.put("/accounts")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_request_ids_are_unique(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/health")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


async def test_etag_and_304(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    first = await client.get("/accounts", params={"limit": 3})
    etag = first.headers["etag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    same = await client.get("/accounts", params={"limit": 3}, headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    account_id = first.json()["data"][0]["id"]
    await client.patch(f"/accounts/{account_id}", json={"category": "changed"})
    changed = await client.get("/accounts", params={"limit": 3}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "etag" not in (await client.post("/creators", json={"name": "E"})).headers


async def test_idempotent_create_replays_the_first_response(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, clock: FakeClock
) -> None:
    headers = {"Idempotency-Key": "op-1"}
    body = {"name": "Once"}
    first = await client.post("/creators", json=body, headers=headers)
    await client.patch(f"/creators/{first.json()['data']['id']}", json={"name": "Renamed"})
    again = await client.post("/creators", json=body, headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert sum(c["name"] in ("Once", "Renamed") for c in fake.store.creators.values()) == 1

    clock.advance(601)
    later = await client.post("/creators", json=body, headers=headers)
    assert later.status_code == 201
    assert later.json()["data"]["id"] != first.json()["data"]["id"]


async def test_idempotency_key_reused_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "op-2"}
    body = {"platform": "tiktok", "username": "idem"}
    assert (await client.post("/accounts", json=body, headers=headers)).status_code == 201
    replay = await client.post("/accounts", json=body, headers=headers)
    assert replay.status_code == 201
    other = await client.post("/accounts", json={**body, "username": "idem2"}, headers=headers)
    problem = assert_problem(other, 422, "VALIDATION_ERROR")
    assert problem["errors"] == [
        {"field": "Idempotency-Key", "message": "was already used with a different request"}
    ]


async def test_unhandled_bug_is_a_500_problem(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(fake.store, "summarize", broken)
    account = next(a for a in fake.store.accounts.values() if a["creator_id"] is None)
    creator = next(iter(fake.store.creators))
    response = await client.put(f"/creators/{creator}/accounts/{account['id']}")
    assert_problem(response, 500, "INTERNAL_ERROR")
