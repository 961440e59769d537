"""When to retry, how long to wait, and the parsing of ``Retry-After``.

The policy is data; :func:`retrying` turns it into a tenacity loop. The parsing functions are
pure so they can be tested on tables of real-world header values.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Awaitable, Callable, Iterable

import anyio
import attrs
import tenacity

from creatorsdk._engine.checks import int_arg, non_negative_arg, positive_arg
from creatorsdk._engine.pacing.readings import http_date
from creatorsdk.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InvalidArgumentError,
    MalformedResponseError,
)

__all__ = ["RetryPolicy", "backoff_delay", "parse_retry_after"]

#: Statuses retried only when repeating the request cannot duplicate a write.
_UNSAFE_STATUSES = frozenset({500, 502, 504})


def _positive(_: object, attribute: attrs.Attribute[float], value: float | None) -> None:
    if value is not None:
        positive_arg(attribute.name, value, what="a number of seconds")


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    non_negative_arg(attribute.name, value, what="a number of seconds")


def _at_least_one(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    int_arg(attribute.name, value, low=1)


def _statuses(value: Iterable[int]) -> frozenset[int]:
    # A bare status (or a string of digits) is not a set of them: refused, not iterated.
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidArgumentError(f"retry_statuses must be a set of HTTP statuses, got {value!r}")
    return frozenset(int_arg("retry_statuses", status, low=100, high=599) for status in value)


@attrs.frozen
class RetryPolicy:
    """How a client retries failed requests.

    Attempts are capped by ``max_attempts`` and, when set, by ``deadline`` seconds from the
    first attempt. Waits use full-jitter exponential backoff (``uniform(0, min(cap,
    base * 2**n))``) unless the server sent ``Retry-After``, which wins up to
    ``max_retry_after`` seconds; a longer requested wait raises the error at once rather than
    sleeping silently. ``sleep`` and ``clock`` (Unix seconds) are injectable for tests and are
    also used by the client's rate pacer.
    """

    max_attempts: int = attrs.field(default=5, validator=_at_least_one)
    backoff_base: float = attrs.field(default=0.5, validator=_positive)
    backoff_cap: float = attrs.field(default=10.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    deadline: float | None = attrs.field(default=None, validator=_positive)
    retry_statuses: frozenset[int] = attrs.field(
        default=frozenset({429, 500, 502, 503, 504}), converter=_statuses
    )
    sleep: Callable[[float], Awaitable[None]] = attrs.field(default=anyio.sleep, repr=False)
    clock: Callable[[], float] = attrs.field(default=time.time, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, repr=False)

    def should_retry(self, error: BaseException, *, idempotent: bool) -> bool:
        """Whether ``error`` may be retried for a request of the given safety."""
        if isinstance(error, APIError):
            if not error.retryable or error.status not in self.retry_statuses:
                return False
            # 429 and 503 mean the server did not act on the request, so any request may repeat.
            return idempotent or error.status not in _UNSAFE_STATUSES
        if isinstance(error, APIConnectionError):
            return idempotent or not error.sent
        # A cut-off body means the request was served; repeating it is a new request.
        return isinstance(error, MalformedResponseError) and idempotent

    def wait_for(self, error: BaseException, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        if isinstance(error, APIError) and error.retry_after is not None:
            return float(error.retry_after)
        return backoff_delay(retry_number, self.backoff_base, self.backoff_cap, self.random())


def backoff_delay(retry_number: int, base: float, cap: float, unit_random: float) -> float:
    """Full-jitter exponential backoff: a uniform draw below ``min(cap, base * 2**(n-1))``."""
    ceiling: float = min(cap, base * 2.0 ** min(retry_number - 1, 62))
    return ceiling * unit_random


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Parse a ``Retry-After`` value into seconds from ``now`` (Unix seconds).

    Accepts integer or fractional seconds and HTTP dates. Anything that is not a finite,
    non-negative wait (negatives, ``inf``, ``nan``, garbage) returns ``None`` so the caller
    falls back to backoff; a date in the past means "now" (0.0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until_http_date(text, now)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _seconds_until_http_date(text: str, now: float) -> float | None:
    when = http_date(text)
    return None if when is None else max(0.0, when - now)


class _GiveUp(tenacity.stop.stop_base):
    """Stop on attempts, on the deadline, or when the server asks for a wait we will not honour."""

    def __init__(self, policy: RetryPolicy, started: float) -> None:
        self._policy = policy
        self._started = started

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        policy = self._policy
        if retry_state.attempt_number >= policy.max_attempts:
            return True
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, APITimeoutError) and error.bound == "deadline":
            return True  # (the pacer says so before the deadline when its wait ends after)
        asked = error.retry_after if isinstance(error, APIError) else None
        if asked is not None and asked > policy.max_retry_after:
            return True
        if policy.deadline is None:
            return False
        wait = max(retry_state.upcoming_sleep, asked or 0.0)
        return policy.clock() - self._started + wait > policy.deadline


def retrying(policy: RetryPolicy, *, idempotent: bool, started: float) -> tenacity.AsyncRetrying:
    """A tenacity controller that applies ``policy`` to a request of the given safety.

    The engine records each attempt's failure in it and asks what to do next; tenacity answers
    with a wait or re-raises the failure when the policy gives up. A 429's wait is left to the
    client's pacer, which holds every sender at once, so its backoff here is zero.
    """

    def wait(retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        assert error is not None  # wait runs only after a failed attempt
        if isinstance(error, APIError) and error.status == 429:
            return 0.0
        return policy.wait_for(error, retry_state.attempt_number)

    return tenacity.AsyncRetrying(
        retry=tenacity.retry_if_exception(lambda e: policy.should_retry(e, idempotent=idempotent)),
        wait=wait,
        stop=_GiveUp(policy, started),
        sleep=policy.sleep,
        reraise=True,
    )
