"""examples/trackagoat_onboard.py on its embedded FakeTrackAGoat: the outcome of every handle,
a series per onboarded creator, and clean failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import trackagoat_onboard

from .conftest import EXAMPLES

FAST = ["--requests-per-minute", "60000"]


@pytest.fixture(autouse=True)
def no_real_trackagoat(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRACKAGOAT_API_KEY", "TRACKAGOAT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_onboards_the_shipped_list_and_charts_every_creator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handles, rejected = trackagoat_onboard.read_handles(EXAMPLES / "handles.txt")
    assert len(handles) == 120
    assert not rejected

    assert trackagoat_onboard.main(FAST) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(
        "trackagoat_onboard: using embedded FakeTrackAGoat at http://127.0.0.1:"
    )
    assert "TRACKAGOAT_API_KEY is not set" in lines[0]
    report = dict(re.findall(r"^  @(\S+)\s+(created|reactivated|failed \(\w+\))$", out, re.M))
    assert sorted(report) == sorted(handles)  # every handle, once
    assert "summary: 112 created, 4 reactivated, 4 failed (2 creator_banned, 2 duplicate)" in out
    assert report["banned.account"] == "failed (creator_banned)"

    charted = dict(re.findall(r"^  @(\S+)\s+[▁-█·]{30}\s+([\d,]+) views", out, re.M))
    onboarded = {h for h, outcome in report.items() if not outcome.startswith("failed")}
    assert set(charted) == onboarded
    reactivated = [h for h, outcome in report.items() if outcome == "reactivated"]
    assert all(int(charted[h].replace(",", "")) > 0 for h in reactivated)  # history kept
    assert all(charted[h] == "0" for h, outcome in report.items() if outcome == "created")


def test_skips_lines_that_are_not_handles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "few.txt"
    listing.write_text(
        "# three\n@one.more\nhttps://www.tiktok.com/@two_more?lang=en\n\nnot a handle!\nONE.MORE\n"
    )
    assert trackagoat_onboard.main([str(listing), "--days", "7", *FAST]) == 0
    out = capsys.readouterr().out
    assert "read 2 handles" in out
    assert "1 lines skipped" in out
    assert "summary: 2 created, 0 reactivated, 0 failed" in out
    assert re.search(r"^  @two_more\s+·{7}\s+0 views", out, re.M)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--days", "0"], "--days must be between 1 and 365"),
        (["nowhere.txt"], "no such file"),
        (["--project-id", "42"], "--project-id must be a UUID"),
        (["--requests-per-minute", "-1"], "--requests-per-minute must be > 0"),
        (["--tracking-mode", "all"], "invalid choice"),
    ],
)
def test_bad_flags_exit_2_with_a_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        trackagoat_onboard.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_an_api_failure_is_one_line_with_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    unknown = "00000000-0000-4000-8000-00000000beef"
    assert trackagoat_onboard.main(["--project-id", unknown, *FAST]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("trackagoat_onboard: failed: ")
    assert "404 not_found" in err[0]
    assert re.search(r"req_[0-9a-f]{32}", err[0])


def test_a_base_url_without_a_key_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert trackagoat_onboard.main(["--base-url", "https://www.trackagoat.com/api/v1"]) == 2
    assert "needs TRACKAGOAT_API_KEY" in capsys.readouterr().err
