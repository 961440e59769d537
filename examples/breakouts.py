"""Detect breakout posts: the docs' tutorial, done with the SDK.

    python examples/breakouts.py --window 7 --top 10

Pages through every discovered (and individually tracked) video, asks for view deltas in
200-id chunks sent in parallel, and ranks the fastest movers. The deltas ``data`` is an object
keyed by video id, and a window can be ``null`` (or missing) for a video with too little
history: such videos are skipped, never counted as zero.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import anyio
import attrs
from _api import open_creatoraudit

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.creatoraudit import Video


@attrs.frozen
class Breakout:
    """One ranked video: how many views it gained over the window."""

    video: Video
    views_gained: int


async def collect_videos(ca: AsyncCreatorAudit, source: str) -> list[Video]:
    """Every video of the chosen source: ``account`` videos, ``tracked`` ones, or ``both``."""
    videos: list[Video] = []
    if source in ("account", "both"):
        videos += await ca.account_videos.list().to_list()
    if source in ("tracked", "both"):
        videos += await ca.videos.list().to_list()
    return videos


async def find_breakouts(
    ca: AsyncCreatorAudit, *, window: int = 7, top: int = 10, source: str = "both"
) -> list[Breakout]:
    """The ``top`` videos by views gained over ``window`` days, largest first."""
    videos = {v.id: v for v in await collect_videos(ca, source)}
    if not videos:
        return []
    deltas = await ca.videos.deltas(list(videos), windows=[window])
    ranked = [
        Breakout(video, gained)
        for video_id, video in videos.items()
        if (gained := deltas.get(video_id, window)) is not None
    ]
    ranked.sort(key=lambda b: (-b.views_gained, b.video.id))
    return ranked[:top]


def render(breakouts: Sequence[Breakout], window: int) -> str:
    """A ranked, aligned text table."""
    lines = [f"{'#':>3}  {'views +' + str(window) + 'd':>14}  {'account':<22} caption"]
    for rank, b in enumerate(breakouts, 1):
        caption = " ".join((b.video.description or "").split())[:48]
        lines.append(
            f"{rank:>3}  {b.views_gained:>14,}  @{(b.video.account_username or '?'):<21} {caption}"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Flags: --window (1-365), --top (>= 1), --source, --base-url."""
    parser = argparse.ArgumentParser(description="Rank the fastest-growing videos.")
    parser.add_argument("--window", type=int, default=7, help="look-back window in days")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--source", choices=["account", "tracked", "both"], default="both")
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args(argv)
    if not 1 <= args.window <= 365:
        parser.error("--window must be between 1 and 365 days")
    if args.top < 1:
        parser.error("--top must be at least 1")
    return args


async def run(args: argparse.Namespace) -> int:
    """Fetch, rank and print; an API failure is one line with its request id."""
    try:
        async with open_creatoraudit(base_url=args.base_url, latency=0.0) as (ca, source):
            print(f"breakouts: using {source}")
            breakouts = await find_breakouts(
                ca, window=args.window, top=args.top, source=args.source
            )
    except (errors.APIError, errors.APIConnectionError, errors.BatchError) as error:
        print(f"breakouts: failed: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    print(render(breakouts, args.window))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return anyio.run(run, parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
