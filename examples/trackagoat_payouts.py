"""Pay a trackagoat project's creators what they are owed for a month: the month-end run.

    python examples/trackagoat_payouts.py --dry-run              # embedded fake: what is owed
    python examples/trackagoat_payouts.py --method Venmo         # pay it
    TRACKAGOAT_API_KEY=tga_... python examples/trackagoat_payouts.py --period 2026-05

Lists the project's open accruals whose period lies in the month (default: last month, UTC),
records one payment per creator through the chosen method for everything they are still owed
that month, and prints a table (creator, period, owed, paid) and the totals.

Paying twice is impossible by construction, so a rerun, or a resume after the run was killed
or an API call failed midway, is always safe:

* only accruals that still owe something are listed, and a recorded payment makes them owe
  nothing; the server also refuses to pay an accrual more than it owes;
* each payment's ``Idempotency-Key`` is derived from the project, the creator, the month and
  what is being paid, so a retry, or a rerun of a payment whose answer was lost, gets the
  first payment back instead of making a second one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TextIO

import anyio
import attrs
from _api import one_line, open_trackagoat, sdk_failure

from creatorsdk import AsyncTrackAGoat, errors
from creatorsdk.trackagoat import PayoutAccrual, PayoutMethod

#: How the example gets its client: ``connect(base_url=..., requests_per_minute=..., seed=...)``
#: yields the client and one line saying what it talks to. Tests pass their own.
Connect = Callable[..., AbstractAsyncContextManager[tuple[AsyncTrackAGoat, str]]]

#: Payments in flight at once (each one is a single request).
PARALLEL_PAYMENTS = 4
_UUID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}", re.I)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@attrs.frozen
class Owed:
    """One creator's open accruals for the month, and what they add up to."""

    creator_id: str
    handle: str
    accruals: tuple[PayoutAccrual, ...]

    @property
    def cents(self) -> int:
        """What is still owed, in cents."""
        return sum(a.owed_cents for a in self.accruals)


@attrs.frozen
class Outcome:
    """What the run did for one creator: the cents paid (0 in a dry run) or why not."""

    owed: Owed
    paid_cents: int = 0
    payment_id: str | None = None
    failure: str | None = None


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY-MM``."""
    match = _MONTH.fullmatch(period)
    year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not (1 <= month <= 12 and year >= 1):
        raise ValueError(f"--period must be YYYY-MM, got {period!r}")
    first = dt.date(year, month, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def last_month(today: dt.date) -> str:
    """The calendar month before ``today``'s, as ``YYYY-MM``."""
    return (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def money(cents: int) -> str:
    """``$1,234.05`` from integer cents, without a float in between."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def payment_key(project_id: str, owed: Owed, period: str) -> str:
    """The payment's ``Idempotency-Key``: the same for the same creator, month and accruals
    owing the same amounts, so a rerun of an unanswered payment is answered with the first."""
    paying = ",".join(f"{a.id}:{a.owed_cents}" for a in owed.accruals)
    digest = hashlib.sha256(paying.encode()).hexdigest()[:16]
    return f"payout-{project_id}-{owed.creator_id}-{period}-{digest}"


async def find_owed(
    tg: AsyncTrackAGoat, project_id: str, first: dt.date, last: dt.date
) -> list[Owed]:
    """The creators with open accruals in the month, each with those accruals, by handle."""
    by_creator: dict[str, list[PayoutAccrual]] = {}
    listing = tg.payout_accruals.list(
        project_id=project_id, status=["open", "partially_paid"], from_=first, to=last
    )
    async for accrual in listing:
        if accrual.creator_id is not None and accrual.owed_cents > 0:
            by_creator.setdefault(accrual.creator_id, []).append(accrual)
    handles = {c.id: c.tiktok_handle async for c in tg.creators.list(project_id=project_id)}
    owed = [
        Owed(
            creator_id,
            # A creator removed from tracking can still be owed: show its id then.
            f"@{handles[creator_id]}" if creator_id in handles else creator_id[:8],
            tuple(sorted(accruals, key=lambda a: (a.period_start or first, a.id))),
        )
        for creator_id, accruals in by_creator.items()
    ]
    return sorted(owed, key=lambda o: o.handle.lower())


async def pay_all(
    tg: AsyncTrackAGoat, project_id: str, method: PayoutMethod, period: str, owed: list[Owed]
) -> list[Outcome]:
    """One payment per creator, a few at a time; a creator whose payment fails is reported
    and the others are still paid."""
    outcomes: dict[str, Outcome] = {}
    limit = anyio.CapacityLimiter(PARALLEL_PAYMENTS)

    async def pay(one: Owed) -> None:
        async with limit:
            try:
                payment = await tg.payout_payments.create(
                    one.creator_id,
                    method.id,
                    one.cents,
                    accrual_ids=[a.id for a in one.accruals],
                    reference=f"trackagoat_payouts {period}",
                    idempotency_key=payment_key(project_id, one, period),
                )
            except errors.CreatorSDKError as error:
                outcomes[one.creator_id] = Outcome(one, failure=one_line(error))
                return
        if payment.status != "completed":
            # The key was used before for a payment since voided: it is not paid again here.
            failure = f"payment {payment.id} with this key is {payment.status}; pay by hand"
            outcomes[one.creator_id] = Outcome(one, failure=failure)
        else:
            outcomes[one.creator_id] = Outcome(one, payment.amount_cents, payment.id)

    async with anyio.create_task_group() as group:
        for one in owed:
            group.start_soon(pay, one)
    return [outcomes[one.creator_id] for one in owed]


def print_table(outcomes: list[Outcome], period: str, *, dry_run: bool, out: TextIO) -> None:
    """Creator, period, owed and paid per creator; then the totals."""
    width = max([len(o.owed.handle) for o in outcomes] + [len("creator")])
    paid_title = "would pay" if dry_run else "paid"
    print(f"{'creator':<{width}}  {'period':<7}  {'owed':>12}  {paid_title:>12}", file=out)
    for outcome in outcomes:
        owed = outcome.owed
        paid = money(owed.cents) if dry_run else money(outcome.paid_cents)
        note = f"  FAILED: {outcome.failure}" if outcome.failure else ""
        line = f"{owed.handle:<{width}}  {period:<7}  {money(owed.cents):>12}  {paid:>12}{note}"
        print(line, file=out)
    owed_total = sum(o.owed.cents for o in outcomes)
    paid_total = owed_total if dry_run else sum(o.paid_cents for o in outcomes)
    print(
        f"{'total':<{width}}  {'':<7}  {money(owed_total):>12}  {money(paid_total):>12}", file=out
    )


async def run(
    args: argparse.Namespace, connect: Connect = open_trackagoat, out: TextIO | None = None
) -> int:
    """Open the API (or the embedded fake) and pay; the process exit code."""
    out = out or sys.stdout
    try:
        opened = connect(
            base_url=args.base_url, requests_per_minute=args.requests_per_minute, seed=args.seed
        )
        async with opened as (tg, source):
            print(f"trackagoat_payouts: using {source}", file=out, flush=True)
            # Failures are handled inside the block so the embedded server is shut down
            # cleanly rather than cancelled by an exception passing through.
            try:
                return await pay_month(tg, args, out)
            except BaseException as error:
                failure = sdk_failure(error)
                if failure is None:
                    raise
                print(f"trackagoat_payouts: failed: {one_line(failure)}", file=sys.stderr)
                return 1
    except ValueError as error:  # a --base-url without its key, or one the SDK refuses
        print(f"trackagoat_payouts: error: {error}", file=sys.stderr)
        return 2


async def pay_month(tg: AsyncTrackAGoat, args: argparse.Namespace, out: TextIO) -> int:
    """Find the project and method, list what is owed, pay it (unless a dry run), report."""
    period = args.period or last_month(dt.datetime.now(dt.UTC).date())
    first, last = month_bounds(period)
    project_id = args.project_id
    if project_id is None:
        projects = await tg.projects.list(limit=1).pages().__anext__()
        if not projects.items:
            print("trackagoat_payouts: the organization has no project", file=sys.stderr)
            return 2
        project_id = projects.items[0].id
    methods = await tg.payout_methods.list().to_list()
    method = next((m for m in methods if m.name.lower() == args.method.lower()), None)
    if method is None:
        names = ", ".join(sorted(m.name for m in methods)) or "none"
        print(
            f"trackagoat_payouts: no active payout method named {args.method!r} (active: {names})",
            file=sys.stderr,
        )
        return 2
    mode = "dry run: nothing is paid" if args.dry_run else f"paying through {method.name}"
    print(f"project {project_id}, period {period} ({first} to {last}), {mode}", file=out)
    owed = await find_owed(tg, project_id, first, last)
    if not owed:
        print(f"nothing is owed for {period}: every creator is paid", file=out)
        return 0
    if args.dry_run:
        outcomes = [Outcome(one) for one in owed]
    else:
        outcomes = await pay_all(tg, project_id, method, period, owed)
    print(file=out)
    print_table(outcomes, period, dry_run=args.dry_run, out=out)
    failed = [o for o in outcomes if o.failure]
    if failed:
        print(
            f"trackagoat_payouts: {len(failed)} of {len(outcomes)} payments failed; "
            "rerun to pay them (nobody is paid twice)",
            file=sys.stderr,
        )
        return 1
    done = "would be paid" if args.dry_run else f"paid through {method.name}"
    print(f"{len(outcomes)} creators {done}", file=out)
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line, checked: bad values exit with status 2 and say why."""
    parser = argparse.ArgumentParser(
        description="Pay a trackagoat project's creators what they are owed for a month."
    )
    parser.add_argument("--project-id", help="the project (default: the first one)")
    parser.add_argument("--period", help="the month to pay, YYYY-MM (default: last month, UTC)")
    parser.add_argument("--method", default="Venmo", help="payout method name (default: Venmo)")
    parser.add_argument("--dry-run", action="store_true", help="print what is owed, pay nothing")
    parser.add_argument(
        "--requests-per-minute",
        type=float,
        default=None,
        help="pace (default: 60 on the real API, 600 on the embedded fake)",
    )
    parser.add_argument("--base-url", help="API base URL (needs TRACKAGOAT_API_KEY)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the embedded fake")
    args = parser.parse_args(argv)
    if args.project_id is not None and not _UUID.fullmatch(args.project_id):
        parser.error(f"--project-id must be a UUID, got {args.project_id!r}")
    if args.period is not None:
        try:
            month_bounds(args.period)
        except ValueError as error:
            parser.error(str(error))
    if not args.method.strip():
        parser.error("--method must name a payout method")
    if args.requests_per_minute is not None and not args.requests_per_minute > 0:
        parser.error("--requests-per-minute must be > 0")
    return args


def main(argv: Sequence[str] | None = None, *, connect: Connect = open_trackagoat) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        return anyio.run(run, args, connect)
    except KeyboardInterrupt:
        print(
            "\ntrackagoat_payouts: interrupted; rerun to pay the rest (nobody is paid twice)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
