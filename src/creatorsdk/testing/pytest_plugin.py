"""pytest fixtures for testing your code against the fakes, loaded through ``pytest11``.

Installed with ``creatorsdk[testing]``, pytest loads this plugin on its own. Every fixture
is prefixed so it cannot clash with a project's own ones:

- ``creatorsdk_clock``: the test's :class:`~creatorsdk.testing.FakeClock`. The fakes keep
  their time on it and the clients below wait on it, so retries, ``Retry-After`` and pacing
  take no real time.
- ``creatoraudit_fake`` / ``trackagoat_fake``: a seeded fake of each API on that clock.
  Mark a test ``@pytest.mark.creatoraudit_fake(accounts=5)`` (or ``trackagoat_fake``) to
  pass keyword arguments to the fake's constructor.
- ``creatoraudit_client`` / ``trackagoat_client``: an async client of that fake, reached
  in-process; ``creatoraudit_sync_client`` / ``trackagoat_sync_client``: the blocking twins.
- ``creatorsdk_faults``: the :class:`~creatorsdk.testing.FaultPlan` attached to the test with
  ``@pytest.mark.creatorsdk_faults(error_503=0.3, seed=1)`` (or a ``FaultPlan``), applied to
  every fake of the test; ``None`` without the marker.
- ``creatoraudit_env`` / ``trackagoat_env``: for code that builds its own client from the
  environment: the fake served on ``127.0.0.1``, ``CREATORAUDIT_API_KEY`` and
  ``CREATORAUDIT_BASE_URL`` (or the ``TRACKAGOAT_`` ones) pointing at it, and every
  :class:`~creatorsdk.RetryPolicy` built during the test waiting on ``creatorsdk_clock``.

The async fixtures are pytest-asyncio fixtures when pytest-asyncio is installed (in ``auto``
or ``strict`` mode), and plain async fixtures for anyio's pytest plugin otherwise.

Nothing from the fakes (Starlette, uvicorn) is imported until a test asks for a fixture,
so the plugin costs nothing where the ``testing`` extra is not installed.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat
    from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat, FaultPlan

__all__ = [
    "creatoraudit_client",
    "creatoraudit_env",
    "creatoraudit_fake",
    "creatoraudit_sync_client",
    "creatorsdk_clock",
    "creatorsdk_faults",
    "trackagoat_client",
    "trackagoat_env",
    "trackagoat_fake",
    "trackagoat_sync_client",
]

_Fixture = TypeVar("_Fixture", bound=Callable[..., Any])

_MARKERS = (
    "creatoraudit_fake(**options): keyword arguments for the creatoraudit_fake fixture's "
    "FakeCreatorAudit",
    "trackagoat_fake(**options): keyword arguments for the trackagoat_fake fixture's "
    "FakeTrackAGoat",
    "creatorsdk_faults(plan=None, **probabilities): the FaultPlan every fake of the test "
    "injects (a FaultPlan, or FaultPlan's keyword arguments)",
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers (so ``--strict-markers`` accepts them)."""
    for line in _MARKERS:
        config.addinivalue_line("markers", line)


def _async_fixture(function: _Fixture) -> _Fixture:
    """An async fixture for whichever async test plugin drives the session."""
    try:
        import pytest_asyncio
    except ImportError:  # anyio's plugin runs plain async fixtures
        return cast(_Fixture, pytest.fixture(function))
    return cast(_Fixture, pytest_asyncio.fixture(function))


@pytest.fixture
def creatorsdk_clock() -> FakeClock:
    """The test's clock: the fakes keep time on it and the clients wait on it."""
    from creatorsdk.testing import FakeClock

    return FakeClock()


@pytest.fixture
def creatorsdk_faults(request: pytest.FixtureRequest) -> FaultPlan | None:
    """The fault plan of the test's ``creatorsdk_faults`` marker, or ``None`` without one."""
    from creatorsdk.testing import FaultPlan

    marker = request.node.get_closest_marker("creatorsdk_faults")
    if marker is None:
        return None
    if marker.args:
        if len(marker.args) != 1 or not isinstance(marker.args[0], FaultPlan) or marker.kwargs:
            raise TypeError(
                "creatorsdk_faults takes one FaultPlan or FaultPlan's keyword arguments, "
                f"got args={marker.args!r} kwargs={marker.kwargs!r}"
            )
        plan: FaultPlan = marker.args[0]
        return plan
    return FaultPlan(**marker.kwargs)


def _fake_options(request: pytest.FixtureRequest, marker_name: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker(marker_name)
    if marker is None:
        return {}
    if marker.args:
        raise TypeError(f"{marker_name} takes keyword arguments only, got {marker.args!r}")
    return dict(marker.kwargs)


@pytest.fixture
def creatoraudit_fake(
    request: pytest.FixtureRequest,
    creatorsdk_clock: FakeClock,
    creatorsdk_faults: FaultPlan | None,
) -> FakeCreatorAudit:
    """A seeded ``FakeCreatorAudit`` on the test's clock (``@pytest.mark.creatoraudit_fake``
    passes constructor arguments; ``creatorsdk_faults`` attaches a fault plan)."""
    from creatorsdk.testing import FakeCreatorAudit

    options: dict[str, Any] = {"clock": creatorsdk_clock, "faults": creatorsdk_faults}
    return FakeCreatorAudit(**{**options, **_fake_options(request, "creatoraudit_fake")})


@pytest.fixture
def trackagoat_fake(
    request: pytest.FixtureRequest,
    creatorsdk_clock: FakeClock,
    creatorsdk_faults: FaultPlan | None,
) -> FakeTrackAGoat:
    """A seeded ``FakeTrackAGoat`` on the test's clock (``@pytest.mark.trackagoat_fake``
    passes constructor arguments; ``creatorsdk_faults`` attaches a fault plan)."""
    from creatorsdk.testing import FakeTrackAGoat

    options: dict[str, Any] = {"clock": creatorsdk_clock, "faults": creatorsdk_faults}
    return FakeTrackAGoat(**{**options, **_fake_options(request, "trackagoat_fake")})


def _client_options(fake: FakeCreatorAudit | FakeTrackAGoat, clock: FakeClock) -> dict[str, Any]:
    """A client of ``fake`` in-process, retrying and pacing on ``clock``."""
    from creatorsdk import RetryPolicy

    return {
        "api_key": fake.api_key,
        "base_url": fake.base_url,
        "transport": fake.transport(),
        "retry": RetryPolicy(sleep=clock.sleep, clock=clock),
    }


@_async_fixture
async def creatoraudit_client(
    creatoraudit_fake: FakeCreatorAudit, creatorsdk_clock: FakeClock
) -> AsyncIterator[AsyncCreatorAudit]:
    """An ``AsyncCreatorAudit`` of ``creatoraudit_fake``, waiting on ``creatorsdk_clock``."""
    from creatorsdk import AsyncCreatorAudit

    options = _client_options(creatoraudit_fake, creatorsdk_clock)
    async with AsyncCreatorAudit(**options) as client:
        yield client


@_async_fixture
async def trackagoat_client(
    trackagoat_fake: FakeTrackAGoat, creatorsdk_clock: FakeClock
) -> AsyncIterator[AsyncTrackAGoat]:
    """An ``AsyncTrackAGoat`` of ``trackagoat_fake``, waiting on ``creatorsdk_clock``."""
    from creatorsdk import AsyncTrackAGoat

    options = _client_options(trackagoat_fake, creatorsdk_clock)
    async with AsyncTrackAGoat(**options) as client:
        yield client


@pytest.fixture
def creatoraudit_sync_client(
    creatoraudit_fake: FakeCreatorAudit, creatorsdk_clock: FakeClock
) -> Iterator[CreatorAudit]:
    """A blocking ``CreatorAudit`` of ``creatoraudit_fake``, waiting on ``creatorsdk_clock``."""
    from creatorsdk import CreatorAudit

    with CreatorAudit(**_client_options(creatoraudit_fake, creatorsdk_clock)) as client:
        yield client


@pytest.fixture
def trackagoat_sync_client(
    trackagoat_fake: FakeTrackAGoat, creatorsdk_clock: FakeClock
) -> Iterator[TrackAGoat]:
    """A blocking ``TrackAGoat`` of ``trackagoat_fake``, waiting on ``creatorsdk_clock``."""
    from creatorsdk import TrackAGoat

    with TrackAGoat(**_client_options(trackagoat_fake, creatorsdk_clock)) as client:
        yield client


@pytest.fixture
def creatoraudit_env(
    creatoraudit_fake: FakeCreatorAudit,
    creatorsdk_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """``creatoraudit_fake`` served on 127.0.0.1 and named by ``CREATORAUDIT_API_KEY`` and
    ``CREATORAUDIT_BASE_URL``, for code that builds its own client; yields the base URL.

    Retry policies built during the test (the clients' default one included) wait on
    ``creatorsdk_clock``, as the fake's rate limits do.
    """
    with _served(creatoraudit_fake) as base_url:
        monkeypatch.setenv("CREATORAUDIT_API_KEY", creatoraudit_fake.api_key)
        monkeypatch.setenv("CREATORAUDIT_BASE_URL", base_url)
        _wait_on(creatorsdk_clock, monkeypatch)
        yield base_url


@pytest.fixture
def trackagoat_env(
    trackagoat_fake: FakeTrackAGoat,
    creatorsdk_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """``trackagoat_fake`` served on 127.0.0.1 and named by ``TRACKAGOAT_API_KEY`` and
    ``TRACKAGOAT_BASE_URL``, for code that builds its own client; yields the base URL.

    Retry policies built during the test (and so the client's pacing at 60 requests a
    minute) wait on ``creatorsdk_clock``.
    """
    with _served(trackagoat_fake) as base_url:
        monkeypatch.setenv("TRACKAGOAT_API_KEY", trackagoat_fake.api_key)
        monkeypatch.setenv("TRACKAGOAT_BASE_URL", base_url)
        _wait_on(creatorsdk_clock, monkeypatch)
        yield base_url


@contextlib.contextmanager
def _served(fake: FakeCreatorAudit | FakeTrackAGoat) -> Iterator[str]:
    """The fake on loopback for the whole test, from its own event-loop thread.

    (An async fixture could not hold the server's task group: pytest-asyncio may tear a
    fixture down in another task than the one that set it up.)
    """
    from anyio.from_thread import start_blocking_portal

    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield base_url


def _wait_on(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``clock`` the default ``sleep`` and ``clock`` of every RetryPolicy built from now
    on (the test's own code builds its clients, so there is no argument to pass it through).
    """
    from creatorsdk import RetryPolicy

    init = RetryPolicy.__init__
    overrides = {"sleep": clock.sleep, "clock": clock}
    names = [
        p.name
        for p in inspect.signature(init).parameters.values()
        if p.default is not inspect.Parameter.empty
        and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    ]
    if init.__defaults__ is not None and len(names) == len(init.__defaults__):
        defaults = tuple(
            overrides.get(name, value) for name, value in zip(names, init.__defaults__, strict=True)
        )
        monkeypatch.setattr(init, "__defaults__", defaults)
    keyword_defaults = init.__kwdefaults__
    if keyword_defaults:
        monkeypatch.setattr(
            init,
            "__kwdefaults__",
            {**keyword_defaults, **{k: v for k, v in overrides.items() if k in keyword_defaults}},
        )
    probe = RetryPolicy()
    if probe.sleep != clock.sleep or probe.clock is not clock:
        raise RuntimeError("could not make RetryPolicy wait on the test's clock")
