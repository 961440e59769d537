"""2. Latency-bound throughput: requests per second against ``max_concurrency``.

No rate limit and 20 ms of server latency, so C requests in flight should give C ÷ 20 ms
requests per second until the CPU (client and fake share the machine) is the bound. The
bound itself is measured on a second fake with no latency.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio

from benchmarks._harness import (
    CpuTimer,
    FakeProcess,
    describe_options,
    interleave,
    serve_fake,
    span,
    summarize,
    table,
    verdict,
)
from creatorsdk import AsyncCreatorAudit

ORDER = 2

LATENCY = 0.02
CONCURRENCY = (1, 4, 16, 64)
BOUND_CONCURRENCY = 64
#: Requests per measurement: enough for about a second at the expected rate.
FULL_CALLS = {1: 60, 4: 200, 16: 800, 64: 2000, "bound": 2000}
QUICK_CALLS = {1: 10, 4: 20, 16: 64, 64: 128, "bound": 128}


async def _throughput(fake: FakeProcess, video_id: str, concurrency: int, calls: int) -> float:
    """Requests per second for ``calls`` typed calls queued at once on one client."""
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, max_concurrency=concurrency
    ) as ca:

        async def many(count: int) -> CpuTimer:
            with CpuTimer() as timer:
                async with anyio.create_task_group() as group:
                    for _ in range(count):
                        group.start_soon(ca.videos.get, video_id)
            return timer

        await many(concurrency * 2)  # open the connections
        timer = await many(calls)
    return calls / timer.wall


async def _first_video(fake: FakeProcess) -> str:
    async with AsyncCreatorAudit(api_key=fake.api_key, base_url=fake.base_url) as ca:
        page = await anext(aiter(ca.videos.list(limit=1).pages()))
        return page.items[0].id


def run(*, quick: bool, repeats: int) -> str:
    """Throughput at each concurrency and at the CPU bound, interleaved."""
    calls: dict[Any, int] = QUICK_CALLS if quick else FULL_CALLS
    options: dict[str, Any] = {
        "seed": 2,
        "accounts": 4,
        "tracked_videos": 4,
        "creators": 0,
        "rate_limit": 0,
    }
    with serve_fake(**options, latency=LATENCY) as slow, serve_fake(**options) as fast:
        video_slow = asyncio.run(_first_video(slow))
        video_fast = asyncio.run(_first_video(fast))
        variants = {
            str(c): (lambda c=c: asyncio.run(_throughput(slow, video_slow, c, calls[c])))
            for c in CONCURRENCY
        }
        variants["bound"] = lambda: asyncio.run(
            _throughput(fast, video_fast, BOUND_CONCURRENCY, calls["bound"])
        )
        results = interleave(variants, repeats, between=None)
    bound = summarize(results["bound"])
    rows = []
    missed = []
    for c in CONCURRENCY:
        rates = summarize(results[str(c)])
        ideal = c / LATENCY
        expected = min(ideal, bound.median)
        ok = rates.median >= 0.9 * expected
        if not ok:
            missed.append((c, rates.median, expected))
        rows.append(
            [
                str(c),
                span(rates, 0),
                f"{ideal:,.0f}",
                f"{expected:,.0f}",
                f"{rates.median / expected:.2f}",
                verdict(ok),
            ]
        )
    lines = [
        "## 2. Latency-bound throughput",
        "",
        f"Fake: `{describe_options(options)} --latency {LATENCY}` ({LATENCY * 1000:.0f} ms per "
        "request, no rate limit). Each measurement queues its calls (`ca.videos.get(id)`, a "
        "1 KiB video decoded to `Video`) on one client with the given `max_concurrency` after "
        f"a warm-up. CPU bound: the same calls at `max_concurrency={BOUND_CONCURRENCY}` against "
        f"a second fake with no latency: {span(bound, 0)} requests/s. Target: ≥ 0.9 × "
        "min(C ÷ latency, CPU bound). Median (min–max) of "
        f"{repeats} interleaved repeats" + (" (quick sizes)." if quick else "."),
        "",
        table(
            ["max_concurrency", "requests/s", "C ÷ latency", "expected", "÷ expected", "≥ 0.9"],
            rows,
        ),
    ]
    if missed:
        lines.append("")
        for c, measured, expected in missed:
            extra_ms = (c / measured - LATENCY) * 1000
            lines.append(
                f"**At max_concurrency={c}, {measured:,.0f} requests/s is "
                f"{measured / expected:.2f} of the {expected:,.0f} expected.** Each request "
                f"takes {extra_ms:.1f} ms beyond the fake's {LATENCY * 1000:.0f} ms: the client's "
                "and the fake's own work per request (HTTP, routing, JSON, decoding), which "
                "at this concurrency is not hidden behind other requests' waiting."
                if c / LATENCY < bound.median
                else f"**At max_concurrency={c}, {measured:,.0f} requests/s is "
                f"{measured / expected:.2f} of the CPU bound:** with the latency's sleeping "
                "requests added, the two processes sharing 2 cores do more work per request."
            )
            lines.append("")
    return "\n".join(lines)
