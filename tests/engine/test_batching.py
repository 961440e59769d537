"""Fan-out: parallel chunks, per-chunk results, failures never silent, cancellation."""

from __future__ import annotations

import anyio
import pytest

from creatorsdk import errors
from creatorsdk._engine.fan_out import chunked, fan_out, stream_fan_out

IDS = [f"id{i}" for i in range(2345)]


def test_chunked_splits_in_order() -> None:
    chunks = chunked(IDS, 200)
    assert len(chunks) == 12
    assert all(len(c) == 200 for c in chunks[:-1])
    assert len(chunks[-1]) == 145
    assert [i for c in chunks for i in c] == IDS


async def test_chunks_run_in_parallel_and_results_keep_order() -> None:
    running = 0
    peak = 0
    all_running = anyio.Event()
    others_done = anyio.Event()
    done = 0

    async def call(chunk: tuple[str, ...]) -> int:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        if running == 12:
            all_running.set()
        await all_running.wait()  # only chunks running side by side get past this
        if chunk[0] == "id0":
            await others_done.wait()  # the first chunk finishes last
        running -= 1
        done += 1
        if done == 11:
            others_done.set()
        return len(chunk)

    with anyio.fail_after(5):
        results = await fan_out(chunked(IDS, 200), call)
    assert results == [200] * 11 + [145]
    assert peak == 12


async def test_failures_raise_with_every_good_result() -> None:
    async def call(chunk: tuple[str, ...]) -> int:
        if chunk[0] in ("id400", "id2200"):
            raise errors.ValidationError(status=422, code="VALIDATION_ERROR")
        return len(chunk)

    with pytest.raises(errors.BatchError) as caught:
        await fan_out(chunked(IDS, 200), call)
    batch = caught.value
    assert [f.index for f in batch.failures] == [2, 11]
    assert batch.failures[0].ids[0] == "id400"
    assert all(isinstance(f.error, errors.ValidationError) for f in batch.failures)
    assert len(batch.results) == 10
    assert isinstance(batch.__cause__, errors.ValidationError)


async def test_single_chunk_failure_is_a_batch_error_too() -> None:
    async def call(chunk: tuple[str, ...]) -> int:
        raise errors.NotFoundError(status=404, code="NOT_FOUND")

    with pytest.raises(errors.BatchError) as caught:
        await fan_out([("a",)], call)
    assert caught.value.results == ()


async def test_cancelling_the_caller_cancels_every_chunk() -> None:
    started = 0
    all_started = anyio.Event()
    finished: list[int] = []

    async def call(chunk: tuple[str, ...]) -> int:
        nonlocal started
        started += 1
        if started == 12:
            all_started.set()
        await anyio.sleep(10)
        finished.append(1)
        return 1

    async def give_up_once_every_chunk_runs() -> None:
        await all_started.wait()
        caller.cancel()

    with anyio.fail_after(5), anyio.CancelScope() as caller:
        async with anyio.create_task_group() as group:
            group.start_soon(give_up_once_every_chunk_runs)
            await fan_out(chunked(IDS, 200), call)
    assert caller.cancelled_caught
    assert started == 12
    assert finished == []


async def test_stream_yields_as_chunks_complete() -> None:
    others_done = anyio.Event()
    done = 0

    async def call(chunk: tuple[str, ...]) -> str:
        nonlocal done
        if chunk[0] == "id0":
            await others_done.wait()  # the first chunk completes last
        done += 1
        if done == 11:
            others_done.set()
        return chunk[0]

    async with stream_fan_out(chunked(IDS, 200), call) as results:
        order = [r async for r in results]
    assert sorted(order) == sorted(c[0] for c in chunked(IDS, 200))
    assert order[-1] == "id0"  # the slow chunk arrives last, not first


async def test_stream_leaving_early_cancels_the_rest() -> None:
    finished: list[str] = []

    async def call(chunk: tuple[str, ...]) -> str:
        if chunk[0] != "id0":
            await anyio.sleep(10)
        finished.append(chunk[0])
        return chunk[0]

    with anyio.fail_after(2):
        async with stream_fan_out(chunked(IDS, 200), call) as results:
            async for first in results:
                assert first == "id0"
                break
    assert finished == ["id0"]


async def test_stream_failures_raise_on_exit_with_delivered_results() -> None:
    async def call(chunk: tuple[str, ...]) -> str:
        if chunk[0] == "id200":
            raise errors.ServerError(status=500, code="INTERNAL_ERROR")
        return chunk[0]

    seen: list[str] = []
    with pytest.raises(errors.BatchError) as caught:
        async with stream_fan_out(chunked(IDS, 200), call) as results:
            seen.extend([r async for r in results])
    assert len(seen) == 11
    assert sorted(caught.value.results) == sorted(seen)


@pytest.mark.parametrize("streamed", [False, True])
async def test_the_first_chunk_goes_before_the_last_builds_its_request(streamed: bool) -> None:
    # Before: every chunk's first step (building its request) ran before any chunk's next
    # one, so a 270-chunk call sent nothing for 0.1 s.
    events: list[tuple[str, int]] = []
    chunks = chunked(IDS, 100)

    async def call(chunk: tuple[str, ...]) -> int:
        index = chunks.index(chunk)
        events.append(("built", index))
        await anyio.lowlevel.checkpoint()  # the pacer's turn
        events.append(("sent", index))
        return index

    with anyio.fail_after(5):
        if streamed:
            async with stream_fan_out(chunks, call) as results:
                got = sorted([r async for r in results])
        else:
            got = await fan_out(chunks, call)
    assert got == list(range(len(chunks)))
    assert events.index(("sent", 0)) < events.index(("built", len(chunks) - 1))
