"""7b. Resets as servers written from the docs might send them, on a virtual clock.

CreatorAudit's docs say only that ``X-RateLimit-Reset`` is "a Unix timestamp in seconds when
the window resets". A server written from that sentence by someone else can mean other
things by it, all honest: when a window begun now would end (``now + window`` on every
answer), when a log's oldest request leaves, when a bucket is full again, or the same date
in milliseconds (``Date.now() + window``). These rows run the SDK's pacer against each, as
section 7 does (``tests/engine/_pacing_sim.py``), beside the bound the limiter itself gives,
which the way it writes its headers does not change.
"""

from __future__ import annotations

from benchmarks.bench_slow_limits import Row, section

ORDER = 7.5

ROWS = [
    Row(
        "fixed window opened by the first request, 600 / min, reset `now + window`",
        "fixed-first",
        600,
        60.0,
        2000,
        server=(("drifting", True),),
    ),
    Row(
        "epoch-aligned fixed window, 600 / min, reset `now + window`",
        "fixed-epoch",
        600,
        60.0,
        2000,
        server=(("drifting", True),),
    ),
    Row(
        "moving window (a log), 100 / s, reset its oldest request's expiry in whole seconds",
        "moving",
        100,
        1.0,
        1000,
        server=(("whole_log", True),),
    ),
    Row(
        "token bucket, 600 / min, reset when it is full again",
        "token-bucket",
        600,
        60.0,
        2000,
        server=(("full_reset", True),),
    ),
    Row(
        "fixed window opened by the first request, 600 / min, reset in milliseconds",
        "fixed-first",
        600,
        60.0,
        2000,
        server=(("reset_ms", True),),
    ),
]

#: ``--quick``: the first rows only.
QUICK_ROWS = 2


def run(*, quick: bool, repeats: int) -> str:
    """Each row over ``repeats`` seeds: the SDK's wall against the bound, and its 429s."""
    return section(
        "## 7b. Resets as servers written from the docs send them (simulated)",
        "The SDK's pacer on a virtual clock against limiters of `creatorsdk.testing` whose "
        "server writes `X-RateLimit-Reset` as the row says",
        ROWS[:QUICK_ROWS] if quick else ROWS,
        repeats,
    )
