"""tg.videos: list, add by URL, update, delete, scrape, disable tracking (one or many)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import AsyncTrackAGoat, Video

from .conftest import PROJECT, fail, ok, page, sent_json, uid, video

URL = "https://www.tiktok.com/@creator1/video/7300000000000000001"


async def test_list_filters_and_decodes(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/videos").mock(
        side_effect=[page([video(1)], "c1"), page([video(2, creator_id=None, view_count=None)])]
    )
    videos = await tg.videos.list(project_id=PROJECT, creator_id=uid(1)).to_list()
    assert [v.id for v in videos] == [uid(1), uid(2)]
    first = videos[0]
    assert isinstance(first, Video)
    assert first.tracking_status == "auto_tracked"
    assert first.view_count == 100
    assert first.like_count == 10
    assert first.posted_at == dt.datetime(2026, 5, 3, 12, tzinfo=dt.UTC)
    assert videos[1].creator_id is None
    assert videos[1].view_count is None
    assert route.calls[1].request.url.params == httpx.QueryParams(
        {"project_id": PROJECT, "creator_id": uid(1), "limit": "100", "cursor": "c1"}
    )


def test_list_validates_filters(tg: AsyncTrackAGoat) -> None:
    with pytest.raises(ValueError, match="creator_id"):
        tg.videos.list(creator_id="abc")


async def test_create_by_url_with_an_idempotency_key(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(f"/projects/{PROJECT}/videos").mock(
        side_effect=[
            httpx.ReadError("reset"),
            ok(video(5, tracking_status="direct_add", creator_id=None), status=201),
        ]
    )
    made = await tg.videos.create(PROJECT, f" {URL} ")
    assert made.tracking_status == "direct_add"
    first, second = (c.request for c in route.calls)
    assert sent_json(first) == {"url": URL}
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


@pytest.mark.parametrize(
    "url",
    [
        "",
        "tiktok.com/@x/video/1",
        "https://example.com/video/1",
        "ftp://tiktok.com/x",
        "https://www.tiktok.com/",
    ],
)
async def test_create_refuses_non_tiktok_urls(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, url: str
) -> None:
    with pytest.raises(ValueError, match="url"):
        await tg.videos.create(PROJECT, url)
    assert not routes.calls


async def test_create_over_the_tracked_videos_limit(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post(f"/projects/{PROJECT}/videos").mock(
        return_value=fail(
            402,
            "Limit reached: max_tracked_videos_per_org",
            {
                "code": "limit_reached",
                "limitKey": "max_tracked_videos_per_org",
                "current": 300,
                "max": 300,
            },
        )
    )
    with pytest.raises(errors.LimitReachedError) as caught:
        await tg.videos.create(PROJECT, URL)
    assert caught.value.limit_key == "max_tracked_videos_per_org"


async def test_update_readme_and_metadata(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.patch(f"/videos/{uid(1)}").mock(return_value=ok(video(1, readme=None)))
    await tg.videos.update(uid(1), readme=None, metadata={"brief": "launch"})
    assert sent_json(route.calls.last.request) == {"readme": None, "metadata": {"brief": "launch"}}
    await tg.videos.update(uid(1), readme="## Notes")
    assert sent_json(route.calls.last.request) == {"readme": "## Notes"}
    with pytest.raises(ValueError, match="at least one"):
        await tg.videos.update(uid(1))
    with pytest.raises(ValueError, match="metadata"):
        await tg.videos.update(uid(1), metadata=["not", "a", "mapping"])  # type: ignore[arg-type]


async def test_delete(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.delete(f"/videos/{uid(1)}").mock(return_value=httpx.Response(204))
    await tg.videos.delete(uid(1))
    assert route.call_count == 1


async def test_scrape(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(f"/videos/{uid(1)}/scrape").mock(
        return_value=ok({"job_id": "j9", "job_type": "video_stats", "status": "queued"}, status=202)
    )
    job = await tg.videos.scrape(uid(1))
    assert (job.job_id, job.status) == ("j9", "queued")
    assert sent_json(route.calls.last.request) == {}


async def test_disable_tracking_of_one_video(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(f"/videos/{uid(1)}/tracking-disable").mock(
        return_value=ok({"id": uid(1), "tracking_enabled": False})
    )
    result = await tg.videos.disable_tracking(uid(1))
    assert route.call_count == 1
    assert (result.disabled_count, result.not_found) == (1, ())
    assert result.extra == {"id": uid(1), "tracking_enabled": False}  # what the server said


async def test_disable_tracking_of_many_in_chunks_of_100(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(f"/projects/{PROJECT}/videos/bulk-tracking-disable").mock(
        side_effect=lambda request: ok(
            {
                "disabled_count": len(sent_json(request)["video_ids"]) - 1,
                "not_found": sent_json(request)["video_ids"][:1],
            }
        )
    )
    ids = [uid(n) for n in range(150)]
    result = await tg.videos.disable_tracking(ids, project_id=PROJECT)
    assert result.disabled_count == 148  # summed over both requests
    assert sorted(result.not_found) == [uid(0), uid(100)]
    chunks = [sent_json(c.request)["video_ids"] for c in route.calls]
    assert sorted(len(c) for c in chunks) == [50, 100]
    assert sorted(i for c in chunks for i in c) == ids


async def test_disable_tracking_validates(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="project_id"):
        await tg.videos.disable_tracking([uid(1)])
    with pytest.raises(ValueError, match="video_ids must not be empty"):
        await tg.videos.disable_tracking([], project_id=PROJECT)
    with pytest.raises(ValueError, match="video_ids"):
        await tg.videos.disable_tracking("not-a-uuid")
    assert not routes.calls
