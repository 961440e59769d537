"""Fixtures shared by every test: a manual clock, a sleep that only advances it, a policy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import respx

from creatorsdk import AsyncCreatorAudit, RetryPolicy

API_KEY = "ca_test_secret_key_0123456789"
BASE_URL = "https://api.creatoraudit.test/v2"


class ManualClock:
    """Unix time that moves only when a test (or the recorded sleep) moves it."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def policy(clock: ManualClock) -> RetryPolicy:
    """The default policy with time injected: retries never really sleep."""
    return RetryPolicy(sleep=clock.sleep, clock=clock)


@pytest.fixture
def api() -> respx.MockRouter:
    """respx routes for the CreatorAudit test base URL; unmatched requests fail the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def ca(api: respx.MockRouter, policy: RetryPolicy) -> AsyncIterator[AsyncCreatorAudit]:
    """An AsyncCreatorAudit on the respx routes, with the manual clock."""
    async with AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, retry=policy) as client:
        yield client
