"""The fixed window per key, on the fake's clock."""

from __future__ import annotations

import httpx

from creatorsdk.testing import FakeClock, FakeCreatorAudit

from .conftest import client_for


async def test_headers_on_every_authenticated_response(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=5, rate_window=10.0, clock=clock)
    start = clock.now()
    async with client_for(fake) as http:
        responses = [await http.get("/whoami") for _ in range(3)]
        missing = await http.get("/accounts/00000000-0000-4000-8000-000000000000")
    for n, response in enumerate([*responses, missing], 1):
        assert response.headers["x-ratelimit-limit"] == "5"
        assert response.headers["x-ratelimit-remaining"] == str(5 - n)
        assert response.headers["x-ratelimit-reset"] == str(int(start + 10))
    assert missing.status_code == 404


async def test_429_then_reset_when_the_window_ends(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=2, rate_window=60.0, clock=clock)
    async with client_for(fake) as http:
        assert (await http.get("/whoami")).status_code == 200
        clock.advance(15.5)
        assert (await http.get("/whoami")).status_code == 200
        refused = await http.get("/whoami")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"  # ceil(60 - 15.5)
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.json()["code"] == "RATE_LIMITED"
        clock.advance(44.4)
        assert (await http.get("/whoami")).headers["retry-after"] == "1"  # never 0
        clock.advance(0.2)
        renewed = await http.get("/whoami")
    assert renewed.status_code == 200
    assert renewed.headers["x-ratelimit-remaining"] == "1"


async def test_limits_are_per_key(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=1, clock=clock)
    async with client_for(fake) as writer, client_for(fake, fake.read_only_api_key) as reader:
        assert (await writer.get("/whoami")).status_code == 200
        assert (await writer.get("/whoami")).status_code == 429
        assert (await reader.get("/whoami")).status_code == 200


async def test_public_endpoints_are_not_limited(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=1, clock=clock)
    async with client_for(fake) as http:
        for _ in range(3):
            response = await http.get("/health")
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers
        assert (await http.get("/meta")).status_code == 200
        assert (await http.get("/whoami")).status_code == 200


async def test_no_limit_means_no_headers() -> None:
    fake = FakeCreatorAudit(rate_limit=None)
    async with client_for(fake) as http:
        responses = [await http.get("/whoami") for _ in range(700)]
    assert {r.status_code for r in responses} == {200}
    assert "x-ratelimit-limit" not in responses[-1].headers


async def test_default_is_600_per_minute(client: httpx.AsyncClient) -> None:
    response = await client.get("/whoami")
    assert response.headers["x-ratelimit-limit"] == "600"
