"""examples/trackagoat_payouts.py: every creator owed for the month is paid exactly once, by one
payment, whatever happens to the run: reruns, injected faults, a kill at any request (before
the server saw it or after it committed), a real Ctrl-C; and the dry run pays nothing."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import trackagoat_payouts

from creatorsdk import AsyncTrackAGoat, RetryPolicy
from creatorsdk.testing import FakeClock, FakeTrackAGoat, FaultPlan

from .conftest import EXAMPLES

PERIOD = "2026-05"  # the month before the fake clock's 2026-06-14
FLAGS = ["--period", PERIOD]
REFERENCE = f"trackagoat_payouts {PERIOD}"


class Killed(BaseException):
    """The process dying mid-run: nothing after it runs, no handler sees it."""


@pytest.fixture(autouse=True)
def no_real_trackagoat(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRACKAGOAT_API_KEY", "TRACKAGOAT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> FakeTrackAGoat:
    return FakeTrackAGoat(seed=4, creators=24, clock=FakeClock(), rate_limit=None)


def project_of(fake: FakeTrackAGoat) -> str:
    return next(iter(fake.store.projects))


def owed_in_period(fake: FakeTrackAGoat) -> dict[str, int]:
    """Creator → cents the first project owes them for the month, from the fake's books."""
    fake.payouts.accrue()
    owed: Counter[str] = Counter()
    for accrual in fake.payouts.accruals.values():
        in_period = (
            accrual["period_start"] >= "2026-05-01" and accrual["period_end"] <= "2026-05-31"
        )
        if accrual["project_id"] == project_of(fake) and in_period and accrual["owed_cents"]:
            owed[accrual["creator_id"]] += accrual["owed_cents"]
    return dict(owed)


def payments_of_the_run(fake: FakeTrackAGoat) -> list[dict[str, Any]]:
    return [
        p
        for p in fake.payouts.payments.values()
        if p["reference"] == REFERENCE and p["status"] == "completed"
    ]


def assert_paid_exactly_once(fake: FakeTrackAGoat, owed: dict[str, int]) -> None:
    payments = payments_of_the_run(fake)
    assert Counter(p["creator_id"] for p in payments) == Counter(dict.fromkeys(owed, 1))
    assert {p["creator_id"]: p["amount_cents"] for p in payments} == owed
    assert owed_in_period(fake) == {}


class Gate(httpx.AsyncBaseTransport):
    """The fake's transport, with hooks before a request leaves and after its answer came."""

    def __init__(
        self,
        fake: FakeTrackAGoat,
        before: Callable[[int, httpx.Request], None] | None = None,
        after: Callable[[int, httpx.Request], None] | None = None,
    ) -> None:
        self.inner = fake.transport()
        self.before, self.after = before, after
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        number = self.count
        if self.before is not None:
            self.before(number, request)
        response = await self.inner.handle_async_request(request)
        if self.after is not None:
            await response.aread()
            self.after(number, request)
        return response


def connector(
    fake: FakeTrackAGoat, gate: Gate | None = None, attempts: int = 5
) -> trackagoat_payouts.Connect:
    """A ``connect`` for the example: a client on the fake in-process, on the fake's clock."""
    clock = fake.clock
    assert isinstance(clock, FakeClock)

    @contextlib.asynccontextmanager
    async def connect(**_: Any) -> AsyncIterator[tuple[AsyncTrackAGoat, str]]:
        async with AsyncTrackAGoat(
            api_key=fake.api_key,
            base_url=fake.base_url,
            transport=gate or fake.transport(),
            retry=RetryPolicy(max_attempts=attempts, sleep=clock.sleep, clock=clock),
            requests_per_minute=60_000,
        ) as tg:
            yield tg, "the test fake"

    return connect


def payment_posts(fake: FakeTrackAGoat) -> int:
    return sum(
        1 for r in fake.requests if r.method == "POST" and r.path.endswith("/payout-payments")
    )


def test_pays_each_creator_what_they_are_owed_in_one_payment(
    fake: FakeTrackAGoat, capsys: pytest.CaptureFixture[str]
) -> None:
    owed = owed_in_period(fake)
    assert len(owed) >= 5
    assert trackagoat_payouts.main(FLAGS, connect=connector(fake)) == 0
    assert_paid_exactly_once(fake, owed)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "trackagoat_payouts: using the test fake"
    rows = [line for line in out if line.startswith("@")]
    assert len(rows) == len(owed)
    assert all(f"  {PERIOD}  " in row for row in rows)
    total = trackagoat_payouts.money(sum(owed.values()))
    assert out[-2].split() == ["total", total, total]
    assert out[-1] == f"{len(owed)} creators paid through Venmo"
    assert {p["method_name"] for p in payments_of_the_run(fake)} == {"Venmo"}


def test_a_rerun_pays_nobody_twice(
    fake: FakeTrackAGoat, capsys: pytest.CaptureFixture[str]
) -> None:
    owed = owed_in_period(fake)
    assert trackagoat_payouts.main(FLAGS, connect=connector(fake)) == 0
    posts = payment_posts(fake)
    capsys.readouterr()
    assert trackagoat_payouts.main(FLAGS, connect=connector(fake)) == 0
    assert payment_posts(fake) == posts
    assert f"nothing is owed for {PERIOD}: every creator is paid" in capsys.readouterr().out
    assert_paid_exactly_once(fake, owed)


def test_a_dry_run_prints_what_is_owed_and_pays_nothing(
    fake: FakeTrackAGoat, capsys: pytest.CaptureFixture[str]
) -> None:
    owed = owed_in_period(fake)
    assert trackagoat_payouts.main([*FLAGS, "--dry-run"], connect=connector(fake)) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing is paid" in out
    assert "would pay" in out
    assert f"{len(owed)} creators would be paid" in out
    assert payment_posts(fake) == 0
    assert owed_in_period(fake) == owed


@pytest.mark.parametrize("seed", range(8))
def test_killed_at_a_random_request_then_rerun_pays_everyone_exactly_once(
    fake: FakeTrackAGoat, seed: int
) -> None:
    owed = owed_in_period(fake)
    rng = random.Random(seed)
    # A run lists projects, methods, accruals and creators, then pays each creator once.
    at = rng.randint(1, 4 + len(owed))
    committed = rng.random() < 0.5  # killed after the server answered, or before it saw it

    def kill(number: int, _: httpx.Request) -> None:
        if number == at:
            raise Killed

    gate = Gate(fake, after=kill) if committed else Gate(fake, before=kill)
    with pytest.raises(BaseException) as stopped:  # noqa: PT011 - Killed, maybe in a group
        trackagoat_payouts.main(FLAGS, connect=connector(fake, gate))
    assert stopped.type is Killed or stopped.group_contains(Killed)
    assert len(payments_of_the_run(fake)) <= len(owed)

    assert trackagoat_payouts.main(FLAGS, connect=connector(fake)) == 0
    assert_paid_exactly_once(fake, owed)


def test_faults_on_payments_are_retried_with_the_same_key_and_never_pay_twice(
    fake: FakeTrackAGoat,
) -> None:
    owed = owed_in_period(fake)
    fake.faults = FaultPlan(
        seed=2,
        error_503=0.2,
        error_500=0.2,
        drop_after_commit=0.3,
        paths={"/payout-payments"},
    )
    first = trackagoat_payouts.main(FLAGS, connect=connector(fake))
    assert fake.faults_injected["drop_after_commit"]
    assert fake.idempotent_replays  # a lost answer came back as the first payment
    fake.faults = FaultPlan()
    again = trackagoat_payouts.main(FLAGS, connect=connector(fake))
    assert (first, again) == (0, 0) or (first, again) == (1, 0)
    assert_paid_exactly_once(fake, owed)


def test_a_payment_that_keeps_failing_exits_1_and_a_rerun_pays_the_rest(
    fake: FakeTrackAGoat, capsys: pytest.CaptureFixture[str]
) -> None:
    owed = owed_in_period(fake)
    fake.faults = FaultPlan(seed=3, error_500=0.5, paths={"/payout-payments"})
    assert trackagoat_payouts.main(FLAGS, connect=connector(fake, attempts=1)) == 1
    captured = capsys.readouterr()
    failed = captured.out.count("FAILED: 500 internal_error")
    assert failed >= 1
    assert "[request_id=req_" in captured.out
    assert f"{failed} of {len(owed)} payments failed; rerun" in captured.err
    assert len(payments_of_the_run(fake)) == len(owed) - failed

    fake.faults = FaultPlan()
    assert trackagoat_payouts.main(FLAGS, connect=connector(fake)) == 0
    assert_paid_exactly_once(fake, owed)


@pytest.mark.usefixtures("sigint_raises_keyboard_interrupt")
def test_ctrl_c_mid_run_then_rerun_pays_everyone_exactly_once(
    fake: FakeTrackAGoat, capsys: pytest.CaptureFixture[str]
) -> None:
    owed = owed_in_period(fake)
    payments = 0

    def press_ctrl_c(_: int, request: httpx.Request) -> None:
        nonlocal payments
        if request.method == "POST" and request.url.path.endswith("/payout-payments"):
            payments += 1
            if payments == 3:
                signal.raise_signal(signal.SIGINT)

    gate = Gate(fake, before=press_ctrl_c)
    assert trackagoat_payouts.main(FLAGS, connect=connector(fake, gate)) == 130
    assert "interrupted; rerun to pay the rest (nobody is paid twice)" in capsys.readouterr().err
    assert 0 < len(payments_of_the_run(fake)) < len(owed)

    assert trackagoat_payouts.main(FLAGS, connect=connector(fake)) == 0
    assert_paid_exactly_once(fake, owed)


def test_an_unknown_method_or_a_disabled_one_exits_2_before_paying(
    fake: FakeTrackAGoat, capsys: pytest.CaptureFixture[str]
) -> None:
    assert trackagoat_payouts.main([*FLAGS, "--method", "Wise"], connect=connector(fake)) == 2
    error = capsys.readouterr().err
    assert "no active payout method named 'Wise'" in error
    assert "Venmo" in error
    assert payment_posts(fake) == 0
    assert trackagoat_payouts.main([*FLAGS, "--method", "paypal"], connect=connector(fake)) == 0
    assert {p["method_name"] for p in payments_of_the_run(fake)} == {"PayPal"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--period", "2026-13"], "--period must be YYYY-MM"),
        (["--period", "May"], "--period must be YYYY-MM"),
        (["--project-id", "first"], "--project-id must be a UUID"),
        (["--method", " "], "--method must name a payout method"),
        (["--requests-per-minute", "0"], "--requests-per-minute must be > 0"),
    ],
)
def test_bad_flags_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        trackagoat_payouts.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_money_is_formatted_from_integer_cents() -> None:
    assert trackagoat_payouts.money(123_456_789) == "$1,234,567.89"
    assert trackagoat_payouts.money(5) == "$0.05"
    assert trackagoat_payouts.money(-250) == "-$2.50"


def test_the_command_runs_on_the_embedded_fake_and_says_so_first() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKAGOAT_")}
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "trackagoat_payouts.py"),
            "--dry-run",
            "--requests-per-minute",
            "60000",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "trackagoat_payouts: using embedded FakeTrackAGoat at http://127.0.0.1:"
    )
    assert lines[0].endswith("(TRACKAGOAT_API_KEY is not set)")
    assert "dry run: nothing is paid" in lines[1]
    assert lines[-1].endswith("creators would be paid")
    assert done.stderr == ""
