"""examples/bulk_ingest.py: the database equals the fake, reruns are no-ops, resumes are exact."""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import _api
import anyio
import bulk_ingest
import httpx
import pytest

from creatorsdk.testing import FakeCreatorAudit, FaultPlan

from .conftest import (
    EXAMPLES,
    Tap,
    connector,
    data_tables,
    expected,
    expected_ranking,
    records,
    rows,
    small_fake,
)

FLAGS = ("--quiet", "--page-size", "4")
#: A fault seed under which one of two deltas chunks fails and the other succeeds.
DELTAS_FAULT_SEED = 1


async def ingest(
    fake: FakeCreatorAudit,
    db: Path,
    *flags: str,
    attempts: int = 5,
    taps: list[Tap] | None = None,
) -> tuple[int, str]:
    """Run the example in-process against ``fake``; returns the exit code and its stdout."""
    out = io.StringIO()
    options = bulk_ingest.parse_args(["--db", str(db), *FLAGS, *flags])
    code = await bulk_ingest.run(options, connector(fake, attempts=attempts, taps=taps), out)
    return code, out.getvalue()


async def reference(tmp_path: Path, *flags: str) -> dict[str, list[tuple[Any, ...]]]:
    """What an uninterrupted run against a fresh, identical fake stores."""
    db = tmp_path / "reference.db"
    code, _ = await ingest(small_fake(), db, *flags)
    assert code == 0
    return data_tables(db)


def summary_number(out: str, label: str) -> int:
    """A number from the summary, e.g. ``rows changed``."""
    match = re.search(rf"^  {label}\s+([\d,]+)", out, re.MULTILINE)
    assert match, f"no {label!r} line in:\n{out}"
    return int(match.group(1).replace(",", ""))


def progress(db: Path) -> dict[str, tuple[str | None, int, int]]:
    """The run's saved progress: stage → (cursor, done, items)."""
    return {stage: (cursor, done, items) for stage, cursor, done, items in rows(db, "progress")}


def assert_matches_fake(db: Path, fake: FakeCreatorAudit, windows: Sequence[int]) -> None:
    """Every account, video and delta of the fake is in the database exactly once, as served."""
    store = fake.store
    assert records(db, "accounts") == expected(store.accounts, bulk_ingest.ACCOUNT_COLUMNS)
    assert records(db, "account_videos") == expected(
        store.account_videos, bulk_ingest.VIDEO_COLUMNS
    )
    assert records(db, "videos") == expected(store.videos, bulk_ingest.VIDEO_COLUMNS)
    video_ids = [*store.account_videos, *store.videos]
    want = sorted((v, w, store.deltas(v, w)) for v in video_ids for w in windows)
    assert rows(db, "deltas") == want


async def test_a_run_stores_exactly_the_fakes_organization(
    fake: FakeCreatorAudit, db: Path
) -> None:
    taps: list[Tap] = []
    code, out = await ingest(fake, db, taps=taps)

    assert code == 0
    assert_matches_fake(db, fake, (1, 7, 30))
    # The fixture really has videos without history, so "exactly once" includes null deltas.
    assert any(d is None for *_, d in rows(db, "deltas"))
    assert out.splitlines()[0] == "bulk_ingest: using the test fake"
    store = fake.store
    videos = len(store.account_videos) + len(store.videos)
    assert summary_number(out, "accounts") == len(store.accounts)
    assert summary_number(out, "account-videos") == len(store.account_videos)
    assert summary_number(out, "tracked videos") == len(store.videos)
    assert summary_number(out, "deltas") == videos
    assert summary_number(out, "rows changed") == len(store.accounts) + videos + 3 * videos
    assert summary_number(out, "requests") == taps[0].count == len(fake.requests)
    # Page size 4 means several pages per listing: the cursors were followed.
    assert any("cursor" in r.query for r in fake.requests if r.path.endswith("/account-videos"))
    # Plain lines for every stage, since the output is not a terminal.
    for stage in ("accounts", "account-videos", "tracked videos", "deltas"):
        assert f"{stage}: done" in out


async def test_the_summary_counts_retries_and_429s_and_ranks_breakouts(db: Path) -> None:
    fake = small_fake(faults=FaultPlan(seed=3, error_429=0.15, error_503=0.15, retry_after=1))
    taps: list[Tap] = []
    code, out = await ingest(fake, db, "--windows", "1,7,30", "--top", "5", taps=taps)

    assert code == 0
    assert_matches_fake(db, fake, (1, 7, 30))
    statuses = [status for _, status, _ in taps[0].responses]
    assert statuses.count(429) > 0
    assert statuses.count(503) > 0
    assert re.search(
        rf"requests\s+{len(statuses)}  sent, {statuses.count(429) + statuses.count(503)} "
        rf"retried, {statuses.count(429)} answered 429",
        out,
    ), out

    # Top 5 over 7 days, as computed from the fake: videos without history are skipped.
    top = [video_id for video_id, _ in expected_ranking(fake, 7, 5)]
    listed = re.findall(r"^\s+\d+\. +\+[\d,]+ .* ([0-9a-f-]{36})$", out, re.MULTILINE)
    assert listed == top
    assert "top 5 breakouts: views gained over 7 days" in out


async def test_a_rerun_changes_nothing_and_an_upstream_change_changes_one_row(
    fake: FakeCreatorAudit, db: Path
) -> None:
    assert (await ingest(fake, db))[0] == 0
    before = data_tables(db)

    code, out = await ingest(fake, db)
    assert code == 0
    assert summary_number(out, "rows changed") == 0
    assert data_tables(db) == before

    account_id = next(iter(fake.store.accounts))
    fake.store.update("accounts", account_id, {"category": "changed-upstream"})
    code, out = await ingest(fake, db)
    assert code == 0
    assert summary_number(out, "rows changed") == 1
    assert records(db, "accounts")[account_id]["category"] == "changed-upstream"
    assert_matches_fake(db, fake, (1, 7, 30))


async def test_platform_and_max_accounts_scope_every_stage(
    fake: FakeCreatorAudit, db: Path
) -> None:
    code, out = await ingest(fake, db, "--platform", "tiktok", "--max-accounts", "5")

    assert code == 0
    accounts = records(db, "accounts")
    assert len(accounts) == 5
    assert {a["platform"] for a in accounts.values()} == {"tiktok"}
    store = fake.store
    want_videos = {v for v, r in store.account_videos.items() if r["account_id"] in accounts}
    assert set(records(db, "account_videos")) == want_videos
    tracked = {v for v, r in store.videos.items() if r["platform"] == "tiktok"}
    assert set(records(db, "videos")) == tracked
    assert {video_id for video_id, *_ in rows(db, "deltas")} == want_videos | tracked
    assert summary_number(out, "accounts") == 5


async def test_an_api_failure_mid_stage_exits_1_and_resume_finishes_identically(
    fake: FakeCreatorAudit,
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake.faults = FaultPlan(seed=5, error_503=0.1, paths={"/account-videos"})
    taps: list[Tap] = []
    code, out = await ingest(fake, db, attempts=1, taps=taps)

    assert code == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert error[0].startswith("bulk_ingest: failed: 503 SERVICE_UNAVAILABLE")
    request_id = re.search(r"request_id=([\w-]+)", error[0])
    assert request_id
    assert request_id.group(1) in taps[0].request_ids(503)
    assert "rerun with --resume" in error[0]

    # Interrupted mid-stage: some accounts finished, some not; what is stored is consistent.
    saved = progress(db)
    account_stages = {s: v for s, v in saved.items() if s.startswith("account-videos:")}
    finished = {s.partition(":")[2] for s, (_, done, _) in account_stages.items() if done}
    partial = {s.partition(":")[2]: c for s, (c, done, _) in account_stages.items() if c}
    assert 0 < len(finished) < len(fake.store.accounts)
    assert partial, "no account was interrupted between two of its pages"
    stored = records(db, "account_videos")
    assert sum(items for _, _, items in account_stages.values()) == len(stored)
    for video_id, video in stored.items():
        assert video == expected(fake.store.account_videos, bulk_ingest.VIDEO_COLUMNS)[video_id]

    fake.faults = FaultPlan()
    fake.reset_requests()
    code, out = await ingest(fake, db, "--resume")

    assert code == 0
    assert "bulk_ingest: resuming the interrupted run" in out
    assert data_tables(db) == await reference(tmp_path)
    assert_matches_fake(db, fake, (1, 7, 30))
    # Finished stages and pages were not fetched again; interrupted accounts went on from
    # their saved cursors.
    listed = [r for r in fake.requests if r.path.endswith("/account-videos")]
    assert not {r.query["account_id"][0] for r in listed} & finished
    assert not any(r.path.endswith("/accounts") for r in fake.requests)
    for account_id, cursor in partial.items():
        first = next(r for r in listed if r.query["account_id"] == [account_id])
        assert first.query["cursor"] == [cursor]


async def test_a_failed_deltas_chunk_exits_1_keeping_the_other_chunks_and_resume_completes(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 250 tracked videos: the deltas go out in two 200-id chunks, and one of them fails.
    fake = small_fake(tracked_videos=250)
    fake.faults = FaultPlan(seed=DELTAS_FAULT_SEED, error_500=0.5, paths={"/videos/deltas"})
    taps: list[Tap] = []
    code, _ = await ingest(fake, db, "--page-size", "200", attempts=1, taps=taps)

    assert code == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert "1 of 2 chunks failed; first: 500 INTERNAL_ERROR on POST /v2/videos/deltas" in error[0]
    request_id = re.search(r"request_id=([\w-]+)", error[0])
    assert request_id
    assert request_id.group(1) in taps[0].request_ids(500)
    # The chunk that succeeded is saved; the failed one's ids wait for the resume.
    videos = len(fake.store.account_videos) + len(fake.store.videos)
    stored = {video_id for video_id, *_ in rows(db, "deltas")}
    pending = {video_id for (video_id,) in rows(db, "pending_deltas")}
    assert stored
    assert pending
    assert not stored & pending
    assert len(stored) + len(pending) == videos
    assert len(rows(db, "deltas")) == 3 * len(stored)

    fake.faults = FaultPlan()
    fake.reset_requests()
    code, _ = await ingest(fake, db, "--page-size", "200", "--resume")
    assert code == 0
    assert_matches_fake(db, fake, (1, 7, 30))
    asked = [
        i for r in fake.requests if r.path.endswith("/videos/deltas") for i in r.body["video_ids"]
    ]
    assert sorted(asked) == sorted(pending)


@pytest.mark.usefixtures("sigint_raises_keyboard_interrupt")
def test_ctrl_c_mid_stage_then_resume_finishes_identically(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = small_fake()
    listed = 0

    def press_ctrl_c(_: int, request: httpx.Request) -> None:
        nonlocal listed
        if request.url.path.endswith("/account-videos"):
            listed += 1
            if listed == 9:
                signal.raise_signal(signal.SIGINT)

    argv = ["--db", str(db), *FLAGS]
    assert bulk_ingest.main(argv, connect=connector(fake, before=press_ctrl_c)) == 130
    assert "interrupted; every finished page is saved" in capsys.readouterr().err
    saved = progress(db)
    assert saved["accounts"][1] == 1
    assert not all(done for s, (_, done, _) in saved.items() if s.startswith("account-videos:"))
    assert "deltas" not in saved

    assert bulk_ingest.main([*argv, "--resume"], connect=connector(fake)) == 0
    assert data_tables(db) == anyio.run(reference, tmp_path)
    assert_matches_fake(db, fake, (1, 7, 30))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--windows", "0,7"], "--windows takes 1 to 10 day counts"),
        (["--windows", "1,x"], "--windows takes comma-separated day counts"),
        (["--windows", ",".join(map(str, range(1, 12)))], "--windows takes 1 to 10"),
        (["--concurrency", "0"], "--concurrency must be 1 to 64"),
        (["--concurrency", "many"], "--concurrency: invalid int value"),
        (["--platform", "myspace"], "--platform: invalid choice"),
        (["--max-accounts", "0"], "--max-accounts must be at least 1"),
        (["--page-size", "500"], "--page-size must be 1 to 200"),
        (["--breakout-window", "14"], "--breakout-window must be one of --windows"),
        (["--base-url", "https://example.test/v2"], "--base-url needs CREATORAUDIT_API_KEY"),
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_bad_flags_exit_2_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bulk_ingest.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


async def test_an_unusable_db_exits_2_before_any_request(
    fake: FakeCreatorAudit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await ingest(fake, tmp_path))[0] == 2  # a directory
    assert "--db" in capsys.readouterr().err

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE videos (id TEXT PRIMARY KEY, source TEXT NOT NULL)")
    assert (await ingest(fake, foreign))[0] == 2
    assert "not written by this version of bulk_ingest" in capsys.readouterr().err
    assert fake.requests == []


async def test_resume_refuses_a_different_scope(
    fake: FakeCreatorAudit, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.faults = FaultPlan(error_503=1.0, paths={"/videos"})
    assert (await ingest(fake, db, attempts=1))[0] == 1
    capsys.readouterr()

    code, _ = await ingest(fake, db, "--resume", "--windows", "7")
    assert code == 2
    assert "--resume must use the interrupted run's" in capsys.readouterr().err


def test_the_reporter_draws_rich_bars_on_a_terminal() -> None:
    out = io.StringIO()
    reporter = bulk_ingest.Reporter(bars=True, out=out)
    with reporter, reporter.stage("account-videos", total=3, unit="accounts") as advance:
        advance(40, 0)
        advance(0, 1)
        advance(2, 2)
    drawn = out.getvalue()
    assert "account-videos" in drawn
    assert "3/3 accounts, 42 items" in drawn
    assert "━" in drawn  # the bar itself


@pytest.mark.slow
def test_the_command_runs_end_to_end_on_the_embedded_fake(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREATORAUDIT_")}
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "bulk_ingest.py"),
            "--db",
            str(db),
            "--quiet",
            "--max-accounts",
            "3",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bulk_ingest: using embedded FakeCreatorAudit at http://127.0.0.1:")
    assert "(CREATORAUDIT_API_KEY is not set)" in lines[0]
    assert "account-videos: done, 3/3 accounts" in done.stdout
    assert "top 10 breakouts: views gained over 7 days" in done.stdout
    assert len(rows(db, "accounts")) == 3
    assert len(rows(db, "videos")) == _api.DEMO_ORG["tracked_videos"]
    assert done.stderr == ""


async def test_a_base_url_the_client_refuses_exits_2_before_any_request(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREATORAUDIT_API_KEY", "ca_test_key_never_sent")
    options = bulk_ingest.parse_args(["--db", str(db), "--base-url", "http://api.example.test/v2"])
    # The real connect: the SDK refuses plain http to a non-loopback host in its constructor.
    assert await bulk_ingest.run(options, out=io.StringIO()) == 2
    error = capsys.readouterr().err
    assert "bulk_ingest:" in error
    assert "http" in error
    assert "ca_test_key_never_sent" not in error
