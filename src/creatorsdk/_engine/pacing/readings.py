"""Rate-limit headers: what one response says about the key's budget, and whether to believe it."""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

__all__ = ["LONGEST_WINDOW", "RateLimit", "parse_rate_limit", "usable_reset"]

#: No real window is longer than a day (daily quotas); a reset further away is a unit mix-up
#: (milliseconds) or a broken clock.
LONGEST_WINDOW = 24 * 3600.0
#: A ``Reset`` below this is delta-seconds (the IETF draft's ``RateLimit-Reset``), not a date.
_EPOCH_FLOOR = 1e9
#: How far in the past a reset may be and still be this window's (clock skew, transit time).
_PAST_SLACK = 1.0


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
    now: float | None = None,
    limit_header: str = "x-ratelimit-limit",
    remaining_header: str = "x-ratelimit-remaining",
    reset_header: str = "x-ratelimit-reset",
) -> RateLimit | None:
    """Read a :class:`RateLimit` from response headers, or ``None`` when absent or unusable.

    ``remaining`` and ``reset`` are both needed to pace; ``limit`` is informative only.
    Values that are negative, non-finite or not numbers make the whole reading unusable
    rather than guessed at. Given ``now``, a small ``reset`` (under 10⁹) is read as seconds
    from now, as the IETF draft's ``RateLimit-Reset`` sends it.
    """
    remaining = _number(headers.get(remaining_header))
    reset_at = _number(headers.get(reset_header))
    if remaining is None or reset_at is None:
        return None
    if now is not None and reset_at < _EPOCH_FLOOR:
        reset_at += now
    limit = _number(headers.get(limit_header))
    return RateLimit(
        limit=int(limit) if limit is not None else None,
        remaining=int(remaining),
        reset_at=reset_at,
    )


def usable_reset(reset_at: float, now: float, longest: float = LONGEST_WINDOW) -> float | None:
    """``reset_at`` when it can be right at ``now``, else ``None``.

    A reset further away than ``longest`` (milliseconds for seconds, a skewed clock) or in the
    past (an older window's, or a server clock behind ours) says nothing about when this
    window's budget comes back.
    """
    if reset_at < now - _PAST_SLACK or reset_at > now + longest:
        return None
    return reset_at


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
