"""Both event loops: the engine and both clients' core behaviour, on asyncio and on trio.

Every test here is a scenario run once per backend by ``on_each_event_loop`` (a plain pytest
test calling ``anyio.run``, so pytest-asyncio never touches it). They use the fakes'
in-process transports and a FakeClock, so they are fast; the first test proves the backend
really is the one named, so a mix-up cannot pass the trio half on asyncio.
"""

from __future__ import annotations

import uuid
from collections import Counter

import anyio
import pytest
import sniffio

from creatorsdk import RetryPolicy, errors
from creatorsdk._engine.fan_out import stream_fan_out
from creatorsdk._engine.pacing import Pacer
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat, FaultPlan

from ..conftest import client_on, on_each_event_loop
from .test_cancellation import cancel_when, in_flight, sdk_tasks
from .test_chaos import ATTEMPTS, chaos_plan, create_under_faults, ingest


@on_each_event_loop
async def test_the_backend_is_the_one_named(backend: str) -> None:
    assert sniffio.current_async_library() == backend


@on_each_event_loop
async def test_retries_503_429_drops_and_truncated_bodies(backend: str) -> None:
    clock = FakeClock()
    for kind in ("error_503", "error_429", "drop_after_commit", "html_502", "truncated_body"):
        fake = FakeCreatorAudit(0, accounts=3, clock=clock, faults=FaultPlan(**{kind: 1.0}))
        async with client_on(fake) as ca:
            with pytest.raises(errors.CreatorSDKError) as caught:
                await ca.whoami()
            assert getattr(caught.value, "attempts", None) == 5, kind
            fake.faults = FaultPlan()
            assert (await ca.whoami()).organization_id == fake.organization_id
            assert ca.stats.retries == 4


@on_each_event_loop
async def test_a_timeout_is_an_api_timeout_error(backend: str) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(0, accounts=2, faults=FaultPlan(slow=1.0, slow_seconds=1.0))
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)
    async with client_on(fake, retry=policy, timeout=0.03) as ca:
        with pytest.raises(errors.APITimeoutError) as caught:
            await ca.whoami()
    assert caught.value.attempts == 2
    assert caught.value.__cause__ is not None


@on_each_event_loop
async def test_pacing_after_429s_lets_every_call_through(backend: str) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(0, accounts=2, clock=clock, rate_limit=5, rate_window=10.0)
    async with client_on(fake) as ca:
        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(ca.whoami)
        assert ca.stats.requests - ca.stats.retries == 20
        assert ca.rate_limit is not None


@on_each_event_loop
async def test_listing_deltas_and_creates_under_chaos(backend: str) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(
        4, clock=clock, faults=chaos_plan(4), accounts=10, videos_per_account=(2, 6), creators=3
    )
    policy = RetryPolicy(max_attempts=ATTEMPTS, sleep=clock.sleep, clock=clock)
    async with client_on(fake, retry=policy) as ca:
        await create_under_faults(ca, fake, seed=4)
        counts = await ingest(ca, fake)
    assert counts["accounts"] == 10 + 8
    assert sum(fake.faults_injected.values()) > 0


@on_each_event_loop
async def test_a_failed_chunk_keeps_the_others_results(backend: str) -> None:
    clock = FakeClock()
    # 40% of deltas requests fail for good (one attempt): some chunks fail, some do not.
    fake = FakeCreatorAudit(
        0, accounts=2, clock=clock, faults=FaultPlan(seed=1, error_503=0.4, paths={"/videos/*"})
    )
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1001)]  # 5 chunks
    policy = RetryPolicy(max_attempts=1, sleep=clock.sleep, clock=clock)
    async with client_on(fake, retry=policy) as ca:
        with pytest.raises(errors.BatchError) as caught:
            await ca.videos.deltas(ids, windows=[7])
    failed = caught.value.failures
    assert len(failed) == fake.faults_injected["error_503"] >= 1
    assert len(failed) + len(caught.value.results) == 5
    assert caught.value.results  # the chunks that succeeded are not lost
    assert all(isinstance(f.error, errors.ServiceUnavailableError) for f in failed)


@on_each_event_loop
async def test_iter_deltas_streams_every_chunk(backend: str) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(0, accounts=2, clock=clock, latency_jitter=0.001)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 701)]  # 4 chunks
    seen: list[str] = []
    async with client_on(fake) as ca, ca.videos.iter_deltas(ids, windows=[1]) as parts:
        async for part in parts:
            seen.extend(part.not_found)
    assert sorted(seen) == sorted(ids)


@on_each_event_loop
async def test_cancelling_a_fan_out_leaves_the_client_usable(backend: str) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(0, accounts=2, clock=clock, latency=0.02)
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1201)]
    async with client_on(fake, max_concurrency=2) as ca:
        two_on_the_wire = lambda: in_flight(fake) == 2  # noqa: E731
        assert await cancel_when(lambda: ca.videos.deltas(ids, windows=[7]), two_on_the_wire)
        await anyio.lowlevel.checkpoint()
        assert sdk_tasks() == []
        assert ca._pacer.waiting == 0
        assert ca._pacer.in_flight == 0
        assert (await ca.whoami()).organization_id


@on_each_event_loop
async def test_a_chunk_finishing_as_the_caller_leaves_iter_deltas_is_dropped(
    backend: str,
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


@on_each_event_loop
async def test_senders_held_by_a_429_leave_one_interval_apart(backend: str) -> None:
    """Found by the trackagoat chaos run (server-side 429s right after an injected one):
    senders already waiting their turn when a 429 paused the client were all released at the
    same instant when the pause ended, a burst into the next 429. They now queue behind the
    pause one interval apart, as the key's rate asks."""
    clock = FakeClock()
    start = clock()
    pacer = Pacer(clock=clock, sleep=clock.sleep, requests_per_minute=60)
    starts: list[float] = []

    async def send() -> None:
        async with pacer.sending() as sent:
            starts.append(clock() - start)
            if len(starts) == 1:  # the first to go gets its answer after 1.5 s: a 429 ...
                await clock.sleep(1.5)
                pacer.rate_limited(sent, 5.0)  # ... with Retry-After: 5
            pacer.observe(sent, None)

    async with anyio.create_task_group() as senders:
        for _ in range(5):
            senders.start_soon(send)
    # One at 0 and one at 1 s, before the 429; the rest wait out the pause (1.5 s + 5 s).
    assert starts == [0.0, 1.0, 6.5, 7.5, 8.5], starts


@on_each_event_loop
async def test_pagers_stop_cleanly_when_left_early(backend: str) -> None:
    clock = FakeClock()
    fake = FakeCreatorAudit(0, accounts=12, clock=clock)
    async with client_on(fake) as ca:
        async for _ in ca.accounts.list(limit=3):
            break
        pages = [page async for page in ca.accounts.list(limit=5).pages()]
        assert [len(p.items) for p in pages] == [5, 5, 2]
        resumed = await ca.accounts.list(limit=5, cursor=pages[0].next_cursor).to_list()
        assert len(resumed) == 7


@on_each_event_loop
async def test_trackagoat_lists_creates_and_maps_errors(backend: str) -> None:
    clock = FakeClock()
    fake = FakeTrackAGoat(3, clock=clock, faults=FaultPlan(seed=3, error_503=0.1))
    project = next(iter(fake.store.projects))
    async with client_on(fake, requests_per_minute=60_000) as tg:
        projects = await tg.projects.list().to_list()
        assert {p.id for p in projects} == set(fake.store.projects)
        handles = [f"loop_{backend}_{n:03d}" for n in range(75)]  # 2 parallel chunks
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


@on_each_event_loop
async def test_trackagoat_daily_quota_is_raised_at_once(backend: str) -> None:
    clock = FakeClock()
    fake = FakeTrackAGoat(3, clock=clock, limits={"max_api_requests_per_day": 2})
    async with client_on(fake, requests_per_minute=60_000) as tg:
        await tg.schema()
        await tg.schema()
        before = clock()
        with pytest.raises(errors.DailyQuotaExceededError) as quota:
            await tg.projects.list().to_list()
    assert quota.value.attempts == 1
    assert clock() - before < 1.0  # raised at once: no sleep until midnight
