"""The job of ``bench_limiters`` and the clients that run it, each in its own process.

The job (issue 12's): one account's videos listed in pages of 200 (a cursor chain: each page
needs the previous page's cursor) and, at the same time, view deltas for a list of ids known in
advance in chunks of 200. Clients:

- ``sdk``: ``AsyncCreatorAudit`` with the given options (defaults, ``max_concurrency``, a shared
  ``budget`` store), the listing and ``videos.deltas`` side by side;
- ``raw``: ``httpx.AsyncClient`` + ``asyncio.gather``, every chunk at once (up to 100 in
  flight, httpx's default pool), each 429 retried after ``Retry-After`` (1 s without one): the
  naive way;
- ``oracle``: knows the limiter exactly (a replica of its algorithm from
  ``creatorsdk.testing._limiters``, how long after sending a request is counted, the jitter of
  that) and sends each request at the earliest instant the limiter is sure to admit it, next
  page first, with as many requests in flight as that takes. It is the best a client can do.

``python -m benchmarks._limiter_clients SPEC.json`` runs one client (or one of several
processes sharing a key) and prints its :class:`Outcome` as JSON.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import dataclasses
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import anyio.lowlevel
import httpx

from benchmarks._harness import CpuTimer
from creatorsdk.testing._limiters import LeakyBucketLimiter, make_limiter
from creatorsdk.testing._ratelimit import Limiter

__all__ = [
    "ClientSpec",
    "LimiterModel",
    "Outcome",
    "chunks_of",
    "collect",
    "run_client",
    "spawn",
]

PAGE = 200  # items per page and ids per deltas chunk
#: A naive call gives up after this many 429s (bounded, never forever).
MAX_RAW_ATTEMPTS = 200
#: The raw client's connections (httpx's default pool size) and calls in flight.
RAW_CONNECTIONS = 100
_KEY = "key"
#: The oracle's chunks in flight (and connections): 5 keep 100 requests/s going at 50 ms, so
#: 24 send a window's burst of 100 in a fraction of a second, without queueing the listing's
#: pages in the server behind dozens of chunks, or paying httpcore's per-request scan of a
#: large pool.
ORACLE_CONNECTIONS = 24


@dataclasses.dataclass(frozen=True)
class LimiterModel:
    """What the oracle knows of a limiter: its algorithm, numbers and timing.

    ``kind`` is a fake limiter's name (the algorithm the real one uses); ``count_delay`` the
    seconds between sending a request and the limiter counting it (the fake's latency when the
    fake limits, ~0 for a proxy in front); ``guard`` the most that can come on top of it
    (scheduling jitter), so the oracle never counts on an instant it cannot be sure of.
    """

    kind: str
    limit: int
    window: float
    burst: int | None = None
    count_delay: float = 0.0
    guard: float = 0.02

    @property
    def rate(self) -> float:
        """The allowed steady rate, requests per second."""
        return self.limit / self.window

    def replica(self, clock: Callable[[], float]) -> Limiter:
        """A fresh copy of the limiter's algorithm on ``clock``."""
        if self.kind == "headerless":
            return LeakyBucketLimiter(self.limit, self.window, clock, burst=self.burst)
        return make_limiter(self.kind, self.limit, self.window, clock)


@dataclasses.dataclass(frozen=True)
class ClientSpec:
    """One client process's run: who, against what, which part of the job, from when."""

    client: str  # sdk | raw | oracle
    base_url: str
    api_key: str
    account_id: str
    ids: Sequence[str]
    start_at: float
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    model: LimiterModel | None = None
    #: This process does the listing (one process of a group does).
    lists: bool = True
    #: Pages the listing has (what the oracle knows of the job).
    pages: int = 0

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ClientSpec:
        data = json.loads(text)
        model = data.pop("model")
        return cls(**data, model=LimiterModel(**model) if model else None)


@dataclasses.dataclass
class Outcome:
    """What one client process did."""

    wall: float = 0.0
    requests: int = 0
    rate_limited: int = 0
    listed: int = 0
    deltas: int = 0
    #: Seconds from the start until the listing's last page arrived.
    chain_wall: float = 0.0
    #: Median seconds a listing page took from send to answer.
    page_seconds: float = 0.0
    pages: int = 0
    cpu: float = 0.0
    #: Late start: how much after ``start_at`` the client really began.
    late: float = 0.0
    error: str | None = None

    @property
    def answered(self) -> int:
        """Requests that were not refused with 429."""
        return self.requests - self.rate_limited


def chunks_of(ids: Sequence[str]) -> list[list[str]]:
    """``ids`` in consecutive chunks of :data:`PAGE`."""
    return [list(ids[i : i + PAGE]) for i in range(0, len(ids), PAGE)]


class _Counter:
    """Counts responses and 429s through an httpx event hook."""

    def __init__(self) -> None:
        self.requests = 0
        self.rate_limited = 0

    async def see(self, response: httpx.Response) -> None:
        self.requests += 1
        if response.status_code == 429:
            self.rate_limited += 1


def _http(spec: ClientSpec, counter: _Counter, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=spec.base_url,
        headers={"Authorization": f"Bearer {spec.api_key}"},
        # No pool timeout: calls queued for a connection are the client's own doing.
        timeout=httpx.Timeout(30.0, pool=None),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        event_hooks={"response": [counter.see]},
    )


async def _until(start_at: float) -> float:
    """Sleep until the epoch instant ``start_at``; how late we are past it."""
    await anyio.sleep(max(start_at - time.time(), 0.0))
    return max(time.time() - start_at, 0.0)


# -- the SDK ------------------------------------------------------------------------------------


async def _sdk(spec: ClientSpec, out: Outcome) -> None:
    from creatorsdk import AsyncCreatorAudit

    options = dict(spec.options)
    budget = options.pop("budget", None)
    async with contextlib.AsyncExitStack() as stack:
        if budget is not None:
            from creatorsdk.budgets import RedisBudget  # type: ignore[import-not-found,unused-ignore]

            # Entered as the docs' FastAPI lifespan does: connected before the job starts.
            store = RedisBudget(budget["url"], name=budget["name"])
            options["budget"] = await stack.enter_async_context(store)
        ca = await stack.enter_async_context(
            AsyncCreatorAudit(api_key=spec.api_key, base_url=spec.base_url, **options)
        )
        await _sdk_job(spec, out, ca)


async def _sdk_job(spec: ClientSpec, out: Outcome, ca: Any) -> None:
    """The job on an entered SDK client ``ca``."""
    out.late = await _until(spec.start_at)
    started = time.perf_counter()

    async def listing() -> None:
        async for _ in ca.account_videos.list(account_id=spec.account_id):
            out.listed += 1
        out.chain_wall = time.perf_counter() - started

    async def deltas() -> None:
        if spec.ids:
            answer = await ca.videos.deltas(spec.ids)
            out.deltas = len(answer.ids) + len(answer.not_found)

    try:
        async with anyio.create_task_group() as group:
            if spec.lists:
                group.start_soon(listing)
            group.start_soon(deltas)
    finally:
        out.wall = time.perf_counter() - started
        out.requests = ca.stats.requests
        out.rate_limited = ca.stats.rate_limited
        out.pages = math.ceil(out.listed / PAGE)


# -- raw httpx + gather -------------------------------------------------------------------------


async def _raw_call(
    http: httpx.AsyncClient, slots: asyncio.Semaphore, method: str, path: str, **kwargs: Any
) -> Any:
    for _ in range(MAX_RAW_ATTEMPTS):
        async with slots:
            response = await http.request(method, path, **kwargs)
        if response.status_code != 429:
            response.raise_for_status()
            return response.json()
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    raise RuntimeError(f"{path}: still rate limited after {MAX_RAW_ATTEMPTS} attempts")


async def _raw(spec: ClientSpec, out: Outcome) -> None:
    counter = _Counter()
    # As many in flight as httpx's default pool has connections: with thousands of calls
    # queued inside httpcore's pool, each one's turn scans them all (quadratic), and the
    # client spends minutes on that instead of on the rate limit.
    slots = asyncio.Semaphore(RAW_CONNECTIONS)
    async with _http(spec, counter, RAW_CONNECTIONS) as http:
        out.late = await _until(spec.start_at)
        started = time.perf_counter()

        async def listing() -> None:
            cursor: str | None = None
            while True:
                query: dict[str, Any] = {"account_id": spec.account_id, "limit": PAGE}
                if cursor:
                    query["cursor"] = cursor
                page = await _raw_call(http, slots, "GET", "/account-videos", params=query)
                out.listed += len(page["data"])
                out.pages += 1
                if not page["pagination"]["has_next"]:
                    break
                cursor = page["pagination"]["next_cursor"]
            out.chain_wall = time.perf_counter() - started

        async def deltas() -> None:
            bodies = await asyncio.gather(
                *(
                    _raw_call(http, slots, "POST", "/videos/deltas", json={"video_ids": chunk})
                    for chunk in chunks_of(spec.ids)
                )
            )
            out.deltas = sum(len(b["data"]) + len(b["meta"]["not_found"]) for b in bodies)

        try:
            await asyncio.gather(*([listing()] if spec.lists else []), deltas())
        finally:
            out.wall = time.perf_counter() - started
            out.requests, out.rate_limited = counter.requests, counter.rate_limited


# -- the oracle ---------------------------------------------------------------------------------


class _SettableClock:
    """The replica's clock: set to the instants the oracle asks about."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Admission:
    """When the limiter is sure to admit a request sent now, per the oracle's replica.

    A request sent at ``t`` is counted somewhere in ``[t + delay, t + delay + guard]``. The
    replica records each admitted request at the late end (so what it frees, it frees late)
    and a new one must be admitted at both ends; with windows, it must also not straddle a
    window's end, or it might count in the next window.
    """

    def __init__(self, model: LimiterModel) -> None:
        self.model = model
        self._clock = _SettableClock()
        self._replica = model.replica(self._clock)
        self._opened: float | None = None  # fixed-first: the replica's window start

    def wait(self, now: float) -> float:
        """Seconds to wait before sending; 0: send now."""
        model = self.model
        early = now + model.count_delay
        late = early + model.guard
        waits = []
        for instant in (early, late):
            self._clock.now = instant
            waits.append(self._replica.delay(_KEY))
        wait = max(waits)
        edge = self._window_edge(early)
        if wait <= 0 and edge is not None and late >= edge[0]:
            # It could count in this window or the next: wait until it is surely the next.
            wait = edge[1] - early
        # Never a wait too small to move an epoch-seconds float (~0.2 µs): at least 0.1 ms.
        return max(wait, 1e-4) if wait > 0 else 0.0

    def take(self, now: float) -> None:
        """Record a request sent at ``now`` (after :meth:`wait` said 0)."""
        model = self.model
        late = now + model.count_delay + model.guard
        opens = self._opened is None or now + model.count_delay >= self._opened + model.window
        if model.kind == "fixed-first" and opens:
            self._opened = late  # as the replica's window, opened by this hit at ``late``
        self._clock.now = late
        self._replica.hit(_KEY)

    def _window_edge(self, early: float) -> tuple[float, float] | None:
        """The current window's end as (last sure count instant, first sure next-window one)."""
        window = self.model.window
        if self.model.kind in ("fixed-epoch", "sliding"):
            end = (math.floor(early / window) + 1) * window
            return end, end
        opened = self._opened
        if self.model.kind == "fixed-first" and opened is not None and early < opened + window:
            # The true window opened up to a guard before the replica's.
            return opened + window - self.model.guard, opened + window
        return None


def _chain_end(
    admission: _Admission, first: float, pages: int, page_time: float, horizon: float
) -> tuple[int, float]:
    """Pages sent before ``horizon`` if each goes as early as admitted, and when the next goes.

    ``admission`` is a copy: it is used up.
    """
    when = first
    for sent in range(pages):
        for _ in range(10_000):
            wait = admission.wait(when)
            if wait <= 0:
                break
            when += wait
        if when > horizon:
            return sent, when
        admission.take(when)
        when += page_time
    return pages, when


def _allowance(
    admission: _Admission, now: float, first: float, pages: int, page_time: float, most: int
) -> int:
    """How many chunks (up to ``most``) can go now without making the listing finish later.

    Only the next window's worth of pages is looked at: a request sent now no longer counts
    against any limiter here one window (plus the guard) later.
    """
    if pages <= 0:
        return _admitted_now(copy.deepcopy(admission), now, most)
    model = admission.model
    horizon = now + model.count_delay + model.window + 2 * model.guard
    sent, then = _chain_end(copy.deepcopy(admission), first, pages, page_time, horizon)

    def fits(count: int) -> bool:
        trial = copy.deepcopy(admission)
        if _admitted_now(trial, now, count) < count:
            return False
        sent_after, then_after = _chain_end(trial, first, pages, page_time, horizon)
        return sent_after >= sent and (sent_after > sent or then_after <= then + 1e-3)

    if fits(most):
        return most
    low, high = 0, most - 1  # fits(low) holds; find the largest count that fits
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _admitted_now(admission: _Admission, now: float, most: int) -> int:
    """Take up to ``most`` requests at ``now`` while the limiter admits them; how many."""
    for count in range(most):
        if admission.wait(now) > 0:
            return count
        admission.take(now)
    return most


async def _oracle(spec: ClientSpec, out: Outcome) -> None:
    if spec.model is None:
        raise ValueError("the oracle needs the limiter's model")
    admission = _Admission(spec.model)
    counter = _Counter()
    chunks = collections.deque(chunks_of(spec.ids))
    page_times: list[float] = []
    state: dict[str, Any] = {"cursor": None, "page_ready": spec.lists, "listing": spec.lists}
    page_sent = 0.0
    chunks_in_flight = 0
    pages_in_flight = 0
    changed = anyio.Event()
    # The listing has its own connection: a page never queues behind chunks in a pool.
    # ``connections``: fewer chunks in flight (beside the page), as a capped client has.
    connections = int(spec.options.get("connections", ORACLE_CONNECTIONS))
    async with _http(spec, counter, 2) as lister, _http(spec, counter, connections) as http:
        out.late = await _until(spec.start_at)
        started = time.perf_counter()

        async def page() -> None:
            nonlocal pages_in_flight
            query: dict[str, Any] = {"account_id": spec.account_id, "limit": PAGE}
            if state["cursor"]:
                query["cursor"] = state["cursor"]
            sent = time.perf_counter()
            response = await lister.get("/account-videos", params=query)
            if response.status_code == 429:
                state["page_ready"] = True  # sent again when the replica allows
            else:
                response.raise_for_status()
                page_times.append(time.perf_counter() - sent)
                body = response.json()
                out.listed += len(body["data"])
                out.pages += 1
                if body["pagination"]["has_next"]:
                    state["cursor"] = body["pagination"]["next_cursor"]
                    state["page_ready"] = True
                else:
                    state["listing"] = False
                    out.chain_wall = time.perf_counter() - started
            pages_in_flight -= 1
            changed.set()

        async def chunk(ids: list[str]) -> None:
            nonlocal chunks_in_flight
            response = await http.post("/videos/deltas", json={"video_ids": ids})
            if response.status_code == 429:
                chunks.appendleft(ids)
            else:
                response.raise_for_status()
                body = response.json()
                out.deltas += len(body["data"]) + len(body["meta"]["not_found"])
            chunks_in_flight -= 1
            changed.set()

        async def idle(seconds: float) -> None:
            """Until something comes back, or ``seconds`` pass."""
            nonlocal changed
            with anyio.move_on_after(seconds):
                await changed.wait()
            if changed.is_set():
                changed = anyio.Event()

        async def send(task: Callable[..., Any], *args: Any) -> None:
            group.start_soon(task, *args)
            # Let the request go out before recording it: recorded at or after its send,
            # the replica never frees budget earlier than the limiter does.
            await anyio.lowlevel.checkpoint()
            admission.take(time.time())

        try:
            async with anyio.create_task_group() as group:
                while state["listing"] or chunks or chunks_in_flight or pages_in_flight:
                    page_next = state["listing"] and state["page_ready"]
                    free = connections - chunks_in_flight
                    if not page_next and not (chunks and free > 0):
                        await idle(math.inf)
                        continue
                    now = time.time()
                    wait = admission.wait(now)
                    if wait > 0:
                        await idle(wait) if not page_next else await anyio.sleep(wait)
                        continue
                    if page_next:
                        state["page_ready"] = False
                        page_sent = now
                        pages_in_flight += 1
                        await send(page)
                        continue
                    # The next page first: chunks go only as far as they do not hold the
                    # listing back (the oracle knows how many pages there are).
                    page_time = statistics.median(page_times) if page_times else 0.06
                    pages = spec.pages - out.pages - pages_in_flight if state["listing"] else 0
                    first = max(now, page_sent + page_time) if pages_in_flight else now
                    count = _allowance(
                        admission, now, first, pages, page_time, min(free, len(chunks))
                    )
                    if count == 0:
                        # Nothing may go before a page comes back or time moves the window.
                        await idle(0.05)
                        continue
                    for _ in range(count):
                        if not chunks or admission.wait(time.time()) > 0:
                            break
                        chunks_in_flight += 1
                        await send(chunk, chunks.popleft())
        finally:
            out.wall = time.perf_counter() - started
            out.requests, out.rate_limited = counter.requests, counter.rate_limited
            out.page_seconds = statistics.median(page_times) if page_times else 0.0


# -- one process --------------------------------------------------------------------------------

_CLIENTS = {"sdk": _sdk, "raw": _raw, "oracle": _oracle}


def run_client(spec: ClientSpec) -> Outcome:
    """Run ``spec`` in this process; a failure is reported in the outcome, not raised."""
    out = Outcome()
    with CpuTimer() as timer:
        try:
            asyncio.run(_CLIENTS[spec.client](spec, out))
        except Exception as error:  # reported in the section, with the rest of the run
            out.error = f"{type(error).__name__}: {error}"[:300]
    out.cpu = timer.cpu
    return out


def spawn(spec: ClientSpec, directory: str) -> Any:
    """Start ``spec`` in a child process (:func:`collect` its outcome).

    The spec goes through a file in ``directory``: its ids are far longer than a command line.
    """
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", dir=directory, delete=False, encoding="utf-8"
    ) as file:
        file.write(spec.to_json())
    command = [sys.executable, "-m", "benchmarks._limiter_clients", file.name]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def collect(child: Any, timeout: float = 300) -> Outcome:
    """The outcome a child printed (a failed child becomes an outcome with an error)."""
    import subprocess

    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return Outcome(error=f"took more than {timeout:.0f} s")
    lines = out.strip().splitlines()
    if child.returncode != 0 or not lines:
        return Outcome(error=f"exit {child.returncode}: {err.strip().splitlines()[-1:]}")
    return Outcome(**json.loads(lines[-1]))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        _spec = ClientSpec.from_json(spec_file.read())
    print(json.dumps(dataclasses.asdict(run_client(_spec))))
