"""7. Slow limits (a few a second, a minute, an hour), on a virtual clock.

A window of a minute or an hour makes a real benchmark run for an hour; a limit of a few a
second, minutes for a job of a thousand requests. These rows run the SDK's own pacer
(``Pacer`` on its in-process budget) against each limiter of ``creatorsdk.testing`` on
trio's autojumping clock, as the engine tests do
(``tests/engine/_pacing_sim.py``): 40 ms round trips varying by a tenth either way, the
default cap of 8, every request queued at once, each 429 retried through the pacer. Beside
each run is its bound: when the last answer could have come back had every request reached
the limiter at the earliest instant it admits one (the limiter says when: its ``delay``),
with no more than the cap in flight.
Time is virtual, so the figures do not depend on the machine; the seed orders the scheduler
and the round trips, and the rows give medians over seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.engine import _pacing_sim as sim

from benchmarks._harness import span, summarize, table, verdict
from creatorsdk.testing._limiters import make_limiter

ORDER = 7

#: The simulated round trip (seconds); the request reaches the limiter half way.
_LATENCY = 0.04


@dataclass(frozen=True)
class Row:
    """One limiter: ``limit`` per ``window`` seconds, a job of ``requests``."""

    title: str
    kind: str
    limit: int
    window: float
    requests: int
    max_retry_after: float = 60.0
    #: How the simulated server writes its headers (``Server`` keywords), as pairs.
    server: tuple[tuple[str, bool], ...] = ()


ROWS = [
    Row("fixed window opened by the first request, 600 / min", "fixed-first", 600, 60.0, 2000),
    Row("epoch-aligned fixed window, 600 / min", "fixed-epoch", 600, 60.0, 2000),
    Row("moving window (slowapi's headers), 600 / min", "moving", 600, 60.0, 2000),
    Row("sliding-window counter (slowapi's headers), 600 / min", "sliding", 600, 60.0, 2000),
    Row("sliding-window counter (slowapi's headers), 100 / min", "sliding", 100, 60.0, 500),
    Row("token bucket (Envoy-style headers), 100 / min", "token-bucket", 100, 60.0, 500),
    Row("nginx `limit_req` rate=60r/m (no headers)", "headerless", 60, 60.0, 300),
    Row("sliding-window counter (slowapi's headers), 5 / s", "sliding", 5, 1.0, 1000),
    Row("moving window (slowapi's headers), 3 / s", "moving", 3, 1.0, 1000),
    Row(
        "epoch-aligned fixed window, 5,000 / hour (max_retry_after=3600)",
        "fixed-epoch",
        5000,
        3600.0,
        12000,
        3600.0,
    ),
    Row(
        "header-less leaky bucket, 5,000 / hour (max_retry_after=3600)",
        "headerless",
        5000,
        3600.0,
        12000,
        3600.0,
    ),
]

#: The SDK's default ``max_concurrency``, which the simulated client keeps.
_CAP = 8
#: ``--quick``: the first rows only.
QUICK_ROWS = 3


def bound(row: Row) -> float:
    """Seconds from the job's start to the last answer, every request admitted as early as
    the limiter allows with at most :data:`_CAP` in flight (each reaches the limiter half a
    round trip after it left, and its slot is free again half a round trip after that)."""
    now = [sim.START + _LATENCY / 2]
    limiter = make_limiter(row.kind, row.limit, row.window, lambda: now[0])
    arrivals: list[float] = []
    for n in range(row.requests):
        if n >= _CAP:
            now[0] = max(now[0], arrivals[n - _CAP] + _LATENCY)
        while True:
            # (A limiter may say 0 where a hit is still refused by a hair: step past it.)
            now[0] += max(limiter.delay("key"), 1e-6)
            if limiter.hit("key").allowed:
                break
        arrivals.append(now[0])
    return now[0] + _LATENCY / 2 - sim.START


def run(*, quick: bool, repeats: int) -> str:
    """Each row over ``repeats`` seeds: the SDK's wall against the bound, and its 429s."""
    return section(
        "## 7. Slow limits: a few a second, a minute, an hour (simulated)",
        "The SDK's pacer on a virtual clock against each limiter of `creatorsdk.testing`",
        ROWS[:QUICK_ROWS] if quick else ROWS,
        repeats,
    )


def section(heading: str, subject: str, rows: Sequence[Row], repeats: int) -> str:
    """A section of ``rows``, each over ``repeats`` seeds, against its bound and target."""
    cells, targets = [], []
    for row in rows:
        requests = row.requests
        ideal = bound(row)
        runs = [
            sim.job(
                row.kind,
                requests=requests,
                limit=row.limit,
                window=row.window,
                seed=seed,
                max_wait=row.max_retry_after,
                **dict(row.server),
            )
            for seed in range(repeats)
        ]
        walls = summarize([r.wall for r in runs])
        vs_bound = summarize([ideal / r.wall for r in runs])
        refused = summarize([r.refused for r in runs])
        share = summarize([100 * r.refused_share for r in runs])
        cells.append(
            [
                row.title,
                f"{requests:,}",
                f"{ideal:,.1f}",
                span(walls, 1),
                span(vs_bound, 2),
                span(refused, 0),
                span(share, 1),
            ]
        )
        headers_sent = row.kind != "headerless"
        limit_429 = 0.5 if headers_sent else 2.0
        targets.append(
            [row.title, f"429s ≤ {limit_429} %", span(share, 1), verdict(share.median <= limit_429)]
        )
    return "\n".join(
        [
            heading,
            "",
            (
                f"{subject}: 40 ms round trips varying by a tenth, the default cap "
                "of 8, every request queued at once, each 429 retried through the pacer. "
                "Bound = when the last answer could have come back had each request reached "
                "the limiter at the earliest instant it admits one, 8 in flight at most. "
                "Time is virtual, so "
                "these do not depend on the machine. Median (min–max) over "
                f"{repeats} seed(s)."
            ),
            "",
            table(
                [
                    "limiter",
                    "requests",
                    "bound s",
                    "SDK wall s",
                    "SDK ÷ bound",
                    "429s",
                    "429 share %",
                ],
                cells,
            ),
            "",
            "Against issue 12's 429 targets (0.5 % with headers, 2 % without), for context "
            "(the issue measures them on the real limiters of section 6):",
            "",
            table(["limiter", "target", "measured %", ""], targets),
            "",
        ]
    )
