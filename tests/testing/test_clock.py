"""FakeClock: time that moves on demand, and a sleep that yields, wakes at absolute deadlines
in deadline order, and can be cancelled; on asyncio and on trio."""

from __future__ import annotations

from collections.abc import Awaitable

import anyio
import pytest

from creatorsdk.testing import FakeClock

from ..conftest import START, on_each_event_loop


def test_time_moves_only_forward_and_only_when_told() -> None:
    clock = FakeClock(100.0)
    assert clock() == clock.now() == 100.0
    clock.advance(2.5)
    assert clock() == clock.now() == 102.5
    with pytest.raises(ValueError, match="seconds"):
        clock.advance(-1)
    assert clock() == 102.5
    assert FakeClock()() == START


@on_each_event_loop
async def test_a_sleep_advances_the_clock_and_is_recorded(backend: str) -> None:
    clock = FakeClock(0.0)
    await clock.sleep(1.5)
    await clock.sleep(2.0)
    await clock.sleep(-3.0)  # a negative wait is no wait; time never runs backwards
    assert clock() == 3.5
    assert clock.sleeps == [1.5, 2.0, -3.0]


@on_each_event_loop
async def test_other_tasks_run_while_one_sleeps(backend: str) -> None:
    clock = FakeClock(0.0)
    stop = False

    async def retry_until_stopped() -> int:
        for attempt in range(1000):
            if stop:
                return attempt
            await clock.sleep(1.0)
        return 1000

    async def stopper() -> None:
        nonlocal stop
        stop = True

    attempts: list[int] = []
    async with anyio.create_task_group() as group:
        group.start_soon(lambda: _append(attempts, retry_until_stopped()))
        group.start_soon(stopper)
    # A sleep that never yielded would have run all 1000 attempts before the stopper ran.
    assert 0 <= attempts[0] < 10
    assert clock() == attempts[0]  # each sleep moved the clock by its second


async def _append(results: list[int], work: Awaitable[int]) -> None:
    results.append(await work)


@on_each_event_loop
async def test_overlapping_sleepers_wake_at_their_deadlines_in_deadline_order(
    backend: str,
) -> None:
    clock = FakeClock(0.0)
    woke: list[tuple[str, float]] = []

    async def sleep(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock()))

    async with anyio.create_task_group() as group:
        for name, seconds in [("c", 3.0), ("a", 1.0), ("b", 2.0), ("a2", 1.0)]:
            group.start_soon(sleep, name, seconds)
    # Each wakes at its own deadline, earliest first, whatever order the loop ran them in;
    # together they move the clock to the latest deadline, not by the sum of their sleeps.
    assert sorted(woke[:2]) == [("a", 1.0), ("a2", 1.0)]
    assert woke[2:] == [("b", 2.0), ("c", 3.0)]
    assert clock() == 3.0


@on_each_event_loop
async def test_a_deadline_is_absolute_from_the_moment_of_the_call(backend: str) -> None:
    clock = FakeClock(0.0)
    woke: list[float] = []

    async def late() -> None:
        await clock.sleep(5.0)  # called at 0: its deadline is 5
        woke.append(clock())

    async def early() -> None:
        await clock.sleep(1.0)  # wakes first ...
        woke.append(clock())
        clock.advance(10.0)  # ... and moves time past the other sleeper's deadline

    async with anyio.create_task_group() as group:
        group.start_soon(late)
        group.start_soon(early)
    # The late sleeper wakes at once, and does not add its 5 s to the 11 s the clock shows.
    assert woke == [1.0, 11.0]
    assert clock() == 11.0


@on_each_event_loop
async def test_a_sleep_can_be_cancelled(backend: str) -> None:
    clock = FakeClock(0.0)
    reached_the_end = False
    with anyio.CancelScope() as scope:
        scope.cancel()
        await clock.sleep(60.0)
        reached_the_end = True
    assert scope.cancelled_caught
    assert not reached_the_end
    assert clock() == 0.0  # a cancelled sleeper does not move the clock
    assert clock.sleeps == [60.0]


@on_each_event_loop
async def test_a_sleeper_cancelled_mid_sleep_neither_wakes_nor_holds_back_the_others(
    backend: str,
) -> None:
    clock = FakeClock(0.0)
    woke: list[tuple[str, float]] = []
    victim_scope = anyio.CancelScope()

    async def sleep(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock()))

    async def victim() -> None:
        with victim_scope:
            await sleep("victim", 3.0)

    async def canceller() -> None:
        await sleep("canceller", 1.0)
        victim_scope.cancel()  # the victim leaves before its deadline (3) ...

    with anyio.fail_after(5):  # a sleeper left behind would hold the later one forever
        async with anyio.create_task_group() as group:
            group.start_soon(victim)
            group.start_soon(canceller)
            group.start_soon(sleep, "later", 5.0)  # ... so this one is not held behind it
    assert woke == [("canceller", 1.0), ("later", 5.0)]
    assert clock() == 5.0
