"""Issue 15, the integrator's part: what the engine's constructor, retry loop and pacer owed.
Each test failed on the engine of its day (they were strict ``xfail``s until their part
landed).

- 1, deadline: ``RetryPolicy(deadline=)`` bounds the pacer's waits too: a wait for the
  budget that would end after it fails at once (that it cuts an attempt in progress:
  ``test_hostile_servers.py``).
- 4: the key is in no frame local of a failed construction (error trackers record locals),
  and recording them does not crash on the half-built client.
- 5: a loopback ``http://`` base URL never goes through a proxy from the environment, and
  ``SSL_CERT_FILE`` does not change TLS trust (only ``transport=`` does).
- 6: pacer readings that cannot be right (a reset 23 h away, a reset in milliseconds) are
  ignored or outlive no window: honest headers after them pace normally again.

And from issue 12's pacer: rate-limit headers of any value (counts of ``1e308``, resets a
billion seconds away, NaN, garbage, 429s with any ``Retry-After``) never crash a call or
hold it past its policy. (Before: a ``remaining`` of ``1e308`` became a NaN rate of other
consumers, and the next send raised ``ValueError: cannot convert float NaN to integer``.)
"""

from __future__ import annotations

import contextlib
import random
import traceback
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from creatorsdk import (
    AsyncCreatorAudit,
    AsyncTrackAGoat,
    CreatorAudit,
    RetryPolicy,
    TrackAGoat,
    errors,
)
from creatorsdk.budgets import LocalBudget
from creatorsdk.testing import FakeClock

from .servers import CERT, answer, raw_server, tls_server

KEY_HEAD, KEY_TAIL = "ca_live_3c1d5e7f", "a9b8c7d6e5f4a3b2c1d0"
KEY = KEY_HEAD + KEY_TAIL
WHOAMI = b'{"data": {"organization_id": "org_1", "api_key_name": "ci"}}'


def leaks(text: str) -> bool:
    """Whether ``text`` shows the key or either half of it."""
    return KEY_HEAD in text or KEY_TAIL in text


# -- 1: the whole-call deadline -------------------------------------------------------------------


def _spent_for(vtime: FakeClock, seconds: int, policy: RetryPolicy) -> AsyncCreatorAudit:
    """A client of a server whose budget is spent until a reset ``seconds`` from now (whole
    seconds, on ``vtime``), and whole again after it."""
    reset_at = int(vtime()) + seconds

    def respond(request: httpx.Request) -> httpx.Response:
        spent = vtime() < reset_at
        headers = {
            "x-ratelimit-limit": "100",
            "x-ratelimit-remaining": "0" if spent else "99",
            "x-ratelimit-reset": str(reset_at if spent else reset_at + 60),
        }
        return httpx.Response(200, json={"data": {}}, headers=headers)

    return AsyncCreatorAudit(
        api_key=KEY,
        base_url="https://api.example.test/v2",
        transport=httpx.MockTransport(respond),
        retry=policy,
    )


async def test_a_pacer_wait_past_the_deadline_fails_at_once() -> None:
    """The budget is spent until a reset 50 s away; with ``deadline=5`` the next call does
    not sleep 50 s (nor 5): the pacer knows its wait ends too late, and says so at once.
    (Before: it slept the 50 s, then succeeded.)"""
    vtime = FakeClock()
    policy = RetryPolicy(deadline=5, sleep=vtime.sleep, clock=vtime)
    async with _spent_for(vtime, 50, policy) as ca:
        await ca.request("GET", "/first")
        started = vtime()
        with pytest.raises(errors.APITimeoutError) as caught:
            await ca.request("GET", "/second")
    assert caught.value.bound == "deadline"
    assert not caught.value.sent  # held before the network: safe to repeat
    assert "back in 50.0 s" in str(caught.value)
    assert vtime() - started == 0


async def test_a_call_in_line_behind_one_held_for_the_budget_fails_at_once() -> None:
    """Behind a call without a deadline, held until a reset 50 s away, a call with
    ``deadline=5`` fails at once too, not once the call ahead has gone (before: it waited
    the 50 s in line, then failed); the call ahead still goes at the reset."""
    vtime = FakeClock()
    policy = RetryPolicy(sleep=vtime.sleep, clock=vtime)
    reset_at = int(vtime()) + 50
    async with _spent_for(vtime, 50, policy) as ca:
        await ca.request("GET", "/first")
        started = vtime()
        went_at: list[float] = []
        refused_after: list[float] = []
        errors_seen: list[errors.APITimeoutError] = []

        async def ahead() -> None:
            await ca.request("GET", "/ahead")
            went_at.append(vtime())

        async def behind() -> None:
            with pytest.raises(errors.APITimeoutError) as caught:
                await ca.with_options(deadline=5).request("GET", "/second")
            refused_after.append(vtime() - started)
            errors_seen.append(caught.value)

        # (On the fake clock a sleep only yields: both are in line before either wakes.)
        async with anyio.create_task_group() as group:
            group.start_soon(ahead)
            group.start_soon(behind)
    [caught] = errors_seen
    assert caught.bound == "deadline"
    assert not caught.sent
    assert "back in 50.0 s" in str(caught)
    assert refused_after == [0]
    assert went_at == [pytest.approx(reset_at, abs=0.5)]


# -- 4: no key in the frame locals of a failed construction ---------------------------------------

#: Arguments that make construction fail, and what the ValueError names.
CONSTRUCTION_FAILURES: dict[str, tuple[dict[str, Any], str]] = {
    "bad base_url": ({"base_url": "http://[::1"}, "base_url"),
    "plain http to a remote host": ({"base_url": "http://api.example.test/v2"}, "http://"),
    "bad timeout": ({"timeout": -1}, "timeout"),
    "bad max_concurrency": ({"max_concurrency": 0}, "max_concurrency"),
    "key with a NUL": ({"api_key": KEY_HEAD + "\x00" + KEY_TAIL}, "api_key"),
    "key with a zero-width space": ({"api_key": KEY_HEAD + "\u200b" + KEY_TAIL}, "api_key"),
}


@pytest.mark.parametrize("cls", [AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat])
@pytest.mark.parametrize("case", sorted(CONSTRUCTION_FAILURES))
def test_a_failed_construction_leaves_the_key_in_no_frame_local(cls: type[Any], case: str) -> None:
    changes, names = CONSTRUCTION_FAILURES[case]
    options = {"api_key": KEY, "base_url": "https://api.example.test/v2", **changes}
    with pytest.raises(ValueError, match=names) as caught:
        cls(**options)
    # What Sentry and friends record; on Python 3.11 this also reprs the half-built client.
    # The SDK's frames only: this test's own frame holds the key it passed in.
    error = caught.value
    assert error.__traceback__ is not None
    recorded = traceback.TracebackException(
        type(error), error, error.__traceback__.tb_next, capture_locals=True
    )
    assert not leaks("".join(recorded.format()))


# -- 5: no proxy for loopback http, no TLS trust from the environment -----------------------------


@pytest.fixture
def proxied_environment(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Point every proxy variable of the environment at ``port`` on loopback."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)

    def point_at(port: int) -> None:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{port}")

    return point_at


async def test_a_loopback_http_base_url_never_goes_through_a_proxy(
    proxied_environment: Callable[[int], None],
) -> None:
    policy = RetryPolicy(max_attempts=1)
    async with (
        raw_server({"/whoami": answer(WHOAMI)}) as api,
        raw_server({}) as proxy,
    ):
        proxied_environment(proxy.port)
        async with AsyncCreatorAudit(api_key=KEY, base_url=api.base_url, retry=policy) as ca:
            me = await ca.whoami()
    assert me.organization_id == "org_1"
    assert proxy.heads == []  # the key never went to the proxy in cleartext
    assert len(api.heads) == 1


async def test_ssl_cert_file_cannot_change_tls_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    """A self-signed server stays untrusted though ``SSL_CERT_FILE`` names its certificate
    (today httpx loads it, and the call succeeds)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(CERT))
    policy = RetryPolicy(max_attempts=1)
    async with (
        tls_server(WHOAMI) as served,
        AsyncCreatorAudit(api_key=KEY, base_url=served.base_url, retry=policy) as ca,
    ):
        with pytest.raises(errors.APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            await ca.whoami()
    assert served.received == []


# -- 6: pacer readings that cannot be right -------------------------------------------------------

WINDOW = 60.0
LIMIT = 100


class HonestServer:
    """A per-key budget of ``LIMIT`` requests per ``WINDOW`` seconds on virtual time.

    It answers 429 past the budget and reports ``remaining`` and the window's reset in Unix
    seconds, except on the calls listed in ``odd``, where ``odd[n](reset)`` gives the reset
    value to send instead (its other headers stay honest).
    """

    def __init__(self, clock: FakeClock, odd: dict[int, Callable[[float], str]]) -> None:
        self.clock = clock
        self.odd = odd
        self.calls = 0
        self.refused = 0
        self._window_end = 0.0
        self._used = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        now = self.clock()
        if now >= self._window_end:
            self._window_end = (now // WINDOW + 1) * WINDOW
            self._used = 0
        reset = self._window_end
        if self._used >= LIMIT:
            self.refused += 1
            wait = str(max(1, round(reset - now)))
            return httpx.Response(429, json={"code": "RATE_LIMITED"}, headers={"retry-after": wait})
        self._used += 1
        make_reset = self.odd.get(self.calls)
        headers = {
            "x-ratelimit-limit": str(LIMIT),
            "x-ratelimit-remaining": str(LIMIT - self._used),
            "x-ratelimit-reset": make_reset(reset) if make_reset else str(int(reset)),
        }
        return httpx.Response(200, json={"data": {}}, headers=headers)


async def paced_calls(server: HonestServer, vtime: FakeClock, count: int) -> list[float]:
    """Make ``count`` calls one after another; the virtual time each one took."""
    policy = RetryPolicy(sleep=vtime.sleep, clock=vtime)
    took: list[float] = []
    async with AsyncCreatorAudit(
        api_key=KEY,
        base_url="https://api.example.test/v2",
        transport=httpx.MockTransport(server),
        retry=policy,
    ) as ca:
        for _ in range(count):
            started = vtime()
            await ca.request("GET", "/things")
            took.append(vtime() - started)
    return took


async def test_one_reset_23_hours_away_does_not_outlive_its_window() -> None:
    """Today every call after it waits the longest wait the policy allows (60 s), because
    honest resets look like "an older window" next to it."""
    vtime = FakeClock()
    server = HonestServer(vtime, odd={1: lambda reset: str(int(vtime()) + 23 * 3600)})
    took = await paced_calls(server, vtime, 40)
    assert server.refused == 0
    # From the third call on, the honest headers rule: about 60 s / 97 between calls.
    assert max(took[2:]) < 5
    assert sum(took[2:]) <= WINDOW


async def test_one_reset_in_milliseconds_does_not_turn_pacing_off() -> None:
    """One reset in milliseconds (1.8e12) is ignored, and the honest resets after it pace
    every call: none refused. (On this virtual clock the first call goes on a whole second:
    a window reset 60 s after it was also believed to be 59 s long, possibly opened by that
    call, and tested with a probe the server refused, one a window until two were.)"""
    vtime = FakeClock()
    server = HonestServer(vtime, odd={3: lambda reset: str(int(reset * 1000))})
    await paced_calls(server, vtime, 3 * LIMIT)
    assert server.refused == 0


# -- the pacer: headers of any value ------------------------------------------------------------

_REMAINING = ["-5", "0", "1", "2", "50", "0.5", " 3 ", "99999999999999999999999", "1e308"]
_REMAINING += ["9223372036854775807", "nan", "inf", "-inf", "abc", ""]
_LIMITS = ["0", "-1", "5", "100", "1e400", "1e308", "nan", "x", "100, 100;w=1", ""]
_RETRY_AFTER = ["0", "0.01", "1", "3600", "1e9", "nan", "-1", "soon"]


def _hostile(vtime: FakeClock, seed: int) -> Callable[[httpx.Request], httpx.Response]:
    """Answers whose rate-limit headers, and 429s, are drawn at random (by ``seed``)."""
    draw = random.Random(seed)

    def respond(request: httpx.Request) -> httpx.Response:
        now = int(vtime())
        resets = [str(now + ahead) for ahead in (-100, 0, 1, 2, 3600, 10**9)]
        resets += [str(vtime() + 0.3), "0", "1", "60", "-1", "1e308", str(10**30), "nan"]
        resets += ["garbage", "Wed, 21 Oct 2015 07:28:00 GMT"]
        headers = {"x-request-id": "req_hostile"}
        if draw.random() < 0.9:
            headers["x-ratelimit-remaining"] = draw.choice(_REMAINING)
        if draw.random() < 0.9:
            headers["x-ratelimit-reset"] = draw.choice(resets)
        if draw.random() < 0.7:
            headers["x-ratelimit-limit"] = draw.choice(_LIMITS)
        if draw.random() < 0.15:
            if draw.random() < 0.7:
                headers["retry-after"] = draw.choice(_RETRY_AFTER)
            refused = {"status": 429, "code": "RATE_LIMITED"}
            return httpx.Response(429, json=refused, headers=headers)
        return httpx.Response(200, json={"data": {"organization_id": "org_1"}}, headers=headers)

    return respond


def _plausible(vtime: FakeClock, seed: int) -> Callable[[httpx.Request], httpx.Response]:
    """Answers whose headers could each be right, but which no limiter would send together:
    counts anywhere under a limit that changes, resets that jump back and forth, and 429s
    and 503s at random (by ``seed``)."""
    draw = random.Random(seed)
    limit = draw.choice([1, 2, 10, 100, 1000])

    def respond(request: httpx.Request) -> httpx.Response:
        now = vtime()
        remaining = draw.randint(0, limit) if draw.random() < 0.8 else draw.randint(0, 3)
        headers = {"x-request-id": "req_plausible"}
        if draw.random() < 0.85:
            headers["x-ratelimit-remaining"] = str(remaining)
            resets = [now + draw.uniform(-2, 5), int(now) + draw.randint(-1, 3), draw.uniform(0, 3)]
            headers["x-ratelimit-reset"] = str(draw.choice([*resets, 1, 0]))
            if draw.random() < 0.7:
                headers["x-ratelimit-limit"] = str(draw.choice([limit, remaining, 2 * limit, 0]))
        if draw.random() < 0.2:
            if draw.random() < 0.5:
                headers["retry-after"] = str(draw.choice([0, 0.5, 1, 2, 30, 61]))
            refused = {"status": 429, "code": "RATE_LIMITED"}
            return httpx.Response(429, json=refused, headers=headers)
        if draw.random() < 0.03:
            down = {"status": 503, "code": "UNAVAILABLE"}
            return httpx.Response(503, json=down, headers=headers)
        return httpx.Response(200, json={"data": {"organization_id": "org_1"}}, headers=headers)

    return respond


@pytest.mark.parametrize(
    ("answers", "budget"),
    [(_hostile, None), (_plausible, None), (_plausible, LocalBudget)],
    ids=["hostile", "plausible", "plausible-budget-store"],
)
@pytest.mark.parametrize("deadline", [None, 30.0])
@pytest.mark.parametrize("concurrency", [1, 8])
@pytest.mark.parametrize("seed", range(6))
async def test_rate_limit_headers_of_any_value_never_crash_or_hold_a_call_past_its_policy(
    seed: int,
    concurrency: int,
    deadline: float | None,
    answers: Callable[[FakeClock, int], Callable[[httpx.Request], httpx.Response]],
    budget: type[LocalBudget] | None,
) -> None:
    """(Before: 1e308 crashed the pacer; and through a budget store, a wait for the budget
    that ended less than a millisecond before the deadline was dozed a millisecond past it.)"""
    vtime = FakeClock()
    policy = RetryPolicy(sleep=vtime.sleep, clock=vtime, deadline=deadline)
    # Without a deadline each wait is capped, not the call: an attempt may be held for the
    # budget, and a retry wait for Retry-After, each up to max_retry_after.
    attempts = policy.max_attempts
    longest_allowed = deadline or (2 * attempts - 1) * policy.max_retry_after
    transport = httpx.MockTransport(answers(vtime, seed))
    calls: list[float] = []
    async with AsyncCreatorAudit(
        api_key=KEY,
        retry=policy,
        transport=transport,
        max_concurrency=concurrency,
        budget=budget() if budget else None,
    ) as ca:

        async def call() -> None:
            started = vtime()
            # A 429 the policy would not wait out is raised, and so is a passed deadline.
            with contextlib.suppress(
                errors.RateLimitError, errors.ServiceUnavailableError, errors.APITimeoutError
            ):
                await ca.request("GET", "/things")
            calls.append(vtime() - started)

        for _ in range(30):
            async with anyio.create_task_group() as group:
                for _ in range(concurrency):
                    group.start_soon(call)
    assert len(calls) == 30 * concurrency
    assert max(calls) <= longest_allowed
