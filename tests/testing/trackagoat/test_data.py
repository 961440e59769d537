"""Seeded data, videos, campaigns, and series computed from the fake's own history."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx

from creatorsdk.testing import FakeClock, FakeTrackAGoat
from tests.testing.trackagoat.conftest import list_all, meta_code


def test_the_same_seed_gives_the_same_organization(clock: FakeClock) -> None:
    one, two = (FakeTrackAGoat(seed=7, clock=clock) for _ in range(2))
    assert one.store.creators == two.store.creators
    assert one.store.videos == two.store.videos
    other = FakeTrackAGoat(seed=8, clock=clock)
    assert set(other.store.creators).isdisjoint(one.store.creators)
    store = one.store
    assert len(store.projects) == 2
    assert len(store.removed) == 4  # removed creators of the first project
    assert sum(1 for c in store.creators.values() if c["disabled_at"]) == 1
    statuses = {v["tracking_status"] for v in store.videos.values()}
    assert {"auto_tracked", "direct_add", "pending_review", "excluded"} <= statuses


async def test_videos_list_add_and_stop_tracking(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    videos, _ = await list_all(client, "/videos", limit=17)
    assert videos
    assert "excluded" not in {v["tracking_status"] for v in videos}
    assert all(v["view_count"] >= v["like_count"] >= 0 for v in videos)
    url = "https://www.tiktok.com/@guest/video/7300000000000000001"
    added = await client.post(f"/projects/{project}/videos", json={"url": url})
    assert added.status_code == 201
    video = added.json()["data"]
    assert (video["tracking_status"], video["creator_id"]) == ("direct_add", None)
    again = await client.post(f"/projects/{project}/videos", json={"url": url})
    junk = await client.post(f"/projects/{project}/videos", json={"url": "https://example.com/v"})
    assert (again.status_code, junk.status_code) == (409, 400)
    off = await client.post(f"/videos/{video['id']}/tracking-disable", json={})
    assert off.json()["data"] == {"id": video["id"], "tracking_enabled": False}
    bulk = await client.post(
        f"/projects/{project}/videos/bulk-tracking-disable",
        json={"video_ids": [videos[0]["id"], "00000000-0000-4000-8000-000000000009"]},
    )
    assert bulk.json()["data"]["not_found"] == ["00000000-0000-4000-8000-000000000009"]
    assert (await client.delete(f"/videos/{video['id']}")).status_code == 200
    assert (await client.patch(f"/videos/{video['id']}", json={"readme": "x"})).status_code == 404


async def test_campaign_items_nest_without_cycles(client: httpx.AsyncClient, project: str) -> None:
    parent = (await client.post(f"/projects/{project}/campaigns", json={"name": "P"})).json()
    child = (await client.post(f"/projects/{project}/campaigns", json={"name": "C"})).json()
    items = f"/campaigns/{parent['data']['id']}/items"
    nest = {"item_type": "campaign", "item_id": child["data"]["id"]}
    assert (await client.post(items, json=nest)).status_code == 201
    assert meta_code(await client.post(items, json=nest)) == "duplicate"
    back = {"item_type": "campaign", "item_id": parent["data"]["id"]}
    cycle = await client.post(f"/campaigns/{child['data']['id']}/items", json=back)
    assert (cycle.status_code, meta_code(cycle)) == (409, "circular_nesting")
    gone = await client.request("DELETE", items, json=nest)
    assert gone.json()["data"]["removed"] is True
    assert (await client.request("DELETE", items, json=nest)).status_code == 404


async def test_series_come_from_the_history(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    creator = next(c for c in fake.store.creators.values() if c["is_active"])
    params = {"entity": "creator", "entity_id": creator["id"], "metric": "views"}
    new = (await client.get("/analytics", params=params)).json()["data"]
    cumulative = (await client.get("/analytics", params={**params, "mode": "cumulative"})).json()
    points = new["series"][0]["points"]
    totals = [p["value"] for p in cumulative["data"]["series"][0]["points"]]
    assert len(points) == 30
    assert points[-1]["partial"] is True
    assert not any(p["partial"] for p in points[:-1])
    # What each day gained is what the running total grew by (to rounding per video).
    for day in range(1, 30):
        assert abs(totals[day] - totals[day - 1] - points[day]["value"]) <= 8
    assert new["series"][0]["entity_ref"] == {
        "id": creator["id"],
        "label": f"@{creator['tiktok_handle']}",
    }
    today = dt.datetime.fromtimestamp(fake.clock(), dt.UTC).date()
    later = {**params, "from": str(today), "to": str(today + dt.timedelta(days=3))}
    future = (await client.get("/analytics", params=later)).json()["data"]["series"][0]["points"]
    assert [p["value"] is None for p in future] == [False, True, True, True]


async def test_a_new_creator_starts_from_a_baseline(
    client: httpx.AsyncClient, project: str
) -> None:
    new = await client.post(f"/projects/{project}/creators", json={"tiktok_handle": "brandnew"})
    params = {"entity": "creator", "entity_id": new.json()["data"]["id"], "metric": "views"}
    points = (await client.get("/analytics", params=params)).json()["data"]["series"][0]["points"]
    assert {p["value"] for p in points} == {0}


async def test_buckets_compare_csv_and_bad_queries(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    base = {"entity": "project", "entity_id": project, "metric": "views"}
    daily = (await client.get("/analytics", params=base)).json()["data"]
    monthly = await client.get("/analytics", params={**base, "granularity": "month"})
    month_points = monthly.json()["data"]["series"][0]["points"]
    assert sum(p["value"] for p in month_points) == sum(
        p["value"] for p in daily["series"][0]["points"]
    )
    assert [p["t"][8:] for p in month_points[1:]] == ["01"] * (len(month_points) - 1)
    compared = await client.get("/analytics", params={**base, "compare": "prior_period"})
    prior = compared.json()["data"]["compare_series"][0]["points"]
    assert prior[-1]["t"] == str(dt.date.fromisoformat(daily["from"]) - dt.timedelta(days=1))
    table = await client.get("/analytics", params={**base, "format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    assert "attachment" in table.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == 30
    assert {r["series_kind"] for r in rows} == {"main"}
    bad = [
        {**base, "metric": "vibes"},
        {**base, "entity": "video", "metric": "followers"},
        {**base, "entity_ids": project},
        {**base, "mode": "rate"},
        {**base, "tz": "Mars/Olympus"},
    ]
    for params in bad:
        response = await client.get("/analytics", params=params)
        assert (response.status_code, meta_code(response)) == (400, "invalid_query"), params
    ghost = {**base, "entity_id": "00000000-0000-4000-8000-000000000003"}
    assert (await client.get("/analytics", params=ghost)).status_code == 404


async def test_retention_depends_on_the_plan(clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=0, clock=clock, plan="starter")
    project = next(iter(fake.store.projects))
    params = {"entity": "project", "entity_id": project, "metric": "views"}
    async with httpx.AsyncClient(
        transport=fake.transport(),
        base_url=fake.base_url,
        headers={"Authorization": f"Bearer {fake.api_key}"},
    ) as http:
        old = await http.get("/analytics", params={**params, "from": "2024-01-01"})
        fine = await http.get("/analytics", params=params)
    assert (old.status_code, meta_code(old)) == (402, "retention_exceeded")
    assert fine.json()["data"]["tier_retention_days"] == 365


async def test_goal_compliance_schema_and_removed_endpoints(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    report = (await client.get(f"/projects/{project}/goal-compliance")).json()["data"]
    active = [
        c["id"]
        for c in fake.store.creators.values()
        if c["project_id"] == project and c["is_active"]
    ]
    assert [r["creator"]["id"] for r in report] == active
    entry = report[0]["compliance"][0]
    assert set(entry) == {"goal", "target", "actual", "percentage", "status", "advisory"}
    assert entry["advisory"]["period_in_progress"] is True
    weekly = await client.get(f"/projects/{project}/goal-compliance", params={"period": "weekly"})
    assert {e["goal"]["period"] for r in weekly.json()["data"] for e in r["compliance"]} == {
        "weekly"
    }
    past = await client.get(
        f"/projects/{project}/goal-compliance", params={"reference_date": "2026-05-01"}
    )
    assert {e["status"] for r in past.json()["data"] for e in r["compliance"]} <= {
        "completed",
        "missed",
    }
    schema = (await client.get("/schema")).json()["data"]
    assert {"project", "creator", "video", "campaign"} <= set(schema["entities"])
    for kind in ("creators", "campaigns", "videos"):
        some_id = next(iter(getattr(fake.store, kind)))
        gone = await client.get(f"/{kind}/{some_id}/stats")
        assert gone.status_code == 410
        assert "/api/v1/analytics" in gone.json()["error"]
