"""A pacer against a real limiter on virtual time: trio's autojumping clock.

Each simulated request takes the pacer's turn, spends half its round trip reaching the
limiter, is counted there, and comes back with the limiter's headers after the other half,
as the client's ``_attempt`` does with a real server. Time jumps from one sleep's end to the
next, so a minute of pacing runs in milliseconds and the same seed gives the same run.

The seed also orders trio's scheduler. trio runs the tasks that are ready at one instant in
a random order: it reverses a batch at random, or, once Hypothesis is imported, shuffles it,
with a ``random.Random`` that Hypothesis reseeds. Left alone, a run would depend on which
tests ran before and whether one imported Hypothesis: one 429 bound passed alone and failed
in CI that way.

(The pacer takes any ``clock``/``sleep`` pair; trio's ``MockClock`` is used here because it
wakes every sleeper at its own deadline on its own, which is what these rules need.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import trio
import trio.testing

from creatorsdk._engine.pacing import Pacer, RateLimit
from creatorsdk._engine.retry import parse_retry_after
from creatorsdk.budgets import Budget
from creatorsdk.testing._limiters import (
    MovingWindowLimiter,
    TokenBucketLimiter,
    make_limiter,
    slowapi_verdict,
)
from creatorsdk.testing._ratelimit import EpochWindowLimiter, FixedWindowLimiter, Limiter

#: Virtual time starts here (an arbitrary instant a third of a second into a second).
START = 1_781_429_400.37


def now() -> float:
    """The virtual Unix time inside :func:`run_virtual`."""
    return START + trio.current_time()


def run_virtual(main: Callable[[], Awaitable[None]], *, seed: int = 0) -> None:
    """Run ``main`` on trio with a clock that jumps to the next deadline when all wait, its
    ready tasks ordered by ``seed``."""
    # trio keeps no public hook for its scheduler's order: ``_r`` is the Random that
    # Hypothesis reseeds, and the flag its plugin sets to shuffle rather than reverse a
    # batch (trio/_core/_run.py). Both are set here, so that a run is the same whether or
    # not Hypothesis was imported before it (a test alone or in the whole suite).
    scheduler = trio._core._run
    shuffled = scheduler._ALLOW_DETERMINISTIC_SCHEDULING
    setattr(scheduler, "_ALLOW_DETERMINISTIC_SCHEDULING", True)  # noqa: B010 - it is Final
    scheduler._r.seed(seed)
    try:
        trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    finally:
        setattr(scheduler, "_ALLOW_DETERMINISTIC_SCHEDULING", shuffled)  # noqa: B010


def pacer(
    *,
    max_concurrency: int = 8,
    requests_per_minute: float | None = None,
    max_wait: float | None = 60.0,
    budget: Budget | None = None,
) -> Pacer:
    """A pacer on the virtual clock."""
    return Pacer(
        clock=now,
        sleep=trio.sleep,
        max_concurrency=max_concurrency,
        requests_per_minute=requests_per_minute,
        max_wait=max_wait,
        budget=budget,
    )


@dataclass
class Run:
    """What a simulated job did."""

    ok: int = 0
    refused: int = 0
    wall: float = 0.0
    sends: list[float] = field(default_factory=list)
    peak_in_flight: int = 0
    #: The most in flight once the first second (and its answers) has passed.
    peak_in_flight_later: int = 0
    #: When the listing's last page was back (jobs with ``pages``).
    chain_wall: float = 0.0
    #: When the job began (virtual seconds): walls and "the first second" count from here.
    start: float = 0.0

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.ok / self.wall if self.wall else 0.0

    @property
    def refused_share(self) -> float:
        """The share of sends that drew a 429."""
        return self.refused / max(self.ok + self.refused, 1)


class Server:
    """One limiter on the virtual clock, shared by every simulated client of the key."""

    def __init__(
        self,
        kind: str,
        limit: int,
        window: float,
        *,
        latency: float = 0.04,
        seed: int = 0,
        proxy: bool = False,
        load: float = 0.0,
        cold: float = 0.0,
        reported: int | None = None,
        unreported: int | None = None,
        limit_from: tuple[float, int] | None = None,
        clock_ahead: float = 0.0,
        from_now: Callable[[float], int] | None = None,
        bare_refusals: bool = False,
        counts_ahead: bool = False,
        jitter: float = 0.1,
        slowapi: bool = False,
        drifting: bool = False,
        whole_log: bool = False,
        full_reset: bool = False,
        reset_ms: bool = False,
    ) -> None:
        #: Its reset dates written in milliseconds (``Date.now() + window``).
        self.reset_ms = reset_ms
        #: A token bucket's reset written as when it is full again, whole seconds rounded up
        #: (not Envoy's next token).
        self.full_reset = full_reset
        #: A moving window's reset written as its oldest request's expiry, whole seconds
        #: rounded up, and ``Retry-After`` on its 429s only (a log written from the docs,
        #: not slowapi's headers).
        self.whole_log = whole_log
        #: Every answer's reset is now + the window, whole seconds rounded up (a server that
        #: writes when a window begun now would end), whatever its limiter counts.
        self.drifting = drifting
        #: A window opened by the first request with slowapi's headers, as its default
        #: (the ``limits`` fixed window) writes them: ``1 +`` the window's end, in fractions.
        self.slowapi = slowapi
        #: Each leg of a round trip varies by up to this share of its mean, either way.
        self.jitter = jitter
        #: Its successes report what was left before counting them (one more than is).
        self.counts_ahead = counts_ahead
        #: Its 429s carry ``Retry-After`` alone: the rate-limit headers are on its
        #: successes only.
        self.bare_refusals = bare_refusals
        #: The server's clock is this far ahead of ours (behind, if negative): its windows
        #: and the resets it reports, whole seconds rounded up, are on it.
        self.clock_ahead = clock_ahead
        #: A fixed window's reset sent as whole seconds from now, rounded by this
        #: (``math.ceil`` or ``math.floor``), rather than as a date.
        self.from_now = from_now
        self.limiter: Limiter = make_limiter(kind, limit, window, self._clock)
        self._kind, self._window = kind, window
        #: Answers that carry the limiter's headers; the rest carry none (it still limits).
        self.reported = reported
        self.answers = 0
        #: A second, stricter limit a second that no header reports (as GitHub's secondary
        #: limits): its 429s carry the reported limit's headers, which may show room.
        self.unreported = (
            None if unreported is None else make_limiter("fixed-epoch", unreported, 1.0, now)
        )
        #: (seconds from the first request on, the new limit): the key's limit changes then.
        self.limit_from = limit_from
        self._first_at: float | None = None
        self.latency = latency
        #: A busy server: each request in flight adds this much to a round trip.
        self.load = load
        #: A cold start: the round trips of the first flight (every request sent before the
        #: first answer) are this much longer, after the limiter counted them (new
        #: connections, a server's first answers).
        self.cold = cold
        self._answered = False
        self._random = random.Random(seed)
        self.in_flight = 0
        #: slowapi in front of the API: a request is counted as it arrives, and the headers
        #: are written as the answer leaves, after the handler's round trip.
        self.proxy = proxy
        if proxy and not isinstance(self.limiter, MovingWindowLimiter):
            raise ValueError("proxy: the moving window's headers only")

    def _clock(self) -> float:
        return now() + self.clock_ahead

    def _leg(self) -> float:
        base = self.latency / 2 * (1 + 2 * self.jitter * (self._random.random() - 0.5))
        return base + self.load * self.in_flight / 2

    async def _count(self) -> tuple[bool, dict[str, str]]:
        """The verdict and the headers the answer carries, after the round trip."""
        if self._first_at is None:
            self._first_at = now()
        if self.limit_from is not None and now() - self._first_at >= self.limit_from[0]:
            self.limiter = make_limiter(self._kind, self.limit_from[1], self._window, self._clock)
            self.limit_from = None
        allowed, headers = await self._count_by_limiter()
        if self.unreported is not None:
            allowed = self.unreported.hit("key").allowed and allowed
        return allowed, headers

    async def _count_by_limiter(self) -> tuple[bool, dict[str, str]]:
        if not self.proxy:
            cold = 0.0 if self._answered else self.cold
            await trio.sleep(self._leg())
            verdict = self.limiter.hit("key")
            headers = verdict.headers()
            limiter = self.limiter
            if self.slowapi and isinstance(limiter, FixedWindowLimiter):
                slowapi = slowapi_verdict(
                    verdict.allowed,
                    limiter.limit,
                    verdict.remaining or 0,
                    limiter.ends_at("key"),
                    self._clock(),
                )
                headers = slowapi.headers()
            if self.from_now is not None and isinstance(
                limiter, FixedWindowLimiter | EpochWindowLimiter
            ):
                headers["X-RateLimit-Reset"] = str(
                    self.from_now(limiter.ends_at("key") - self._clock())
                )
            if self.drifting:
                headers["X-RateLimit-Reset"] = str(math.ceil(self._clock() + self._window))
            if self.full_reset and isinstance(limiter, TokenBucketLimiter):
                empty = limiter.limit - limiter.tokens("key")
                headers["X-RateLimit-Reset"] = str(math.ceil(self._clock() + empty / limiter.rate))
            if self.whole_log and isinstance(limiter, MovingWindowLimiter):
                live = limiter.live("key")
                end = (live[0] if live else self._clock()) + limiter.window
                headers["X-RateLimit-Reset"] = str(math.ceil(end))
                headers.pop("Retry-After", None)
                if not verdict.allowed:
                    headers["Retry-After"] = str(max(math.ceil(end - self._clock()), 1))
            reset = headers.get("X-RateLimit-Reset")
            if self.reset_ms and reset is not None:
                headers["X-RateLimit-Reset"] = str(round(float(reset) * 1000))
            await trio.sleep(self._leg() + cold)
            self._answered = True
            return verdict.allowed, headers
        await trio.sleep(0.0005)
        verdict = self.limiter.hit("key")
        await trio.sleep(self._leg() * 2)
        limiter = self.limiter
        assert isinstance(limiter, MovingWindowLimiter)
        live = limiter.live("key")
        start = live[0] if live else self._clock()
        late = slowapi_verdict(
            verdict.allowed,
            limiter.limit,
            limiter.limit - len(live),
            start + limiter.window,
            self._clock(),
        )
        await trio.sleep(0.0005)
        return verdict.allowed, late.headers()

    async def send(self, client: Pacer, run: Run, *, critical: bool = False) -> None:
        """One request through ``client``, retried at once on a 429 (the pacer waits)."""
        while True:
            async with client.sending(critical=critical) as send:
                run.sends.append(now() - START)
                self.in_flight += 1
                run.peak_in_flight = max(run.peak_in_flight, self.in_flight)
                if trio.current_time() - run.start > 1.0:
                    run.peak_in_flight_later = max(run.peak_in_flight_later, self.in_flight)
                allowed, raw = await self._count()
                self.in_flight -= 1
                self.answers += 1
                if self.reported is not None and self.answers > self.reported:
                    raw = {}
                if allowed and self.counts_ahead:
                    remaining = int(raw["X-RateLimit-Remaining"]) + 1
                    raw = {**raw, "X-RateLimit-Remaining": str(remaining)}
                if not allowed and self.bare_refusals:
                    raw = {name: value for name, value in raw.items() if name == "Retry-After"}
                headers = {name.lower(): value for name, value in raw.items()}
                reading = client.server_clock.reading(headers, send.sent_at, now())
                if not allowed:
                    client.rate_limited(send, parse_retry_after(headers.get("retry-after"), now()))
                client.observe(send, reading)
            if allowed:
                run.ok += 1
                return
            run.refused += 1


def job(
    kind: str,
    *,
    requests: int | Sequence[int],
    limit: int = 100,
    window: float = 1.0,
    clients: int = 1,
    max_concurrency: int = 8,
    budget: Budget | None = None,
    seed: int = 0,
    pages: int = 0,
    delay: float = 0.0,
    max_wait: float | None = 60.0,
    **options: Any,
) -> Run:
    """``requests`` fan-out requests split over ``clients`` pacers on one limiter's key (or
    as many as each client of a sequence sends); with ``pages``, the first client also lists
    that many pages, each asked for once the one before is back (a cursor chain, sent as
    critical). The job starts ``delay`` seconds into the virtual time (its walls count
    from there); ``budget``: one every client shares (else each has its own); ``max_wait``:
    the retry policy's ``max_retry_after`` (the longest a sender is held). The other
    keywords are the :class:`Server`'s (``proxy``, ``load``, ``cold``, ``reported``,
    ``unreported``, ``limit_from``, ``clock_ahead``, ``from_now``, ``drifting``,
    ``whole_log``, ``full_reset``, ``reset_ms``, ``bare_refusals``, ``counts_ahead``,
    ``jitter``, ``slowapi``): what each does is said where it is kept."""
    shares = [requests // clients] * clients if isinstance(requests, int) else list(requests)
    run = Run(start=delay)

    async def main() -> None:
        server = Server(kind, limit, window, seed=seed, **options)
        await trio.sleep(delay)

        async def listing(client: Pacer) -> None:
            for _ in range(pages):
                await server.send(client, run, critical=True)
            await client.listing_ended()
            run.chain_wall = trio.current_time() - run.start

        async with trio.open_nursery() as nursery:
            for index, share in enumerate(shares):
                client = pacer(max_concurrency=max_concurrency, max_wait=max_wait, budget=budget)
                if index == 0 and pages:
                    nursery.start_soon(listing, client)
                for _ in range(share):
                    nursery.start_soon(server.send, client, run)
        run.wall = trio.current_time() - run.start

    run_virtual(main, seed=seed)
    return run


def reading(remaining: int, reset_in: float, limit: int | None = 100) -> RateLimit:
    """A rate-limit reading whose reset is the whole second ``reset_in`` seconds from the
    virtual now rounds up to (as most servers send it)."""
    return RateLimit(limit=limit, remaining=remaining, reset_at=float(math.ceil(now() + reset_in)))
