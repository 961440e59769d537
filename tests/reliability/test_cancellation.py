"""Cancellation: nothing leaks when a caller gives up half-way.

Each scenario runs against the fake served over loopback HTTP, so the client's real httpx /
httpcore connection pool is in play (cancelled requests orphaning pool slots is a known httpcore
failure: encode/httpx#1461, #2139). After each cancellation the pool must have no connection
checked out and no request queued, the client's limiter and pacer must be back to zero, no task
started by the SDK may still be running, and the same client must still work. Warnings are
errors here: an async generator finalized badly ("generator ignored GeneratorExit") or an
unclosed client or socket fails the test.
"""

from __future__ import annotations

import gc
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

import creatorsdk
from creatorsdk import AsyncCreatorAudit, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from .conftest import Figures

pytestmark = pytest.mark.filterwarnings("error")

_SDK = str(Path(creatorsdk.__file__).parent)
_FAKES = str(Path(creatorsdk.__file__).parent / "testing")
ALWAYS_503 = FaultPlan(error_503=1.0, paths={"/whoami"})


@pytest.fixture(autouse=True)
def _collect_earlier_garbage() -> None:
    """Finalize what earlier tests left behind before this one starts, so a socket another
    suite leaked cannot fail a test here; what leaks during a test here still fails it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def sdk_tasks() -> list[str]:
    """Running tasks doing SDK work (the fakes' own tasks excluded).

    A task counts when any coroutine on its await chain is SDK code: anyio wraps task
    coroutines in its own, so the outermost one alone says nothing.
    """
    found = []
    for task in anyio.get_running_tasks():
        coro: object = task.coro
        while coro is not None:
            code = getattr(coro, "cr_code", None)
            filename = code.co_filename if code is not None else ""
            if filename.startswith(_SDK) and not filename.startswith(_FAKES):
                found.append(f"{task.name} ({code.co_qualname if code else '?'})")
                break
            coro = getattr(coro, "cr_await", None)
    return found


def open_connections(ca: AsyncCreatorAudit) -> int:
    """Connections of the pool that are serving a request (neither idle nor closed)."""
    pool = ca._http._transport._pool  # type: ignore[attr-defined]
    return sum(1 for c in pool.connections if not (c.is_idle() or c.is_closed()))


def pool_requests(ca: AsyncCreatorAudit) -> int:
    """Requests the pool is handling or has queued."""
    return len(ca._http._transport._pool._requests)  # type: ignore[attr-defined]


async def assert_quiet(ca: AsyncCreatorAudit, scenario: str, figures: Figures) -> None:
    """Nothing of the cancelled work is left, and the client still answers."""
    await anyio.lowlevel.checkpoint()  # let cancelled tasks finish unwinding
    leaks = open_connections(ca) + pool_requests(ca)
    tasks = sdk_tasks()
    assert leaks == 0, f"{scenario}: {leaks} connection(s) or pool request(s) left open"
    assert tasks == [], f"{scenario}: SDK tasks still running: {tasks}"
    assert ca._pacer.waiting == 0
    assert ca._pacer.in_flight == 0
    me = await ca.whoami()
    assert me.organization_id
    assert open_connections(ca) == 0
    figures.count("cancellation", "scenarios")
    figures.count("cancellation", "leaks", leaks + len(tasks))


@asynccontextmanager
async def served(fake: FakeCreatorAudit, **client: object) -> AsyncIterator[AsyncCreatorAudit]:
    async with (
        fake.serve() as base_url,
        AsyncCreatorAudit(api_key=fake.api_key, base_url=base_url, **client) as ca,  # type: ignore[arg-type]
    ):
        yield ca
    gc.collect()  # an unclosed socket or generator would warn (and fail) here


async def cancel_when(work: Callable[[], Awaitable[object]], ready: Callable[[], bool]) -> bool:
    """Run ``work`` and cancel it as soon as ``ready()``; whether it was cancelled mid-way."""
    finished = False
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as group:

            async def run() -> None:
                nonlocal finished
                await work()
                finished = True

            group.start_soon(run)
            with anyio.fail_after(5):
                # The fake offers no event to wait on; its state is polled instead.
                while not ready():  # noqa: ASYNC110
                    await anyio.sleep(0.002)
            scope.cancel()
    return not finished


def in_flight(fake: FakeCreatorAudit) -> int:
    return fake._recorder.in_flight


async def test_cancelling_a_pager_mid_page_leaks_nothing(figures: Figures) -> None:
    fake = FakeCreatorAudit(0, accounts=30, latency=0.03, rate_limit=None)
    async with served(fake) as ca:
        seen: list[str] = []

        async def list_all() -> None:
            async for account in ca.accounts.list(limit=5):
                seen.append(account.id)

        # Cancel while the second page is on the wire.
        second_page_sent = lambda: len(fake.requests) >= 2 and in_flight(fake) > 0  # noqa: E731
        cancelled = await cancel_when(list_all, second_page_sent)
        assert cancelled
        assert len(seen) == 5
        await assert_quiet(ca, "pager mid-page", figures)


async def test_cancelling_a_deltas_fan_out_mid_flight_leaks_nothing(figures: Figures) -> None:
    fake = FakeCreatorAudit(0, accounts=2, latency=0.03, rate_limit=None)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1201)]  # 6 chunks of 200
    async with served(fake, max_concurrency=3) as ca:
        witnessed: list[tuple[int, int, int]] = []

        def three_on_the_wire() -> bool:
            if in_flight(fake) < 3:
                return False
            # The checks below do see live work: here they must find it.
            witnessed.append((open_connections(ca), pool_requests(ca), len(sdk_tasks())))
            return True

        cancelled = await cancel_when(lambda: ca.videos.deltas(ids, windows=[7]), three_on_the_wire)
        assert cancelled
        connections, requests, tasks = witnessed[0]
        assert connections == requests == 3
        assert tasks >= 6  # the caller plus one task per chunk
        assert len(fake.requests) < 6, "every chunk was sent before the cancellation"
        await assert_quiet(ca, "deltas fan-out mid-flight", figures)


async def test_leaving_iter_deltas_early_cancels_the_rest(figures: Figures) -> None:
    fake = FakeCreatorAudit(0, accounts=2, latency=0.03, rate_limit=None)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1201)]
    async with served(fake, max_concurrency=2) as ca:
        async with ca.videos.iter_deltas(ids, windows=[7]) as parts:
            async for part in parts:
                assert len(part.not_found) == 200
                break
        assert len(fake.requests) < 6
        await assert_quiet(ca, "iter_deltas left early", figures)


async def test_cancelling_a_retry_mid_sleep_leaks_nothing(figures: Figures) -> None:
    sleeping = anyio.Event()

    async def sleep_until_cancelled(seconds: float) -> None:
        sleeping.set()
        await anyio.sleep_forever()

    fake = FakeCreatorAudit(0, accounts=2, rate_limit=None, faults=ALWAYS_503)
    policy = RetryPolicy(sleep=sleep_until_cancelled)
    async with served(fake, retry=policy) as ca:
        cancelled = await cancel_when(ca.whoami, sleeping.is_set)
        assert cancelled
        assert fake.faults_injected["error_503"] == 1
        fake.faults = FaultPlan()
        await assert_quiet(ca, "retry mid-sleep", figures)


async def test_exhausted_retries_leave_no_pool_slot_behind(figures: Figures) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(0, accounts=2, rate_limit=None, faults=ALWAYS_503)
    async with served(fake, retry=RetryPolicy(sleep=clock.sleep, clock=clock)) as ca:
        with pytest.raises(errors.ServiceUnavailableError) as caught:
            await ca.whoami()
        assert caught.value.attempts == 5
        fake.faults = FaultPlan()
        await assert_quiet(ca, "exhausted retries", figures)


async def test_breaking_out_of_async_for_closes_the_pager_at_once(figures: Figures) -> None:
    fake = FakeCreatorAudit(0, accounts=30, latency=0.005, rate_limit=None)
    async with served(fake) as ca:
        pager = ca.accounts.list(limit=5)
        async with aclosing(aiter(pager)) as items:
            async for _ in items:
                break
        # Closed at the block's end: the second page was never asked for.
        assert len(fake.requests) == 1
        await assert_quiet(ca, "break with aclosing", figures)

        # Without aclosing the generator is finalized by the event loop's hooks; that must
        # be just as clean (warnings are errors in this module).
        async for _ in ca.accounts.list(limit=5):
            break
        gc.collect()
        await anyio.lowlevel.checkpoint()
        assert len(fake.requests) == 3  # one page, the whoami above, one page
        await assert_quiet(ca, "break without aclosing", figures)

        # And pages() broken out of mid-listing, resumed from its saved cursor, loses nothing.
        first = None
        async with aclosing(pager.pages()) as pages:
            async for page in pages:
                first = page
                break
        assert first is not None
        assert first.has_next
        rest = await ca.accounts.list(limit=5, cursor=first.next_cursor).to_list()
        ids = [a.id for a in first.items] + [a.id for a in rest]
        assert sorted(ids) == sorted(fake.store.accounts)
