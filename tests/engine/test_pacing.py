"""Rate-limit header parsing (pure) and the shared pacer (on a manual clock)."""

from __future__ import annotations

import itertools

import anyio
import pytest
from anyio import wait_all_tasks_blocked

from creatorsdk import RateLimit
from creatorsdk._engine.pacing import Pacer, parse_rate_limit
from creatorsdk.testing import FakeClock

from ..conftest import START


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {
                "x-ratelimit-limit": "600",
                "x-ratelimit-remaining": "12",
                "x-ratelimit-reset": "1718354400",
            },
            RateLimit(limit=600, remaining=12, reset_at=1718354400.0),
        ),
        (
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1718354400.5"},
            RateLimit(limit=None, remaining=0, reset_at=1718354400.5),
        ),
        ({}, None),
        ({"x-ratelimit-remaining": "5"}, None),
        ({"x-ratelimit-remaining": "-1", "x-ratelimit-reset": "1"}, None),
        ({"x-ratelimit-remaining": "nan", "x-ratelimit-reset": "1"}, None),
        ({"x-ratelimit-remaining": "3", "x-ratelimit-reset": "inf"}, None),
        ({"x-ratelimit-remaining": "many", "x-ratelimit-reset": "1"}, None),
        (
            {"x-ratelimit-limit": "lots", "x-ratelimit-remaining": "3", "x-ratelimit-reset": "10"},
            RateLimit(limit=None, remaining=3, reset_at=10.0),
        ),
    ],
)
def test_parse_rate_limit(headers: dict[str, str], expected: RateLimit | None) -> None:
    assert parse_rate_limit(headers) == expected


def _pacer(clock: FakeClock) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep)


async def test_no_headers_means_no_waiting(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    for _ in range(100):
        await pacer.wait()
        pacer.finished()
    assert clock.sleeps == []


async def test_spreads_remaining_budget_until_reset(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    await pacer.wait()
    pacer.finished()  # as the client does: finished, then observe that response's headers
    reset_at = clock.now() + 10
    pacer.observe(RateLimit(limit=100, remaining=10, reset_at=reset_at))
    starts = []
    for _ in range(10):
        await pacer.wait()
        starts.append(clock.now())
        pacer.finished()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([1.0] * 9)
    assert starts[-1] < reset_at


async def test_queued_senders_never_spend_what_the_window_no_longer_has() -> None:
    clock = FakeClock(1000.0)
    queued = anyio.Event()

    async def sleep_once_queued(seconds: float) -> None:
        # Senders queue with the budget they saw; the window changes before any wakes.
        if not queued.is_set():
            await queued.wait()
        await clock.sleep(seconds)

    pacer = Pacer(clock=clock, sleep=sleep_once_queued)
    pacer.observe(RateLimit(limit=10, remaining=4, reset_at=1010.5))
    sent: list[tuple[int, float]] = []

    async def sender(number: int) -> None:
        await pacer.wait()
        sent.append((number, clock.now()))
        pacer.finished()

    async with anyio.create_task_group() as group:
        for number in range(3):
            group.start_soon(sender, number)
        await wait_all_tasks_blocked()
        assert sent == [(0, 1000.0)]  # the others queued 2.625 s apart
        # Another client of the same key spent the rest of the window meanwhile.
        pacer.observe(RateLimit(limit=10, remaining=0, reset_at=1010.5))
        queued.set()
    # Neither went at its queued time (1002.625, 1005.25): both waited for the new window.
    assert clock.sleeps[:2] == [2.625, 5.25]
    assert sent == [(0, 1000.0), (1, 1010.5), (2, 1010.5)]


async def test_exhausted_budget_waits_for_reset(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    reset_at = clock.now() + 42
    pacer.observe(RateLimit(limit=100, remaining=0, reset_at=reset_at))
    await pacer.wait()
    assert clock.now() == pytest.approx(reset_at)


async def test_in_flight_requests_count_against_the_budget(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    for _ in range(3):
        await pacer.wait()  # three on the wire, none answered
    pacer.finished()  # one answered; its headers say 2 left, but 2 are still on the wire
    pacer.observe(RateLimit(limit=100, remaining=2, reset_at=clock.now() + 30))
    start = clock.now()
    await pacer.wait()
    assert clock.now() == pytest.approx(start + 30)


async def test_stale_window_is_ignored(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    fresh = RateLimit(limit=100, remaining=90, reset_at=clock.now() + 60)
    pacer.observe(fresh)
    pacer.observe(RateLimit(limit=100, remaining=0, reset_at=clock.now() - 1))
    assert pacer.latest == fresh
    pacer.observe(RateLimit(limit=100, remaining=95, reset_at=clock.now() + 60))
    assert pacer.latest is not None
    assert pacer.latest.remaining == 90


async def test_nonsense_reset_does_not_stall(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    pacer.observe(RateLimit(limit=1, remaining=1, reset_at=clock.now() * 1000))  # ms, not s
    await pacer.wait()
    assert clock.sleeps == []


async def test_pause_holds_every_sender_once(clock: FakeClock) -> None:
    pacer = _pacer(clock)
    pacer.pause(5.0)
    pacer.pause(3.0)  # a second 429 with a shorter wait does not shorten the hold
    started: list[float] = []

    async def sender() -> None:
        await pacer.wait()
        started.append(clock.now())
        pacer.finished()

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(sender)
    assert started
    assert all(t >= START + 5.0 for t in started)


async def test_requests_per_minute_is_a_floor_on_spacing(clock: FakeClock) -> None:
    pacer = Pacer(clock=clock, sleep=clock.sleep, requests_per_minute=60)
    starts = []
    for _ in range(4):
        await pacer.wait()
        starts.append(clock.now())
        pacer.finished()
    assert [b - a for a, b in itertools.pairwise(starts)] == [1.0, 1.0, 1.0]
    pacer.observe(RateLimit(limit=1000, remaining=1000, reset_at=clock.now() + 60))
    await pacer.wait()
    assert clock.now() - starts[-1] == pytest.approx(1.0)  # generous headers do not lift it


def test_requests_per_minute_must_be_positive(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="requests_per_minute"):
        Pacer(clock=clock, sleep=clock.sleep, requests_per_minute=0)
