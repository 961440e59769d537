"""Request limits per API key on the fake's clock: the verdict, and the two fixed windows.

Every limiter answers :meth:`Limiter.hit` with a :class:`RateVerdict` carrying the headers a real
server of its kind sends, and :meth:`Limiter.delay` says how long until a hit would be admitted
(what an oracle client that knows the limiter exactly waits). The other kinds are in
``_limiters``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Protocol

from creatorsdk.testing._clock import Clock

__all__ = ["EpochWindowLimiter", "FixedWindowLimiter", "Limiter", "RateVerdict"]


@dataclasses.dataclass(frozen=True, slots=True)
class RateVerdict:
    """The limiter's answer for one request, and the rate-limit headers that go with it.

    ``limit``, ``remaining`` and ``reset`` (the ``X-RateLimit-Reset`` text, as the server
    formats it) are ``None`` for a limiter that sends no headers; ``retry_after`` is the
    ``Retry-After`` seconds, or ``None`` when that header is not sent.
    """

    allowed: bool
    limit: int | None = None
    remaining: int | None = None
    reset: str | None = None
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        """The headers this verdict puts on the response (none for a header-less limiter)."""
        out: dict[str, str] = {}
        if self.limit is not None:
            out["X-RateLimit-Limit"] = str(self.limit)
        if self.remaining is not None:
            out["X-RateLimit-Remaining"] = str(self.remaining)
        if self.reset is not None:
            out["X-RateLimit-Reset"] = self.reset
        if self.retry_after is not None:
            out["Retry-After"] = str(self.retry_after)
        return out


class Limiter(Protocol):
    """``limit`` requests per ``window`` seconds per key, by some algorithm."""

    limit: int
    window: float

    def hit(self, key: str) -> RateVerdict:
        """Count one request for ``key`` now and say whether it may proceed."""
        ...

    def delay(self, key: str) -> float:
        """Seconds from now until a request for ``key`` would be admitted (0: now)."""
        ...


def check_limit(limit: int, window: float) -> None:
    """A clear ``ValueError`` for a limit or window no limiter can enforce."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"rate limit must be an integer >= 1, got {limit!r}")
    if not window > 0 or math.isinf(window):
        raise ValueError(f"rate window must be > 0 seconds, got {window!r}")


def _whole_seconds(seconds: float) -> int:
    """A ``Retry-After`` in whole seconds: rounded up, never 0."""
    return max(math.ceil(seconds), 1)


class FixedWindowLimiter:
    """``limit`` requests per ``window`` seconds per key, in a window opened by the first request.

    A key's window opens at its first request and lasts ``window`` seconds (the INCR + EXPIRE
    scheme many gateways use); every request counts, refused ones included, so a client that
    ignores ``Retry-After`` stays refused until the window ends. ``X-RateLimit-Reset`` is the
    window's end in whole epoch seconds, rounded up.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        check_limit(limit, window)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Count one request for ``key`` and say whether it may proceed."""
        now = self._clock()
        start, count = self._current(key, now)
        count += 1
        self._windows[key] = (start, count)
        end = start + self.window
        allowed = count <= self.limit
        return RateVerdict(
            allowed=allowed,
            limit=self.limit,
            remaining=max(self.limit - count, 0),
            reset=str(math.ceil(end)),
            retry_after=None if allowed else _whole_seconds(end - now),
        )

    def delay(self, key: str) -> float:
        """Seconds until ``key``'s window has room: 0, or until the window ends."""
        now = self._clock()
        start, count = self._current(key, now)
        return 0.0 if count < self.limit else start + self.window - now

    def ends_at(self, key: str) -> float:
        """When ``key``'s window now open ends (a window opened now, if none is)."""
        start, _ = self._current(key, self._clock())
        return start + self.window

    def _current(self, key: str, now: float) -> tuple[float, int]:
        start, count = self._windows.get(key, (now, 0))
        return (now, 0) if now >= start + self.window else (start, count)


class EpochWindowLimiter:
    """``limit`` requests per key in each epoch-aligned window ``[k·window, (k+1)·window)``.

    The scheme of GitHub's and most API gateways' fixed windows (a counter per key and window
    number, e.g. Redis ``INCR key:{floor(now / window)}``): windows start on multiples of
    ``window`` since the epoch, whoever sends first. Every request counts, refused ones
    included. ``X-RateLimit-Reset`` is the window's end in whole epoch seconds (rounded up
    when ``window`` is not a whole number of seconds); ``Retry-After`` on a 429 is the seconds
    left in the window, rounded up.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        check_limit(limit, window)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Count one request for ``key`` and say whether it may proceed."""
        now = self._clock()
        number = math.floor(now / self.window)
        count = self._count(key, number) + 1
        self._counts[key] = (number, count)
        end = (number + 1) * self.window
        allowed = count <= self.limit
        return RateVerdict(
            allowed=allowed,
            limit=self.limit,
            remaining=max(self.limit - count, 0),
            reset=str(math.ceil(end)),
            retry_after=None if allowed else _whole_seconds(end - now),
        )

    def delay(self, key: str) -> float:
        """Seconds until the current window has room: 0, or until the next window opens."""
        now = self._clock()
        number = math.floor(now / self.window)
        if self._count(key, number) < self.limit:
            return 0.0
        return (number + 1) * self.window - now

    def ends_at(self, key: str) -> float:
        """When the window now open ends (the same for every key)."""
        return (math.floor(self._clock() / self.window) + 1) * self.window

    def _count(self, key: str, number: int) -> int:
        seen, count = self._counts.get(key, (number, 0))
        return count if seen == number else 0
