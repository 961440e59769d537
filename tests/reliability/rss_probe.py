"""Peak memory of one SDK call, measured in a fresh process (run by test_hostile_servers.py).

    python tests/reliability/rss_probe.py BASE_URL PATH [--cap BYTES] [--give-up SECONDS]

Builds an ``AsyncCreatorAudit`` on ``BASE_URL``, makes one warm-up call to ``/small``, reads
the peak resident set size, then calls ``GET PATH`` once and prints one JSON line: the peak
before and after in KiB, the error raised (its type and message) and the time taken.
``--give-up`` cancels the call after that many seconds (for code that never stops).

The peak is Linux's ``VmHWM`` (this process image's own high-water mark): ``ru_maxrss`` would
carry over the peak of the process that started this one (it survives ``exec``), here pytest's.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import anyio

from creatorsdk import AsyncCreatorAudit, RetryPolicy


def peak_kib() -> int:
    """This process image's peak resident set size so far, in KiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best there is


async def probe(base_url: str, path: str, cap: int | None, give_up: float) -> dict[str, object]:
    options: dict[str, object] = {} if cap is None else {"max_response_bytes": cap}
    async with AsyncCreatorAudit(
        api_key="ca_probe_key_0123456789",
        base_url=base_url,
        retry=RetryPolicy(max_attempts=1),
        timeout=60.0,
        **options,  # type: ignore[arg-type]
    ) as ca:
        await ca.request("GET", "/small")
        before = peak_kib()
        started = time.perf_counter()
        outcome: dict[str, object] = {"error": None, "message": None}
        with anyio.move_on_after(give_up) as scope:
            try:
                await ca.request("GET", path)
            except Exception as error:
                outcome = {"error": type(error).__name__, "message": str(error)[:300]}
        if scope.cancelled_caught:
            outcome = {"error": "gave up", "message": f"still running after {give_up:g}s"}
        return {
            **outcome,
            "before_kib": before,
            "peak_kib": peak_kib(),
            "elapsed": round(time.perf_counter() - started, 3),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("path")
    parser.add_argument("--cap", type=int, default=None)
    parser.add_argument("--give-up", type=float, default=60.0)
    args = parser.parse_args()
    result = anyio.run(probe, args.base_url, args.path, args.cap, args.give_up)
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
