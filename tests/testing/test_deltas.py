"""POST /videos/deltas: windows, nulls for short history, not_found, limits; and the history."""

from __future__ import annotations

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit

MISSING = "00000000-0000-4000-8000-000000000000"


async def test_default_windows_and_meta(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    ids = list(fake.store.videos)[:5]
    response = await client.post("/videos/deltas", json={"video_ids": [*ids, MISSING]})
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"windows": [1, 7, 14, 30], "video_count": 5, "not_found": [MISSING]}
    assert set(body["data"]) == set(ids)
    for video_id, row in body["data"].items():
        assert set(row) == {"1d", "7d", "14d", "30d"}
        for window in (1, 7, 14, 30):
            assert row[f"{window}d"] == fake.store.deltas(video_id, window)


async def test_account_video_ids_are_accepted(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    ids = list(fake.store.account_videos)[:3]
    body = (await client.post("/videos/deltas", json={"video_ids": ids, "windows": [7]})).json()
    assert set(body["data"]) == set(ids)
    assert body["meta"]["not_found"] == []


async def test_windows_are_deduplicated_and_sorted(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    video_id = next(iter(fake.store.videos))
    body = (
        await client.post("/videos/deltas", json={"video_ids": [video_id], "windows": [30, 1, 30]})
    ).json()
    assert body["meta"]["windows"] == [1, 30]
    assert set(body["data"][video_id]) == {"1d", "30d"}


async def test_never_scraped_video_is_null_for_every_window(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    video_id = next(v["id"] for v in fake.store.videos.values() if v["last_scrape_time"] is None)
    body = (
        await client.post("/videos/deltas", json={"video_ids": [video_id], "windows": [1, 365]})
    ).json()
    assert body["data"][video_id] == {"1d": None, "365d": None}


async def test_video_added_yesterday_has_only_the_one_day_window(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    yesterday = "2026-06-13"
    video_id = next(
        v["id"] for v in fake.store.videos.values() if v["added_at"].startswith(yesterday)
    )
    row = (
        await client.post("/videos/deltas", json={"video_ids": [video_id], "windows": [1, 2, 7]})
    ).json()["data"][video_id]
    assert isinstance(row["1d"], int)
    assert row["1d"] > 0
    assert row["2d"] is None
    assert row["7d"] is None


async def test_long_windows_are_null_where_history_is_short(fake: FakeCreatorAudit) -> None:
    today = fake.store.today()
    short = [
        vid
        for vid in fake.store.account_videos
        if fake.store.curve(vid).scraped and today - (fake.store.curve(vid).first_day or 0) < 300
    ]
    long = [
        vid
        for vid in fake.store.account_videos
        if fake.store.curve(vid).scraped and today - (fake.store.curve(vid).first_day or 0) >= 365
    ]
    assert short
    assert long
    assert all(fake.store.deltas(vid, 300) is None for vid in short)
    assert all(isinstance(fake.store.deltas(vid, 365), int) for vid in long)


async def test_deltas_grow_with_the_window_and_follow_the_clock(
    fake: FakeCreatorAudit, fake_clock: FakeClock
) -> None:
    video_id = next(vid for vid in fake.store.videos if fake.store.deltas(vid, 90) is not None)
    windows = [fake.store.deltas(video_id, w) for w in (1, 7, 30, 90)]
    assert windows == sorted(windows)  # type: ignore[type-var]
    before = {w: fake.store.deltas(video_id, w) for w in (7, 30)}
    fake_clock.advance(10 * 86_400)
    # No scrape for ten days: nothing gained lately, the same gains further back.
    assert fake.store.deltas(video_id, 1) == 0
    assert fake.store.deltas(video_id, 17) == before[7]
    assert fake.store.deltas(video_id, 40) == before[30]
    history = fake.store.today() - (fake.store.curve(video_id).first_day or 0)
    assert fake.store.deltas(video_id, history) is not None
    assert fake.store.deltas(video_id, history + 1) is None


async def test_new_video_history_appears_after_scrapes(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, fake_clock: FakeClock
) -> None:
    created = await client.post(
        "/videos", json={"platform": "tiktok", "identifier": "7300000000000000001"}
    )
    video_id = created.json()["data"]["id"]
    assert fake.store.deltas(video_id, 1) is None
    fake.store.scrape(video_id)
    fake_clock.advance(86_400)
    fake.store.scrape(video_id)
    assert fake.store.videos[video_id]["view_count"] is not None
    body = (await client.post("/videos/deltas", json={"video_ids": [video_id]})).json()
    assert isinstance(body["data"][video_id]["1d"], int)
    assert body["data"][video_id]["7d"] is None


async def test_get_deltas_with_repeated_ids_answers_as_the_post_does(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    # The seed tutorial: "GET /v2/videos/deltas accepts the same request as query parameters
    # (video_ids repeated, optional windows)".
    ids = list(fake.store.videos)[:3]
    query = [*(("video_ids", i) for i in [*ids, MISSING]), ("windows", "7"), ("windows", "1")]
    got = await client.get("/videos/deltas", params=query)
    posted = await client.post(
        "/videos/deltas", json={"video_ids": [*ids, MISSING], "windows": [7, 1]}
    )
    assert got.status_code == 200
    assert got.json() == posted.json()
    assert got.json()["meta"]["not_found"] == [MISSING]
    assert fake.requests[-2].method == "GET"

    defaults = (await client.get("/videos/deltas", params={"video_ids": ids[0]})).json()
    assert defaults["meta"]["windows"] == [1, 7, 14, 30]
    commas = await client.get("/videos/deltas", params={"video_ids": ",".join(ids)})
    assert set(commas.json()["data"]) == set(ids)


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "video_ids"), ({"video_ids": "nope"}, "video_ids[0]"), ({"windows": "x"}, "windows[0]")],
)
async def test_get_deltas_refuses_what_the_post_refuses(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, query: dict[str, str], field: str
) -> None:
    params = {"video_ids": next(iter(fake.store.videos)), **query} if query else {}
    response = await client.get("/videos/deltas", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_other_methods_on_deltas_are_405(client: httpx.AsyncClient) -> None:
    response = await client.put("/videos/deltas")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"video_ids": [MISSING] * 199 + ["00000000-0000-4000-8000-000000000001"] * 2},
            "video_ids",
        ),
        ({"video_ids": []}, "video_ids"),
        ({}, "video_ids"),
        ({"video_ids": ["not-a-uuid"]}, "video_ids[0]"),
        ({"video_ids": [MISSING], "windows": list(range(1, 12))}, "windows"),
        ({"video_ids": [MISSING], "windows": [0]}, "windows[0]"),
        ({"video_ids": [MISSING], "windows": [366]}, "windows[0]"),
        ({"video_ids": [MISSING], "windows": []}, "windows"),
        ({"video_ids": [MISSING], "windows": ["7"]}, "windows[0]"),
    ],
)
async def test_invalid_deltas_requests_are_422(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/videos/deltas", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "VALIDATION_ERROR"
    assert field in [e["field"] for e in problem["errors"]]


async def test_two_hundred_ids_and_ten_windows_are_fine(client: httpx.AsyncClient) -> None:
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(200)]
    response = await client.post(
        "/videos/deltas", json={"video_ids": ids, "windows": list(range(1, 11))}
    )
    assert response.status_code == 200
    assert len(response.json()["meta"]["not_found"]) == 200


async def test_metrics_agree_with_deltas(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    video_id = next(vid for vid in fake.store.videos if fake.store.deltas(vid, 30))
    body = (
        await client.post("/videos/metrics", json={"video_ids": [video_id], "period": "30d"})
    ).json()
    # /metrics counts the 30 days ending today, deltas the change since 30 days ago: the same.
    assert body["data"][video_id]["views"] == fake.store.deltas(video_id, 30)


async def test_custom_period_needs_dates(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    ids = list(fake.store.videos)[:1]
    response = await client.post("/videos/metrics", json={"video_ids": ids, "period": "custom"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"start_date", "end_date"}
    backwards = await client.post(
        "/videos/metrics",
        json={
            "video_ids": ids,
            "period": "custom",
            "start_date": "2026-06-10",
            "end_date": "2026-06-01",
        },
    )
    assert backwards.status_code == 422
