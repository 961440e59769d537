"""Serve a FakeCreatorAudit (CreatorAudit v2)."""

from __future__ import annotations

import argparse

from creatorsdk.testing._cli import harness_options
from creatorsdk.testing._limiters import LIMITER_KINDS
from creatorsdk.testing.creatoraudit.fake import FakeCreatorAudit
from creatorsdk.testing.creatoraudit.generator import VideosPerAccount

__all__ = ["add_arguments", "build"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The CreatorAudit knobs of :class:`FakeCreatorAudit` as command-line options."""
    parser.add_argument("--accounts", type=int, default=40, help="tracked accounts to generate")
    parser.add_argument(
        "--videos-per-account",
        type=_videos_per_account,
        default=(4, 20),
        metavar="N|MIN,MAX",
        help="videos per account: an average, or an inclusive range (default 4,20)",
    )
    parser.add_argument("--tracked-videos", type=int, default=30, help="individually tracked")
    parser.add_argument("--creators", type=int, default=8, help="creators to generate")
    parser.add_argument("--history-days", type=int, default=400, help="days of daily history")
    parser.add_argument(
        "--rate-limit", type=int, default=600, help="requests per window and key; 0 turns it off"
    )
    parser.add_argument("--rate-window", type=float, default=60.0, help="window in seconds")
    parser.add_argument(
        "--limiter",
        choices=LIMITER_KINDS,
        default="fixed-first",
        help="the rate limiter's algorithm and headers (default fixed-first)",
    )
    parser.add_argument("--account-quota", type=int, default=None, help="cap on tracked accounts")


def build(args: argparse.Namespace) -> FakeCreatorAudit:
    """The fake the parsed options describe."""
    return FakeCreatorAudit(
        accounts=args.accounts,
        videos_per_account=args.videos_per_account,
        tracked_videos=args.tracked_videos,
        creators=args.creators,
        history_days=args.history_days,
        rate_limit=args.rate_limit or None,
        rate_window=args.rate_window,
        limiter=args.limiter,
        account_quota=args.account_quota,
        **harness_options(args),
    )


def _videos_per_account(text: str) -> VideosPerAccount:
    low, comma, high = text.partition(",")
    try:
        return (int(low), int(high)) if comma else int(low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or MIN,MAX, got {text!r}") from None
