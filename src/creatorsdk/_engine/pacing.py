"""Rate-limit headers and the pacer that keeps a client under its key's budget.

The budget belongs to the API key, so one :class:`Pacer` is shared by every task of a client.
It spreads what is left of the window evenly until the reset instead of bursting into a 429,
and after a 429 it holds every sender once until ``Retry-After`` has passed, then lets them
go one interval apart.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping

import attrs

from creatorsdk.errors import InvalidArgumentError

__all__ = ["Pacer", "RateLimit", "parse_rate_limit"]

#: A reset further away than this is treated as nonsense (clock skew, milliseconds).
_LONGEST_WINDOW = 24 * 3600.0


@attrs.frozen
class RateLimit:
    """The rate-limit state one response reported.

    ``limit`` is the window's ceiling, ``remaining`` what is left of it, and ``reset_at`` the
    Unix time in seconds when the window starts over.
    """

    limit: int | None
    remaining: int
    reset_at: float


def parse_rate_limit(
    headers: Mapping[str, str],
    *,
    limit_header: str = "x-ratelimit-limit",
    remaining_header: str = "x-ratelimit-remaining",
    reset_header: str = "x-ratelimit-reset",
) -> RateLimit | None:
    """Read a :class:`RateLimit` from response headers, or ``None`` when absent or unusable.

    ``remaining`` and ``reset`` are both needed to pace; ``limit`` is informative only.
    Values that are negative, non-finite or not numbers make the whole reading unusable
    rather than guessed at.
    """
    remaining = _number(headers.get(remaining_header))
    reset_at = _number(headers.get(reset_header))
    if remaining is None or reset_at is None:
        return None
    limit = _number(headers.get(limit_header))
    return RateLimit(
        limit=int(limit) if limit is not None else None,
        remaining=int(remaining),
        reset_at=reset_at,
    )


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


class Pacer:
    """Spaces out request starts so a shared budget lasts until its window resets.

    Call :meth:`wait` before sending, :meth:`observe` with each response's
    :class:`RateLimit`, :meth:`pause` after a 429 and :meth:`finished` when a request ends.
    ``max_wait`` caps any single wait (the retry policy's ``max_retry_after``): headers that
    ask for more (a reset an hour away with nothing left, a skewed server clock) get a request
    sent after ``max_wait``, whose 429 the retry policy then raises at once, instead of a
    silent sleep of hours.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        requests_per_minute: float | None = None,
        max_wait: float | None = None,
    ) -> None:
        if requests_per_minute is not None and not requests_per_minute > 0:
            raise InvalidArgumentError(
                f"requests_per_minute must be > 0, got {requests_per_minute!r}"
            )
        if max_wait is not None and not max_wait >= 0:
            raise InvalidArgumentError(f"max_wait must be >= 0, got {max_wait!r}")
        self._clock = clock
        self._sleep = sleep
        self._latest: RateLimit | None = None
        # A documented per-key rate (for APIs that send no headers) is a floor on spacing.
        self._floor = 60.0 / requests_per_minute if requests_per_minute else 0.0
        # The documented per-key rate is never broken to honour the cap.
        self._max_wait = None if max_wait is None else max(max_wait, self._floor)
        self._interval = self._floor
        self._next_start = 0.0
        self._paused_until = 0.0
        self._in_flight = 0
        # Sends the latest headers still allow in their window; None before any headers.
        self._tokens: int | None = None

    @property
    def latest(self) -> RateLimit | None:
        """The freshest rate-limit state seen, or ``None`` before the first headers."""
        return self._latest

    async def wait(self) -> None:
        """Wait for this sender's turn, then count it as in flight."""
        now = self._clock()
        start = self._take_slot(now, max(now, self._next_start, self._paused_until))
        while True:
            while start > now:
                await self._sleep(start - now)
                now = self._clock()
                if self._paused_until > now:
                    # A 429 seen by another task while we slept: queue again behind the
                    # pause, still an interval apart, rather than every sender rushing out
                    # at its end into the next 429.
                    start = self._take_slot(now, max(self._paused_until, self._next_start))
                else:
                    start = now
            reset_at = self._exhausted_until(now)
            if reset_at is None:
                break
            # The window's budget went to senders that left while this one slept.
            start = self._take_slot(now, reset_at)
        self._in_flight += 1
        if self._tokens is not None:
            self._tokens -= 1

    def _exhausted_until(self, now: float) -> float | None:
        """The reset to wait for when the current window has nothing left, else ``None``."""
        latest = self._latest
        if self._tokens is None or self._tokens > 0 or latest is None:
            return None
        if latest.reset_at <= now:
            return None
        if self._max_wait is not None and latest.reset_at - now > self._max_wait:
            return None  # send, and let the policy raise the 429 rather than sleep for hours
        return latest.reset_at

    def _take_slot(self, now: float, start: float) -> float:
        """Claim the send slot at ``start`` (no more than ``max_wait`` away)."""
        if self._max_wait is not None:
            start = min(start, now + self._max_wait)
        self._next_start = start + self._interval
        return start

    def finished(self) -> None:
        """Mark one request that passed :meth:`wait` as no longer in flight."""
        self._in_flight -= 1

    def observe(self, rate_limit: RateLimit) -> None:
        """Update the budget from one response's headers."""
        latest = self._latest
        if latest is not None and rate_limit.reset_at < latest.reset_at:
            return  # a late answer from an older window says nothing about this one
        if latest is not None and rate_limit.reset_at == latest.reset_at:
            rate_limit = attrs.evolve(
                rate_limit, remaining=min(rate_limit.remaining, latest.remaining)
            )
        self._latest = rate_limit
        now = self._clock()
        until_reset = rate_limit.reset_at - now
        if until_reset <= 0 or until_reset > _LONGEST_WINDOW:
            self._interval = self._floor
            return
        # Requests still on the wire will spend budget these headers have not counted yet
        # (the request that carried them has already called finished()).
        budget = rate_limit.remaining - self._in_flight
        self._tokens = budget
        if budget <= 0:
            self._interval = self._floor
            self._next_start = max(self._next_start, rate_limit.reset_at)
            return
        self._interval = max(until_reset / budget, self._floor)
        self._next_start = min(self._next_start, now + self._interval)

    def pause(self, seconds: float) -> None:
        """Hold every sender for ``seconds`` (a 429's ``Retry-After``), once for all of them."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
