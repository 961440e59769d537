"""Detect breakout posts: the docs' tutorial, done with the SDK.

    python examples/breakouts.py --window 7 --top 10
    python examples/breakouts.py --sync      # the same with the blocking client

Pages through every discovered (and individually tracked) video, asks for view deltas in
200-id chunks sent in parallel, and ranks the fastest movers. Unlike the tutorial, it reads the
deltas ``data`` as what it is, an object keyed by video id, and it skips videos without history
(never scraped, or a ``null`` window) instead of counting them as zero growth.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterable, Sequence

import anyio
import attrs
from _api import (
    Connect,
    ConnectSync,
    one_line,
    open_creatoraudit,
    open_creatoraudit_sync,
    sdk_failure,
)

from creatorsdk import AsyncCreatorAudit, CreatorAudit
from creatorsdk.creatoraudit import Deltas, Video

SOURCES = ("account", "tracked", "both")


@attrs.frozen
class Breakout:
    """One ranked video: how many views it gained over the window."""

    video: Video
    views_gained: int


def rank(videos: Iterable[Video], deltas: Deltas, *, window: int, top: int) -> list[Breakout]:
    """The ``top`` videos by views gained over ``window`` days, largest first (ties by id).

    Pure: no I/O, so a synchronous client can reuse it. A video never scraped, or whose
    window is ``null`` or missing, has no meaningful delta yet and is left out.
    """
    ranked = [
        Breakout(video, gained)
        for video in videos
        if video.last_scrape_time is not None
        and (gained := deltas.get(video.id, window)) is not None
    ]
    ranked.sort(key=lambda b: (-b.views_gained, b.video.id))
    return ranked[:top]


async def collect_videos(ca: AsyncCreatorAudit, source: str = "both") -> list[Video]:
    """Every video of ``source``: ``account`` (discovered), ``tracked`` ones, or ``both``."""
    videos: list[Video] = []
    if source in ("account", "both"):
        videos += await ca.account_videos.list().to_list()
    if source in ("tracked", "both"):
        videos += await ca.videos.list().to_list()
    return _one_per_id(videos)


async def find_breakouts(
    ca: AsyncCreatorAudit, *, window: int = 7, top: int = 10, source: str = "both"
) -> list[Breakout]:
    """List the videos, fetch their deltas over ``window`` days, and :func:`rank` them."""
    videos = await collect_videos(ca, source)
    if not videos:
        return []
    deltas = await ca.videos.deltas([v.id for v in videos], windows=[window])
    return rank(videos, deltas, window=window, top=top)


def collect_videos_sync(ca: CreatorAudit, source: str = "both") -> list[Video]:
    """:func:`collect_videos` with the blocking client: no ``await``, same pages."""
    videos: list[Video] = []
    if source in ("account", "both"):
        videos += ca.account_videos.list().to_list()
    if source in ("tracked", "both"):
        videos += ca.videos.list().to_list()
    return _one_per_id(videos)


def find_breakouts_sync(
    ca: CreatorAudit, *, window: int = 7, top: int = 10, source: str = "both"
) -> list[Breakout]:
    """:func:`find_breakouts` with the blocking client; the chunks still go out in parallel."""
    videos = collect_videos_sync(ca, source)
    if not videos:
        return []
    deltas = ca.videos.deltas([v.id for v in videos], windows=[window])
    return rank(videos, deltas, window=window, top=top)


def _one_per_id(videos: Iterable[Video]) -> list[Video]:
    # One row per id, even if a video is both discovered and tracked on its own.
    return list({v.id: v for v in videos}.values())


def render(breakouts: Sequence[Breakout], window: int) -> str:
    """A ranked, aligned text table."""
    lines = [f"{'#':>3}  {f'views +{window}d':>12}  {'account':<22} {'caption':<40}  video id"]
    for number, b in enumerate(breakouts, 1):
        caption = " ".join((b.video.description or "").split())[:40]
        account = f"@{b.video.account_username or '?'}"
        lines.append(
            f"{number:>3}  {b.views_gained:>12,}  {account:<22} {caption:<40}  {b.video.id}"
        )
    if not breakouts:
        lines.append("  (no video has enough history for this window yet)")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Flags: --window (1-365), --top (>= 1), --source, --base-url, --sync."""
    parser = argparse.ArgumentParser(
        prog="breakouts.py", description="Rank the fastest-growing videos."
    )
    parser.add_argument("--window", type=int, default=7, help="look-back window in days")
    parser.add_argument("--top", type=int, default=10, help="rows to show")
    parser.add_argument("--source", choices=SOURCES, default="both", help="which videos")
    parser.add_argument("--base-url", help="API base URL (needs CREATORAUDIT_API_KEY)")
    parser.add_argument(
        "--sync", action="store_true", help="use the blocking CreatorAudit client (no event loop)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.window <= 365:
        parser.error("--window must be between 1 and 365 days")
    if args.top < 1:
        parser.error("--top must be at least 1")
    return args


async def run(args: argparse.Namespace, connect: Connect = open_creatoraudit) -> int:
    """Fetch, rank and print; an API failure is one line with its request id (exit 1)."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            ca, source = await stack.enter_async_context(
                connect(base_url=args.base_url, latency=0.0)
            )
        except ValueError as error:  # a base URL or key the client refuses
            return _refused(error)
        print(f"breakouts: using {source}")
        try:
            breakouts = await find_breakouts(
                ca, window=args.window, top=args.top, source=args.source
            )
        except Exception as error:
            return _failed(error)
    print(render(breakouts, args.window))
    return 0


def run_sync(args: argparse.Namespace, connect: ConnectSync = open_creatoraudit_sync) -> int:
    """:func:`run` with the blocking client: the same output and exit codes."""
    with contextlib.ExitStack() as stack:
        try:
            ca, source = stack.enter_context(connect(base_url=args.base_url, latency=0.0))
        except ValueError as error:
            return _refused(error)
        print(f"breakouts: using {source}")
        try:
            breakouts = find_breakouts_sync(
                ca, window=args.window, top=args.top, source=args.source
            )
        except Exception as error:
            return _failed(error)
    print(render(breakouts, args.window))
    return 0


def _refused(error: ValueError) -> int:
    print(f"breakouts: {error}", file=sys.stderr)
    return 2


def _failed(error: Exception) -> int:
    failure = sdk_failure(error)
    if failure is None:
        raise error
    print(f"breakouts: failed: {one_line(failure)}", file=sys.stderr)
    return 1


def main(
    argv: Sequence[str] | None = None,
    *,
    connect: Connect = open_creatoraudit,
    connect_sync: ConnectSync = open_creatoraudit_sync,
) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.sync:
        return run_sync(args, connect_sync)
    return anyio.run(run, args, connect)


if __name__ == "__main__":
    sys.exit(main())
