"""Chunked, parallel fan-out with per-chunk results.

Chunks run as tasks of one anyio task group; the client's concurrency limit (taken inside
each request) bounds how many are on the wire. A chunk that fails after its retries does not
cancel its siblings: the call finishes the others and then raises :class:`BatchError` with
every failure and every result, so nothing already fetched is lost. Cancelling the caller
cancels every chunk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
from anyio.abc import ObjectReceiveStream
from anyio.streams.memory import MemoryObjectSendStream

from creatorsdk.errors import BatchError, ChunkFailure

__all__ = ["chunked", "fan_out", "stream_fan_out"]

R = TypeVar("R")


def chunked(ids: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """Split ``ids`` into consecutive tuples of at most ``size``."""
    return [tuple(ids[i : i + size]) for i in range(0, len(ids), size)]


async def fan_out(
    chunks: Sequence[tuple[str, ...]], call: Callable[[tuple[str, ...]], Awaitable[R]]
) -> list[R]:
    """Run ``call`` on every chunk in parallel and return the results in chunk order.

    Raises :class:`BatchError` (after every chunk has finished) when any chunk failed.
    """
    if len(chunks) == 1:  # the common small call needs no task group
        try:
            return [await call(chunks[0])]
        except Exception as error:
            raise BatchError([ChunkFailure(0, chunks[0], error)], []) from error
    outcomes: list[R | ChunkFailure | None] = [None] * len(chunks)

    async def run(index: int) -> None:
        try:
            outcomes[index] = await call(chunks[index])
        except Exception as error:
            outcomes[index] = ChunkFailure(index, chunks[index], error)

    async with anyio.create_task_group() as group:
        for index in range(len(chunks)):
            group.start_soon(run, index)
            await _let_it_start()
    return _results_or_raise(outcomes)


async def _let_it_start() -> None:
    """Let the chunk just started build its request and take its place in the queue.

    Started all at once, every chunk would build its request before the first could go
    out (a task's first step runs before any already started goes on): for 270 chunks,
    the first send waited 0.1 s. One step each, in turn, puts the first on the wire at once.
    """
    await anyio.lowlevel.checkpoint()


def _results_or_raise(outcomes: Sequence[R | ChunkFailure | None]) -> list[R]:
    failures = [o for o in outcomes if isinstance(o, ChunkFailure)]
    results = [o for o in outcomes if not isinstance(o, ChunkFailure) and o is not None]
    if failures:
        raise BatchError(failures, results) from failures[0].error
    return results


@asynccontextmanager
async def stream_fan_out(
    chunks: Sequence[tuple[str, ...]], call: Callable[[tuple[str, ...]], Awaitable[R]]
) -> AsyncIterator[ObjectReceiveStream[R]]:
    """Like :func:`fan_out`, but hand each chunk's result over as soon as it completes.

    Used as ``async with stream_fan_out(...) as results: async for r in results``. The task
    group lives in this context manager, never across a ``yield`` of an async generator the
    caller iterates. Leaving the block early cancels the chunks still running; failures are
    raised as :class:`BatchError` on exit, with the results delivered before them.
    """
    # A buffer for every chunk: a finished chunk never waits on a slow reader.
    send, receive = anyio.create_memory_object_stream[R](max_buffer_size=len(chunks))
    failures: list[ChunkFailure] = []
    delivered: list[R] = []

    async def run(index: int, out: MemoryObjectSendStream[R]) -> None:
        async with out:
            try:
                result = await call(chunks[index])
            except Exception as error:
                failures.append(ChunkFailure(index, chunks[index], error))
                return
            try:
                out.send_nowait(result)
            except anyio.BrokenResourceError:
                # The caller left the block while this chunk was finishing: nobody reads
                # any more, and the result is not theirs to lose or be raised about.
                return
            delivered.append(result)

    async with anyio.create_task_group() as group, receive:
        async with send:
            for index in range(len(chunks)):
                group.start_soon(run, index, send.clone())
                await _let_it_start()
        try:
            yield receive
        finally:
            group.cancel_scope.cancel()
    if failures:
        failures.sort(key=lambda f: f.index)
        raise BatchError(failures, delivered) from failures[0].error
