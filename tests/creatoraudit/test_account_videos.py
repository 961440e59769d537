"""ca.account_videos: the discovered-video listing and metrics by integer ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, errors

from .conftest import metrics_json, ok, page, problem, sent_json, sent_query, uid, video_json


async def test_list_decodes_videos_with_internal_ids(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    items = [video_json(id=uid(n), internal_id=n, platform="tiktok") for n in (1, 2)]
    route = api.get("/account-videos").mock(
        side_effect=[ok(page(items[:1], next_cursor="a1")), ok(page(items[1:]))]
    )
    videos = await ca.account_videos.list(account_id=uid(1), platform="tiktok", limit=100).to_list()
    assert [(v.id, v.internal_id, v.account_id) for v in videos] == [
        (uid(1), 1, uid(1)),
        (uid(2), 2, uid(1)),
    ]
    assert [sent_query(c) for c in route.calls] == [
        {"account_id": uid(1), "platform": "tiktok", "limit": "100"},
        {"account_id": uid(1), "platform": "tiktok", "limit": "100", "cursor": "a1"},
    ]


async def test_list_keeps_unknown_fields(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.get("/account-videos").mock(
        return_value=ok(page([video_json(etl_version=3, platform="youtube_shorts")]))
    )
    [video] = await ca.account_videos.list().to_list()
    assert video.extra == {"etl_version": 3}
    assert video.platform == "youtube_shorts"


async def test_the_pacer_is_told_when_a_listing_s_last_page_is_back(
    ca: AsyncCreatorAudit, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From then on it keeps no budget for a next page (it would until two of the listing's
    cycles passed without one)."""
    ended: list[int] = []

    async def listing_ended() -> None:
        ended.append(1)

    monkeypatch.setattr(ca._pacer, "listing_ended", listing_ended)
    api.get("/account-videos").mock(
        side_effect=[ok(page([video_json(id=uid(1))], next_cursor="a1")), ok(page([]))]
    )
    pages = ca.account_videos.list().pages()
    await anext(pages)
    assert ended == []
    await anext(pages)
    assert ended == [1]
    await pages.aclose()


async def test_a_503_mid_listing_loses_and_repeats_nothing(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.get("/account-videos").mock(
        side_effect=[
            ok(page([video_json(id=uid(1))], next_cursor="a1")),
            problem(503, "SERVICE_UNAVAILABLE", **{"Retry-After": "2"}),
            ok(page([video_json(id=uid(2))])),
        ]
    )
    assert [v.id for v in await ca.account_videos.list().to_list()] == [uid(1), uid(2)]
    assert [sent_query(c).get("cursor") for c in route.calls] == [None, "a1", "a1"]


async def test_metrics_chunks_each_array_and_pairs_them(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    instagram = list(range(1, 451))  # 3 chunks
    tiktok = list(range(10_001, 10_201))  # 1 chunk

    def answer(request: httpx.Request) -> httpx.Response:
        body = sent_json(request)
        ids = body.get("instagram_post_ids", []) + body.get("tiktok_video_ids", [])
        return ok(metrics_json([str(i) for i in ids if i != 7], not_found=[7] if 7 in ids else []))

    route = api.post("/account-videos/metrics").mock(side_effect=answer)
    metrics = await ca.account_videos.metrics(instagram, [*tiktok, 10001], period="90d")
    bodies = sorted((sent_json(c) for c in route.calls), key=lambda b: b["instagram_post_ids"][0])
    assert [len(b["instagram_post_ids"]) for b in bodies] == [200, 200, 50]
    assert [len(b.get("tiktok_video_ids", [])) for b in bodies] == [200, 0, 0]
    assert all(b["period"] == "90d" for b in bodies)
    assert len(metrics) == 649
    assert metrics.not_found == ("7",)
    assert metrics.get(8) is not None
    assert metrics.get("10200") is not None
    assert metrics.get(7) is None
    assert 8 in metrics


async def test_metrics_of_one_platform_omit_the_other_array(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/account-videos/metrics").mock(return_value=ok(metrics_json(["5"])))
    await ca.account_videos.metrics(tiktok_video_ids=[5, 5])
    assert sent_json(route.calls[0]) == {"tiktok_video_ids": [5], "period": "30d"}


async def test_a_failed_chunk_names_its_ids(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.post("/account-videos/metrics").mock(return_value=problem(422, "VALIDATION_ERROR"))
    with pytest.raises(errors.BatchError) as caught:
        await ca.account_videos.metrics([1], [2])
    assert caught.value.failures[0].ids == ("instagram:1", "tiktok:2")


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({}, "must not both be empty"),
        ({"instagram_post_ids": ["1"]}, r"instagram_post_ids\[0\]"),
        ({"tiktok_video_ids": [True]}, r"tiktok_video_ids\[0\]"),
        ({"tiktok_video_ids": [-1]}, r"tiktok_video_ids\[0\]"),
        ({"tiktok_video_ids": "12"}, "tiktok_video_ids"),
        ({"tiktok_video_ids": [1], "period": "1d"}, "period"),
    ],
)
async def test_metrics_reject_bad_arguments(
    ca: AsyncCreatorAudit, api: respx.MockRouter, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        await ca.account_videos.metrics(**kwargs)
    assert not api.calls


async def test_list_rejects_bad_arguments(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="account_id"):
        ca.account_videos.list(account_id="@creator")
    assert not api.calls
