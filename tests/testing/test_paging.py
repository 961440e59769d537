"""Cursor pagination: every item once, cursors bound to filters and sort, limits, links."""

from __future__ import annotations

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from .conftest import client_for, list_all


@pytest.mark.parametrize(
    ("path", "collection"),
    [
        ("/accounts", "accounts"),
        ("/account-videos", "account_videos"),
        ("/videos", "videos"),
        ("/creators", "creators"),
    ],
)
async def test_every_item_exactly_once(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, path: str, collection: str
) -> None:
    items, _ = await list_all(client, path, limit=7)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(getattr(fake.store, collection))


@pytest.mark.parametrize(
    "order",
    [
        {"order_by": "username", "order_direction": "asc"},
        {"order_by": "follower_count"},
        {"order_by": "last_scrape_time", "order_direction": "asc"},
        {"sort": "-view_count"},
        {"sort": "added_at"},
    ],
)
async def test_sorted_listing_is_complete_and_ordered(
    client: httpx.AsyncClient, fake: FakeCreatorAudit, order: dict[str, str]
) -> None:
    items, _ = await list_all(client, "/accounts", limit=6, **order)
    assert sorted(i["id"] for i in items) == sorted(fake.store.accounts)
    field = order.get("order_by") or order["sort"].lstrip("-")
    descending = order.get("order_direction", "desc") == "desc" and "sort" not in order
    descending = descending or order.get("sort", "").startswith("-")
    values = [(i[field] is not None, i[field]) for i in items]
    assert values == sorted(values, reverse=descending)


async def test_order_by_wins_over_sort(client: httpx.AsyncClient) -> None:
    body = await client.get("/accounts", params={"sort": "-username", "order_by": "view_count"})
    filters = body.json()["filters"]
    assert filters["order_by"] == "view_count"
    assert filters["order_direction"] == "desc"


async def test_filters_combine_and_are_echoed(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    items, _ = await list_all(client, "/accounts", platform="tiktok", is_active="true", limit=5)
    expected = {
        a["id"]
        for a in fake.store.accounts.values()
        if a["platform"] == "tiktok" and a["is_active"]
    }
    assert {i["id"] for i in items} == expected
    body = (await client.get("/accounts", params={"platform": "tiktok"})).json()
    assert body["filters"]["platform"] == "tiktok"


async def test_account_id_filter_on_account_videos(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    account_id = next(v["account_id"] for v in fake.store.account_videos.values())
    items, _ = await list_all(client, "/account-videos", account_id=account_id, limit=3)
    assert {i["id"] for i in items} == {v["id"] for v in fake.store.videos_of_account(account_id)}


async def test_q_matches_usernames_case_insensitively(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    username = next(iter(fake.store.accounts.values()))["username"]
    items, _ = await list_all(client, "/accounts", q=username[:5].upper())
    assert username in [i["username"] for i in items]
    assert all(username[:5].lower() in i["username"].lower() for i in items)


async def test_cursor_reused_with_other_filters_is_refused(client: httpx.AsyncClient) -> None:
    first = (await client.get("/accounts", params={"platform": "tiktok", "limit": 2})).json()
    cursor = first["pagination"]["next_cursor"]
    for other in ({"platform": "instagram"}, {"platform": "tiktok", "order_by": "username"}):
        response = await client.get("/accounts", params={**other, "limit": 2, "cursor": cursor})
        assert response.status_code == 422
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert response.json()["errors"][0]["field"] == "cursor"
    moved = await client.get("/videos", params={"cursor": cursor})
    assert moved.status_code == 422
    garbage = await client.get("/accounts", params={"cursor": "not-a-cursor!"})
    assert garbage.status_code == 422


async def test_limit_changes_between_pages_are_fine(client: httpx.AsyncClient) -> None:
    first = (await client.get("/videos", params={"limit": 3})).json()
    second = await client.get(
        "/videos", params={"limit": 10, "cursor": first["pagination"]["next_cursor"]}
    )
    assert second.status_code == 200
    assert len(second.json()["data"]) == 10


@pytest.mark.parametrize(("path", "bad"), [("/accounts", 0), ("/accounts", 201), ("/videos", "x")])
async def test_limit_out_of_range(client: httpx.AsyncClient, path: str, bad: int | str) -> None:
    response = await client.get(path, params={"limit": bad})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


async def test_small_endpoints_have_their_own_limit_ranges(client: httpx.AsyncClient) -> None:
    assert (await client.get("/creators/top", params={"limit": 26})).status_code == 422
    assert (await client.get("/search", params={"q": "a", "limit": 26})).status_code == 422
    assert (await client.get("/search", params={"q": "a", "limit": 25})).status_code == 200


async def test_bad_filters_and_sorts_are_422(client: httpx.AsyncClient) -> None:
    for params in (
        {"platform": "myspace"},
        {"is_active": "maybe"},
        {"creator_id": "nope"},
        {"order_by": "name"},
        {"order_direction": "sideways"},
        {"sort": "-bogus"},
    ):
        response = await client.get("/accounts", params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"], params


async def test_include_total(client: httpx.AsyncClient, fake: FakeCreatorAudit) -> None:
    body = (await client.get("/accounts", params={"limit": 2, "include_total": "true"})).json()
    assert body["pagination"]["total_count"] == len(fake.store.accounts)
    plain = (await client.get("/accounts", params={"limit": 2})).json()
    assert "total_count" not in plain["pagination"]


async def test_link_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/videos", params={"limit": 5, "platform": "tiktok"})
    links = response.links
    assert links["first"]["url"] == "http://127.0.0.1/v2/videos?limit=5&platform=tiktok"
    cursor = response.json()["pagination"]["next_cursor"]
    assert links["next"]["url"].startswith("http://127.0.0.1/v2/videos?")
    assert httpx.URL(links["next"]["url"]).params["cursor"] == cursor
    last = await client.get("/videos", params={"limit": 200})
    assert last.json()["pagination"] == {"next_cursor": None, "has_next": False, "limit": 200}
    assert set(last.links) == {"first"}


async def test_paging_while_items_are_added_loses_nothing(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    before = set(fake.store.creators)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/creators", params=params)).json()
        seen += [c["id"] for c in body["data"]]
        # Names sorting before and after the current position both appear mid-listing.
        await client.post("/creators", json={"name": f"Aaron {len(seen)}"})
        await client.post("/creators", json={"name": f"Zed {len(seen)}"})
        if not body["pagination"]["has_next"]:
            break
        cursor = body["pagination"]["next_cursor"]
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


async def test_descending_paging_while_items_are_added(
    client: httpx.AsyncClient, fake: FakeCreatorAudit
) -> None:
    before = set(fake.store.accounts)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/accounts", params=params)).json()
        seen += [a["id"] for a in body["data"]]
        await client.post("/accounts", json={"platform": "tiktok", "username": f"new{len(seen)}"})
        if not body["pagination"]["has_next"]:
            break
        cursor = body["pagination"]["next_cursor"]
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


async def test_empty_page_fault_loses_nothing(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(seed=3, clock=clock, faults=FaultPlan(seed=1, empty_page=0.5))
    async with client_for(fake) as http:
        items, requests = await list_all(http, "/account-videos", limit=50)
    assert sorted(i["id"] for i in items) == sorted(fake.store.account_videos)
    assert fake.faults_injected["empty_page"] > 0
    assert requests == -(-len(items) // 50) + fake.faults_injected["empty_page"]


async def test_empty_page_keeps_has_next_and_position() -> None:
    fake = FakeCreatorAudit(faults=FaultPlan(empty_page=1.0))
    async with client_for(fake) as http:
        first = (await http.get("/videos", params={"limit": 5})).json()
        assert first["data"] == []
        assert first["pagination"]["has_next"] is True
        again = await http.get(
            "/videos", params={"limit": 5, "cursor": first["pagination"]["next_cursor"]}
        )
    # Even at probability 1, the page after an empty one is served: the listing progresses.
    assert len(again.json()["data"]) == 5
