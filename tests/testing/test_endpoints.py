"""Every endpoint of the contract: status, envelope, and the fields its objects carry."""

from __future__ import annotations

import re

import httpx
import pytest

from creatorsdk.testing import FakeCreatorAudit

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ACCOUNT_FIELDS = {
    "id", "type", "platform", "username", "name", "description", "profile_pic_url",
    "profile_pic_url_original", "is_verified", "is_active", "is_unavailable", "link_in_bio",
    "creator_id", "creator_name", "category", "metadata", "added_at", "first_scrape_time",
    "last_scrape_time", "scrape_interval_hours", "follower_count", "following_count",
    "profile_post_count", "total_post_count", "view_count", "like_count", "comment_count",
    "share_count", "play_count", "saved_count", "fb_play_count", "ig_play_count", "fb_like_count",
    "max_recent_posts_per_account", "post_lookback_days",
    "effective_max_recent_posts_per_account", "effective_post_lookback_days",
}  # fmt: skip
VIDEO_FIELDS = {
    "id", "type", "external_id", "shortcode", "is_active", "scrape_interval_hours", "metadata",
    "added_at", "updated_at", "first_scrape_time", "last_scrape_time", "description",
    "create_time", "media_type", "duration", "is_unavailable", "cover_image_url",
    "cover_image_url_original", "video_url", "video_url_original", "view_count", "like_count",
    "comment_count", "share_count", "play_count", "saved_count", "total_views", "total_plays",
    "account_id", "account_username", "platform_account_id", "platform_data", "platform",
}  # fmt: skip
CREATOR_FIELDS = {"id", "name", "type", "is_active", "metadata", "accounts_summary"}


def _check_collection(body: dict[str, object]) -> None:
    assert set(body) == {"data", "pagination", "filters"}
    pagination = body["pagination"]
    assert isinstance(pagination, dict)
    assert {"next_cursor", "has_next", "limit"} <= set(pagination)


async def test_health_needs_no_key_and_has_no_rate_headers(fake: FakeCreatorAudit) -> None:
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as http:
        response = await http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "x-request-id" in response.headers
    assert "x-ratelimit-limit" not in response.headers


async def test_meta_needs_no_key(fake: FakeCreatorAudit) -> None:
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url) as http:
        response = await http.get("/meta")
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["type"] == "api_meta"
    assert data["api_version"] == "v2"
    assert data["deprecation"] is None
    assert data["sunset"] is None
    assert data["whoami_url"].endswith("/v2/whoami")


async def test_whoami(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    response = await client.get("/whoami")
    data = response.json()["data"]
    assert data["type"] == "whoami"
    assert data["organization_id"] == fake.organization_id
    assert data["api_key_name"] == "Fake write key"


async def test_accounts_list_items_have_every_documented_field_and_an_extra_one(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/accounts", params={"limit": 200})
    body = response.json()
    _check_collection(body)
    assert {a["platform"] for a in body["data"]} == {"instagram", "tiktok"}
    for account in body["data"]:
        assert set(account) >= ACCOUNT_FIELDS
        assert account["type"] == "account"
        assert account["etl_version"] == 3
        assert UUID.match(account["id"])
        assert STAMP.match(account["added_at"])
    assert any(a["last_scrape_time"] is None for a in body["data"])


async def test_account_videos_are_videos_with_account_and_internal_ids(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    body = (await client.get("/account-videos", params={"limit": 5})).json()
    _check_collection(body)
    for video in body["data"]:
        assert set(video) >= VIDEO_FIELDS
        assert video["type"] == "video"
        assert video["account_id"] in fake.store.accounts
        assert isinstance(video["internal_id"], int)
        assert STAMP.match(video["create_time"])


async def test_videos_list_and_get(client: httpx.AsyncClient) -> None:
    body = (await client.get("/videos")).json()
    _check_collection(body)
    assert body["pagination"]["limit"] == 50
    first = body["data"][0]
    assert set(first) >= VIDEO_FIELDS
    response = await client.get(f"/videos/{first['id']}")
    assert response.status_code == 200
    assert response.json() == {"data": first}


async def test_account_crud(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    created = await client.post(
        "/accounts", json={"platform": "tiktok", "username": "brand.new", "category": "tech"}
    )
    assert created.status_code == 201
    account = created.json()["data"]
    assert set(account) >= ACCOUNT_FIELDS
    assert account["last_scrape_time"] is None
    assert created.headers["location"].endswith(f"/v2/accounts/{account['id']}")
    assert (await client.get(f"/accounts/{account['id']}")).json()["data"] == account

    patched = await client.patch(
        f"/accounts/{account['id']}", json={"category": "food", "metadata": {"team": "a"}}
    )
    assert patched.status_code == 200
    assert patched.json()["data"]["category"] == "food"
    assert patched.json()["data"]["metadata"] == {"team": "a"}

    deleted = await client.delete(f"/accounts/{account['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert fake.store.accounts[account["id"]]["is_active"] is False


async def test_video_crud(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    created = await client.post(
        "/videos",
        json={
            "platform": "tiktok",
            "identifier": "https://www.tiktok.com/@someone/video/7312345678901234567",
            "metadata": {"campaign": "x"},
        },
    )
    assert created.status_code == 201
    video = created.json()["data"]
    assert video["external_id"] == "7312345678901234567"
    assert video["account_username"] == "someone"
    assert video["view_count"] is None
    patched = await client.patch(f"/videos/{video['id']}", json={"scrape_interval_hours": 6})
    assert patched.json()["data"]["scrape_interval_hours"] == 6
    assert (await client.delete(f"/videos/{video['id']}")).status_code == 204
    assert fake.store.videos[video["id"]]["is_active"] is False


async def test_instagram_video_by_shortcode(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/videos", json={"platform": "instagram", "identifier": "instagram.com/p/Cxyz12345/"}
    )
    assert created.status_code == 201
    assert created.json()["data"]["shortcode"] == "Cxyz12345"


async def test_creator_crud_and_links(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    created = await client.post("/creators", json={"name": "Nova Quinn", "metadata": {"t": "1"}})
    assert created.status_code == 201
    creator = created.json()["data"]
    assert set(creator) >= CREATOR_FIELDS
    assert creator["accounts_summary"] == {"total": 0, "platforms": {}, "total_followers": 0}

    account = next(a for a in fake.store.accounts.values() if a["creator_id"] is None)
    link = f"/creators/{creator['id']}/accounts/{account['id']}"
    first = await client.put(link)
    assert first.status_code == 201
    assert first.headers["location"].endswith(link)
    assert first.json()["data"]["account_id"] == account["id"]
    assert (await client.put(link)).status_code == 200
    summary = (await client.get(f"/creators/{creator['id']}")).json()["data"]["accounts_summary"]
    assert summary["total"] == 1
    assert summary["platforms"] == {account["platform"]: 1}
    assert fake.store.accounts[account["id"]]["creator_name"] == "Nova Quinn"

    other = (await client.post("/creators", json={"name": "Other"})).json()["data"]
    taken = await client.put(f"/creators/{other['id']}/accounts/{account['id']}")
    assert taken.status_code == 409
    assert taken.json()["code"] == "CONFLICT"

    assert (await client.delete(link)).status_code == 204
    assert (await client.delete(link)).status_code == 404
    renamed = await client.patch(f"/creators/{creator['id']}", json={"name": "Nova Q."})
    assert renamed.json()["data"]["name"] == "Nova Q."
    assert (await client.delete(f"/creators/{creator['id']}")).status_code == 204
    assert fake.store.creators[creator["id"]]["is_active"] is False


async def test_archiving_a_creator_pauses_its_accounts(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    creator_id = next(
        c["id"] for c in fake.store.creators.values() if c["accounts_summary"]["total"]
    )
    response = await client.patch(f"/creators/{creator_id}", json={"is_active": False})
    assert response.status_code == 200
    assert all(not a["is_active"] for a in fake.store.accounts_of_creator(creator_id))


async def test_creators_list_sorted_by_name(client: httpx.AsyncClient) -> None:
    body = (await client.get("/creators")).json()
    _check_collection(body)
    names = [c["name"].lower() for c in body["data"]]
    assert names == sorted(names)
    assert body["filters"]["order_by"] == "name"
    assert body["filters"]["order_direction"] == "asc"


async def test_creators_top_ranked_by_views(client: httpx.AsyncClient) -> None:
    body = (await client.get("/creators/top", params={"period": "90d", "limit": 3})).json()
    assert set(body) == {"data", "meta"}
    rows = body["data"]
    assert len(rows) == 3
    assert {"creator_id", "name", "total_views", "total_engagement", "accounts"} <= set(rows[0])
    views = [r["total_views"] for r in rows]
    assert views == sorted(views, reverse=True)
    assert body["meta"]["period"] == "90d"


async def test_creator_analytics_matches_the_leaderboard(
    client: httpx.AsyncClient,
) -> None:
    top = (await client.get("/creators/top", params={"period": "30d", "limit": 1})).json()
    row, meta = top["data"][0], top["meta"]
    response = await client.get(
        f"/creators/{row['creator_id']}/analytics",
        params={"start_date": meta["start_date"], "end_date": meta["end_date"]},
    )
    data = response.json()["data"]
    assert {"creator_id", "start_date", "end_date", "views", "likes", "comments", "shares"} <= set(
        data
    )
    assert data["views"] == row["total_views"]
    assert data["followers"] > 0


async def test_overview_shape(client: httpx.AsyncClient) -> None:
    data = (await client.get("/overview", params={"period": "30d"})).json()["data"]
    assert data["type"] == "overview"
    keys = {"total_views", "engagement_rate", "active_accounts", "account_videos", "tracked_videos"}
    assert set(data["current"]) == keys
    assert set(data["previous"]) == keys
    assert set(data["changes"]) == {f"{k}_pct" for k in keys}
    assert data["current"]["total_views"] > 0
    assert (await client.get("/overview", params={"period": "custom"})).status_code == 422


async def test_search_sections_and_caps(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    username = next(iter(fake.store.accounts.values()))["username"]
    body = (await client.get("/search", params={"q": username.upper(), "limit": 25})).json()
    assert set(body["data"]) == {"accounts", "creators", "videos"}
    assert body["data"]["accounts"][0]["username"] == username
    assert body["meta"]["query"] == username.upper()
    assert body["meta"]["effective_caps"] == {"accounts": 25, "creators": 25, "videos": 10}
    empty = (await client.get("/search", params={"q": "   "})).json()
    assert empty["data"] == {"accounts": [], "creators": [], "videos": []}


async def test_search_finds_captions_and_creators(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    body = (await client.get("/search", params={"q": "#fyp"})).json()
    assert body["data"]["videos"]
    assert all("#fyp" in v["caption"] for v in body["data"]["videos"])
    name = next(iter(fake.store.creators.values()))["name"]
    found = (await client.get("/search", params={"q": name.split()[0]})).json()
    assert name in [c["name"] for c in found["data"]["creators"]]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/videos/metrics", "video_ids"),
        ("/accounts/metrics", "account_ids"),
    ],
)
async def test_metrics_envelopes(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, path: str, body: str
) -> None:
    ids = list(fake.store.videos if body == "video_ids" else fake.store.accounts)[:3]
    missing = "00000000-0000-4000-8000-000000000000"
    response = await client.post(path, json={body: [*ids, missing], "period": "7d"})
    assert response.status_code == 200
    payload = response.json()
    assert set(payload["data"]) == set(ids)
    assert payload["meta"]["not_found"] == [missing]
    assert payload["meta"]["days"] == 7
    row = next(iter(payload["data"].values()))
    assert row["engagement"] == row["likes"] + row["comments"] + row["shares"]
    if body == "account_ids":
        assert "followers" in row


async def test_account_video_metrics_by_internal_id(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    instagram = [v for v in fake.store.account_videos.values() if v["platform"] == "instagram"]
    tiktok = [v for v in fake.store.account_videos.values() if v["platform"] == "tiktok"]
    response = await client.post(
        "/account-videos/metrics",
        json={
            "instagram_post_ids": [instagram[0]["internal_id"], tiktok[0]["internal_id"]],
            "tiktok_video_ids": [tiktok[1]["internal_id"]],
            "period": "custom",
            "start_date": "2026-05-01",
            "end_date": "2026-05-31",
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert set(body["data"]) == {str(instagram[0]["internal_id"]), str(tiktok[1]["internal_id"])}
    assert body["meta"]["not_found"] == [tiktok[0]["internal_id"]]
    assert body["meta"]["days"] == 31
