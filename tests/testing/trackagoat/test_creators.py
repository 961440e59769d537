"""Creators: adding one or many, reactivation, idempotency, renames, removal, bulk calls."""

from __future__ import annotations

from typing import Any

import httpx

from creatorsdk.testing import FakeClock, FakeTrackAGoat
from tests.testing.trackagoat.conftest import list_all, meta_code


def handles_of(store: Any, project: str) -> list[str]:
    return [c["tiktok_handle"] for c in store.creators.values() if c["project_id"] == project]


async def test_listing_filters_by_project_and_search(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    everyone, pages = await list_all(client, "/creators", limit=3)
    live = [c for c in fake.store.creators.values() if c["id"] not in fake.store.removed]
    assert [c["id"] for c in everyone] == [c["id"] for c in live]
    assert pages == -(-len(live) // 3)
    mine, _ = await list_all(client, "/creators", project_id=project)
    assert {c["project_id"] for c in mine} == {project}
    needle = mine[0]["tiktok_handle"][1:4].upper()
    found, _ = await list_all(client, "/creators", search=needle)
    assert found
    assert all(needle.lower() in c["tiktok_handle"].lower() for c in found)
    bad = await client.get("/creators", params={"limit": 101})
    stale = await client.get("/creators", params={"cursor": "garbage"})
    assert (bad.status_code, meta_code(bad)) == (400, "invalid_query")
    assert (stale.status_code, meta_code(stale)) == (400, "invalid_query")


async def test_single_create_reactivate_and_conflicts(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    path = f"/projects/{project}/creators"
    created = await client.post(
        path, json={"tiktok_handle": "@new.one", "tracking_mode": "selective"}
    )
    assert created.status_code == 201
    creator = created.json()["data"]
    assert (creator["tiktok_handle"], creator["tracking_mode"]) == ("new.one", "selective")
    assert creator["video_count"] > 0  # discovery ran
    removed = next(fake.store.creators[i] for i in sorted(fake.store.removed, key=fake.store.order))
    again = await client.post(path, json={"tiktok_handle": removed["tiktok_handle"].upper()})
    assert again.status_code == 200
    assert again.json()["data"]["id"] == removed["id"]
    assert again.json()["data"]["is_active"] is True
    duplicate = await client.post(path, json={"tiktok_handle": "NEW.ONE"})
    banned = await client.post(path, json={"tiktok_handle": "spam_bot_9000"})
    invalid = await client.post(path, json={"tiktok_handle": "no spaces"})
    assert [r.status_code for r in (duplicate, banned, invalid)] == [409, 409, 400]
    assert [meta_code(r) for r in (duplicate, banned)] == ["duplicate", "creator_banned"]


async def test_bulk_create_reports_each_handle(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    fake.limits["max_creators_per_org"] = fake.store.active_creator_count() + 2
    body = {
        "creators": [
            {"tiktok_handle": "@first"},
            {"tiktok_handle": "first"},
            {"tiktok_handle": "bad handle"},
            {"tiktok_handle": "fake.giveaways"},
            {"tiktok_handle": "second", "tracking_mode": "selective"},
            {"tiktok_handle": "third"},
        ]
    }
    response = await client.post(f"/projects/{project}/creators", json=body)
    assert response.status_code == 201
    results = response.json()["data"]["results"]
    summary = [(r["tiktok_handle"], r["status"], r["code"]) for r in results]
    assert summary == [
        ("first", "created", None),
        ("first", "failed", "duplicate"),
        ("bad handle", "failed", "invalid_handle"),
        ("fake.giveaways", "failed", "creator_banned"),
        ("second", "created", None),
        ("third", "failed", "limit_reached"),
    ]
    assert all((r["creator"] is None) == (r["status"] == "failed") for r in results)
    assert all(r["error"] for r in results if r["status"] == "failed")
    too_many = {"creators": [{"tiktok_handle": f"h{n}"} for n in range(51)]}
    refused = await client.post(f"/projects/{project}/creators", json=too_many)
    assert (refused.status_code, meta_code(refused)) == (400, "invalid_body")


async def test_an_idempotency_key_replays_for_24_hours(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, clock: FakeClock, project: str
) -> None:
    path = f"/projects/{project}/creators"
    headers = {"Idempotency-Key": "k-1"}
    first = await client.post(path, json={"tiktok_handle": "once"}, headers=headers)
    replay = await client.post(path, json={"tiktok_handle": "once"}, headers=headers)
    elsewhere = await client.post(
        f"/projects/{project}/campaigns", json={"name": "x"}, headers=headers
    )
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"
    assert handles_of(fake.store, project).count("once") == 1
    assert (elsewhere.status_code, meta_code(elsewhere)) == (409, "idempotency_key_reused")
    clock.advance(24 * 3600)
    later = await client.post(path, json={"tiktok_handle": "once"}, headers=headers)
    assert (later.status_code, meta_code(later)) == (409, "duplicate")  # run again, not replayed


async def test_renames_answer_409_with_a_code(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, project: str
) -> None:
    mine, other = [
        c for c in fake.store.creators.values() if c["project_id"] == project and c["is_active"]
    ][:2]
    path = f"/creators/{mine['id']}"
    cases = {
        other["tiktok_handle"].upper(): "handle_taken",
        "banned.account": "creator_banned",
        "x" * 31: "invalid_handle",
        mine["tiktok_handle"]: "no_change",
    }
    for handle, code in cases.items():
        response = await client.patch(path, json={"tiktok_handle": handle})
        assert (response.status_code, meta_code(response)) == (409, code)
        assert code in response.json()["error"]
    renamed = await client.patch(path, json={"tiktok_handle": "@renamed", "readme": None})
    assert renamed.json()["data"]["tiktok_handle"] == "renamed"
    empty = await client.patch(path, json={})
    assert (empty.status_code, meta_code(empty)) == (400, "invalid_body")


async def test_delete_scrape_and_bulk_calls(
    client: httpx.AsyncClient, fake: FakeTrackAGoat, clock: FakeClock, project: str
) -> None:
    fake.limits["max_manual_scrape_triggers_per_day"] = 1
    first, second, *_ = [
        c["id"]
        for c in fake.store.creators.values()
        if c["project_id"] == project and c["is_active"]
    ]
    scrape = await client.post(f"/creators/{first}/scrape", json={"job_type": "video_stats"})
    assert scrape.status_code == 202
    assert scrape.json()["data"]["job_type"] == "video_stats"
    spent = await client.post(f"/creators/{first}/scrape")
    assert (spent.status_code, meta_code(spent)) == (402, "limit_reached")
    assert spent.json()["meta"]["limitKey"] == "max_manual_scrape_triggers_per_day"
    deleted = await client.delete(f"/creators/{first}")
    assert deleted.json()["data"] == {"id": first, "is_active": False}
    assert (await client.delete(f"/creators/{first}")).status_code == 200
    assert (await client.patch(f"/creators/{first}", json={"readme": "x"})).status_code == 404
    ghost = "00000000-0000-4000-8000-000000000001"
    removed = await client.post(
        f"/projects/{project}/creators/bulk-remove", json={"creator_ids": [second, ghost]}
    )
    assert removed.json()["data"] == {"removed_count": 1, "not_found": [ghost]}
    ids = [ghost] * 101
    too_many = await client.post(
        f"/projects/{project}/creators/bulk-remove", json={"creator_ids": ids}
    )
    assert too_many.status_code == 400

    disabled = next(c["id"] for c in fake.store.creators.values() if c["disabled_at"])
    path = f"/projects/{project}/creators/bulk-reenable"
    counts = []
    for step in range(3):
        response = await client.post(path, json={"creator_ids": [disabled, second]})
        counts.append(response.json()["data"])
        fake.store.disable(disabled)
        clock.advance(23 * 3600 if step == 0 else 2 * 3600)
    assert counts == [
        {"ok_count": 1, "skipped_count": 0, "failed_count": 1},  # second was removed
        {"ok_count": 0, "skipped_count": 1, "failed_count": 1},  # 23 h: still cooling down
        {"ok_count": 1, "skipped_count": 0, "failed_count": 1},  # 25 h
    ]
