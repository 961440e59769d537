"""Onboard TikTok creators into a trackagoat project, then chart their views.

    python examples/trackagoat_onboard.py                      # embedded fake, examples/handles.txt
    TRACKAGOAT_API_KEY=tga_... python examples/trackagoat_onboard.py creators.txt --project-id ...

Reads one handle per line (``name``, ``@name`` or a ``tiktok.com/@name`` profile URL; blank
lines and ``#`` comments are skipped), adds them all in one ``create_many`` call (chunks of 50
sent in parallel, each with its own idempotency key, so a rerun or a retry adds nobody twice),
prints each handle's outcome (created, reactivated, or failed with the server's code), then a
views-per-day series for every onboarded creator, five creators per analytics query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio
from _api import one_line, open_trackagoat, sdk_failure

from creatorsdk import AsyncTrackAGoat
from creatorsdk.trackagoat import CreateManyResult, Creator, Series

DEFAULT_HANDLES = Path(__file__).with_name("handles.txt")
#: Creators per analytics query (the API's overlay maximum).
PER_QUERY = 5
_HANDLE = re.compile(r"[A-Za-z0-9._-]{1,30}")
_PROFILE = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)*tiktok\.com/@([^/?#]+)/?(?:[?#].*)?", re.I)
_UUID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.I)
_BARS = "▁▂▃▄▅▆▇█"


def read_handles(path: Path) -> tuple[list[str], list[str]]:
    """The handles of a file, in order and without repeats, and the lines that are none."""
    handles: dict[str, str] = {}
    rejected: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url = _PROFILE.fullmatch(line)
        handle = url.group(1) if url else line.removeprefix("@")
        if _HANDLE.fullmatch(handle):
            handles.setdefault(handle.lower(), handle)
        else:
            rejected.append(line)
    return list(handles.values()), rejected


def sparkline(values: Sequence[float | None]) -> str:
    """One character per day, scaled to the series' own peak."""
    peak = max((v for v in values if v), default=0)
    return "".join(_BARS[round(v / peak * (len(_BARS) - 1))] if v and peak else "·" for v in values)


def print_outcomes(handles: list[str], result: CreateManyResult) -> None:
    """One line per handle, in the file's order, then the totals."""
    outcome: dict[str, str] = {}
    for creator in result.created:
        outcome[creator.tiktok_handle.lower()] = "created"
    for creator in result.reactivated:
        outcome[creator.tiktok_handle.lower()] = "reactivated"
    for failure in result.failed:
        outcome[failure.handle.lower()] = f"failed ({failure.code or 'no code'})"
    print("\noutcome per handle")
    for handle in handles:
        print(f"  {'@' + handle:<32} {outcome.get(handle.lower(), 'no answer')}")
    codes: dict[str, int] = {}
    for failure in result.failed:
        codes[failure.code or "unknown"] = codes.get(failure.code or "unknown", 0) + 1
    detail = ", ".join(f"{n} {code}" for code, n in sorted(codes.items()))
    print(
        f"summary: {len(result.created)} created, {len(result.reactivated)} reactivated, "
        f"{len(result.failed)} failed" + (f" ({detail})" if detail else "")
    )


async def views_series(
    tg: AsyncTrackAGoat, creators: list[Creator], start: dt.date, end: dt.date
) -> dict[str, Series]:
    """Each creator's views per day, five creators per query, the queries in parallel."""
    found: dict[str, Series] = {}

    async def fetch(group: list[Creator]) -> None:
        result = await tg.analytics.query(
            entity="creator",
            entity_ids=[c.id for c in group],
            metric="views",
            mode="new",
            from_=start,
            to=end,
        )
        for series in result.series:
            if series.entity_ref is not None:
                found[series.entity_ref.id] = series

    async with anyio.create_task_group() as group:
        for first in range(0, len(creators), PER_QUERY):
            group.start_soon(fetch, creators[first : first + PER_QUERY])
    return found


def print_series(creators: list[Creator], series: dict[str, Series], days: int) -> None:
    """A sparkline and total per creator; creators added today have no history yet."""
    print(f"\nviews per day, last {days} days (one character per day)")
    width = max((len(c.tiktok_handle) for c in creators), default=0) + 1
    for creator in creators:
        one = series.get(creator.id)
        values = [p.value for p in one.points] if one is not None else []
        name = f"@{creator.tiktok_handle}".ljust(width)
        total = one.total if one is not None else 0
        note = "  (new: no history before today)" if not total else ""
        print(f"  {name}  {sparkline(values or [None] * days)}  {total:>12,.0f} views{note}")


async def run(args: argparse.Namespace) -> int:
    """Open the API (or the embedded fake), onboard, report; the process exit code."""
    try:
        opened = open_trackagoat(
            base_url=args.base_url,
            requests_per_minute=args.requests_per_minute,
            seed=args.seed,
        )
        async with opened as (tg, source):
            print(f"trackagoat_onboard: using {source}", flush=True)
            # Failures are handled inside the block, so the embedded server always gets a
            # clean shutdown rather than being cancelled by an exception passing through.
            try:
                return await onboard(tg, args)
            except BaseException as error:
                failure = sdk_failure(error)
                if failure is None:
                    raise
                print(f"trackagoat_onboard: failed: {one_line(failure)}", file=sys.stderr)
                return 1
    except ValueError as error:  # a --base-url without its key
        print(f"trackagoat_onboard: error: {error}", file=sys.stderr)
        return 2


async def onboard(tg: AsyncTrackAGoat, args: argparse.Namespace) -> int:
    """Add the file's handles to the project, print each outcome, then the series."""
    handles, rejected = read_handles(args.handles)
    note = f" ({len(rejected)} lines skipped: not a handle)" if rejected else ""
    print(f"read {len(handles)} handles from {args.handles}{note}")
    for line in rejected:
        print(f"  skipped: {line!r}")
    project = args.project_id
    if project is None:
        first = await tg.projects.list(limit=1).pages().__anext__()
        if not first.items:
            print("trackagoat_onboard: the organization has no project", file=sys.stderr)
            return 1
        project = first.items[0].id
        print(f"onboarding into {first.items[0].name!r} ({project})")
    result = await tg.creators.create_many(project, handles, tracking_mode=args.tracking_mode)
    print_outcomes(handles, result)
    onboarded = [*result.created, *result.reactivated]
    order = {h.lower(): i for i, h in enumerate(handles)}
    onboarded.sort(key=lambda c: order.get(c.tiktok_handle.lower(), len(order)))
    end = dt.datetime.now(dt.UTC).date()
    start = end - dt.timedelta(days=args.days - 1)
    series = await views_series(tg, onboarded, start, end)
    print_series(onboarded, series, args.days)
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line, checked: bad values exit with status 2 and say why."""
    parser = argparse.ArgumentParser(
        description="Onboard TikTok handles into a trackagoat project and chart their views."
    )
    parser.add_argument(
        "handles",
        nargs="?",
        type=Path,
        default=DEFAULT_HANDLES,
        help="file with one handle per line (default: examples/handles.txt)",
    )
    parser.add_argument("--project-id", help="project to add them to (default: the first one)")
    parser.add_argument("--tracking-mode", choices=("auto", "selective"), default="auto")
    parser.add_argument("--days", type=int, default=30, help="length of the views series")
    parser.add_argument(
        "--requests-per-minute",
        type=float,
        default=None,
        help="pace (default: 60 on the real API, 600 on the embedded fake)",
    )
    parser.add_argument("--base-url", help="API base URL (needs TRACKAGOAT_API_KEY)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the embedded fake")
    args = parser.parse_args(argv)
    if not args.handles.is_file():
        parser.error(f"no such file: {args.handles}")
    if not read_handles(args.handles)[0]:
        parser.error(f"{args.handles} holds no TikTok handle")
    if args.project_id is not None and not _UUID.fullmatch(args.project_id):
        parser.error(f"--project-id must be a UUID, got {args.project_id!r}")
    if not 1 <= args.days <= 365:
        parser.error("--days must be between 1 and 365")
    if args.requests_per_minute is not None and not args.requests_per_minute > 0:
        parser.error("--requests-per-minute must be > 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        return anyio.run(run, args)
    except KeyboardInterrupt:
        print("\ntrackagoat_onboard: interrupted; rerunning is safe", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
