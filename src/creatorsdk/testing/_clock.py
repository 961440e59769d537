"""Time for the fakes: any callable returning epoch seconds, and a clock that moves on demand."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

import anyio.lowlevel

__all__ = ["Clock", "FakeClock"]

#: What the fakes accept as a clock: a callable returning Unix time in seconds (``time.time``).
Clock = Callable[[], float]

#: 2026-06-14T09:30:00Z, the instant the CreatorAudit docs use in their examples.
DEFAULT_START = 1_781_429_400.0


class FakeClock:
    """Unix time that moves only when a test, or a sleep on it, moves it.

    Pass it as a fake's ``clock=`` to drive rate-limit windows, idempotency expiry and "today"
    without sleeping; call it (or :meth:`now`) for the current epoch seconds. Give its
    :meth:`sleep` to a client (``RetryPolicy(sleep=clock.sleep, clock=clock)``) and retry
    waits and pacing delays advance this clock instead of taking real time; :attr:`sleeps`
    lists every wait asked for, in order.
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._now = float(start)
        #: The seconds each :meth:`sleep` call asked for, in call order.
        self.sleeps: list[float] = []
        # Sleepers not yet woken, as (deadline, arrival): the earliest deadline wakes first.
        self._sleepers: list[tuple[float, int]] = []
        self._arrivals = itertools.count()

    def __call__(self) -> float:
        return self._now

    def __repr__(self) -> str:
        return f"FakeClock({self._now!r})"

    def now(self) -> float:
        """The current time in epoch seconds."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward; time never runs backwards."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of this clock's time, taking no real time.

        Every call yields to the event loop, as a real sleep does: other tasks run in the
        meantime, and a cancelled caller is cancelled here (a sleep that never yielded would
        let a retry loop hog the loop and could not be interrupted). The sleeper wakes at its
        absolute deadline, the time of the call plus ``seconds``, and sleepers that overlap
        wake in deadline order, each seeing its own deadline: together they move the clock
        to the latest of their deadlines, not by the sum of their sleeps, whatever order the
        event loop runs them in. A sleeper whose deadline has already passed (another one
        moved the clock further) leaves the clock where it is.
        """
        self.sleeps.append(seconds)
        sleeper = (self._now + max(seconds, 0.0), next(self._arrivals))
        heapq.heappush(self._sleepers, sleeper)
        try:
            # One pass of the event loop lets every task that is running now reach its own
            # sleep; then the earliest deadline wakes first, the others yield until theirs.
            await anyio.lowlevel.checkpoint()
            while self._sleepers[0] != sleeper:
                await anyio.lowlevel.checkpoint()
        finally:
            if self._sleepers[0] == sleeper:
                heapq.heappop(self._sleepers)
            else:  # cancelled while an earlier sleeper had yet to wake
                self._sleepers.remove(sleeper)
                heapq.heapify(self._sleepers)
        self._now = max(self._now, sleeper[0])
