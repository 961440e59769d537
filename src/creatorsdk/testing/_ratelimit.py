"""A fixed-window request limit per API key, on the fake's clock."""

from __future__ import annotations

import dataclasses
import math

from creatorsdk.testing._clock import Clock

__all__ = ["FixedWindowLimiter", "RateVerdict"]


@dataclasses.dataclass(frozen=True, slots=True)
class RateVerdict:
    """The limiter's answer for one request, with what the rate-limit headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*`` headers, plus ``Retry-After`` when the request was refused."""
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class FixedWindowLimiter:
    """``limit`` requests per ``window`` seconds per key.

    A key's window opens at its first request and lasts ``window`` seconds (the INCR + EXPIRE
    scheme many gateways use); every request counts, refused ones included, so a client that
    ignores ``Retry-After`` stays refused until the window ends.
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1:
            raise ValueError(f"rate limit must be >= 1, got {limit!r}")
        if window <= 0:
            raise ValueError(f"rate window must be > 0 seconds, got {window!r}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str) -> RateVerdict:
        """Count one request for ``key`` and say whether it may proceed."""
        now = self._clock()
        start, count = self._windows.get(key, (now, 0))
        if now >= start + self.window:
            start, count = now, 0
        count += 1
        self._windows[key] = (start, count)
        end = start + self.window
        return RateVerdict(
            allowed=count <= self.limit,
            limit=self.limit,
            remaining=max(self.limit - count, 0),
            reset_at=math.ceil(end),
            retry_after=max(math.ceil(end - now), 1),
        )
