"""What every test shares: one clock, a retry policy on it, and one fixture per client kind.

- ``clock``: the test's :class:`~creatorsdk.testing.FakeClock`. The retry ``policy`` sleeps on
  it, and a test's fake takes it as its ``clock=``, so the client and the server see the same
  time and nothing really sleeps.
- ``ca``, ``tg`` (async) and ``sync_ca``, ``sync_tg`` (blocking): each client kind has this one
  fixture. They connect where ``ca_endpoint`` / ``tg_endpoint`` say: respx routes (``api`` /
  ``routes``) by default; a module or directory whose tests talk to a fake overrides the
  endpoint fixture, never the client fixture.
- ``client_on(fake)`` / ``sync_client_on(fake)``: a client of a fake's API built inside a test.
- ``loopback_url``: the test's ``fake`` served over real HTTP on 127.0.0.1.
- ``on_each_event_loop``: runs an async scenario on asyncio and on trio (pytest-asyncio runs
  every other async test, on asyncio).
- ``redis_url``: a real ``redis-server`` of the session's own on 127.0.0.1 (skipped, saying
  why, where it is not installed; CI installs it).
"""

from __future__ import annotations

import dataclasses
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, overload

import anyio
import httpx
import pytest
import respx
from anyio.from_thread import start_blocking_portal

from creatorsdk import (
    AsyncCreatorAudit,
    AsyncTrackAGoat,
    CreatorAudit,
    RetryPolicy,
    TrackAGoat,
)
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat

API_KEY = "ca_test_secret_key_0123456789"
BASE_URL = "https://api.creatoraudit.test/v2"
TG_API_KEY = "tga_" + "5e" * 32
TG_BASE_URL = "https://www.trackagoat.test/api/v1"

#: Where every ``clock`` starts: FakeClock's default, 2026-06-14T09:30:00Z.
START = FakeClock()()

#: The event loops every ``on_each_event_loop`` scenario runs on.
BACKENDS = ("asyncio", "trio")

#: Building an SSL context costs ~20 ms; one for the whole session keeps the suite fast.
_TLS = ssl.create_default_context()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def policy(clock: FakeClock) -> RetryPolicy:
    """The default policy with time injected: retries and pacing never really sleep."""
    return RetryPolicy(sleep=clock.sleep, clock=clock)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where a client fixture connects: the key, base URL and transport it is built with."""

    api_key: str
    base_url: str
    transport: httpx.AsyncBaseTransport | None = None

    @classmethod
    def of(cls, fake: FakeCreatorAudit | FakeTrackAGoat) -> Endpoint:
        """A fake reached in-process, through its own transport."""
        return cls(fake.api_key, fake.base_url, fake.transport())

    def options(self) -> dict[str, Any]:
        return {"api_key": self.api_key, "base_url": self.base_url, "transport": self.transport}


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx routes for the CreatorAudit test base URL; unmatched requests fail the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def routes() -> respx.MockRouter:
    """respx routes for the trackagoat test base URL; unmatched requests fail the test."""
    return respx.MockRouter(base_url=TG_BASE_URL, assert_all_called=False)


@pytest.fixture
def ca_endpoint(api: respx.MockRouter) -> Endpoint:
    """The ``api`` routes, on a transport that reuses one TLS context (respx still answers
    every request: it mocks the connection pool under the transport)."""
    return Endpoint(API_KEY, BASE_URL, httpx.AsyncHTTPTransport(verify=_TLS))


@pytest.fixture
def tg_endpoint(routes: respx.MockRouter) -> Endpoint:
    """The ``routes`` as the client's transport: no network, and no TLS context to build."""
    return Endpoint(TG_API_KEY, TG_BASE_URL, httpx.MockTransport(routes.async_handler))


@pytest.fixture
async def ca(ca_endpoint: Endpoint, policy: RetryPolicy) -> AsyncIterator[AsyncCreatorAudit]:
    """An AsyncCreatorAudit on ``ca_endpoint``, waiting on ``clock``."""
    async with AsyncCreatorAudit(**ca_endpoint.options(), retry=policy) as client:
        yield client


@pytest.fixture
async def tg(tg_endpoint: Endpoint, policy: RetryPolicy) -> AsyncIterator[AsyncTrackAGoat]:
    """An AsyncTrackAGoat on ``tg_endpoint``, waiting on ``clock``."""
    async with AsyncTrackAGoat(**tg_endpoint.options(), retry=policy) as client:
        yield client


@pytest.fixture
def sync_ca(ca_endpoint: Endpoint, policy: RetryPolicy) -> Iterator[CreatorAudit]:
    """A CreatorAudit on ``ca_endpoint``, waiting on ``clock``."""
    with CreatorAudit(**ca_endpoint.options(), retry=policy) as client:
        yield client


@pytest.fixture
def sync_tg(tg_endpoint: Endpoint, policy: RetryPolicy) -> Iterator[TrackAGoat]:
    """A TrackAGoat on ``tg_endpoint``, waiting on ``clock``."""
    with TrackAGoat(**tg_endpoint.options(), retry=policy) as client:
        yield client


def _options_for(
    fake: FakeCreatorAudit | FakeTrackAGoat, options: dict[str, Any]
) -> dict[str, Any]:
    """Constructor arguments for a client of ``fake``: ``options`` win over the defaults."""
    defaults: dict[str, Any] = Endpoint.of(fake).options()
    if isinstance(fake.clock, FakeClock):
        # The fake and the client must agree on the time: a Retry-After or a rate window
        # on the fake's clock is waited out on the same clock.
        defaults["retry"] = RetryPolicy(sleep=fake.clock.sleep, clock=fake.clock)
    return {**defaults, **options}


@overload
def client_on(fake: FakeCreatorAudit, **options: Any) -> AsyncCreatorAudit: ...
@overload
def client_on(fake: FakeTrackAGoat, **options: Any) -> AsyncTrackAGoat: ...
def client_on(
    fake: FakeCreatorAudit | FakeTrackAGoat, **options: Any
) -> AsyncCreatorAudit | AsyncTrackAGoat:
    """The async client of ``fake``'s API on its in-process transport.

    Retries and pacing wait on the fake's clock when it is a FakeClock (and really wait
    when the fake keeps real time); ``options`` override any constructor argument.
    """
    if isinstance(fake, FakeTrackAGoat):
        return AsyncTrackAGoat(**_options_for(fake, options))
    return AsyncCreatorAudit(**_options_for(fake, options))


@overload
def sync_client_on(fake: FakeCreatorAudit, **options: Any) -> CreatorAudit: ...
@overload
def sync_client_on(fake: FakeTrackAGoat, **options: Any) -> TrackAGoat: ...
def sync_client_on(
    fake: FakeCreatorAudit | FakeTrackAGoat, **options: Any
) -> CreatorAudit | TrackAGoat:
    """The blocking client of ``fake``'s API, built as :func:`client_on` builds the async one."""
    if isinstance(fake, FakeTrackAGoat):
        return TrackAGoat(**_options_for(fake, options))
    return CreatorAudit(**_options_for(fake, options))


@pytest.fixture
def loopback_url(fake: FakeCreatorAudit | FakeTrackAGoat) -> Iterator[str]:
    """The test's ``fake`` on 127.0.0.1, served from its own event-loop thread for the whole
    test; its base URL.

    (An async fixture cannot hold the server's task group: pytest-asyncio tears fixtures
    down in another task than the one that set them up.)
    """
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield base_url


@pytest.fixture
def sigint_raises_keyboard_interrupt() -> Iterator[None]:
    """Ctrl-C (SIGINT) raises KeyboardInterrupt during the test, as in a terminal, even when
    the test run was started with SIGINT ignored (a shell's background job)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def on_each_event_loop(scenario: Callable[[str], Awaitable[None]]) -> Callable[[str], None]:
    """Make ``async def test_x(backend)`` a plain test run once per backend in
    :data:`BACKENDS`, each time on a fresh event loop through ``anyio.run``.

    The scenario gets the backend's name and takes no fixtures: what it needs, it builds.
    """

    @pytest.mark.parametrize("backend", BACKENDS)
    def test(backend: str, record_property: Callable[[str, object], None]) -> None:
        record_property("event_loop", backend)  # the reliability figures count these
        anyio.run(scenario, backend, backend=backend)

    test.__name__ = scenario.__name__
    test.__qualname__ = scenario.__qualname__
    test.__doc__ = scenario.__doc__
    test.__module__ = scenario.__module__
    return test


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of the session's own on 127.0.0.1 (each test names its own budget)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server; CI has it)")
    pytest.importorskip("redis", reason="the redis extra is not installed")
    directory: Path = tmp_path_factory.mktemp("redis")
    port = closed_port()  # free now; redis-server binds it next
    process = subprocess.Popen(
        [
            *(server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "no", "--dir", str(directory)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
