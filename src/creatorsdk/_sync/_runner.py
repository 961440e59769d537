"""One event-loop thread per sync client, reached through an anyio blocking portal.

The async client is built, used and closed only on that thread. A blocking call waits on a
future; when the wait is interrupted (Ctrl-C raises ``KeyboardInterrupt`` in the waiting
thread), the call's task is cancelled, so its in-flight requests are cancelled too, and the
interrupt is re-raised once they are gone.

A forked child inherits the runner but not its thread, and its connections are the parent's:
using the client there raises :class:`ForkedClientError` at once (build a new client in the
child) instead of waiting forever on a loop that does not exist in that process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack
from typing import Any, Generic, TypeVar

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal

from creatorsdk._engine.client import BaseClient
from creatorsdk.errors import ForkedClientError

__all__ = ["Call", "Runner"]

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound=BaseClient)

#: Longest wait, after an interrupt, for the cancelled call to wind down before re-raising.
#: Cancelling requests takes milliseconds; the cap only guards against a stuck callback.
CANCEL_GRACE = 5.0

#: What forked children inherited from their parent's runners, kept so it is never collected.
_ORPHANED: list[object] = []


class Runner(Generic[C]):
    """Owns the loop thread, the portal and the async client living on that loop."""

    def __init__(self, client_class: type[C], options: dict[str, Any]) -> None:
        stack = ExitStack()
        name = f"creatorsdk-{client_class.__name__}"
        portal = stack.enter_context(start_blocking_portal("asyncio", name=name))
        try:
            # Built on the loop thread: everything the client creates belongs to that loop.
            client: C = portal.call(lambda: client_class(**options))
            self.thread: threading.Thread = portal.call(threading.current_thread)
            self._loop = portal.call(asyncio.get_running_loop)
        except BaseException:
            stack.close()
            raise
        self.portal: BlockingPortal = portal
        self.client: C = client
        self._pid = os.getpid()
        # Closes the client when this runner is garbage-collected or, at the latest, at
        # interpreter exit (weakref.finalize registers one atexit hook and holds only a
        # weak reference to the runner, so an open client never outlives its users).
        self._finalizer = weakref.finalize(self, _shutdown, portal, client, stack, self.thread)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` (or the exit hook) has run."""
        return not self._finalizer.alive

    def close(self) -> None:
        """Close the async client and stop the loop thread; a second call does nothing.

        In a forked child it only forgets the client: the connections are the parent's.
        """
        if os.getpid() != self._pid:
            self._forget_after_fork()
            return
        self._finalizer()

    def _forget_after_fork(self) -> None:
        # Held, never closed: collecting the portal's context manager would run its exit,
        # which waits on the parent's loop thread forever.
        detached = self._finalizer.detach()
        if detached is not None:
            _ORPHANED.append(detached)

    def call(self, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``await func(*args, **kwargs)`` on the loop thread and wait for its result.

        If the wait is interrupted (``KeyboardInterrupt``, or any exception raised in this
        thread by a signal handler), the call is cancelled and the exception re-raised.
        """
        return self.start(lambda: func(*args, **kwargs)).result()

    def start(self, func: Callable[[], Awaitable[T]]) -> Call[T]:
        """Start ``await func()`` as a task on the loop thread, without waiting for it."""
        self._check_usable()
        return Call(self.portal, self._loop, func)

    def soon(self, func: Callable[[], object]) -> None:
        """Have the loop thread run ``func()`` soon, without waiting (never interrupted)."""
        self._loop.call_soon_threadsafe(func)

    def run_sync(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a plain function on the loop thread (async-client code never runs elsewhere)."""
        self._check_usable()
        return self.portal.call(lambda: func(*args, **kwargs))

    def _check_usable(self) -> None:
        if os.getpid() != self._pid:
            # The loop thread was not copied into this process; nothing can ever answer.
            self._forget_after_fork()
            name = type(self.client).__name__.removeprefix("Async")
            raise ForkedClientError(
                f"this {name} was created in process {self._pid} and "
                f"cannot be used in the forked process {os.getpid()}: create a new client "
                "after fork() (its thread and connections belong to the parent)"
            )
        if self.closed:
            raise RuntimeError(f"{type(self.client).__name__} is closed")

    def iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        """A plain iterator over an async one, one ``__anext__`` per step on the loop."""
        while (step := self.call(_next, iterator)) is not None:
            yield step[0]


class Call(Generic[T]):
    """One call's task on the loop thread, which the waiting thread can cancel at any moment.

    An interrupt can reach the waiting thread while it is still handing the task to the loop
    (the portal waits for the loop to take it), before it holds the task's future: so the
    cancellation goes through this object, which the task reads when it starts, not through
    the future.
    """

    def __init__(
        self,
        portal: BlockingPortal,
        loop: asyncio.AbstractEventLoop,
        func: Callable[[], Awaitable[T]],
    ) -> None:
        self.finished = threading.Event()
        self._loop = loop
        self._lock = threading.Lock()
        self._scope: anyio.CancelScope | None = None
        self._cancelled = False
        try:
            self.future: Future[T] = portal.start_task_soon(self._run, func)
        except BaseException:
            self.cancel()
            raise

    async def _run(self, func: Callable[[], Awaitable[T]]) -> T:
        try:
            with anyio.CancelScope() as scope:
                with self._lock:
                    self._scope = scope
                    if self._cancelled:
                        scope.cancel()
                return await func()
            raise RuntimeError("the call was cancelled: its caller was interrupted")
        finally:
            self.finished.set()

    def result(self) -> T:
        """The task's result; if this wait is interrupted, the task is cancelled before the
        interrupt is re-raised."""
        return self.result_of(self.future)

    def result_of(self, future: Future[R]) -> R:
        """The result of ``future``, which the task fulfils, on the terms of :meth:`result`."""
        try:
            return future.result()
        except BaseException:
            # The task's own errors arrive with it finished: then there is nothing to cancel.
            if not self.finished.is_set():
                self.cancel()
            raise

    def cancel(self) -> None:
        """Cancel the task (now, or as it starts) and give it :data:`CANCEL_GRACE` to end."""
        with self._lock:
            self._cancelled = True
            scope = self._scope
        if scope is not None:
            self._loop.call_soon_threadsafe(scope.cancel)
        self.finished.wait(CANCEL_GRACE)


async def _next(iterator: AsyncIterator[T]) -> tuple[T] | None:
    # StopAsyncIteration must not escape a coroutine run by the portal; report it instead.
    try:
        return (await iterator.__anext__(),)
    except StopAsyncIteration:
        return None


def _shutdown(
    portal: BlockingPortal, client: BaseClient, stack: ExitStack, thread: threading.Thread
) -> None:
    if threading.current_thread() is thread:
        # A collection triggered on the loop thread itself cannot block on that loop;
        # leaving the stack to its own finalizer is the only safe move (never seen in practice).
        return
    try:
        # A loop that already stopped (it can only die of a bug) has nothing left to close.
        with contextlib.suppress(RuntimeError):
            portal.call(client.aclose)
    finally:
        stack.close()
