"""RetryPolicy decisions and Retry-After parsing, as tables of pure inputs."""

from __future__ import annotations

import math

import pytest

from creatorsdk import RetryPolicy, errors
from creatorsdk._engine.retry import backoff_delay, parse_retry_after

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 12 ", 12.0),
        ("1.5", 1.5),
        ("0.25", 0.25),
        ("Fri, 15 Jan 2027 08:00:30 GMT", 30.0),
        ("Fri, 15 Jan 2027 07:59:00 GMT", 0.0),  # a date in the past means now
        ("-1", None),
        ("-0.5", None),
        ("inf", None),
        ("Infinity", None),
        ("nan", None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("12s", None),
        ("Fri, 32 Foo 2027 99:00:00 GMT", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_parse_retry_after_never_returns_non_finite() -> None:
    for header in ("1e400", "-1e400", "NaN", "+inf"):
        value = parse_retry_after(header, NOW)
        assert value is None or math.isfinite(value)


@pytest.mark.parametrize("retry_number", [1, 2, 3, 4, 5, 10, 100])
@pytest.mark.parametrize("unit", [0.0, 0.3, 0.999999])
def test_backoff_is_full_jitter_below_capped_ceiling(retry_number: int, unit: float) -> None:
    ceiling = min(10.0, 0.5 * 2 ** (retry_number - 1))
    delay = backoff_delay(retry_number, 0.5, 10.0, unit)
    assert 0.0 <= delay <= ceiling
    assert delay == pytest.approx(ceiling * unit)


def test_default_policy_matches_design() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 5
    assert policy.backoff_base == 0.5
    assert policy.backoff_cap == 10.0
    assert policy.max_retry_after == 60.0
    assert policy.deadline is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": 2.5},
        {"max_attempts": "3"},
        {"max_attempts": True},
        {"backoff_base": 0},
        {"backoff_base": "0.5"},
        {"backoff_cap": -1},
        {"backoff_cap": True},
        {"deadline": 0},
        {"deadline": True},
        {"max_retry_after": -1},
        {"max_retry_after": float("nan")},
        {"max_retry_after": None},
        {"retry_statuses": 429},
        {"retry_statuses": "429"},
        {"retry_statuses": [429, "503"]},
        {"retry_statuses": [429, 42]},
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, object]) -> None:
    # Each with InvalidArgumentError naming the setting; before, a string or None raised a
    # bare TypeError from a comparison, and True or 2.5 attempts were taken.
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def _api_error(status: int, cls: type[errors.APIError] = errors.APIError) -> errors.APIError:
    return cls(status=status, code="X")


@pytest.mark.parametrize(
    ("status", "idempotent", "expected"),
    [
        (429, False, True),
        (503, False, True),
        (500, False, False),
        (502, False, False),
        (504, False, False),
        (500, True, True),
        (502, True, True),
        (504, True, True),
        (400, True, False),
        (404, True, False),
        (409, True, False),
        (422, True, False),
    ],
)
def test_which_statuses_retry(status: int, idempotent: bool, expected: bool) -> None:
    assert RetryPolicy().should_retry(_api_error(status), idempotent=idempotent) is expected


def test_retry_statuses_are_configurable() -> None:
    policy = RetryPolicy(retry_statuses={429})
    assert not policy.should_retry(_api_error(503), idempotent=True)
    assert policy.should_retry(_api_error(429), idempotent=True)


def test_daily_quota_is_never_retried() -> None:
    error = errors.DailyQuotaExceededError(status=429, code="daily_quota_exceeded")
    assert not RetryPolicy().should_retry(error, idempotent=True)


@pytest.mark.parametrize(
    ("sent", "idempotent", "expected"),
    [(False, False, True), (True, False, False), (True, True, True)],
)
def test_connection_errors_retry_when_safe(sent: bool, idempotent: bool, expected: bool) -> None:
    error = errors.APIConnectionError("reset", method="POST", path="/x", sent=sent)
    assert RetryPolicy().should_retry(error, idempotent=idempotent) is expected


def test_truncated_body_retries_only_when_idempotent() -> None:
    error = errors.MalformedResponseError("cut")
    assert RetryPolicy().should_retry(error, idempotent=True)
    assert not RetryPolicy().should_retry(error, idempotent=False)


def test_retry_after_wins_over_backoff() -> None:
    policy = RetryPolicy(random=lambda: 0.5)
    limited = errors.RateLimitError(status=429, code="RATE_LIMITED", retry_after=7.0)
    assert policy.wait_for(limited, 1) == 7.0
    assert policy.wait_for(_api_error(503), 3) == pytest.approx(1.0)
