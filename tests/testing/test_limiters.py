"""Each limiter the fakes serve: its admit/refuse schedule, its headers and delay(), on a FakeClock.

Where a limiter mirrors a library (the ``limits`` moving window and sliding-window counter),
the same schedule is also played against the library itself on the same clock.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable

import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit
from creatorsdk.testing._limiters import (
    LIMITER_KINDS,
    LeakyBucketLimiter,
    MovingWindowLimiter,
    SlidingWindowCounterLimiter,
    TokenBucketLimiter,
    make_limiter,
)
from creatorsdk.testing._ratelimit import EpochWindowLimiter, FixedWindowLimiter, Limiter

from .conftest import client_for, served_by_cli

#: A whole multiple of every window used here, so windows start on it.
T0 = 1_781_429_400.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def admitted(limiter: Limiter, count: int, key: str = "k") -> list[bool]:
    return [limiter.hit(key).allowed for _ in range(count)]


# -- fixed windows ------------------------------------------------------------------------------


def test_epoch_window_opens_on_multiples_of_the_window(clock: FakeClock) -> None:
    limiter = EpochWindowLimiter(3, 10.0, clock)
    clock.advance(7.5)  # 2.5 s before the window [T0, T0 + 10) ends
    verdicts = [limiter.hit("k") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert {v.reset for v in verdicts} == {str(int(T0 + 10))}
    assert verdicts[0].headers() == {
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "2",
        "X-RateLimit-Reset": str(int(T0 + 10)),
    }
    assert verdicts[3].headers()["Retry-After"] == "3"  # ceil(2.5)
    assert limiter.delay("k") == pytest.approx(2.5)
    clock.advance(2.5)  # the next window, whoever sends first
    assert admitted(limiter, 4) == [True, True, True, False]
    assert limiter.hit("k").reset == str(int(T0 + 20))


def test_epoch_window_rounds_a_fractional_end_up(clock: FakeClock) -> None:
    limiter = EpochWindowLimiter(1, 1.5, clock)
    clock.advance(1.6)  # window [T0 + 1.5, T0 + 3.0)
    assert limiter.hit("k").reset == str(int(T0 + 3))
    clock.advance(1.5)  # T0 + 3.1, in the window [T0 + 3.0, T0 + 4.5)
    verdict = limiter.hit("k")
    assert verdict.allowed
    assert verdict.reset == str(math.ceil(T0 + 4.5))


def test_epoch_window_counts_refused_requests_and_keys_apart(clock: FakeClock) -> None:
    limiter = EpochWindowLimiter(2, 1.0, clock)
    assert admitted(limiter, 5) == [True, True, False, False, False]
    assert admitted(limiter, 2, key="other") == [True, True]
    assert limiter.delay("k") == pytest.approx(1.0)
    assert limiter.delay("fresh") == 0.0


def test_first_request_window_resets_a_window_after_it(clock: FakeClock) -> None:
    limiter = FixedWindowLimiter(2, 1.0, clock)
    clock.advance(0.3)
    first = limiter.hit("k")
    assert first.reset == str(int(T0 + 2))  # T0 + 1.3, rounded up
    assert admitted(limiter, 2) == [True, False]
    assert limiter.delay("k") == pytest.approx(1.0)
    clock.advance(0.99)
    assert not limiter.hit("k").allowed
    clock.advance(0.01)  # T0 + 1.3: a new window opens with this request
    verdict = limiter.hit("k")
    assert verdict.allowed
    assert verdict.remaining == 1
    assert verdict.reset == str(int(T0 + 3))  # T0 + 2.3, rounded up


# -- the limits library's algorithms, with slowapi's headers --------------------------------------


def test_moving_window_admits_as_old_hits_expire(clock: FakeClock) -> None:
    limiter = MovingWindowLimiter(3, 1.0, clock)
    for _ in range(3):
        assert limiter.hit("k").allowed
        clock.advance(0.25)
    # T0 + 0.75: three hits at 0, 0.25, 0.5 fill the window.
    refused = limiter.hit("k")
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.reset == str(T0 + 2.0)  # 1 + (oldest hit + window), printed as a float
    assert refused.retry_after == 1  # int(reset - now) = int(1.25)
    assert refused.headers()["Retry-After"] == "1"
    assert limiter.delay("k") == pytest.approx(0.25)
    clock.advance(0.25)  # the hit at T0 has left the window
    assert limiter.hit("k").allowed
    assert not limiter.hit("k").allowed  # refused hits are not logged...
    clock.advance(0.25)  # ...so the next slot is the hit at T0 + 0.25 expiring
    accepted = limiter.hit("k")
    assert accepted.allowed
    assert accepted.remaining == 0
    assert accepted.reset == str(T0 + 0.5 + 1.0 + 1.0)


def test_moving_window_sends_retry_after_on_successes_too(clock: FakeClock) -> None:
    verdict = MovingWindowLimiter(10, 2.0, clock).hit("k")
    assert verdict.allowed
    assert verdict.headers() == {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "9",
        "X-RateLimit-Reset": str(T0 + 3.0),
        "Retry-After": "3",
    }


def test_sliding_window_counter_weights_the_previous_window(clock: FakeClock) -> None:
    limiter = SlidingWindowCounterLimiter(4, 1.0, clock)
    assert admitted(limiter, 5) == [True, True, True, True, False]
    # Not in this window; in the next, 4 · (time left) < 4 as soon as it opens.
    assert limiter.delay("k") == pytest.approx(1.0)
    clock.advance(1.25)  # previous = 4, weight 0.75: weighted 3 → one more fits
    verdict = limiter.hit("k")
    assert verdict.allowed
    assert verdict.remaining == 0  # floor(4 · 0.75 + 1) = 4
    # Reset: now + min(time left % (window / previous), time left % window) = now + 0.
    assert verdict.reset == str(T0 + 1.25 + 1)
    assert not limiter.hit("k").allowed  # 4 · 0.75 + 1 = 4: floor(4) + 1 > 4
    assert limiter.delay("k") == pytest.approx(0.0)  # below 4 the instant the weight drops
    clock.advance(0.25)
    assert limiter.hit("k").allowed  # weighted 4 · 0.5 + 1 = 3
    clock.advance(2.0)  # two windows on: nothing is remembered
    assert admitted(limiter, 5) == [True, True, True, True, False]


def test_sliding_window_counter_reset_is_when_the_weight_next_drops(clock: FakeClock) -> None:
    limiter = SlidingWindowCounterLimiter(10, 1.0, clock)
    admitted(limiter, 4)
    clock.advance(1.1)  # previous = 4: the weighted count drops by one every 0.25 s
    verdict = limiter.hit("k")
    # Time left 0.9; 0.9 % 0.25 = 0.15 and 0.9 % 1 = 0.9: the next drop comes first.
    assert float(verdict.reset or 0) == pytest.approx(T0 + 1.1 + 0.15 + 1, abs=1e-6)
    assert verdict.retry_after == 1
    assert verdict.remaining == 10 - math.floor(4 * 0.9 + 1)


# -- token bucket and nginx ----------------------------------------------------------------------


def test_token_bucket_refills_continuously(clock: FakeClock) -> None:
    limiter = TokenBucketLimiter(4, 2.0, clock)  # 2 tokens per second
    verdicts = [limiter.hit("k") for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, True, False]
    assert [v.remaining for v in verdicts] == [3, 2, 1, 0, 0]
    # The first hit leaves 3 tokens: the next arrives in 0.5 s; reset rounds up to whole seconds.
    assert verdicts[0].reset == str(int(T0 + 1))
    assert verdicts[4].retry_after == 1  # ceil(0.5)
    assert limiter.delay("k") == pytest.approx(0.5)
    clock.advance(0.5)
    assert admitted(limiter, 2) == [True, False]
    clock.advance(10.0)  # never more than the bucket holds
    assert admitted(limiter, 5) == [True, True, True, True, False]


def test_token_bucket_reports_a_full_bucket_as_reset_now(clock: FakeClock) -> None:
    limiter = TokenBucketLimiter(4, 2.0, clock)
    clock.advance(0.2)
    limiter.hit("k")
    clock.advance(0.5)  # full again
    assert limiter.hit("k").remaining == 3
    assert limiter.delay("k") == 0.0


def test_leaky_bucket_lets_a_burst_through_then_one_per_interval(clock: FakeClock) -> None:
    limiter = LeakyBucketLimiter(10, 1.0, clock, burst=2)  # nginx rate=10r/s burst=2 nodelay
    verdicts = [limiter.hit("k") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert all(v.headers() == {} for v in verdicts)  # a bare 429, no Retry-After either
    assert limiter.delay("k") == pytest.approx(0.1)
    clock.advance(0.09)
    assert not limiter.hit("k").allowed
    clock.advance(0.011)
    assert limiter.hit("k").allowed  # the excess was 1.99 of the 2 allowed
    assert not limiter.hit("k").allowed
    assert limiter.delay("k") == pytest.approx(0.099, abs=1e-5)
    clock.advance(5.0)
    assert admitted(limiter, 4) == [True, True, True, False]


def test_leaky_bucket_default_burst_is_a_tenth_of_the_limit(clock: FakeClock) -> None:
    limiter = LeakyBucketLimiter(100, 1.0, clock)
    assert limiter.burst == 10
    assert admitted(limiter, 12) == [True] * 11 + [False]
    assert LeakyBucketLimiter(5, 1.0, clock).burst == 1


# -- every kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LIMITER_KINDS)
def test_delay_is_exactly_when_the_next_request_is_admitted(clock: FakeClock, kind: str) -> None:
    limiter = make_limiter(kind, 5, 1.0, clock)
    clock.advance(0.3)
    for _ in range(40):
        wait = limiter.delay("k")
        if wait > 0:
            clock.advance(wait - 1e-3)
            assert not limiter.hit("k").allowed, f"{kind}: admitted {1e-3} s early"
            clock.advance(1e-3 + 1e-6)
        assert limiter.hit("k").allowed, f"{kind}: refused when delay() said it was time"
        clock.advance(0.01)


@pytest.mark.parametrize("kind", LIMITER_KINDS)
def test_never_more_than_the_limit_in_a_window_at_full_speed(clock: FakeClock, kind: str) -> None:
    limiter = make_limiter(kind, 10, 1.0, clock)
    times = []
    for _ in range(3000):  # an attempt every ms for 3 s
        if limiter.hit("k").allowed:
            times.append(clock.now())
        clock.advance(0.001)
    # Any 1 s span: at most 2 windows' worth (a fixed window's boundary, a full bucket).
    most = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert most <= 20
    assert len(times) >= 25  # and the steady rate is the limit's: ~10 per second


@pytest.mark.parametrize(
    ("maker", "message"),
    [
        (lambda c: make_limiter("leaky", 1, 1.0, c), "limiter must be one of"),
        (lambda c: make_limiter("moving", 0, 1.0, c), "rate limit must be"),
        (lambda c: make_limiter("sliding", 5, 0.0, c), "rate window must be"),
        (lambda c: make_limiter("token-bucket", 5, math.inf, c), "rate window must be"),
        (lambda c: LeakyBucketLimiter(5, 1.0, c, burst=-1), "burst must be"),
    ],
)
def test_bad_limits_are_refused_by_name(
    clock: FakeClock, maker: Callable[[FakeClock], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        maker(clock)


# -- the same schedules against the limits library itself -----------------------------------------


@pytest.fixture
def limits_on(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The ``limits`` package with its in-memory storage reading ``clock``."""
    import limits  # the bench extra, part of dev
    import limits.storage.memory as memory

    monkeypatch.setattr(memory, "time", types.SimpleNamespace(time=clock))
    monkeypatch.setattr("limits.strategies.time", types.SimpleNamespace(time=clock), raising=False)
    return limits


@pytest.mark.parametrize(
    ("kind", "strategy"),
    [("moving", "MovingWindowRateLimiter"), ("sliding", "SlidingWindowCounterRateLimiter")],
)
def test_the_fake_decides_and_reports_as_the_limits_library(
    clock: FakeClock, limits_on: types.ModuleType, kind: str, strategy: str
) -> None:
    import limits.storage
    import limits.strategies

    storage = limits.storage.MemoryStorage()
    real = getattr(limits.strategies, strategy)(storage)
    item = limits.parse("5 per 2 seconds")
    fake = make_limiter(kind, 5, 2.0, clock)
    steps = [0.05, 0.3, 0.0, 0.01, 0.2, 0.45, 0.0, 0.7, 0.13, 0.02] * 12
    for step in steps:
        clock.advance(step)
        admitted_by_library = real.hit(item, "k")
        reset, remaining = real.get_window_stats(item, "k")
        verdict = fake.hit("k")
        assert verdict.allowed == admitted_by_library
        assert verdict.remaining == remaining
        assert float(verdict.reset or 0) == pytest.approx(1 + reset)


# -- through the fake ---------------------------------------------------------------------------


async def test_headerless_refusal_is_a_bare_429(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=2, rate_window=1.0, limiter="headerless", clock=clock)
    async with client_for(fake) as http:
        answers = [await http.get("/whoami") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    for answer in answers:
        assert not [h for h in answer.headers if h.startswith("x-ratelimit")]
        assert "retry-after" not in answer.headers
    assert answers[2].json()["code"] == "RATE_LIMITED"


async def test_slowapi_style_limiters_send_retry_after_on_success(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=2, rate_window=1.0, limiter="moving", clock=clock)
    async with client_for(fake) as http:
        ok = await http.get("/whoami")
        await http.get("/whoami")
        refused = await http.get("/whoami")
    assert ok.status_code == 200
    assert ok.headers["retry-after"] == "2"
    assert ok.headers["x-ratelimit-reset"] == str(T0 + 2.0)
    assert refused.status_code == 429
    assert refused.headers.get_list("retry-after") == ["2"]  # once, not twice


async def test_epoch_window_through_the_fake(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(rate_limit=1, rate_window=60.0, limiter="fixed-epoch", clock=clock)
    clock.advance(45.0)
    async with client_for(fake) as http:
        assert (await http.get("/whoami")).headers["x-ratelimit-reset"] == str(int(T0 + 60))
        refused = await http.get("/whoami")
    assert refused.status_code == 429
    assert refused.headers.get_list("retry-after") == ["15"]


def test_an_unknown_limiter_is_refused_before_any_work() -> None:
    with pytest.raises(ValueError, match="limiter must be one of fixed-epoch"):
        FakeCreatorAudit(limiter="gcra")
    with pytest.raises(ValueError, match="limiter must be one of"):
        FakeCreatorAudit(rate_limit=None, limiter="")


def test_the_cli_serves_the_chosen_limiter() -> None:
    import httpx

    options = ("--limiter", "token-bucket", "--rate-limit", "3", "--rate-window", "30")
    with served_by_cli("creatoraudit", *options) as (_, base_url, api_key):
        headers = {"Authorization": f"Bearer {api_key}"}
        with httpx.Client(base_url=base_url, headers=headers) as http:
            remaining = [http.get("/whoami").headers["x-ratelimit-remaining"] for _ in range(4)]
    # A 3-token bucket refilling one token per 10 s: nothing comes back within the test.
    assert remaining == ["2", "1", "0", "0"]
