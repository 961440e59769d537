"""ca.videos: listing, single-video calls, creates, and batch metrics (deltas: test_deltas)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.creatoraudit import Video

from .conftest import metrics_json, ok, page, problem, sent_json, sent_query, uid, video_json


async def test_list_sends_filters_on_every_page(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/videos").mock(
        side_effect=[
            ok(page([video_json(id=uid(1))], next_cursor="n1")),
            ok(page([], next_cursor="n2")),
            ok(page([video_json(id=uid(2))])),
        ]
    )
    pager = ca.videos.list(
        account_id=uid(9),
        platform="instagram",
        q="sunset",
        is_active=False,
        order_by="view_count",
        order_direction="desc",
        limit=50,
    )
    videos = await pager.to_list()
    assert [v.id for v in videos] == [uid(1), uid(2)]
    assert all(isinstance(v, Video) for v in videos)
    expected = {
        "account_id": uid(9),
        "platform": "instagram",
        "q": "sunset",
        "is_active": "false",
        "order_by": "view_count",
        "order_direction": "desc",
        "limit": "50",
    }
    queries = [sent_query(c) for c in route.calls]
    assert [q.pop("cursor", None) for q in queries] == [None, "n1", "n2"]
    assert queries == [expected] * 3


async def test_get_decodes_a_video(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.get(f"/videos/{uid(100)}").mock(return_value=ok({"data": video_json()}))
    video = await ca.videos.get(uid(100))
    assert video.platform == "instagram"
    assert video.account_id == uid(1)
    assert video.create_time == dt.datetime(2026, 6, 13, 18, tzinfo=dt.UTC)
    assert video.duration == 12.5
    assert video.comment_count is None


async def test_create_sends_identifier_and_key(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos").mock(
        side_effect=[problem(503, "SERVICE_UNAVAILABLE"), ok({"data": video_json()}, 201)]
    )
    url = "https://www.tiktok.com/@creatoraudit/video/712345"
    video = await ca.videos.create("tiktok", url, is_active=True, metadata={"campaign": "q2"})
    assert video.id == uid(100)
    assert [sent_json(c) for c in route.calls] == [
        {"platform": "tiktok", "identifier": url, "is_active": True, "metadata": {"campaign": "q2"}}
    ] * 2
    keys = {c.request.headers["Idempotency-Key"] for c in route.calls}
    assert len(keys) == 1


async def test_a_callers_key_wins(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.post("/videos").mock(return_value=ok({"data": video_json()}, 201))
    await ca.videos.create("instagram", "Cabc123", idempotency_key="my-key-1")
    assert route.calls[0].request.headers["Idempotency-Key"] == "my-key-1"


async def test_update_and_delete(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    patch = api.patch(f"/videos/{uid(100)}").mock(
        return_value=ok({"data": video_json(scrape_interval_hours=6)})
    )
    delete = api.delete(f"/videos/{uid(100)}").mock(return_value=ok(None, 204))
    video = await ca.videos.update(uid(100), scrape_interval_hours=6)
    assert video.scrape_interval_hours == 6
    assert sent_json(patch.calls[0]) == {"scrape_interval_hours": 6}
    await ca.videos.delete(uid(100))  # returns None
    assert delete.call_count == 1


async def test_get_of_an_unknown_video_raises_not_found(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get(f"/videos/{uid(5)}").mock(return_value=problem(404, "NOT_FOUND"))
    with pytest.raises(errors.NotFoundError):
        await ca.videos.get(uid(5))


async def test_metrics_custom_period_sends_dates_and_merges(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    ids = [uid(n) for n in range(1, 206)]

    def answer(request: httpx.Request) -> httpx.Response:
        sent = sent_json(request)["video_ids"]
        return ok(
            metrics_json([i.upper() for i in sent[:-1]], not_found=sent[-1:], period="custom")
        )

    route = api.post("/videos/metrics").mock(side_effect=answer)
    metrics = await ca.videos.metrics(
        ids, period="custom", start_date=dt.date(2026, 5, 16), end_date=dt.date(2026, 6, 14)
    )
    bodies = [sent_json(c) for c in route.calls]
    assert sorted(len(b["video_ids"]) for b in bodies) == [5, 200]
    assert all(
        (b["period"], b["start_date"], b["end_date"]) == ("custom", "2026-05-16", "2026-06-14")
        for b in bodies
    )
    assert len(metrics) == 203
    assert metrics.ids[0] == uid(1)
    assert set(metrics.not_found) == {uid(200), uid(205)}
    assert metrics.period == "custom"
    assert metrics.days == 30
    assert metrics.start_date == dt.date(2026, 5, 16)
    values = metrics.get(uid(3).upper())
    assert values is not None
    assert values.engagement == 4
    assert metrics.get(uid(200)) is None


async def test_metrics_default_period(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.post("/videos/metrics").mock(return_value=ok(metrics_json([uid(1)])))
    await ca.videos.metrics([uid(1)])
    assert sent_json(route.calls[0]) == {"video_ids": [uid(1)], "period": "30d"}


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ca: ca.videos.list(account_id="x"), "account_id"),
        (lambda ca: ca.videos.list(order_by="username"), "order_by"),
        (lambda ca: ca.videos.list(sort="-follower_count"), "sort"),
        (lambda ca: ca.videos.list(platform="TikTok"), "platform"),
    ],
)
async def test_list_rejects_bad_arguments(
    api: respx.MockRouter, ca: AsyncCreatorAudit, call: Any, argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        call(ca)
    assert not api.calls


D = dt.date


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ca: ca.videos.get(""), "video_id"),
        (lambda ca: ca.videos.create("tiktok", " "), "identifier"),
        (lambda ca: ca.videos.create("snapchat", "x"), "platform"),
        (lambda ca: ca.videos.create("tiktok", "x", scrape_interval_hours=True), "scrape"),
        (lambda ca: ca.videos.update(uid(1), metadata=["a"]), "metadata"),
        (lambda ca: ca.videos.metrics([uid(1)], period="custom"), "start_date and end_date"),
        (
            lambda ca: ca.videos.metrics([uid(1)], "custom", D(2026, 1, 1)),
            "end_date",
        ),
        (
            lambda ca: ca.videos.metrics([uid(1)], "custom", D(2026, 2, 1), D(2026, 1, 1)),
            "after end_date",
        ),
        (
            lambda ca: ca.videos.metrics([uid(1)], "custom", "2026-02-30", D(2026, 3, 1)),
            "start_date must be a datetime.date or a 'YYYY-MM-DD' string",
        ),
        (
            lambda ca: ca.videos.metrics(
                [uid(1)], "custom", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), D(2026, 2, 1)
            ),
            "start_date",
        ),
        (lambda ca: ca.videos.metrics([uid(1)], "7d", D(2026, 1, 1), D(2026, 2, 1)), "custom"),
        (lambda ca: ca.videos.metrics([uid(1), "nope"]), r"video_ids\[1\]"),
    ],
)
async def test_calls_reject_bad_arguments(
    ca: AsyncCreatorAudit, api: respx.MockRouter, call: Any, argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        await call(ca)
    assert not api.calls
