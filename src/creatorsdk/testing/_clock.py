"""Time for the fakes: any callable returning epoch seconds, and a clock that moves on demand."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Clock", "FakeClock"]

#: What the fakes accept as a clock: a callable returning Unix time in seconds (``time.time``).
Clock = Callable[[], float]

#: 2026-06-14T09:30:00Z, the instant the CreatorAudit docs use in their examples.
DEFAULT_START = 1_781_429_400.0


class FakeClock:
    """Unix time that moves only when a test moves it.

    Pass it as a fake's ``clock=`` to drive rate-limit windows, idempotency expiry and "today"
    without sleeping; call it (or :meth:`now`) for the current epoch seconds.
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._now = float(start)

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
        """An async sleep that only advances this clock (for clients that take a ``sleep=``)."""
        self.advance(max(seconds, 0.0))
