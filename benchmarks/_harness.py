"""What every benchmark shares: the fake in its own process, repeats, statistics, tables.

Everything here is plain standard library so the smoke test can use it without the
benchmark-only dependencies.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

import anyio

__all__ = [
    "CpuTimer",
    "FakeProcess",
    "Summary",
    "drive",
    "interleave",
    "machine_lines",
    "optional_module",
    "peak_rss_bytes",
    "ratio",
    "rss_bytes",
    "serve_command",
    "serve_fake",
    "span",
    "summarize",
    "table",
    "verdict",
]

T = TypeVar("T")

#: Libraries whose versions RESULTS.md records (missing ones are listed as such).
LIBRARIES = (
    "creatorsdk",
    "httpx",
    "httpcore",
    "anyio",
    "attrs",
    "cattrs",
    "tenacity",
    "aiohttp",
    "httpx-aiohttp",
    "uvicorn",
    "starlette",
    "msgspec",
    "pydantic",
    "orjson",
)

#: How long a fake may take to print its banner before the benchmark gives up.
_STARTUP_SECONDS = 60.0


# -- statistics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The median and range of a set of repeated measurements."""

    median: float
    low: float
    high: float
    count: int


def summarize(samples: Sequence[float]) -> Summary:
    """Median, min and max of ``samples`` (at least one)."""
    if not samples:
        raise ValueError("no samples to summarize")
    return Summary(statistics.median(samples), min(samples), max(samples), len(samples))


def ratio(numerators: Sequence[float], denominators: Sequence[float]) -> Summary:
    """Ratios of paired samples (repeat by repeat), summarized: a ratio within one run."""
    if len(numerators) != len(denominators):
        raise ValueError("ratio needs paired samples")
    return summarize([n / d for n, d in zip(numerators, denominators, strict=True)])


def span(summary: Summary, digits: int = 1, scale: float = 1.0) -> str:
    """``median (min–max)``, or just the value when there is a single sample."""
    m, lo, hi = (summary.median * scale, summary.low * scale, summary.high * scale)
    if summary.count == 1 or lo == hi:
        return f"{m:,.{digits}f}"
    return f"{m:,.{digits}f} ({lo:,.{digits}f}–{hi:,.{digits}f})"


def verdict(met: bool) -> str:
    """The target column: met, or a bold miss."""
    return "met" if met else "**missed**"


def interleave(
    variants: Mapping[str, Callable[[], T]], repeats: int, *, between: Callable[[], None] | None
) -> dict[str, list[T]]:
    """Run every variant ``repeats`` times, round-robin, rotating which one goes first.

    Interleaving spreads slow drift of a shared machine (other jobs, thermal state) over all
    variants instead of charging it to whichever ran last. ``between`` runs before each run
    but the first (e.g. to let a rate window expire).
    """
    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    names = list(variants)
    results: dict[str, list[T]] = {name: [] for name in names}
    first = True
    for index in range(repeats):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            if between is not None and not first:
                between()
            first = False
            results[name].append(variants[name]())
    return results


# -- rendering ----------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; the first column is left-aligned, the others right-aligned."""
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {len(headers)}")
    cells = [[str(c).replace("|", "\\|") for c in row] for row in rows]
    rule = ["---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def machine_lines() -> list[str]:
    """Markdown bullet lines describing this machine and the library versions in use."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"- CPU: {os.cpu_count()} logical cores ({platform.machine()}, {_cpu_model()})",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Libraries: {', '.join(versions)}",
    ]


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def optional_module(name: str) -> ModuleType | None:
    """Import a benchmark-only dependency, or ``None`` when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# -- time and memory ----------------------------------------------------------------------


class CpuTimer:
    """Process CPU time and wall time over a block (``with CpuTimer() as t: ...``)."""

    cpu: float = 0.0
    wall: float = 0.0

    def __enter__(self) -> CpuTimer:
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self._cpu
        self.wall = time.perf_counter() - self._wall


async def drive(call: Callable[[], Awaitable[object]], *, tasks: int, total: int) -> CpuTimer:
    """Make ``total`` calls from ``tasks`` concurrent tasks; the CPU and wall time they took.

    Each task loops over its share, so exactly ``tasks`` calls are outstanding until the end.
    """
    if tasks < 1 or total < tasks:
        raise ValueError("need at least one task and one call per task")
    shares = [total // tasks + (1 if i < total % tasks else 0) for i in range(tasks)]

    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    with CpuTimer() as timer:
        async with anyio.create_task_group() as group:
            for share in shares:
                group.start_soon(worker, share)
    return timer


def rss_bytes() -> int:
    """This process's resident set size now (Linux ``/proc``; 0 where unavailable)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """The highest resident set size this process has had (``ru_maxrss``)."""
    import resource  # Unix only; imported here so the module loads anywhere

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


# -- the fake in its own process ----------------------------------------------------------


@dataclass(frozen=True)
class FakeProcess:
    """A fake API served by uvicorn on 127.0.0.1 in a child process."""

    base_url: str
    api_key: str
    pid: int


@contextlib.contextmanager
def serve_fake(api: str = "creatoraudit", **options: object) -> Iterator[FakeProcess]:
    """Serve ``python -m creatorsdk.testing <api>`` on an ephemeral loopback port.

    ``options`` become command-line flags (``rate_limit=0`` → ``--rate-limit 0``; a tuple
    becomes ``MIN,MAX``). The fake runs in its own process so that the CPU time measured in
    this one is the client's alone; it is stopped with SIGINT (then killed) on exit.
    """
    command = [sys.executable, "-m", "creatorsdk.testing", api, "--host", "127.0.0.1"]
    command += ["--port", "0"]
    for name, value in options.items():
        text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        command += [f"--{name.replace('_', '-')}", text]
    with serve_command(command) as fake:
        yield fake


@contextlib.contextmanager
def serve_command(command: Sequence[str]) -> Iterator[FakeProcess]:
    """Run a server ``command`` that prints a fake's banner; stop it with SIGINT on exit.

    The banner is the fakes' first line, ``<Name> serving <base_url> api_key=<key>``.
    """
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # stderr goes to a file, not a pipe: a pipe nobody reads could fill and stall the server.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=environment,
        )
        try:
            banner = _read_banner(process)
            if banner is None:
                errors.seek(0)
                raise RuntimeError(f"the server did not start:\n{errors.read()[-2000:]}")
            words = dict(word.split("=", 1) for word in banner.split() if "=" in word)
            yield FakeProcess(base_url=banner.split()[2], api_key=words["api_key"], pid=process.pid)
        finally:
            _stop(process)


def _read_banner(process: subprocess.Popen[str]) -> str | None:
    """The fake's first line, or ``None`` when it exits or stays silent too long."""
    stdout = process.stdout
    assert stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(_STARTUP_SECONDS)
    banner = lines[0].strip() if lines else ""
    return banner if " serving http://127.0.0.1:" in banner else None


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def describe_options(options: Mapping[str, Any]) -> str:
    """The fake's flags as they appear on its command line, for a section's notes."""
    parts = []
    for name, value in options.items():
        text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        parts.append(f"--{name.replace('_', '-')} {text}")
    return " ".join(parts)
