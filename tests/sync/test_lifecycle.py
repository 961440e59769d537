"""Where a sync client runs and how it ends: scripts, running event loops, close, exit, Ctrl-C."""

from __future__ import annotations

import asyncio
import gc
import signal
import subprocess
import sys
import textwrap
import threading
import time

import anyio
import httpx
import pytest

from creatorsdk import CreatorAudit
from creatorsdk.testing import FakeCreatorAudit

from ..conftest import sync_client_on


def portal_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("creatorsdk-")]


# ---- inside a running event loop ----------------------------------------------------------


async def test_works_inside_a_running_event_loop(fake: FakeCreatorAudit) -> None:
    # What a notebook cell or a coroutine sees: a loop is running in this thread, so
    # asyncio.run() is refused, but the sync client works.
    assert asyncio.get_running_loop()
    probe = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="running event loop"):
        asyncio.run(probe)
    probe.close()
    with sync_client_on(fake) as ca:
        assert ca.whoami().organization_id == fake.organization_id
        assert len(ca.accounts.list(limit=10).to_list()) == len(fake.store.accounts)
        assert len(list(ca.videos.list(limit=10))) == len(fake.store.videos)
        thread = ca._runner.thread
        assert thread is not threading.current_thread()
    assert not thread.is_alive()
    await asyncio.sleep(0)  # this loop is untouched and still runs


# ---- close -------------------------------------------------------------------------------


def test_close_stops_the_thread_and_closes_the_pool(fake: FakeCreatorAudit) -> None:
    ca = sync_client_on(fake)
    thread = ca._runner.thread
    http = ca._runner.client._http
    assert thread.is_alive()
    ca.whoami()
    ca.close()
    assert not thread.is_alive()
    assert http.is_closed
    assert ca.closed
    ca.close()  # a second close is a no-op
    with pytest.raises(RuntimeError, match="closed"):
        ca.whoami()


def test_with_block_closes(fake: FakeCreatorAudit) -> None:
    with sync_client_on(fake) as ca:
        thread = ca._runner.thread
        ca.whoami()
    assert not thread.is_alive()
    assert "closed" in repr(ca)


def test_a_refused_construction_leaves_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREATORAUDIT_API_KEY", raising=False)
    before = portal_threads()
    with pytest.raises(ValueError, match="API key"):
        CreatorAudit()
    with pytest.raises(ValueError, match="http://"):
        CreatorAudit(api_key="k", base_url="http://api.example.com/v2")
    assert portal_threads() == before


def test_a_dropped_client_is_closed_when_collected(fake: FakeCreatorAudit) -> None:
    ca = sync_client_on(fake)
    thread = ca._runner.thread
    http = ca._runner.client._http
    ca.whoami()
    del ca
    gc.collect()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert http.is_closed


def test_a_pager_keeps_its_client_open(fake: FakeCreatorAudit) -> None:
    pager = sync_client_on(fake).accounts.list(limit=5)
    gc.collect()
    assert len(list(pager)) == len(fake.store.accounts)


@pytest.mark.slow
def test_a_client_left_open_is_closed_at_exit_without_warnings() -> None:
    script = textwrap.dedent(
        """
        import weakref
        from creatorsdk import CreatorAudit
        from creatorsdk.testing import FakeCreatorAudit

        class Witness:
            pass

        def report(runner):
            print("closed" if runner.closed and not runner.thread.is_alive() else "open")
            print("pool closed" if runner.client._http.is_closed else "pool open")

        # Exit-time finalizers run newest first, so this one reports after the client's.
        witness = Witness()
        state = {}
        weakref.finalize(witness, lambda: report(state["runner"]))
        fake = FakeCreatorAudit(seed=0, rate_limit=None)
        ca = CreatorAudit(api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport())
        state["runner"] = ca._runner
        ca.whoami()
        list(ca.accounts.list(limit=5))
        for _ in ca.videos.list(limit=5):
            break  # an abandoned iteration, too
        print("done")
        """
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["done", "closed", "pool closed", ""]
    assert done.stderr == ""


# ---- Ctrl-C ------------------------------------------------------------------------------


class HangingDeltas(httpx.AsyncBaseTransport):
    """Serves the fake, except that deltas requests hang until cancelled (at most 5 s)."""

    def __init__(self, fake: FakeCreatorAudit, expected: int) -> None:
        self._inner = fake.transport()
        self._expected = expected
        self.in_flight = 0
        self.cancelled = 0
        self.all_in_flight = threading.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/videos/deltas"):
            return await self._inner.handle_async_request(request)
        self.in_flight += 1
        if self.in_flight == self._expected:
            self.all_in_flight.set()
        try:
            await anyio.sleep(5)  # bounded, so a broken test fails instead of hanging
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
        raise AssertionError("the request was not cancelled")


def waiting(thread_id: int, timeout: float) -> bool:
    """Whether the thread settles into a blocking wait (a ``Condition.wait``) in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread_id)
        if frame is not None and frame.f_code is threading.Condition.wait.__code__:
            return True
        time.sleep(0.001)
    return False


def ctrl_c_when(ready: threading.Event) -> threading.Thread:
    """Send SIGINT to the main thread (as a terminal's Ctrl-C would) once ``ready`` is set
    and the main thread is waiting for the call's result."""
    main = threading.main_thread().ident
    assert main is not None

    def press() -> None:
        if ready.wait(timeout=2) and waiting(main, timeout=2):
            signal.pthread_kill(main, signal.SIGINT)

    presser = threading.Thread(target=press, name="ctrl-c")
    presser.start()
    return presser


@pytest.mark.usefixtures("sigint_raises_keyboard_interrupt")
def test_ctrl_c_cancels_in_flight_requests_and_raises_promptly(fake: FakeCreatorAudit) -> None:
    assert threading.current_thread() is threading.main_thread()
    transport = HangingDeltas(fake, expected=3)
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(600)]
    ca = CreatorAudit(api_key=fake.api_key, base_url=fake.base_url, transport=transport)
    presser = ctrl_c_when(transport.all_in_flight)
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        ca.videos.deltas(ids)
    elapsed = time.perf_counter() - started
    presser.join()
    assert elapsed < 1.0
    assert transport.cancelled == 3  # every chunk's request was cancelled before the raise
    assert transport.in_flight == 0
    assert ca.whoami().organization_id == fake.organization_id  # still usable
    thread = ca._runner.thread
    ca.close()
    assert not thread.is_alive()


@pytest.mark.usefixtures("sigint_raises_keyboard_interrupt")
def test_ctrl_c_inside_a_streamed_block_cancels_the_rest(fake: FakeCreatorAudit) -> None:
    transport = HangingDeltas(fake, expected=2)
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(400)]
    with CreatorAudit(api_key=fake.api_key, base_url=fake.base_url, transport=transport) as ca:
        presser = ctrl_c_when(transport.all_in_flight)
        with pytest.raises(KeyboardInterrupt), ca.videos.iter_deltas(ids) as parts:
            list(parts)
        presser.join()
        assert transport.cancelled == 2
        assert transport.in_flight == 0
        thread = ca._runner.thread
    assert not thread.is_alive()


class SlowToEnter:
    """An async context manager whose ``__aenter__`` waits until cancelled (at most 5 s)."""

    def __init__(self) -> None:
        self.entering = threading.Event()
        self.cancelled = False
        self.exited = False

    async def __aenter__(self) -> None:
        self.entering.set()
        try:
            await anyio.sleep(5)
        except anyio.get_cancelled_exc_class():
            self.cancelled = True
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self.exited = True


@pytest.mark.usefixtures("sigint_raises_keyboard_interrupt")
def test_ctrl_c_while_entering_a_block_cancels_the_entry_and_close_still_returns(
    fake: FakeCreatorAudit,
) -> None:
    # The race CI once lost: the deltas stream's requests were in flight while the main thread
    # still waited for the block to be entered; the interrupted entry left its task waiting
    # on the loop forever, and close() waited for that task.
    from creatorsdk._sync._wrap import SyncContext

    manager = SlowToEnter()
    ca = CreatorAudit(api_key=fake.api_key, base_url=fake.base_url)
    presser = ctrl_c_when(manager.entering)
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), SyncContext(manager, ca._runner):
        pytest.fail("the block was entered")
    presser.join()
    assert time.perf_counter() - started < 1.0
    assert manager.cancelled
    assert not manager.exited  # a manager that was never entered is not left
    thread = ca._runner.thread
    ca.close()
    assert not thread.is_alive()
