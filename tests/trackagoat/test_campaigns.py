"""tg.campaigns: list, create, update, delete, add and remove items."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import AsyncTrackAGoat, Campaign, CampaignItem

from .conftest import PROJECT, campaign, fail, ok, page, sent_json, uid

TARGET_AT = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


async def test_list(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/campaigns").mock(return_value=page([campaign(1), campaign(2)]))
    campaigns = await tg.campaigns.list(project_id=PROJECT, limit=10).to_list()
    assert [c.name for c in campaigns] == ["Campaign 1", "Campaign 2"]
    assert isinstance(campaigns[0], Campaign)
    assert campaigns[0].target_views == 1_000_000
    assert campaigns[0].target_at == TARGET_AT
    assert route.calls.last.request.url.params == httpx.QueryParams(
        {"project_id": PROJECT, "limit": "10"}
    )


async def test_create_with_idempotency_key(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(f"/projects/{PROJECT}/campaigns").mock(
        return_value=ok(campaign(3, name="Summer"), status=201)
    )
    made = await tg.campaigns.create(PROJECT, "Summer")
    assert made.name == "Summer"
    request = route.calls.last.request
    assert sent_json(request) == {"name": "Summer"}
    assert request.headers["idempotency-key"]
    await tg.campaigns.create(
        PROJECT,
        "Summer",
        readme="Brief",
        target_views=5000,
        target_at=TARGET_AT,
        idempotency_key="camp-1",
    )
    request = route.calls.last.request
    assert request.headers["idempotency-key"] == "camp-1"
    assert sent_json(request) == {
        "name": "Summer",
        "readme": "Brief",
        "target_views": 5000,
        "target_at": "2026-07-01T00:00:00+00:00",
    }


async def test_create_validates(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="name"):
        await tg.campaigns.create(PROJECT, "")
    with pytest.raises(ValueError, match="200"):
        await tg.campaigns.create(PROJECT, "x" * 201)
    with pytest.raises(ValueError, match="target_at"):
        await tg.campaigns.create(PROJECT, "x", target_at=dt.datetime(2026, 7, 1))
    with pytest.raises(ValueError, match="target_views"):
        await tg.campaigns.create(PROJECT, "x", target_views=-1)
    assert not routes.calls


async def test_campaign_limit(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    routes.post(f"/projects/{PROJECT}/campaigns").mock(
        return_value=fail(
            402,
            "Limit reached",
            {
                "code": "limit_reached",
                "limitKey": "max_campaigns_per_project",
                "current": 10,
                "max": 10,
            },
        )
    )
    with pytest.raises(errors.LimitReachedError) as caught:
        await tg.campaigns.create(PROJECT, "One more")
    assert caught.value.max == 10


async def test_update_clears_and_sets(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.patch(f"/campaigns/{uid(1)}").mock(
        return_value=ok(campaign(1, target_views=None, target_at=None))
    )
    updated = await tg.campaigns.update(uid(1), name="Renamed", target_views=None, target_at=None)
    assert updated.target_views is None
    assert sent_json(route.calls.last.request) == {
        "name": "Renamed",
        "target_views": None,
        "target_at": None,
    }
    with pytest.raises(ValueError, match="at least one"):
        await tg.campaigns.update(uid(1))


async def test_delete(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.delete(f"/campaigns/{uid(1)}").mock(
        return_value=ok({"id": uid(1), "deleted": True})
    )
    await tg.campaigns.delete(uid(1))
    assert route.call_count == 1


async def test_add_item(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(f"/campaigns/{uid(1)}/items").mock(
        return_value=ok(
            {
                "id": uid(40),
                "campaign_id": uid(1),
                "item_type": "creator",
                "item_id": uid(7),
                "created_at": "2026-06-01T00:00:00Z",
            },
            status=201,
        )
    )
    item = await tg.campaigns.add_item(uid(1), "creator", uid(7))
    assert item == CampaignItem(
        id=uid(40),
        campaign_id=uid(1),
        item_type="creator",
        item_id=uid(7),
        created_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    assert sent_json(route.calls.last.request) == {"item_type": "creator", "item_id": uid(7)}


async def test_add_item_with_an_empty_reply(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    routes.post(f"/campaigns/{uid(1)}/items").mock(return_value=httpx.Response(204))
    item = await tg.campaigns.add_item(uid(1), "campaign", uid(2))
    assert (item.campaign_id, item.item_type, item.item_id) == (uid(1), "campaign", uid(2))


async def test_add_item_validates(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="item_type"):
        await tg.campaigns.add_item(uid(1), "project", uid(2))
    with pytest.raises(ValueError, match="item_id"):
        await tg.campaigns.add_item(uid(1), "video", "v-2")
    with pytest.raises(ValueError, match="itself"):
        await tg.campaigns.add_item(uid(1), "campaign", uid(1))
    assert not routes.calls


async def test_cycle_is_a_conflict(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    routes.post(f"/campaigns/{uid(1)}/items").mock(
        return_value=fail(409, "Adding this campaign would create a cycle")
    )
    with pytest.raises(errors.ConflictError) as caught:
        await tg.campaigns.add_item(uid(1), "campaign", uid(2))
    assert caught.value.code == "conflict"


async def test_remove_item_sends_a_delete_with_a_body(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.delete(f"/campaigns/{uid(1)}/items").mock(return_value=ok({"removed": True}))
    await tg.campaigns.remove_item(uid(1), "video", uid(3))
    assert sent_json(route.calls.last.request) == {"item_type": "video", "item_id": uid(3)}
