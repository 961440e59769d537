"""tg.aggregate and tg.annotations on respx routes: offset paging with total_count, the heatmap's
zero cells, tolerated shapes, and refusals before the network."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import AsyncTrackAGoat, HeatmapCell, VideoRank

from .conftest import PROJECT, ok, page, sent_json, uid

BOARD = "/analytics/aggregate/video-leaderboard"


def row(n: int) -> dict[str, Any]:
    return {
        "video_id": uid(n),
        "title": None,
        "thumbnail_url": None,
        "url": None,
        "view_count": 1000 - n,
        "like_count": 1,
        "comment_count": 0,
        "share_count": 0,
        "save_count": 0,
        "posted_at": "2026-06-01T10:00:00Z",
    }


def board_page(request: httpx.Request, total: int = 7, *, in_data: bool = False) -> httpx.Response:
    offset = int(request.url.params["offset"])
    limit = int(request.url.params["limit"])
    rows = [row(n) for n in range(offset, min(offset + limit, total))]
    if in_data:
        return ok({"rows": rows, "total_count": total})
    return ok(rows, meta={"total_count": total})


async def test_the_video_leaderboard_reads_every_row_by_offset(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get(BOARD).mock(side_effect=board_page)
    pager = tg.aggregate.video_leaderboard(
        PROJECT, from_=dt.date(2026, 5, 1), to="2026-05-31", order="like_count", limit=3, offset=1
    )
    pages = [p async for p in pager.pages()]
    assert [len(p.items) for p in pages] == [3, 3]
    assert {p.total_count for p in pages} == {7}
    rows = [r for p in pages for r in p.items]
    assert all(isinstance(r, VideoRank) for r in rows)
    assert [r.video_id for r in rows] == [uid(n) for n in range(1, 7)]
    sent = [c.request.url.params for c in route.calls]
    assert [q["offset"] for q in sent] == ["1", "4"]
    assert dict(sent[0]) == {
        "project_id": PROJECT,
        "from": "2026-05-01",
        "to": "2026-05-31",
        "order": "like_count",
        "limit": "3",
        "offset": "1",
    }


async def test_a_total_next_to_the_rows_is_read_too(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get(BOARD).mock(side_effect=lambda r: board_page(r, 5, in_data=True))
    assert len(await tg.aggregate.video_leaderboard(PROJECT, limit=2).to_list()) == 5


async def test_without_a_total_a_short_page_is_the_last(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/analytics/aggregate/creator-leaderboard").mock(
        side_effect=[
            ok([{"creator_id": uid(1)}, {"creator_id": uid(2)}]),
            ok([{"creator_id": uid(3)}]),
        ]
    )
    ranks = await tg.aggregate.creator_leaderboard(PROJECT, limit=2).to_list()
    assert [r.creator_id for r in ranks] == [uid(1), uid(2), uid(3)]
    assert route.call_count == 2


async def test_an_empty_page_before_the_total_is_an_error_not_a_silent_stop(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get(BOARD).mock(
        side_effect=[ok([row(0)], meta={"total_count": 3}), ok([], meta={"total_count": 3})]
    )
    with pytest.raises(errors.DecodeError, match="counts 3 rows but sent none at offset 1"):
        await tg.aggregate.video_leaderboard(PROJECT, limit=1).to_list()


async def test_the_heatmap_reads_missing_cells_as_zero(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/analytics/aggregate/posting-heatmap").mock(
        return_value=ok([{"dow": 0, "hour": 9, "post_count": 2, "avg_views": 150.5}])
    )
    heatmap = await tg.aggregate.posting_heatmap(
        PROJECT, "2026-05-01", "2026-05-31", tz="America/New_York"
    )
    assert route.calls.last.request.url.params["tz"] == "America/New_York"
    assert heatmap.cell(0, 9) == HeatmapCell(dow=0, hour=9, post_count=2, avg_views=150.5)
    assert heatmap.cell(3, 14) == HeatmapCell(dow=3, hour=14, post_count=0, avg_views=0.0)
    grid = heatmap.grid()
    assert (len(grid), {len(r) for r in grid}, sum(map(sum, grid))) == (7, {24}, 2)
    with pytest.raises(ValueError, match="dow"):
        heatmap.cell(7, 0)


async def test_the_other_summaries_decode_and_keep_unknown_fields(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    base = "/analytics/aggregate"
    routes.get(f"{base}/view-distribution").mock(
        return_value=ok(
            {
                "buckets": [{"min_views": 0, "max_views": 10, "video_count": 1}],
                "percentiles": {"p50": 4.0},
                "video_count": 1,
                "mean": 4.2,
            }
        )
    )
    routes.get(f"{base}/goal-compliance").mock(
        return_value=ok({"total": 3, "counts": {"on_track": 2, "missed": 1}, "creators": 2})
    )
    routes.get(f"{base}/member-overlap").mock(
        return_value=ok([{"campaign_a_id": uid(1), "campaign_b_id": uid(2), "shared_creators": 1}])
    )
    outliers = routes.get(f"{base}/outliers").mock(
        return_value=ok({"rows": [{"video_id": uid(3), "ratio": 4.5}]})
    )
    distribution = await tg.aggregate.view_distribution(PROJECT)
    assert distribution.percentiles == {"p50": 4.0}
    assert distribution.extra == {"mean": 4.2}
    assert (await tg.aggregate.goal_compliance(PROJECT, period="weekly")).counts["missed"] == 1
    [overlap] = await tg.aggregate.member_overlap(PROJECT)
    assert overlap.shared_creators == 1
    [outlier] = await tg.aggregate.outliers(PROJECT, min_ratio=4, limit=5)
    assert outlier.ratio == 4.5
    assert outliers.calls.last.request.url.params["min_ratio"] == "4"


async def test_annotations_crud(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    note = {"id": uid(40), "date": "2026-06-01", "label": "Launch", "entity": "campaign"}
    made = routes.post("/analytics/annotations").mock(return_value=ok(note, status=201))
    changed = routes.patch(f"/analytics/annotations/{uid(40)}").mock(return_value=ok(note))
    listing = routes.get("/analytics/annotations").mock(return_value=page([note]))
    gone = routes.delete(f"/analytics/annotations/{uid(40)}").mock(return_value=ok(None))

    created = await tg.annotations.create(
        dt.date(2026, 6, 1), "Launch", entity="campaign", entity_id=uid(9), kind="launch"
    )
    assert created.date == dt.date(2026, 6, 1)
    assert sent_json(made.calls.last.request) == {
        "date": "2026-06-01",
        "label": "Launch",
        "entity": "campaign",
        "entity_id": uid(9),
        "kind": "launch",
    }
    assert made.calls.last.request.headers["idempotency-key"]
    await tg.annotations.update(uid(40), label="Launch day", description=None)
    assert sent_json(changed.calls.last.request) == {"label": "Launch day", "description": None}
    await tg.annotations.list(entity="campaign", from_="2026-06-01").to_list()
    assert listing.calls.last.request.url.params["from"] == "2026-06-01"
    await tg.annotations.delete(uid(40))
    assert gone.call_count == 1


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda tg: tg.aggregate.video_leaderboard("p1"), "project_id"),
        (lambda tg: tg.aggregate.video_leaderboard(PROJECT, limit=101), "limit"),
        (lambda tg: tg.aggregate.video_leaderboard(PROJECT, offset=-1), "offset"),
        (lambda tg: tg.aggregate.video_leaderboard(PROJECT, order="view count"), "order"),
        (
            lambda tg: tg.aggregate.creator_leaderboard(
                PROJECT, from_="2026-06-02", to="2026-06-01"
            ),
            "from_",
        ),
        (lambda tg: tg.aggregate.posting_heatmap(PROJECT, None, "2026-06-01"), "from_ and to"),
        (lambda tg: tg.aggregate.posting_heatmap(PROJECT, "2026-06-01", "x"), "to"),
        (lambda tg: tg.aggregate.outliers(PROJECT, min_ratio=0), "min_ratio"),
        (lambda tg: tg.aggregate.goal_compliance(PROJECT, reference_date="soon"), "reference_date"),
        (lambda tg: tg.annotations.create("2026-06-01", ""), "label"),
        (lambda tg: tg.annotations.create("2026-06-01", "x" * 201), "label"),
        (lambda tg: tg.annotations.create("2026-06-01", "x", entity="creator"), "entity_id"),
        (lambda tg: tg.annotations.update(uid(1)), "at least one"),
    ],
)
async def test_bad_arguments_are_refused_before_the_network(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, call: Any, name: str
) -> None:
    with pytest.raises(ValueError, match=name):
        await _finished(call(tg))
    assert not routes.calls


async def _finished(result: Any) -> None:
    if hasattr(result, "__await__"):
        await result
