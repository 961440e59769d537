"""Serve a FakeTrackAGoat (trackagoat v1)."""

from __future__ import annotations

import argparse

from creatorsdk.testing._cli import harness_options
from creatorsdk.testing.trackagoat.fake import FakeTrackAGoat
from creatorsdk.testing.trackagoat.plans import PLANS

__all__ = ["add_arguments", "build"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The trackagoat knobs of :class:`FakeTrackAGoat` as command-line options."""
    parser.add_argument("--projects", type=int, default=2, help="projects to generate")
    parser.add_argument("--creators", type=int, default=12, help="creators to generate")
    parser.add_argument("--campaigns", type=int, default=3, help="campaigns to generate")
    parser.add_argument("--history-days", type=int, default=90, help="days of history")
    parser.add_argument("--plan", choices=sorted(PLANS), default="ultra", help="plan tier")
    parser.add_argument(
        "--daily-quota",
        type=int,
        default=None,
        help="API requests per UTC day (default: the plan's)",
    )
    parser.add_argument(
        "--rate-limit", type=int, default=60, help="requests per window and key; 0 turns it off"
    )
    parser.add_argument("--rate-window", type=float, default=60.0, help="window in seconds")


def build(args: argparse.Namespace) -> FakeTrackAGoat:
    """The fake the parsed options describe."""
    limits = {} if args.daily_quota is None else {"max_api_requests_per_day": args.daily_quota}
    return FakeTrackAGoat(
        projects=args.projects,
        creators=args.creators,
        campaigns=args.campaigns,
        history_days=args.history_days,
        plan=args.plan,
        limits=limits,
        rate_limit=args.rate_limit or None,
        rate_window=args.rate_window,
        **harness_options(args),
    )
