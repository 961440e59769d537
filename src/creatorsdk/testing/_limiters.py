"""The limiters the fakes can put in front of a key, besides the two fixed windows.

Each mirrors a real server's algorithm and sends the headers that server sends:

- ``moving``: the ``limits`` library's moving window, headers as slowapi writes them;
- ``sliding``: the ``limits`` library's sliding-window counter, headers as slowapi writes them;
- ``token-bucket``: a token bucket, headers with Envoy's local rate limit's meaning;
- ``headerless``: nginx ``limit_req`` (a leaky bucket with a burst, ``nodelay``), which refuses
  with a bare 429: no rate-limit headers, no ``Retry-After``.

:func:`make_limiter` builds any kind by name, the fixed windows included.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._ratelimit import (
    EpochWindowLimiter,
    FixedWindowLimiter,
    Limiter,
    RateVerdict,
    check_limit,
)

__all__ = [
    "LIMITER_KINDS",
    "LeakyBucketLimiter",
    "MovingWindowLimiter",
    "SlidingWindowCounterLimiter",
    "TokenBucketLimiter",
    "make_limiter",
    "slowapi_verdict",
]

#: The names :func:`make_limiter`, ``FakeCreatorAudit(limiter=...)`` and ``--limiter`` accept.
LIMITER_KINDS = ("fixed-epoch", "fixed-first", "moving", "sliding", "token-bucket", "headerless")

#: Float slack for the buckets: 100 refills of 0.01 s must make a whole token, as integer
#: arithmetic in a real server would.
_SLACK = 1e-9


def make_limiter(kind: str, limit: int, window: float, clock: Clock) -> Limiter:
    """The limiter called ``kind`` (one of :data:`LIMITER_KINDS`): ``limit`` per ``window`` s."""
    if kind == "fixed-epoch":
        return EpochWindowLimiter(limit, window, clock)
    if kind == "fixed-first":
        return FixedWindowLimiter(limit, window, clock)
    if kind == "moving":
        return MovingWindowLimiter(limit, window, clock)
    if kind == "sliding":
        return SlidingWindowCounterLimiter(limit, window, clock)
    if kind == "token-bucket":
        return TokenBucketLimiter(limit, window, clock)
    if kind == "headerless":
        return LeakyBucketLimiter(limit, window, clock)
    raise ValueError(f"limiter must be one of {', '.join(LIMITER_KINDS)}; got {kind!r}")


def slowapi_verdict(
    allowed: bool, limit: int, remaining: int, reset: float, now: float
) -> RateVerdict:
    """Headers as slowapi's ``_inject_headers`` writes them, on every response.

    ``X-RateLimit-Reset`` is ``1 +`` the ``limits`` window's reset time, printed as Python prints
    a float; ``Retry-After`` is ``int(reset_in - now)`` and goes on successes too.
    """
    reset_in = 1 + reset
    return RateVerdict(
        allowed=allowed,
        limit=limit,
        remaining=remaining,
        reset=str(float(reset_in)),
        retry_after=int(reset_in - now),
    )


class MovingWindowLimiter:
    """At most ``limit`` admitted requests in any ``window`` seconds: the ``limits`` moving window.

    A log of admitted hits per key; a hit is admitted while fewer than ``limit`` logged hits are
    younger than ``window``, and refused hits are not logged (``limits``' ``acquire_entry``). The
    headers are slowapi's: ``Remaining`` = ``limit`` minus the hits in the window,
    ``Reset`` = 1 + (oldest hit in the window + ``window``) as a float, so about now + 1 s while
    the window is full; ``Retry-After`` on every response.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        check_limit(limit, window)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, collections.deque[float]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Log one request for ``key`` if the window has room; slowapi's headers."""
        now = self._clock()
        hits = self._live(key, now)
        allowed = len(hits) < self.limit
        if allowed:
            hits.append(now)
        start = hits[0] if hits else now
        return slowapi_verdict(
            allowed, self.limit, self.limit - len(hits), start + self.window, now
        )

    def delay(self, key: str) -> float:
        """Seconds until the oldest hit that fills the window expires (0 when there is room)."""
        now = self._clock()
        hits = self._live(key, now)
        if len(hits) < self.limit:
            return 0.0
        return hits[len(hits) - self.limit] + self.window - now

    def live(self, key: str) -> Sequence[float]:
        """The times of ``key``'s hits still in the window, oldest first."""
        return tuple(self._live(key, self._clock()))

    def _live(self, key: str, now: float) -> collections.deque[float]:
        hits = self._hits.setdefault(key, collections.deque())
        # A hit is in the window for ``window`` seconds after it was made.
        while hits and hits[0] + self.window <= now:
            hits.popleft()
        return hits


class SlidingWindowCounterLimiter:
    """The ``limits`` library's sliding-window counter, with slowapi's headers.

    Counts per key in epoch-aligned windows of ``window`` seconds; the previous window's count
    is weighted by the share of the current window still to run: ``weighted = previous ·
    (time left in this window ÷ window) + current``. A hit is admitted when
    ``floor(weighted) + 1 <= limit`` (refused hits are not counted). Headers: ``Remaining`` =
    ``limit - floor(weighted)``; ``Reset`` = 1 + now + the time until the weighted count next
    drops by one (``time left % (window / previous)``) or the current window ends, whichever
    comes first, as a float; ``Retry-After`` on every response.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        check_limit(limit, window)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._counts: dict[str, tuple[int, int, int]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Count one request for ``key`` if the weighted count allows it; slowapi's headers."""
        now = self._clock()
        number, previous, current = self._current(key, now)
        left = (number + 1) * self.window - now
        allowed = math.floor(previous * left / self.window + current) + 1 <= self.limit
        if allowed:
            current += 1
        self._counts[key] = (number, previous, current)
        weighted = previous * left / self.window + current
        remaining = max(0, self.limit - math.floor(weighted))
        candidates = [math.inf]
        if previous:
            candidates.append(left % (self.window / previous))
        if current:
            candidates.append(left % self.window)
        reset = now if not (previous or current) else now + min(candidates)
        return slowapi_verdict(allowed, self.limit, remaining, reset, now)

    def delay(self, key: str) -> float:
        """Seconds until the weighted count falls below the limit (0 when it already has)."""
        now = self._clock()
        number, previous, current = self._current(key, now)
        end = (number + 1) * self.window
        if current >= self.limit:
            # Not in this window: in the next one, this window's count is the weighted one.
            earliest = end + self.window - self.limit * self.window / current
        elif previous:
            earliest = end - (self.limit - current) * self.window / previous
        else:
            earliest = now
        return max(earliest - now, 0.0)

    def _current(self, key: str, now: float) -> tuple[int, int, int]:
        """This window's number, the previous window's count and this window's count."""
        number = math.floor(now / self.window)
        seen, previous, current = self._counts.get(key, (number, 0, 0))
        if seen == number:
            return number, previous, current
        if seen == number - 1:
            return number, current, 0
        return number, 0, 0


class TokenBucketLimiter:
    """A bucket of ``limit`` tokens per key refilled continuously at ``limit / window`` per second.

    A full bucket at first; each admitted request takes one token, a refused one none. The
    headers follow Envoy's local rate limit filter (``enable_x_ratelimit_headers``):
    ``X-RateLimit-Limit`` is the bucket size, ``Remaining`` the whole tokens left and ``Reset``
    when the next token arrives (the bucket's time to its next fill; now when the bucket is
    full), written in this API's format, whole Unix seconds rounded up. ``Retry-After`` on a
    429 is the seconds until the next token, rounded up.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        check_limit(limit, window)
        self.limit = limit
        self.window = window
        self.rate = limit / window
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Take a token for ``key`` if one is there; Envoy-style headers."""
        now = self._clock()
        tokens = self._tokens(key, now)
        allowed = tokens >= 1 - _SLACK
        if allowed:
            tokens -= 1
        self._buckets[key] = (tokens, now)
        next_token = 0.0 if tokens >= self.limit else (math.floor(tokens) + 1 - tokens) / self.rate
        return RateVerdict(
            allowed=allowed,
            limit=self.limit,
            remaining=math.floor(tokens),
            reset=str(math.ceil(now + next_token)),
            retry_after=None if allowed else max(math.ceil(next_token), 1),
        )

    def delay(self, key: str) -> float:
        """Seconds until the bucket holds a whole token."""
        tokens = self.tokens(key)
        return 0.0 if tokens >= 1 - _SLACK else (1 - tokens) / self.rate

    def tokens(self, key: str) -> float:
        """The tokens ``key``'s bucket holds now (a fraction of one included)."""
        return self._tokens(key, self._clock())

    def _tokens(self, key: str, now: float) -> float:
        tokens, then = self._buckets.get(key, (float(self.limit), now))
        return min(float(self.limit), tokens + (now - then) * self.rate)


class LeakyBucketLimiter:
    """nginx ``limit_req zone=... rate=R burst=B nodelay`` with ``limit_req_status 429``.

    ``R`` = ``limit / window`` requests per second and ``B`` = ``burst`` (default: a tenth of
    ``limit``). nginx keeps an ``excess`` per key that leaks at ``R`` per second: a request
    computes ``excess' = max(excess - R·elapsed + 1, 0)`` and is refused when
    ``excess' > B`` (the key's state is then left as it was), so ``B + 1`` requests can go at
    once and then one per ``1 / R`` seconds. A refusal is a bare 429: no rate-limit headers,
    no ``Retry-After``.
    """

    def __init__(
        self, limit: int, window: float, clock: Clock, *, burst: int | None = None
    ) -> None:
        check_limit(limit, window)
        if burst is not None and (isinstance(burst, bool) or burst < 0):
            raise ValueError(f"burst must be an integer >= 0, got {burst!r}")
        self.limit = limit
        self.window = window
        self.rate = limit / window
        self.burst = max(limit // 10, 1) if burst is None else burst
        self._clock = clock
        self._state: dict[str, tuple[float, float]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Admit or refuse one request for ``key``; never any headers."""
        now = self._clock()
        if key not in self._state:
            self._state[key] = (0.0, now)
            return RateVerdict(allowed=True)
        excess = self._excess(key, now)
        if excess > self.burst + _SLACK:
            return RateVerdict(allowed=False)
        self._state[key] = (excess, now)
        return RateVerdict(allowed=True)

    def delay(self, key: str) -> float:
        """Seconds until the excess has leaked enough for one more request."""
        state = self._state.get(key)
        if state is None:
            return 0.0
        excess, last = state
        wait = last + (excess + 1 - self.burst) / self.rate - self._clock()
        return wait if wait > _SLACK / self.rate else 0.0

    def _excess(self, key: str, now: float) -> float:
        excess, last = self._state[key]
        return max(excess - self.rate * max(now - last, 0.0) + 1, 0.0)
