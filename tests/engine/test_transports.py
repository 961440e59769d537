"""The same calls over each transport the SDK builds: httpx's own and the aiohttp one."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from creatorsdk import AsyncCreatorAudit, RetryPolicy, errors, transports
from creatorsdk.creatoraudit.models import Deltas
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from ..conftest import closed_port

TRANSPORTS: dict[str, Callable[[], transports.TransportFactory | None]] = {
    "httpx": lambda: None,
    "aiohttp": transports.aiohttp,
    "httpx with options": lambda: transports.httpx_transport(local_address="127.0.0.1"),
}


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> transports.TransportFactory | None:
    return TRANSPORTS[request.param]()


def pool_size(ca: AsyncCreatorAudit) -> int:
    """Connections the client's transport may open (read off each transport's own pool)."""
    built = ca._http._transport  # type: ignore[attr-defined]
    if isinstance(built, httpx.AsyncHTTPTransport):
        return built._pool._max_connections  # type: ignore[no-any-return]
    return built.limits.max_connections  # type: ignore[no-any-return]


async def everything(ca: AsyncCreatorAudit) -> tuple[list[str], Deltas]:
    """The account videos (paged), and the deltas of some of them and of 360 unknown ids."""
    videos = await ca.account_videos.list(limit=25).to_list()
    unknown = [f"00000000-0000-4000-8000-{n:012d}" for n in range(360)]
    deltas = await ca.videos.deltas([v.id for v in videos][:90] + unknown)
    return [v.id for v in videos], deltas


async def test_paging_fan_out_and_retries_over_loopback(
    transport: transports.TransportFactory | None,
) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(3, accounts=4, videos_per_account=30, clock=clock)
    policy = RetryPolicy(sleep=clock.sleep, clock=clock)
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport(), retry=policy
    ) as in_process:
        expected = await everything(in_process)
    async with (
        fake.serve() as base_url,
        AsyncCreatorAudit(
            api_key=fake.api_key,
            base_url=base_url,
            transport=transport,
            max_concurrency=16,
            retry=policy,
        ) as ca,
    ):
        assert pool_size(ca) == 16
        assert await everything(ca) == expected
        assert len(expected[0]) > 75  # four pages or more
        assert len(expected[1].not_found) >= 360
        # A 503 answered over the wire is retried alike on every transport.
        fake.faults = FaultPlan(seed=5, error_503=0.4, paths={"/whoami"})
        for _ in range(10):
            assert (await ca.whoami()).organization_id == fake.organization_id
        assert ca.stats.retries == fake.faults_injected["error_503"] >= 1


async def test_a_refused_connection_is_a_connection_error_not_a_timeout(
    transport: transports.TransportFactory | None,
) -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)
    async with AsyncCreatorAudit(
        api_key="k" * 32,
        base_url=f"http://127.0.0.1:{closed_port()}/v2",
        transport=transport,
        retry=policy,
    ) as ca:
        with pytest.raises(errors.APIConnectionError) as caught:
            await ca.whoami()
    assert not isinstance(caught.value, errors.APITimeoutError)
    assert caught.value.sent is False  # nothing left: even a keyless POST could repeat
    assert caught.value.attempts == 2


def test_the_pool_and_tls_options_are_the_clients() -> None:
    with pytest.raises(errors.InvalidArgumentError, match="limits"):
        transports.httpx_transport(limits=httpx.Limits(max_connections=1))
