"""Sync facade: ``CreatorAudit.videos.deltas`` against ``AsyncCreatorAudit.videos.deltas``.

Both fetch the deltas of the same 10,000 tracked videos (50 chunks of 200, 8 in flight) from
one fake served in its own process. The sync client runs the very same async call on its
loop thread, so the difference is the cost of the thread hop; the target is ≤ 10 % slower.
Two servers: no latency (the strictest case: the client's CPU is the bound, so any overhead
shows) and 20 ms per request (closer to the network).
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks._harness import (
    CpuTimer,
    FakeProcess,
    describe_options,
    interleave,
    ratio,
    serve_fake,
    span,
    summarize,
    table,
    verdict,
)
from creatorsdk import AsyncCreatorAudit, CreatorAudit

ORDER = 8

FULL_IDS = 10_000
QUICK_IDS = 2_000
LATENCY = 0.02
TARGET = 1.10
#: Fewest repeats of a full run (the median needs a few; the machine may be shared).
MIN_REPEATS = 7
WINDOWS = [1, 7, 30]
#: Timed calls per repeat (one call is short enough for scheduling noise to show).
CALLS = 5


async def _async_deltas(fake: FakeProcess, ids: list[str]) -> CpuTimer:
    async with AsyncCreatorAudit(api_key=fake.api_key, base_url=fake.base_url) as ca:
        await ca.videos.deltas(ids, windows=WINDOWS)  # warm-up: open the connections
        with CpuTimer() as timer:
            for _ in range(CALLS):
                deltas = await ca.videos.deltas(ids, windows=WINDOWS)
    _check(deltas.data, ids)
    return timer


def _sync_deltas(fake: FakeProcess, ids: list[str]) -> CpuTimer:
    with CreatorAudit(api_key=fake.api_key, base_url=fake.base_url) as ca:
        ca.videos.deltas(ids, windows=WINDOWS)  # warm-up: open the connections
        with CpuTimer() as timer:
            for _ in range(CALLS):
                deltas = ca.videos.deltas(ids, windows=WINDOWS)
    _check(deltas.data, ids)
    return timer


def _check(data: Any, ids: list[str]) -> None:
    if len(data) != len(ids):
        raise RuntimeError(f"expected deltas of {len(ids)} videos, got {len(data)}")


def _video_ids(fake: FakeProcess, count: int) -> list[str]:
    with CreatorAudit(api_key=fake.api_key, base_url=fake.base_url) as ca:
        ids = [video.id for video in ca.videos.list()]
    if len(ids) < count:
        raise RuntimeError(f"the fake tracks {len(ids)} videos, fewer than {count}")
    return ids[:count]


def run(*, quick: bool, repeats: int) -> str:
    """Sync and async deltas over the same ids, interleaved; their wall-time ratio."""
    count = QUICK_IDS if quick else FULL_IDS
    repeats = repeats if quick else max(repeats, MIN_REPEATS)
    options: dict[str, Any] = {
        "seed": 8,
        "accounts": 2,
        "tracked_videos": count,
        "creators": 0,
        "history_days": 60,
        "rate_limit": 0,
    }
    rows = []
    missed = []
    with serve_fake(**options) as fast, serve_fake(**options, latency=LATENCY) as slow:
        for label, fake in (("no latency", fast), (f"{LATENCY * 1000:.0f} ms latency", slow)):
            ids = _video_ids(fake, count)
            results = interleave(
                {
                    "async": lambda fake=fake, ids=ids: asyncio.run(_async_deltas(fake, ids)),
                    "sync": lambda fake=fake, ids=ids: _sync_deltas(fake, ids),
                },
                repeats,
                between=None,
            )
            walls = {name: [t.wall for t in timers] for name, timers in results.items()}
            cpus = {name: [t.cpu for t in timers] for name, timers in results.items()}
            slower = ratio(walls["sync"], walls["async"])
            best = min(walls["sync"]) / min(walls["async"])
            ok = slower.median <= TARGET
            if not ok:
                missed.append(label)
            rows.append(
                [
                    label,
                    span(summarize(walls["async"]), 0, 1000),
                    span(summarize(walls["sync"]), 0, 1000),
                    f"{summarize(cpus['async']).median * 1000:,.0f}",
                    f"{summarize(cpus['sync']).median * 1000:,.0f}",
                    span(slower, 3),
                    f"{best:.3f}",
                    verdict(ok),
                ]
            )
    lines = [
        f"## Sync facade: `deltas` over {count:,} ids",
        "",
        f"Fake: `{describe_options(options)}`, once without latency and once with "
        f"`--latency {LATENCY}`, each in its own process. {CALLS} calls of "
        f"`videos.deltas(ids, windows={WINDOWS})` ({count // 200} chunks of 200, "
        "`max_concurrency=8`) on a warmed-up client: `AsyncCreatorAudit` under `asyncio.run` "
        "against `CreatorAudit` (the same call on the client's loop thread). Target: sync ÷ "
        f"async wall time ≤ {TARGET:.2f} (ratio paired repeat by repeat). Median (min–max) of "
        f"{repeats} interleaved repeats" + (" (quick sizes)." if quick else "."),
        "",
        table(
            [
                "server",
                "async wall ms",
                "sync wall ms",
                "async CPU ms",
                "sync CPU ms",
                "sync ÷ async",
                "best ÷ best",
                f"≤ {TARGET:.2f}",
            ],
            rows,
        ),
        "",
        f"Wall times are for {CALLS} calls; CPU is the client process's (both threads). "
        "“sync ÷ async” is the median of the per-repeat ratios, the target's measure; "
        "“best ÷ best” compares the fastest repeat of each, which machine noise affects least.",
    ]
    if missed:
        lines += ["", f"Missed with {', '.join(missed)}."]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick=False, repeats=5))
