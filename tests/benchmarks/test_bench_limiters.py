"""bench_limiters' pure pieces: the oracle's admission rule and planning, the figures, the targets.

The benchmark itself is not run in CI; these run in well under a second.
"""

from __future__ import annotations

import math
import random
import types

import pytest
from benchmarks._limiter_clients import LimiterModel, Outcome, _Admission, _allowance

from benchmarks import bench_limiters
from creatorsdk.testing import FakeClock
from creatorsdk.testing._limiters import LIMITER_KINDS, LeakyBucketLimiter, make_limiter

START = 1_781_429_400.25


def _oracle_sends(model: LimiterModel, seconds: float, step: float = 0.001) -> list[float]:
    """Send times of a sender that goes whenever the oracle's admission says so."""
    admission = _Admission(model)
    sends: list[float] = []
    now = START
    while now < START + seconds:
        wait = admission.wait(now)
        if wait > 0:
            now += wait
            continue
        sends.append(now)
        admission.take(now)
        now += step
    return sends


def _real(model: LimiterModel, clock: FakeClock) -> object:
    if model.kind == "headerless":
        return LeakyBucketLimiter(model.limit, model.window, clock, burst=model.burst)
    return make_limiter(model.kind, model.limit, model.window, clock)


@pytest.mark.parametrize("kind", LIMITER_KINDS)
def test_the_oracle_is_never_refused_and_wastes_little(kind: str) -> None:
    model = LimiterModel(kind, 20, 1.0, burst=3, count_delay=0.04, guard=0.02)
    sends = _oracle_sends(model, 5.0)
    # The limiter counts each request somewhere in [send + delay, send + delay + guard].
    jitter = random.Random(kind)
    counted = sorted(t + model.count_delay + jitter.uniform(0, model.guard) for t in sends)
    clock = FakeClock(counted[0])
    limiter = _real(model, clock)
    for instant in counted:
        clock.advance(instant - clock.now())
        assert limiter.hit("key").allowed, f"{kind}: refused at {instant - START:.3f} s"  # type: ignore[attr-defined]
    # Over 5 s, at least the steady rate's worth (bursts and full windows come on top).
    assert len(sends) >= 0.9 * model.rate * 5


def test_a_fixed_window_is_spent_whole_but_never_across_its_end() -> None:
    model = LimiterModel("fixed-epoch", 10, 1.0, count_delay=0.04, guard=0.02)
    sends = _oracle_sends(model, 2.0)
    first_window = [t for t in sends if t + model.count_delay < math.floor(START) + 1]
    assert len(first_window) == 10
    # Nothing sent so late that its count could fall into the next window.
    assert max(first_window) + model.count_delay + model.guard < math.floor(START) + 1


def test_chunks_leave_the_listing_the_slots_it_needs() -> None:
    model = LimiterModel("fixed-epoch", 10, 1.0, count_delay=0.0, guard=0.0)
    admission = _Admission(model)
    now = math.floor(START)  # the start of a window
    # Five more pages at 0.1 s each fit in this window: five of its ten slots are theirs.
    assert _allowance(admission, now, now, 5, 0.1, most=20) == 5
    # Pages that cannot reach this window anyway leave it all to the chunks.
    assert _allowance(admission, now, now + 1.0, 5, 0.1, most=20) == 10
    # No listing left: whatever the limiter admits.
    assert _allowance(admission, now, now, 0, 0.1, most=3) == 3


def test_rate_bound_follows_the_algorithm() -> None:
    epoch = LimiterModel("fixed-first", 100, 1.0)
    assert bench_limiters.rate_bound(epoch, 150) == pytest.approx(1.0)
    assert bench_limiters.rate_bound(epoch, 100) == 0.0
    bucket = LimiterModel("token-bucket", 100, 1.0)
    assert bench_limiters.rate_bound(bucket, 150) == pytest.approx(0.5)
    nginx = LimiterModel("headerless", 100, 1.0, burst=10)
    assert bench_limiters.rate_bound(nginx, 111) == pytest.approx(1.0)


def test_start_instants_are_aligned_and_after_the_limiter_forgot() -> None:
    model = LimiterModel("sliding", 100, 1.0)
    assert bench_limiters._reset_gap(model, 1000.3) == 1002.0
    assert bench_limiters._aligned(1002.0, 1.0, 0.5) == 1002.5
    assert bench_limiters._aligned(1002.7, 1.0, 0.5) == 1003.5
    moving = LimiterModel("moving", 10, 6.0, guard=0.02)
    assert bench_limiters._reset_gap(moving, 100.0) == pytest.approx(106.02)


def _outcome(wall: float, requests: int, refused: int = 0) -> Outcome:
    return Outcome(wall=wall, requests=requests, rate_limited=refused)


def test_figures_are_ratios_to_the_oracle_repeat_by_repeat() -> None:
    row = bench_limiters.rows(quick=True)[0]
    oracle = [_outcome(2.0, 100), _outcome(4.0, 100), _outcome(3.0, 100)]
    sdk = [_outcome(4.0, 100), _outcome(4.0, 110, 10), Outcome(error="boom")]
    figures = bench_limiters.figures(row, sdk, oracle)
    assert figures is not None
    assert figures.vs_oracle.median == pytest.approx(0.75)  # 0.5 and 1.0; the failure left out
    assert figures.share_429.high == pytest.approx(10 / 110)
    assert figures.utilisation.low == pytest.approx(100 / 4.0 / 100)
    assert bench_limiters.figures(row, [Outcome(error="x")], [_outcome(1.0, 1)]) is None


def test_targets_name_every_miss() -> None:
    row = bench_limiters.rows(quick=True)[0]
    oracle = [_outcome(2.0, 1200)] * 3
    results = {
        "oracle": oracle,
        bench_limiters.SDK.label: [_outcome(2.5, 1210, 10)] * 3,
        bench_limiters.SDK32.label: [_outcome(2.0, 1200)] * 3,
    }
    figs = {label: bench_limiters.figures(row, outs, oracle) for label, outs in results.items()}
    rows = bench_limiters.targets(row, figs, None)
    verdicts = {(r[0], r[1]): r[3] for r in rows}
    assert verdicts[(bench_limiters.SDK.label, "≥ 0.95 of the oracle")] == "**missed**"
    assert verdicts[(bench_limiters.SDK.label, "429s ≤ 0.5 %")] == "**missed**"
    assert (
        verdicts[(f"{bench_limiters.SDK32.label} vs 8", "≥ 0.98 × the speed, no more 429s")]
        == "met"
    )


def test_each_client_is_measured_against_the_oracle_that_ran_beside_it() -> None:
    job = bench_limiters.Job(videos=400, account_id="a", keys=("k1", "k2"))
    row = bench_limiters.rows(quick=True)[0]
    oracle = bench_limiters.ORACLE.label
    results = {
        oracle: [_outcome(1.0, 100), _outcome(2.0, 100), _outcome(4.0, 100)],
        bench_limiters.SDK.label: [_outcome(2.0, 100)],
        bench_limiters.SDK32.label: [_outcome(2.0, 100)],
        bench_limiters.RAW.label: [_outcome(8.0, 100)],
    }
    beside = {
        bench_limiters.SDK.label: [results[oracle][0]],
        bench_limiters.SDK32.label: [results[oracle][1]],
        bench_limiters.RAW.label: [results[oracle][2]],
    }
    text = bench_limiters.render(
        job, [(row, bench_limiters.RowResults(results, beside))], [], None, 1, True
    )
    # SDK 1 / 2, SDK 32 2 / 2, raw 4 / 8: each against its own partner, not a pooled oracle.
    assert f"| {row.title} | {row.requests} | 2.00 (1.00–4.00) | 0.50 | 0.0 % | 1.00 |" in text


def test_the_section_renders_skips_and_failures() -> None:
    job = bench_limiters.Job(videos=400, account_id="a", keys=("k1", "k2"))
    row = bench_limiters.rows(quick=True)[1]
    good = [_outcome(1.0, 60)]
    results = {c.label: good for c in row.clients}
    results[bench_limiters.RAW.label] = [Outcome(error="RuntimeError: gave up")]
    beside = {c.label: good for c in row.clients if c is not bench_limiters.ORACLE}
    text = bench_limiters.render(
        job,
        [(row, bench_limiters.RowResults(results, beside))],
        ["**nginx**: not measured: nginx is not installed."],
        "no store",
        1,
        True,
    )
    assert text.startswith("## 6. At the rate limit on any limiter")
    assert f"| header-less leaky bucket (fake), 100 / 1 s | {row.requests} | 1.00 | 1.00 |" in text
    # 60 answered in 1 s of a 100-per-second limit: the machine, not the limiter, set the pace.
    assert "Bound by the machine, not by the limiter, on 1 of 1 rows** (headerless: 0.60" in text
    assert "nginx is not installed" in text
    assert "The shared budget store's rows were not measured**: no store." in text
    assert "raw httpx + gather: RuntimeError: gave up" in text


@pytest.mark.parametrize(("client", "limit"), [("oracle", 4), ("sdk", 100), ("raw", 100)])
async def test_each_client_runs_a_tiny_job_against_a_served_fake(client: str, limit: int) -> None:
    # The oracle meets its limit (no wait over 0.1 s); the others do not (raw would sleep 1 s).
    from benchmarks._limiter_clients import _CLIENTS, ClientSpec

    from creatorsdk.testing import FakeCreatorAudit

    fake = FakeCreatorAudit(
        5, accounts=1, videos_per_account=(450, 450), tracked_videos=0, creators=0,
        history_days=10, rate_limit=limit, rate_window=0.1, limiter="fixed-first",
    )  # fmt: skip
    account_id = next(iter(fake.store.accounts))
    model = LimiterModel("fixed-first", limit, 0.1, count_delay=0.0, guard=0.03)
    async with fake.serve() as base_url:
        spec = ClientSpec(
            client=client,
            base_url=base_url,
            api_key=fake.api_key,
            account_id=account_id,
            ids=[f"00000000-0000-4000-8000-{n:012d}" for n in range(600)],
            start_at=0.0,
            model=model,
            pages=3,
        )
        out = Outcome()
        await _CLIENTS[client](spec, out)
    assert (out.listed, out.deltas, out.pages) == (450, 600, 3)
    assert out.requests - out.rate_limited == 6  # 3 pages + 3 chunks answered
    assert out.error is None
    # (Whether the oracle drew no 429 depends on this machine's scheduling jitter; the rule
    # itself is tested above, on a clock.)
    assert (out.page_seconds > 0) == (client == "oracle")


def test_rows_can_be_chosen_by_key_and_an_unknown_key_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BENCH_LIMITER_ROWS", "headerless")
    assert [row.key for row in bench_limiters.wanted_rows(quick=True)] == ["headerless"]
    monkeypatch.setenv("BENCH_LIMITER_ROWS", "headerless, nope")
    with pytest.raises(ValueError, match="nope"):
        bench_limiters.wanted_rows(quick=True)
    monkeypatch.delenv("BENCH_LIMITER_ROWS")
    assert len(bench_limiters.wanted_rows(quick=True)) == len(bench_limiters.rows(quick=True))


@pytest.mark.parametrize(
    "key",
    [
        "epoch",
        "epoch-10s",
        "epoch-6s",
        "first",
        "sliding",
        "token",
        "slowapi-fixed",
        "slowapi-sliding",
    ],
)
def test_rows_whose_budget_is_there_at_once_also_run_the_capped_oracle(key: str) -> None:
    """Fixed windows, counters and buckets hold a window's (or a bucket's) budget at once:
    there the cap sets how fast it goes, and the oracle with 8 in flight says how much."""
    row = next(r for r in bench_limiters.rows(quick=False) if r.key == key)
    assert bench_limiters.ORACLE8 in row.clients


def test_the_sdk_is_also_set_against_an_oracle_with_its_own_cap() -> None:
    """On fixed-window rows the oracle also runs with 8 in flight: the SDK's ratio to it is
    taken through the oracle each ran beside (context for the issue's target, not one)."""
    row = next(r for r in bench_limiters.rows(quick=False) if r.key == "epoch")
    assert bench_limiters.ORACLE8 in row.clients
    oracle, sdk, capped = (
        bench_limiters.ORACLE.label,
        bench_limiters.SDK.label,
        bench_limiters.ORACLE8.label,
    )
    results = {
        oracle: [_outcome(1.0, 300), _outcome(2.0, 300)],
        sdk: [_outcome(3.0, 300)],
        capped: [_outcome(4.0, 300)],
    }
    # The SDK's partner took 1.0 s, the capped oracle's 2.0 s: 1/3 ÷ 2/4 = 0.67.
    beside = {sdk: [results[oracle][0]], capped: [results[oracle][1]]}
    ratio = bench_limiters._same_cap_ratio(bench_limiters.RowResults(results, beside))
    assert ratio is not None
    assert ratio.median == pytest.approx((1.0 / 3.0) / (2.0 / 4.0))
    figs = {
        label: bench_limiters.figures(row, outs, results[oracle][:1])
        for label, outs in {sdk: results[sdk]}.items()
    }
    cells = bench_limiters.targets(row, figs, None, ratio)
    assert [sdk, "(context) ÷ an oracle with the same 8 in flight", "0.67", "not a target"] in cells


def test_the_uneven_row_deals_its_chunks_as_it_says_and_lists_nothing() -> None:
    """Four processes with 210, 30, 30 and 30 deltas chunks and no listing (the oracle, one
    process, has them all); its figures are context beside the shared row's targets."""
    job = bench_limiters.Job(videos=6000, account_id="a", keys=("k1", "k2"))
    row = next(r for r in bench_limiters.rows(quick=False) if r.key == "uneven")
    ids = job.ids_for(row)
    assert len(ids) == row.requests * bench_limiters.PAGE
    server = types.SimpleNamespace(base_url="http://127.0.0.1:1/v2")
    four = bench_limiters._specs(row.clients[1], "k1", server, job, ids, 0.0, row, None, 0)
    assert [len(spec.ids) // bench_limiters.PAGE for spec in four] == [210, 30, 30, 30]
    assert sorted(i for spec in four for i in spec.ids) == sorted(ids)
    (one,) = bench_limiters._specs(bench_limiters.ORACLE, "k2", server, job, ids, 0.0, row, None, 0)
    assert one.ids == ids
    assert not any(spec.lists for spec in [*four, one])
    oracle = [_outcome(2.0, 300)]
    figs = {c.label: bench_limiters.figures(row, oracle, oracle) for c in row.clients[1:]}
    cells = bench_limiters.targets(row, figs, None)
    assert [cell[1:] for cell in cells] == [
        ["(context) ÷ the oracle", "1.00, 0.00 % 429s", "not a target"]
    ] * 2
