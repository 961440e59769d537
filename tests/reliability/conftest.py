"""Reliability fixtures: both event loops, a virtual clock, hypothesis profiles, the figures.

pytest-asyncio runs this repository in auto mode, which claims every coroutine test for
asyncio, ``@pytest.mark.anyio`` ones included (their trio variant would then run on an asyncio
loop and crash, or worse, pass without trio ever running). The hook below hands tests marked
``anyio`` back to anyio's pytest plugin, which runs them once per ``anyio_backend``. Those tests
use only synchronous fixtures, so no fixture is ever set up on the wrong loop.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, settings

from creatorsdk import RetryPolicy
from creatorsdk.testing import FakeClock

# Hypothesis: a small profile for CI, a larger one with CREATORSDK_HYPOTHESIS_PROFILE=thorough.
PROFILE = os.environ.get("CREATORSDK_HYPOTHESIS_PROFILE", "ci")
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(PROFILE)


def examples(ci: int) -> int:
    """``ci`` examples in CI, 25 times as many under the thorough profile."""
    return ci * 25 if PROFILE == "thorough" else ci


#: Figures each suite reports, printed in the terminal summary (and quoted in RELIABILITY.md).
FIGURES: dict[str, list[str]] = {}


def report(suite: str, line: str) -> None:
    """Record one line of figures for the terminal summary."""
    FIGURES.setdefault(suite, []).append(line)


@pytest.hookimpl(hookwrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, Any, None]:
    """Give ``@pytest.mark.anyio`` tests back to anyio's plugin (see the module docstring)."""
    outcome = yield
    result = outcome.get_result()
    if not result:
        return
    items = result if isinstance(result, list) else [result]
    handed_back: list[Any] = []
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and type(item) is not pytest.Function  # pytest-asyncio's subclass took it
            and item.get_closest_marker("anyio") is not None
        ):
            plain = pytest.Function.from_parent(
                item.parent,
                name=item.name,
                callspec=getattr(item, "callspec", None),
                callobj=item.obj,
                fixtureinfo=item._fixtureinfo,
                keywords=item.keywords,
                originalname=item.originalname,
            )
            plain.own_markers = [m for m in item.own_markers if m.name != "asyncio"]
            item = plain
        handed_back.append(item)
    outcome.force_result(handed_back)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every ``anyio``-marked test runs on asyncio and on trio."""
    return str(request.param)


class VirtualTime(FakeClock):
    """A fake clock shared by a fake and a client: sleeping advances it, and yields once.

    The yield matters: a sleep that never reaches a checkpoint would let a retry loop hog
    the event loop and could never be cancelled.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        # Wake at an absolute time: sleepers that overlap move the clock to the latest of
        # their deadlines, not by the sum of their sleeps, as on a real clock.
        self.sleeps.append(seconds)
        wake_at = self() + max(seconds, 0.0)
        await anyio.lowlevel.checkpoint()
        self.advance(max(wake_at - self(), 0.0))


@pytest.fixture
def vtime() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def vpolicy(vtime: VirtualTime) -> RetryPolicy:
    """The default retry policy on virtual time."""
    return RetryPolicy(sleep=vtime.sleep, clock=vtime)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for suite, lines in FIGURES.items():
        for line in lines:
            terminalreporter.write_line(f"{suite}: {line}")
