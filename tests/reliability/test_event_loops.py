"""Both event loops: the engine and both clients' core behaviour, on asyncio and on trio.

Every test here is ``anyio``-marked and runs once per backend (see ``conftest.py`` for how
these tests are kept away from pytest-asyncio's auto mode). They use the fakes' in-process
transports and a virtual clock, so they are fast; the first test proves the backend really
is the one named, so a plugin mix-up cannot pass the trio half on asyncio.
"""

from __future__ import annotations

import heapq
import uuid
from collections import Counter

import anyio
import pytest
import sniffio

from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk._engine.batching import stream_fan_out
from creatorsdk._engine.pacing import Pacer
from creatorsdk.testing import FakeCreatorAudit, FakeTrackAGoat, FaultPlan

from .conftest import VirtualTime, report
from .test_cancellation import sdk_tasks
from .test_chaos import ATTEMPTS, chaos_plan, create_under_faults, ingest

pytestmark = pytest.mark.anyio

PASSED: Counter[str] = Counter()


def creatoraudit(
    fake: FakeCreatorAudit, vtime: VirtualTime, **options: object
) -> AsyncCreatorAudit:
    policy = options.pop("retry", None) or RetryPolicy(sleep=vtime.sleep, clock=vtime)
    return AsyncCreatorAudit(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        retry=policy,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def trackagoat(fake: FakeTrackAGoat, vtime: VirtualTime) -> AsyncTrackAGoat:
    return AsyncTrackAGoat(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        retry=RetryPolicy(sleep=vtime.sleep, clock=vtime),
        requests_per_minute=60_000,
    )


def passed(anyio_backend: str) -> None:
    PASSED[anyio_backend] += 1


async def test_the_backend_is_the_one_named(anyio_backend: str) -> None:
    assert sniffio.current_async_library() == anyio_backend
    passed(anyio_backend)


async def test_retries_503_429_drops_and_truncated_bodies(anyio_backend: str) -> None:
    vtime = VirtualTime()
    for kind in ("error_503", "error_429", "drop_after_commit", "html_502", "truncated_body"):
        fake = FakeCreatorAudit(0, accounts=3, clock=vtime, faults=FaultPlan(**{kind: 1.0}))
        async with creatoraudit(fake, vtime) as ca:
            with pytest.raises(errors.CreatorSDKError) as caught:
                await ca.whoami()
            assert getattr(caught.value, "attempts", None) == 5, kind
            fake.faults = FaultPlan()
            assert (await ca.whoami()).organization_id == fake.organization_id
            assert ca.stats.retries == 4
    passed(anyio_backend)


async def test_a_timeout_is_an_api_timeout_error(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeCreatorAudit(0, accounts=2, faults=FaultPlan(slow=1.0, slow_seconds=1.0))
    policy = RetryPolicy(max_attempts=2, sleep=vtime.sleep, clock=vtime)
    async with creatoraudit(fake, vtime, retry=policy, timeout=0.03) as ca:
        with pytest.raises(errors.APITimeoutError) as caught:
            await ca.whoami()
    assert caught.value.attempts == 2
    assert caught.value.__cause__ is not None
    passed(anyio_backend)


async def test_pacing_after_429s_lets_every_call_through(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeCreatorAudit(0, accounts=2, clock=vtime, rate_limit=5, rate_window=10.0)
    async with creatoraudit(fake, vtime) as ca:
        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(ca.whoami)
        assert ca.stats.requests - ca.stats.retries == 20
        assert ca.rate_limit is not None
    passed(anyio_backend)


async def test_listing_deltas_and_creates_under_chaos(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeCreatorAudit(
        4, clock=vtime, faults=chaos_plan(4), accounts=10, videos_per_account=(2, 6), creators=3
    )
    policy = RetryPolicy(max_attempts=ATTEMPTS, sleep=vtime.sleep, clock=vtime)
    async with creatoraudit(fake, vtime, retry=policy) as ca:
        await create_under_faults(ca, fake, seed=4)
        counts = await ingest(ca, fake)
    assert counts["accounts"] == 10 + 8
    assert sum(fake.faults_injected.values()) > 0
    passed(anyio_backend)


async def test_a_failed_chunk_keeps_the_others_results(anyio_backend: str) -> None:
    vtime = VirtualTime()
    # 40% of deltas requests fail for good (one attempt): some chunks fail, some do not.
    fake = FakeCreatorAudit(
        0, accounts=2, clock=vtime, faults=FaultPlan(seed=1, error_503=0.4, paths={"/videos/*"})
    )
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1001)]  # 5 chunks
    policy = RetryPolicy(max_attempts=1, sleep=vtime.sleep, clock=vtime)
    async with creatoraudit(fake, vtime, retry=policy) as ca:
        with pytest.raises(errors.BatchError) as caught:
            await ca.videos.deltas(ids, windows=[7])
    failed = caught.value.failures
    assert len(failed) == fake.faults_injected["error_503"] >= 1
    assert len(failed) + len(caught.value.results) == 5
    assert caught.value.results  # the chunks that succeeded are not lost
    assert all(isinstance(f.error, errors.ServiceUnavailableError) for f in failed)
    passed(anyio_backend)


async def test_iter_deltas_streams_every_chunk(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeCreatorAudit(0, accounts=2, clock=vtime, latency_jitter=0.001)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 701)]  # 4 chunks
    seen: list[str] = []
    async with creatoraudit(fake, vtime) as ca, ca.videos.iter_deltas(ids, windows=[1]) as parts:
        async for part in parts:
            seen.extend(part.not_found)
    assert sorted(seen) == sorted(ids)
    passed(anyio_backend)


async def test_cancelling_a_fan_out_leaves_the_client_usable(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeCreatorAudit(0, accounts=2, clock=vtime, latency=0.02)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1201)]
    async with creatoraudit(fake, vtime, max_concurrency=2) as ca:
        with anyio.move_on_after(0.01) as scope:
            await ca.videos.deltas(ids, windows=[7])
        assert scope.cancelled_caught
        await anyio.lowlevel.checkpoint()
        assert sdk_tasks() == []
        assert ca._pacer.waiting == 0
        assert ca._pacer.in_flight == 0
        assert (await ca.whoami()).organization_id
    passed(anyio_backend)


async def test_a_chunk_finishing_as_the_caller_leaves_iter_deltas_is_dropped(
    anyio_backend: str,
) -> None:
    """Caught by the cancellation suite under load: a chunk whose result was ready just as
    the caller left the block sent it into the closed stream, and the block raised
    ``BrokenResourceError`` out of the task group. Shielding the second chunk makes that
    moment happen every time."""
    release = anyio.Event()

    async def call(chunk: tuple[str, ...]) -> str:
        if chunk == ("a",):
            return "first"
        with anyio.CancelScope(shield=True):
            await release.wait()
        return "late"

    async with stream_fan_out([("a",), ("b",)], call) as results:
        async for result in results:
            assert result == "first"
            release.set()
            break
    passed(anyio_backend)


class Timeline:
    """Virtual time that wakes sleepers in deadline order, on any backend: when every task
    is blocked, the clock jumps to the earliest deadline and wakes that sleeper alone."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self._sleepers: list[tuple[float, int, anyio.Event]] = []
        self._count = 0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self._count += 1
        woken = anyio.Event()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._count, woken))
        await woken.wait()

    async def drive(self, done: anyio.Event) -> None:
        while not done.is_set():
            await anyio.wait_all_tasks_blocked()
            if self._sleepers:
                deadline, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, deadline)
                woken.set()


async def test_senders_held_by_a_429_leave_one_interval_apart(anyio_backend: str) -> None:
    """Found by the trackagoat chaos run (server-side 429s right after an injected one):
    senders already waiting their turn when a 429 paused the client were all released at the
    same instant when the pause ended, a burst into the next 429. They now queue behind the
    pause one interval apart, as the key's rate asks."""
    timeline = Timeline()
    pacer = Pacer(clock=timeline, sleep=timeline.sleep, requests_per_minute=60)
    starts: list[float] = []
    done = anyio.Event()

    async def send() -> None:
        async with pacer.sending() as sent:
            starts.append(timeline() - 1_800_000_000.0)
            if len(starts) == 1:  # the first to go gets its answer after 1.5 s: a 429 ...
                await timeline.sleep(1.5)
                pacer.rate_limited(sent, 5.0)  # ... with Retry-After: 5
            pacer.observe(sent, None)

    async with anyio.create_task_group() as outer:
        outer.start_soon(timeline.drive, done)
        async with anyio.create_task_group() as senders:
            for _ in range(5):
                senders.start_soon(send)
        done.set()
    # One at 0 and one at 1 s, before the 429; the rest wait out the pause (1.5 s + 5 s).
    assert starts == [0.0, 1.0, 6.5, 7.5, 8.5], starts
    passed(anyio_backend)


async def test_pagers_stop_cleanly_when_left_early(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeCreatorAudit(0, accounts=12, clock=vtime)
    async with creatoraudit(fake, vtime) as ca:
        async for _ in ca.accounts.list(limit=3):
            break
        pages = [page async for page in ca.accounts.list(limit=5).pages()]
        assert [len(p.items) for p in pages] == [5, 5, 2]
        resumed = await ca.accounts.list(limit=5, cursor=pages[0].next_cursor).to_list()
        assert len(resumed) == 7
    passed(anyio_backend)


async def test_trackagoat_lists_creates_and_maps_errors(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeTrackAGoat(3, clock=vtime, faults=FaultPlan(seed=3, error_503=0.1))
    project = next(iter(fake.store.projects))
    async with trackagoat(fake, vtime) as tg:
        projects = await tg.projects.list().to_list()
        assert {p.id for p in projects} == set(fake.store.projects)
        handles = [f"loop_{anyio_backend}_{n:03d}" for n in range(75)]  # 2 parallel chunks
        result = await tg.creators.create_many(project, handles)
        assert sorted(c.tiktok_handle for c in result.created) == handles
        listed = await tg.creators.list(project_id=project).to_list()
        assert set(handles) <= {c.tiktok_handle for c in listed}
        fake.faults = FaultPlan()
        with pytest.raises(errors.NotFoundError) as missing:
            await tg.creators.delete("00000000-0000-4000-8000-00000000dead")
        assert missing.value.request_id
    stored = Counter(c["tiktok_handle"] for c in fake.store.creators.values())
    assert all(stored[h] == 1 for h in handles)
    passed(anyio_backend)


async def test_trackagoat_daily_quota_is_raised_at_once(anyio_backend: str) -> None:
    vtime = VirtualTime()
    fake = FakeTrackAGoat(3, clock=vtime, limits={"max_api_requests_per_day": 2})
    async with trackagoat(fake, vtime) as tg:
        await tg.schema()
        await tg.schema()
        before = vtime()
        with pytest.raises(errors.DailyQuotaExceededError) as quota:
            await tg.projects.list().to_list()
    assert quota.value.attempts == 1
    assert vtime() - before < 1.0  # raised at once: no sleep until midnight
    passed(anyio_backend)


async def test_zz_report(anyio_backend: str) -> None:
    """Runs last in this module: how many core tests passed on each backend."""
    assert PASSED[anyio_backend] >= 13
    if anyio_backend == "trio":
        report("event loops", f"core tests passed: {dict(sorted(PASSED.items()))}")
