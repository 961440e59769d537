"""1. Rate-limited bulk fetch: the main job's shape against a 100-requests-per-second key.

Every account (pages of 200), every account's videos (one listing per account, as the
bulk-ingest example does) and view deltas for every video id, fetched by (a) a sequential
client in the style of the docs' example, (b) raw ``httpx.AsyncClient`` + ``asyncio.gather``
with no pacing, and (c) the SDK with its defaults.

The job is bound by the rate limit, not the CPU, so the clients of one repeat run at the same
time, each in its own process against its own fake process (its own key and window); that
keeps a repeat to the length of the slowest client. ``python -m benchmarks.bench_ratelimit
CLIENT URL KEY ACCOUNTS NAIVE_ACCOUNTS`` is one client's run, printing its outcome as JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from benchmarks._harness import (
    CpuTimer,
    FakeProcess,
    describe_options,
    ratio,
    serve_fake,
    span,
    summarize,
    table,
    verdict,
)
from creatorsdk import AsyncCreatorAudit

ORDER = 1

LIMIT = 100  # requests per window and key
WINDOW = 1.0  # seconds
LATENCY = 0.1  # seconds per request, added by the fake
PAGE = 200  # page size of every listing and ids per deltas batch
#: Retries a raw or naive call makes on 429 before it gives up (bounded, never forever).
MAX_RAW_ATTEMPTS = 500


@dataclass(frozen=True)
class Job:
    """The organization the fake serves, and how much of it the naive client fetches."""

    accounts: int
    videos_per_account: int
    #: Accounts whose videos the naive client fetches; its time is scaled to all of them.
    naive_accounts: int


def minimum_requests(accounts: int, listed: int, videos: int) -> int:
    """Pages of ``accounts`` + one listing per ``listed`` account + a deltas call per 200 ids."""
    return math.ceil(accounts / PAGE) + listed + math.ceil(videos / PAGE)


FULL = Job(accounts=4000, videos_per_account=5, naive_accounts=400)
QUICK = Job(accounts=40, videos_per_account=5, naive_accounts=40)


@dataclass
class Outcome:
    """What one run of one client did."""

    wall: float
    requests: int
    rate_limited: int
    retries: int
    accounts: int
    videos: int
    deltas: int
    #: CPU seconds the client's process used.
    cpu: float = 0.0

    @property
    def answered(self) -> int:
        return self.requests - self.rate_limited

    def utilisation(self) -> float:
        """(answered requests ÷ limit) ÷ wall time in windows."""
        return (self.answered / LIMIT) / (self.wall / WINDOW)


class _Counter:
    """Counts responses and 429s through httpx event hooks."""

    def __init__(self) -> None:
        self.requests = 0
        self.rate_limited = 0

    def see(self, response: httpx.Response) -> None:
        self.requests += 1
        if response.status_code == 429:
            self.rate_limited += 1

    async def asee(self, response: httpx.Response) -> None:
        self.see(response)


# -- (a) the docs' example, sequential ---------------------------------------------------


class DocsClient:
    """The docs' ``CreatorAudit`` client, plus sleeping ``Retry-After`` on a 429."""

    def __init__(self, api_key: str, base_url: str, counter: _Counter) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=30.0,
            event_hooks={"response": [counter.see]},
        )
        self.retries = 0

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        for _ in range(MAX_RAW_ATTEMPTS):
            response = self._client.request(method, path, params=params, json=json)
            if response.status_code != 429:
                response.raise_for_status()
                body: dict[str, Any] = response.json()
                return body
            self.retries += 1
            time.sleep(float(response.headers.get("retry-after", "1")))
        raise RuntimeError(f"{path}: still rate limited after {MAX_RAW_ATTEMPTS} attempts")

    def close(self) -> None:
        self._client.close()


def paginate(
    client: DocsClient, path: str, *, params: dict[str, Any] | None = None, limit: int = PAGE
) -> Iterator[dict[str, Any]]:
    """The docs' pagination helper, verbatim but for the type of ``client``."""
    cursor: str | None = None
    while True:
        page_params: dict[str, Any] = {**(params or {}), "limit": limit}
        if cursor is not None:
            page_params["cursor"] = cursor
        page = client.request("GET", path, params=page_params)
        yield from page["data"]
        if not page["pagination"]["has_next"]:
            break
        cursor = page["pagination"]["next_cursor"]


def run_naive(fake: FakeProcess, job: Job) -> Outcome:
    """(a) every page and batch one after another; only ``naive_accounts`` accounts' videos."""
    counter = _Counter()
    client = DocsClient(fake.api_key, fake.base_url, counter)
    started = time.perf_counter()
    try:
        accounts = list(paginate(client, "/accounts"))
        listed = accounts[: job.naive_accounts]
        videos = [
            v
            for a in listed
            for v in paginate(client, "/account-videos", params={"account_id": a["id"]})
        ]
        ids = [v["id"] for v in videos]
        deltas = 0
        for i in range(0, len(ids), PAGE):
            body = client.request("POST", "/videos/deltas", json={"video_ids": ids[i : i + PAGE]})
            deltas += len(body["data"])
    finally:
        client.close()
    wall = time.perf_counter() - started
    if deltas != len(ids) or len(accounts) != job.accounts:
        raise RuntimeError(f"naive fetched {len(accounts)} accounts and {deltas} deltas")
    return Outcome(
        wall, counter.requests, counter.rate_limited, client.retries, len(listed), len(ids), deltas
    )


def _scaled(slice_: Outcome, full: int, videos: int) -> Outcome:
    """The whole job's time from a slice: one request at a time, so time ∝ requests.

    Valid while the slice saw no 429 (the client stays far below the limit), checked here.
    """
    if slice_.rate_limited:
        raise RuntimeError("the naive slice hit the rate limit; scaling it would be wrong")
    factor = full / slice_.requests
    return Outcome(
        wall=slice_.wall * factor,
        requests=full,
        rate_limited=0,
        retries=0,
        accounts=slice_.accounts,
        videos=videos,
        deltas=videos,
        cpu=slice_.cpu * factor,
    )


# -- (b) raw httpx + gather ---------------------------------------------------------------


async def _raw_call(http: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    for _ in range(MAX_RAW_ATTEMPTS):
        response = await http.request(method, path, **kwargs)
        if response.status_code != 429:
            response.raise_for_status()
            return response.json()
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    raise RuntimeError(f"{path}: still rate limited after {MAX_RAW_ATTEMPTS} attempts")


async def _raw_list(http: httpx.AsyncClient, path: str, params: dict[str, Any]) -> list[Any]:
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(100_000):
        query = {**params, "limit": PAGE} | ({"cursor": cursor} if cursor else {})
        page = await _raw_call(http, "GET", path, params=query)
        items += page["data"]
        if not page["pagination"]["has_next"]:
            return items
        cursor = page["pagination"]["next_cursor"]
    raise RuntimeError("listing did not end")


async def _raw(fake: FakeProcess) -> Outcome:
    counter = _Counter()
    started = time.perf_counter()
    # pool=None: with the default 5 s pool timeout the gathered calls fail with PoolTimeout.
    async with httpx.AsyncClient(
        base_url=fake.base_url,
        headers={"Authorization": f"Bearer {fake.api_key}"},
        timeout=httpx.Timeout(30.0, pool=None),
        event_hooks={"response": [counter.asee]},
    ) as http:
        accounts = await _raw_list(http, "/accounts", {})
        listings = await asyncio.gather(
            *(_raw_list(http, "/account-videos", {"account_id": a["id"]}) for a in accounts)
        )
        ids = [v["id"] for videos in listings for v in videos]
        bodies = await asyncio.gather(
            *(
                _raw_call(http, "POST", "/videos/deltas", json={"video_ids": ids[i : i + PAGE]})
                for i in range(0, len(ids), PAGE)
            )
        )
    wall = time.perf_counter() - started
    deltas = sum(len(b["data"]) for b in bodies)
    retries = counter.rate_limited
    return Outcome(
        wall, counter.requests, counter.rate_limited, retries, len(accounts), len(ids), deltas
    )


def run_raw(fake: FakeProcess, job: Job) -> Outcome:
    """(b) raw httpx, everything gathered at once, each call sleeping ``Retry-After``."""
    return asyncio.run(_raw(fake))


# -- (c) the SDK ----------------------------------------------------------------------------


async def _sdk(fake: FakeProcess, options: dict[str, Any]) -> Outcome:
    started = time.perf_counter()
    async with AsyncCreatorAudit(api_key=fake.api_key, base_url=fake.base_url, **options) as ca:
        accounts = await ca.accounts.list().to_list()
        ids: list[str] = []

        async def videos_of(account_id: str) -> None:
            ids.extend([v.id async for v in ca.account_videos.list(account_id=account_id)])

        async with anyio.create_task_group() as group:
            for account in accounts:
                group.start_soon(videos_of, account.id)
        deltas = await ca.videos.deltas(ids)
        stats = ca.stats
    wall = time.perf_counter() - started
    return Outcome(
        wall,
        stats.requests,
        stats.rate_limited,
        stats.retries,
        len(accounts),
        len(ids),
        len(deltas.ids),
    )


def sdk_runner(**options: Any) -> Callable[[FakeProcess, Job], Outcome]:
    """(c) the SDK; ``options`` go to the client (none: its defaults)."""

    def run_sdk(fake: FakeProcess, job: Job) -> Outcome:
        return asyncio.run(_sdk(fake, options))

    return run_sdk


# -- the section ------------------------------------------------------------------------------


CLIENTS: dict[str, tuple[str, Callable[[FakeProcess, Job], Outcome]]] = {
    "naive": ("(a) naive sync client (docs' style)", run_naive),
    "raw": ("(b) raw httpx.AsyncClient + gather", run_raw),
    "sdk": ("(c) creatorsdk, defaults", sdk_runner()),
    "sdk_long": ("(c″) creatorsdk, defaults; fake: 1,000 per 10 s", sdk_runner()),
}
#: A diagnostic: the same rate in a window ten times as long, so the 1 s resolution of
#: X-RateLimit-Reset is a tenth of the window instead of all of it.
LONG_WINDOW = {"sdk_long": {"rate_limit": LIMIT * 10, "rate_window": WINDOW * 10}}
#: Clients that run at the same time. The SDK runs beside its own diagnostic only (both use
#: a few percent of a core); the raw client, which burns CPU on 429s, runs beside the naive
#: one, which is idle waiting on the network.
GROUPS = (("sdk", "sdk_long"), ("raw", "naive"))


def run(*, quick: bool, repeats: int) -> str:
    """Run every client ``repeats`` times, a group of clients at a time, and render."""
    job = QUICK if quick else FULL
    options = {
        "seed": 1,
        "accounts": job.accounts,
        "videos_per_account": (job.videos_per_account, job.videos_per_account),
        "tracked_videos": 0,
        "creators": 0,
        "rate_limit": LIMIT,
        "rate_window": WINDOW,
        "latency": LATENCY,
    }
    results: dict[str, list[Outcome]] = {label: [] for label, _ in CLIENTS.values()}
    for index in range(repeats):
        # Groups alternate which goes first, so slow drift of the machine is shared.
        for group in GROUPS[index % 2 :] + GROUPS[: index % 2]:
            # Fresh fakes every time: each client starts cold, with a whole window.
            with contextlib.ExitStack() as stack:
                fakes = {
                    key: stack.enter_context(serve_fake(**{**options, **LONG_WINDOW.get(key, {})}))
                    for key in group
                }
                children = {key: _spawn(key, fakes[key], job) for key in group}
                for key, child in children.items():
                    results[CLIENTS[key][0]].append(_collect(key, child))
    return _render(job, options, results, repeats, quick)


def _spawn(key: str, fake: FakeProcess, job: Job) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "benchmarks.bench_ratelimit", key, fake.base_url]
    command += [fake.api_key, str(job.accounts), str(job.naive_accounts)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _collect(key: str, child: subprocess.Popen[str]) -> Outcome:
    try:
        out, err = child.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise RuntimeError(f"client {key} took more than 15 minutes") from None
    if child.returncode != 0:
        raise RuntimeError(f"client {key} failed:\n{err[-2000:]}")
    return Outcome(**json.loads(out.strip().splitlines()[-1]))


def _child(argv: list[str]) -> None:
    key, base_url, api_key, accounts, naive_accounts = argv
    job = Job(int(accounts), FULL.videos_per_account, int(naive_accounts))
    with CpuTimer() as timer:
        outcome = CLIENTS[key][1](FakeProcess(base_url, api_key, 0), job)
    outcome.cpu = timer.cpu
    print(json.dumps(dataclasses.asdict(outcome)))


def _render(
    job: Job, options: dict[str, Any], results: dict[str, list[Outcome]], repeats: int, quick: bool
) -> str:
    names = list(results)
    naive, raw, sdk = names[0], names[1], names[2]
    # The job's size is what most runs saw; a run that fetched anything else is reported.
    videos = statistics.mode(o.videos for name in names[1:] for o in results[name])
    anomalies = [
        f"{name} fetched {o.accounts:,} accounts, {o.videos:,} videos and {o.deltas:,} deltas "
        f"in one repeat ({o.requests:,} requests, {o.rate_limited:,} 429s)"
        for name in names[1:]
        for o in results[name]
        if (o.accounts, o.videos, o.deltas) != (job.accounts, videos, videos)
    ]
    minimum = minimum_requests(job.accounts, job.accounts, videos)
    sliced = job.naive_accounts < job.accounts
    slices = results[naive]
    if sliced:
        results[naive] = [_scaled(o, minimum, videos) for o in slices]
    rows = []
    for name in names:
        runs = results[name]
        rows.append(
            [
                name,
                span(summarize([o.wall for o in runs]), 2),
                span(summarize([o.requests for o in runs]), 0),
                span(summarize([o.rate_limited for o in runs]), 0),
                span(summarize([o.retries for o in runs]), 0),
                span(summarize([o.utilisation() for o in runs]), 3),
                span(summarize([o.requests / minimum for o in runs]), 3),
                span(summarize([o.cpu for o in runs]), 2),
            ]
        )
    walls = {name: [o.wall for o in results[name]] for name in names}
    sdk_runs = results[sdk]
    util = summarize([o.utilisation() for o in sdk_runs])
    share_429 = summarize([o.rate_limited / o.requests for o in sdk_runs])
    sent = summarize([o.requests / minimum for o in sdk_runs])
    speedup = ratio(walls[naive], walls[sdk])
    vs_raw = ratio(walls[sdk], walls[raw])
    fewer = ratio([o.requests for o in results[raw]], [o.requests for o in sdk_runs])
    targets = [
        ["utilisation", "≥ 0.95", span(util, 3), verdict(util.median >= 0.95)],
        [
            "429s ÷ requests",
            "≤ 0.5 %",
            span(share_429, 2, 100) + " %",
            verdict(share_429.median <= 0.005),
        ],
        ["requests ÷ minimum", "≤ 1.01", span(sent, 3), verdict(sent.median <= 1.01)],
        ["wall (a) ÷ wall (c)", "≥ 8", span(speedup, 2), verdict(speedup.median >= 8)],
        ["wall (c) ÷ wall (b)", "≤ 1", span(vs_raw, 2), verdict(vs_raw.median <= 1)],
        ["requests (b) ÷ requests (c)", "≫ 1", span(fewer, 1), verdict(fewer.median >= 2)],
    ]
    util_of = {name: summarize([o.utilisation() for o in results[name]]).median for name in names}
    notes = _notes(
        util=util_of[sdk],
        util_long=util_of[names[3]],
        speedup=speedup.median,
        vs_raw=vs_raw.median,
        fewer=fewer.median,
        naive_rate=summarize([o.requests / o.wall for o in results[naive]]).median,
    )
    naive_note = (
        f"To keep the run short, the naive client fetches every account page but the videos and "
        f"deltas of only {job.naive_accounts:,} of the {job.accounts:,} accounts in each repeat "
        f"({slices[0].requests:,} requests, {span(summarize([o.wall for o in slices]), 1)} s); "
        "its wall time is scaled to the whole job by request count. That is exact for a client "
        "that sends one request at a time and stays far below the limit (no slice saw a 429); a "
        f"full run of it would take about {summarize(walls[naive]).median / 60:.0f} minutes."
        if sliced
        else "The naive client fetches the whole job."
    )
    return "\n".join(
        [
            "## 1. Rate-limited bulk fetch",
            "",
            f"Fake: `{describe_options(options)}` ({LIMIT} requests per {WINDOW:g} s window, "
            f"{LATENCY * 1000:.0f} ms per request). Job: {job.accounts:,} accounts in pages of "
            f"{PAGE}, the videos of each account ({videos:,} in all, one listing per account as "
            f"the bulk-ingest example does), then view deltas for all {videos:,} ids in batches "
            f"of {PAGE}. Minimum requests: {minimum:,}. Utilisation = (answered requests ÷ "
            f"limit) ÷ wall time in windows. Median (min–max) of {repeats} repeats"
            + (" (quick sizes)" if quick else "")
            + ". Every client runs in its own process against its own fake process (its own key "
            "and a fresh window); to fit the run in minutes, two clients run at a time: (c) "
            "beside (c″), (b) beside (a). The job is bound by the rate limit, not the CPU (last "
            "column: the client's CPU seconds).",
            "",
            table(
                [
                    "client",
                    "wall s",
                    "requests",
                    "429s",
                    "retries",
                    "utilisation",
                    "÷ minimum",
                    "client CPU s",
                ],
                rows,
            ),
            "",
            table(["target (SDK, defaults)", "target", "measured", ""], targets),
            "",
            naive_note,
            "",
            "\n\n".join(notes),
            *(
                [
                    "",
                    "**A run fetched a different job than the others (a bug to find):** "
                    + "; ".join(anomalies)
                    + f". Expected {job.accounts:,} accounts and {videos:,} videos and deltas.",
                ]
                if anomalies
                else []
            ),
        ]
    )


def _notes(
    *,
    util: float,
    util_long: float,
    speedup: float,
    vs_raw: float,
    fewer: float,
    naive_rate: float,
) -> list[str]:
    """Plain sentences for the targets missed, with their measured causes."""
    notes = []
    cap = 8 / LATENCY / (LIMIT / WINDOW)
    if util < 0.95:
        notes.append(
            f"**Utilisation {util:.2f} (target 0.95).** Cause: `X-RateLimit-Reset` is whole epoch "
            "seconds (as the API documents) and this window is 1 s long. The pacer spreads the "
            "remaining budget until the reported reset, which is up to 1 s later than the "
            "window's real end; and since the fake opens a window at its first request, a pacer "
            "that resumes at a reported reset opens the next window just after a whole second, "
            "so that window's reported reset is almost 2 s away. The budget is spread over 1–2 s "
            f"instead of 1 s. The same client against the same rate in a 10 s window (c″), "
            f"where the rounding is a tenth of the window, reaches {util_long:.2f}. A second "
            f"cap: with defaults at most 8 requests are in flight, 8 ÷ {LATENCY:g} s = "
            f"{8 / LATENCY:.0f} requests/s, so utilisation cannot exceed {cap:.2f} at this "
            f"latency (Little's law: filling {LIMIT / WINDOW:.0f} requests/s needs "
            f"{LIMIT / WINDOW * LATENCY:.0f} in flight; `max_concurrency=16` lifts it)."
        )
    if speedup < 8:
        notes.append(
            f"**Speed-up over (a) {speedup:.1f}× (target 8×)** follows from the utilisation: the "
            f"naive client sends {naive_rate:.1f} requests/s, so 8× needs "
            f"{8 * naive_rate:.0f} answered requests/s out of the {LIMIT / WINDOW:.0f} allowed."
        )
    if vs_raw > 1:
        notes.append(
            f"**(c) takes {vs_raw:.2f}× the time of (b) (target ≤ 1).** Raw keeps up to 100 "
            "connections busy, spends each window's budget in its first tenth of a second and "
            "sleeps `Retry-After` for the rest; that loses about as much time per window as the "
            "pacer's rounding, at the price of the extra requests and 429s in its row."
        )
    if fewer < 2:
        notes.append(
            f'**(b) sends {fewer:.1f}× the requests of (c)** (read as "far fewer": ≥ 2×): each '
            "raw call sleeps `Retry-After` after a 429, so the 429s stay below one per answered "
            "request; every one of them still counts against the key's window."
        )
    return notes


if __name__ == "__main__":
    _child(sys.argv[1:])
