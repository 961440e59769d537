"""Load: 10,000 concurrent calls on one client, bounded in flight, without leaks.

The 10,000 calls go through the fake's in-process transport (fast enough for CI); the same
property is then checked on the real httpx connection pool over loopback with 1,000 calls,
where a ``PoolTimeout`` (encode/httpx#1171) would show up if the client ever let more requests
at the pool than it has connections.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections import Counter

import anyio
import httpx
import pytest

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.testing import FakeCreatorAudit

from .conftest import Figures

pytestmark = pytest.mark.slow  # every test here takes seconds

CALLS = 10_000
LOOPBACK_CALLS = 1_000
LIMIT = 8
TRACED_CALLS = 200
#: Bytes the traced waves may leave behind: about 640 per call, below one leaked response.
TRACED_HELD_LIMIT = 256_000


async def fire(ca: AsyncCreatorAudit, calls: int) -> Counter[str]:
    """``calls`` concurrent ``whoami()``; returns how each ended, by exception type name."""
    outcomes: Counter[str] = Counter()

    async def one() -> None:
        try:
            me = await ca.whoami()
        except Exception as error:
            outcomes[type(error).__name__] += 1
        else:
            outcomes["ok" if me.organization_id else "empty"] += 1

    async with anyio.create_task_group() as group:
        for _ in range(calls):
            group.start_soon(one)
    return outcomes


def traced_outside_send_logs() -> int:
    """Bytes tracemalloc traces now, except what the pacer's send logs hold."""
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [
            tracemalloc.Filter(False, "*/creatorsdk/budgets/_local.py"),
            tracemalloc.Filter(False, "*/creatorsdk/_engine/pacing/learning.py"),
        ]
    )
    return sum(stat.size for stat in snapshot.statistics("filename"))


def live_objects() -> tuple[int, int]:
    gc.collect()
    return len(gc.get_objects()), sys.getallocatedblocks()


async def test_ten_thousand_concurrent_calls_stay_within_the_limit_and_leak_nothing(
    figures: Figures,
) -> None:
    # A little real latency keeps every request in flight long enough to overlap.
    fake = FakeCreatorAudit(0, accounts=1, rate_limit=None, latency=0.0002)
    async with AsyncCreatorAudit(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        max_concurrency=LIMIT,
    ) as ca:
        await fire(ca, 200)  # warm-up: imports, converters, caches
        fake.reset_requests()
        objects_before, blocks_before = live_objects()

        outcomes = await fire(ca, CALLS)

        assert outcomes == Counter({"ok": CALLS})
        assert len(fake.requests) == CALLS
        peak = max(r.in_flight for r in fake.requests)
        assert peak == fake.max_in_flight == LIMIT  # reached, never exceeded
        assert ca._pacer.waiting == 0
        fake.reset_requests()  # the fake's own record of 10,000 requests is not ours to count
        objects_after, blocks_after = live_objects()

        # Flat memory: what is left after 10,000 calls does not grow with the calls.
        object_growth = objects_after - objects_before
        block_growth = blocks_after - blocks_before
        assert object_growth < CALLS // 20, f"{object_growth} objects outlived their calls"
        assert block_growth < CALLS // 5, f"{block_growth} memory blocks outlived their calls"

        # tracemalloc on further waves: the first settles tracemalloc and the interpreter's
        # free lists; the next two show what calls leave behind. Containers that keep the
        # capacity of their busiest moment (the limiter's wait queue, anyio's task states)
        # account for tens of kilobytes; one leaked response or task per call would be
        # megabytes. The pacer's send logs are left out: they hold the last seconds of sends
        # (so their size follows the rate and the moment, not the calls) and their bounds
        # have their own tests (tests/engine/test_budgets.py).
        tracemalloc.start()
        try:
            assert await fire(ca, TRACED_CALLS) == Counter({"ok": TRACED_CALLS})
            fake.reset_requests()
            gc.collect()
            traced_before = traced_outside_send_logs()
            tracemalloc.reset_peak()
            for _ in range(2):
                assert await fire(ca, TRACED_CALLS) == Counter({"ok": TRACED_CALLS})
                fake.reset_requests()
            gc.collect()
            traced_after = traced_outside_send_logs()
            _, traced_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        held = traced_after - traced_before
        assert held < TRACED_HELD_LIMIT, f"{held} bytes still held after {2 * TRACED_CALLS} calls"

    figures.line(
        "load",
        f"in-process calls={CALLS} ok={outcomes['ok']} max_in_flight={peak} (limit {LIMIT}) "
        f"object_growth={object_growth} block_growth={block_growth} "
        f"traced_bytes_held_after_{2 * TRACED_CALLS}_calls={held} "
        f"traced_peak_{TRACED_CALLS}_calls={traced_peak / 1e6:.1f}MB",
    )


async def test_the_real_pool_never_times_out_under_load(figures: Figures) -> None:
    fake = FakeCreatorAudit(0, accounts=1, rate_limit=None, latency=0.0005)
    opened: list[int] = []
    async with (
        fake.serve() as base_url,
        AsyncCreatorAudit(api_key=fake.api_key, base_url=base_url, max_concurrency=LIMIT) as ca,
    ):
        pool = ca._http._transport._pool  # type: ignore[attr-defined]
        outcomes = await fire(ca, LOOPBACK_CALLS)
        opened.append(len(pool.connections))
        assert not pool._requests, "requests still queued in the pool"
        assert all(c.is_idle() for c in pool.connections)

    assert outcomes == Counter({"ok": LOOPBACK_CALLS})
    assert errors.APITimeoutError.__name__ not in outcomes
    assert httpx.PoolTimeout.__name__ not in outcomes
    assert fake.max_in_flight <= LIMIT
    assert opened[0] <= LIMIT
    figures.line(
        "load",
        f"loopback calls={LOOPBACK_CALLS} ok={outcomes['ok']} pool_timeouts=0 "
        f"connections={opened[0]} max_in_flight={fake.max_in_flight}",
    )
