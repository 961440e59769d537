"""examples/breakouts.py: ranks by views gained, skips videos without history, fails cleanly."""

from __future__ import annotations

import datetime as dt
import re
from types import MappingProxyType

import breakouts
import pytest

from creatorsdk._engine.decoding import Id
from creatorsdk.creatoraudit import Deltas, Video
from creatorsdk.testing import FakeCreatorAudit, FaultPlan

from .conftest import Tap, client_for, connector, connector_sync, expected_ranking

SCRAPED = dt.datetime(2026, 6, 14, 9, 30, tzinfo=dt.UTC)


def video(video_id: str, *, scraped: bool = True) -> Video:
    return Video(id=Id(video_id), last_scrape_time=SCRAPED if scraped else None)


def test_rank_orders_by_views_gained_and_skips_videos_without_history() -> None:
    videos = [video(i) for i in "abcdeg"] + [video("f", scraped=False)]
    deltas = Deltas(
        data=MappingProxyType(
            {
                "a": {7: 500},
                "b": {7: 900},
                "c": {7: None},  # too little history for the window
                # "d" has no row at all (not found)
                "e": {7: 900, 30: 5},
                "f": {7: 10_000},  # never scraped: a delta without a baseline
                "g": {7: -5},  # a platform recount
            }
        )
    )

    ranked = breakouts.rank(videos, deltas, window=7, top=10)
    assert [(b.video.id, b.views_gained) for b in ranked] == [
        ("b", 900),
        ("e", 900),
        ("a", 500),
        ("g", -5),
    ]
    assert [b.video.id for b in breakouts.rank(videos, deltas, window=7, top=2)] == ["b", "e"]
    assert [b.video.id for b in breakouts.rank(videos, deltas, window=30, top=5)] == ["e"]
    assert breakouts.rank(videos, deltas, window=1, top=5) == []


@pytest.mark.parametrize(("window", "top", "source"), [(7, 10, "both"), (30, 5, "account")])
async def test_find_breakouts_matches_the_ranking_computed_from_the_fake(
    fake: FakeCreatorAudit, window: int, top: int, source: str
) -> None:
    async with client_for(fake) as ca:
        ranked = await breakouts.find_breakouts(ca, window=window, top=top, source=source)

    want = expected_ranking(fake, window, top, source)
    assert len(want) == top
    assert [(b.video.id, b.views_gained) for b in ranked] == want
    # The fake has videos without history, and none of them made the list.
    store = fake.store
    no_history = {
        v
        for v, r in {**store.account_videos, **store.videos}.items()
        if r["last_scrape_time"] is None or store.deltas(v, window) is None
    }
    assert no_history
    assert not no_history & {b.video.id for b in ranked}
    # One deltas call for every listed video, in 200-id chunks, with only the asked window.
    deltas_bodies = [r.body for r in fake.requests if r.path.endswith("/videos/deltas")]
    assert all(b["windows"] == [window] and len(b["video_ids"]) <= 200 for b in deltas_bodies)


async def test_the_command_prints_a_ranked_table(
    fake: FakeCreatorAudit, capsys: pytest.CaptureFixture[str]
) -> None:
    args = breakouts.parse_args(["--window", "7", "--top", "4"])
    assert await breakouts.run(args, connector(fake)) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "breakouts: using the test fake"
    assert lines[1].split() == ["#", "views", "+7d", "account", "caption", "video", "id"]
    printed = [
        (line.split()[-1], int(line.split()[1].replace(",", "")))
        for line in lines[2:]
        if re.match(r"^\s+\d+\s", line)
    ]
    assert printed == expected_ranking(fake, 7, 4)


async def test_an_api_failure_is_one_line_with_the_request_id_and_exit_1(
    fake: FakeCreatorAudit, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.faults = FaultPlan(error_503=1.0, paths={"/videos/deltas"})
    taps: list[Tap] = []
    args = breakouts.parse_args([])
    assert await breakouts.run(args, connector(fake, attempts=1, taps=taps)) == 1

    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert error[0].startswith("breakouts: failed: 1 of 1 chunks failed; first: 503")
    request_id = re.search(r"request_id=([\w-]+)", error[0])
    assert request_id
    assert request_id.group(1) in taps[0].request_ids(503)


def test_the_sync_variant_prints_the_same_table(
    fake: FakeCreatorAudit, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--window", "7", "--top", "4", "--sync"]
    assert breakouts.main(argv, connect_sync=connector_sync(fake)) == 0
    sync_lines = capsys.readouterr().out.splitlines()
    deltas_calls = [r for r in fake.requests if r.path.endswith("/videos/deltas")]
    assert deltas_calls  # the blocking client really went to the server

    assert breakouts.main(argv[:-1], connect=connector(fake)) == 0
    assert capsys.readouterr().out.splitlines() == sync_lines
    assert sync_lines[0] == "breakouts: using the test fake"
    ranked = [line.split()[-1] for line in sync_lines[2:]]
    assert ranked == [video_id for video_id, _ in expected_ranking(fake, 7, 4)]


def test_the_sync_variant_reports_an_api_failure_on_one_line(
    fake: FakeCreatorAudit, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.faults = FaultPlan(error_503=1.0, paths={"/videos/deltas"})
    assert breakouts.main(["--sync"], connect_sync=connector_sync(fake, attempts=1)) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert re.search(r"503 .*request_id=req_\w+", error[0])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window", "0"], "--window must be between 1 and 365"),
        (["--window", "366"], "--window must be between 1 and 365"),
        (["--top", "0"], "--top must be at least 1"),
        (["--source", "everything"], "--source: invalid choice"),
    ],
)
def test_bad_flags_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        breakouts.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
