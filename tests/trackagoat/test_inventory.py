"""The contract's endpoint inventory (section 3.0 of shared/api/trackagoat.md), walked: every
operation it lists is called through AsyncTrackAGoat against FakeTrackAGoat, and the fake saw
exactly that method on that path. (The sync twin offers the same methods: tests/sync.)

The table below is the inventory as the contract prints it, row by row. Two rows name no
operation and are left out on purpose: ``* /admin/*`` (platform admins only, no paths given)
and "Organizations, Members, Invitations, API Keys" (paths not public).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest

from creatorsdk import AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeTrackAGoat

#: Section 3.0, as printed: (methods, path).
INVENTORY: tuple[tuple[str, str], ...] = (
    ("GET", "/schema"),
    ("GET", "/openapi.json"),
    ("GET", "/projects"),
    ("GET", "/projects/{projectId}/goal-compliance"),
    ("GET", "/creators"),
    ("POST", "/projects/{projectId}/creators"),
    ("PATCH", "/creators/{id}"),
    ("DELETE", "/creators/{id}"),
    ("POST", "/creators/{id}/scrape"),
    ("POST", "/projects/{projectId}/creators/bulk-reenable"),
    ("POST", "/projects/{projectId}/creators/bulk-remove"),
    ("GET", "/creators/{id}/stats"),
    ("GET", "/videos"),
    ("POST", "/projects/{projectId}/videos"),
    ("PATCH", "/videos/{id}"),
    ("DELETE", "/videos/{id}"),
    ("POST", "/videos/{id}/scrape"),
    ("POST", "/videos/{id}/tracking-disable"),
    ("POST", "/projects/{projectId}/videos/bulk-tracking-disable"),
    ("GET", "/videos/{id}/stats"),
    ("GET", "/campaigns"),
    ("POST", "/projects/{projectId}/campaigns"),
    ("PATCH", "/campaigns/{id}"),
    ("DELETE", "/campaigns/{id}"),
    ("POST", "/campaigns/{id}/items"),
    ("DELETE", "/campaigns/{id}/items"),
    ("GET", "/campaigns/{id}/stats"),
    ("GET", "/analytics"),
    ("GET", "/analytics/schema"),
    ("GET / POST", "/analytics/annotations"),
    ("PATCH / DELETE", "/analytics/annotations/:id"),
    ("GET", "/analytics/aggregate/video-leaderboard"),
    ("GET", "/analytics/aggregate/posting-heatmap"),
    ("GET", "/analytics/aggregate/view-distribution"),
    ("GET", "/analytics/aggregate/outliers"),
    ("GET", "/analytics/aggregate/creator-leaderboard"),
    ("GET", "/analytics/aggregate/posting-consistency"),
    ("GET", "/analytics/aggregate/creator-scatter"),
    ("GET", "/analytics/aggregate/goal-compliance"),
    ("GET", "/analytics/aggregate/campaign-leaderboard"),
    ("GET", "/analytics/aggregate/member-overlap"),
    ("GET / POST", "/payout-methods"),
    ("GET / PATCH / DELETE", "/payout-methods/{id}"),
    ("GET / POST", "/payout-structures"),
    ("GET / PATCH / DELETE", "/payout-structures/{id}"),
    ("GET / POST / DELETE", "/payout-structures/{id}/assignments"),
    ("GET", "/payout-accruals"),
    ("GET / PATCH", "/payout-accruals/{id}"),
    ("GET / POST", "/payout-payments"),
    ("GET / PATCH", "/payout-payments/{id}"),
)


def operations() -> list[tuple[str, str]]:
    """Each (method, path) of the inventory, combined rows split."""
    return [(m.strip(), path) for methods, path in INVENTORY for m in methods.split("/")]


@attrs.define
class World:
    """Ids the calls need, from the fake's seeded organization (and what the calls make)."""

    project: str
    creator: str
    video: str
    campaign: str
    made: dict[str, str] = attrs.field(factory=dict)


Call = Callable[[AsyncTrackAGoat, World], Awaitable[Any]]


async def _new_creator(tg: AsyncTrackAGoat, w: World, handle: str) -> str:
    return (await tg.creators.create(w.project, handle)).id


async def _new_video(tg: AsyncTrackAGoat, w: World) -> str:
    url = f"https://www.tiktok.com/@inventory/video/74{len(w.made):017d}"
    w.made[url] = (await tg.videos.create(w.project, url)).id
    return w.made[url]


async def _new_campaign(tg: AsyncTrackAGoat, w: World) -> str:
    return (await tg.campaigns.create(w.project, f"Inventory {len(w.made)}")).id


async def _method(tg: AsyncTrackAGoat, w: World) -> str:
    if "method" not in w.made:
        w.made["method"] = (await tg.payout_methods.create("Inventory pay")).id
    return w.made["method"]


async def _structure(tg: AsyncTrackAGoat, w: World) -> str:
    if "structure" not in w.made:
        made = await tg.payout_structures.create(
            w.project, "Inventory", rule_type="recurring", amount_cents=1_000, period="weekly"
        )
        w.made["structure"] = made.id
    return w.made["structure"]


async def _accrual(tg: AsyncTrackAGoat, w: World) -> Any:
    return (await tg.payout_accruals.list(status="open", limit=1).pages().__anext__()).items[0]


async def _payment(tg: AsyncTrackAGoat, w: World) -> str:
    if "payment" not in w.made:
        accrual = await _accrual(tg, w)
        venmo = next(m for m in await tg.payout_methods.list().to_list() if m.name == "Venmo")
        made = await tg.payout_payments.create(
            accrual.creator_id, venmo.id, 1, accrual_ids=[accrual.id]
        )
        w.made["payment"] = made.id
    return w.made["payment"]


async def _annotation(tg: AsyncTrackAGoat, w: World) -> str:
    if "annotation" not in w.made:
        w.made["annotation"] = (await tg.annotations.create("2026-06-01", "Inventory")).id
    return w.made["annotation"]


async def _delete_annotation(tg: AsyncTrackAGoat, w: World) -> None:
    await tg.annotations.delete(await _annotation(tg, w))


async def _unassign(tg: AsyncTrackAGoat, w: World) -> Any:
    structure = await _structure(tg, w)
    await tg.payout_structures.assign(structure, [w.creator])
    return await tg.payout_structures.unassign(structure, [w.creator])


async def _delete_method(tg: AsyncTrackAGoat, w: World) -> None:
    await tg.payout_methods.delete(await _method(tg, w))


async def _delete_structure(tg: AsyncTrackAGoat, w: World) -> None:
    await tg.payout_structures.delete(await _structure(tg, w))


async def _delete_creator(tg: AsyncTrackAGoat, w: World) -> None:
    await tg.creators.delete(await _new_creator(tg, w, "inventory.gone"))


async def _bulk_remove(tg: AsyncTrackAGoat, w: World) -> Any:
    return await tg.creators.bulk_remove(w.project, [await _new_creator(tg, w, "inventory.bulk")])


async def _delete_video(tg: AsyncTrackAGoat, w: World) -> None:
    await tg.videos.delete(await _new_video(tg, w))


async def _delete_campaign(tg: AsyncTrackAGoat, w: World) -> None:
    await tg.campaigns.delete(await _new_campaign(tg, w))


async def _remove_item(tg: AsyncTrackAGoat, w: World) -> None:
    campaign = await _new_campaign(tg, w)
    await tg.campaigns.add_item(campaign, "creator", w.creator)
    await tg.campaigns.remove_item(campaign, "creator", w.creator)


async def _accrual_get(tg: AsyncTrackAGoat, w: World) -> Any:
    return await tg.payout_accruals.get((await _accrual(tg, w)).id)


async def _accrual_patch(tg: AsyncTrackAGoat, w: World) -> Any:
    return await tg.payout_accruals.update((await _accrual(tg, w)).id, note="checked")


def _gone(kind: str) -> Call:
    """A removed stats endpoint: 410, raised as GoneError naming ``/analytics``. (The contract
    gives ``/videos/{id}/stats`` an unknown status; the fake treats it like the other two.)"""

    async def call(tg: AsyncTrackAGoat, w: World) -> None:
        target = {"creators": w.creator, "videos": w.video, "campaigns": w.campaign}[kind]
        with pytest.raises(errors.GoneError) as gone:
            await tg.request("GET", f"/{kind}/{target}/stats", params={"metric": "views"})
        assert "/analytics" in gone.value.detail

    return call


R = (dt.date(2026, 5, 15), dt.date(2026, 6, 14))

#: How the SDK calls each operation of the inventory.
CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/schema"): lambda tg, w: tg.schema(),
    ("GET", "/openapi.json"): lambda tg, w: tg.openapi(),
    ("GET", "/projects"): lambda tg, w: tg.projects.list().to_list(),
    ("GET", "/projects/{projectId}/goal-compliance"): lambda tg, w: tg.goal_compliance(w.project),
    ("GET", "/creators"): lambda tg, w: tg.creators.list(project_id=w.project).to_list(),
    ("POST", "/projects/{projectId}/creators"): lambda tg, w: tg.creators.create_many(
        w.project, [{"tiktok_handle": "inventory.new", "tracking_mode": "selective"}]
    ),
    ("PATCH", "/creators/{id}"): lambda tg, w: tg.creators.update(w.creator, readme="notes"),
    ("DELETE", "/creators/{id}"): _delete_creator,
    ("POST", "/creators/{id}/scrape"): lambda tg, w: tg.creators.scrape(w.creator),
    ("POST", "/projects/{projectId}/creators/bulk-reenable"): lambda tg, w: (
        tg.creators.bulk_reenable(w.project, [w.creator])
    ),
    ("POST", "/projects/{projectId}/creators/bulk-remove"): _bulk_remove,
    ("GET", "/creators/{id}/stats"): _gone("creators"),
    ("GET", "/videos"): lambda tg, w: tg.videos.list(project_id=w.project).to_list(),
    ("POST", "/projects/{projectId}/videos"): _new_video,
    ("PATCH", "/videos/{id}"): lambda tg, w: tg.videos.update(w.video, readme="pinned"),
    ("DELETE", "/videos/{id}"): _delete_video,
    ("POST", "/videos/{id}/scrape"): lambda tg, w: tg.videos.scrape(w.video),
    ("POST", "/videos/{id}/tracking-disable"): lambda tg, w: tg.videos.disable_tracking(w.video),
    ("POST", "/projects/{projectId}/videos/bulk-tracking-disable"): lambda tg, w: (
        tg.videos.disable_tracking([w.video], project_id=w.project)
    ),
    ("GET", "/videos/{id}/stats"): _gone("videos"),
    ("GET", "/campaigns"): lambda tg, w: tg.campaigns.list().to_list(),
    ("POST", "/projects/{projectId}/campaigns"): _new_campaign,
    ("PATCH", "/campaigns/{id}"): lambda tg, w: tg.campaigns.update(w.campaign, name="Renamed"),
    ("DELETE", "/campaigns/{id}"): _delete_campaign,
    ("POST", "/campaigns/{id}/items"): lambda tg, w: _then(
        _new_campaign(tg, w), lambda c: tg.campaigns.add_item(c, "creator", w.creator)
    ),
    ("DELETE", "/campaigns/{id}/items"): _remove_item,
    ("GET", "/campaigns/{id}/stats"): _gone("campaigns"),
    ("GET", "/analytics"): lambda tg, w: tg.analytics.query(
        entity="campaign", entity_id=w.campaign, metric="views", breakdown="video"
    ),
    ("GET", "/analytics/schema"): lambda tg, w: tg.analytics.schema(),
    ("GET", "/analytics/annotations"): lambda tg, w: tg.annotations.list().to_list(),
    ("POST", "/analytics/annotations"): _annotation,
    ("PATCH", "/analytics/annotations/:id"): lambda tg, w: _then(
        _annotation(tg, w), lambda a: tg.annotations.update(a, label="Renamed")
    ),
    ("DELETE", "/analytics/annotations/:id"): _delete_annotation,
    ("GET", "/analytics/aggregate/video-leaderboard"): lambda tg, w: tg.aggregate.video_leaderboard(
        w.project, limit=5
    ).to_list(),
    ("GET", "/analytics/aggregate/posting-heatmap"): lambda tg, w: tg.aggregate.posting_heatmap(
        w.project, *R
    ),
    ("GET", "/analytics/aggregate/view-distribution"): lambda tg, w: tg.aggregate.view_distribution(
        w.project
    ),
    ("GET", "/analytics/aggregate/outliers"): lambda tg, w: tg.aggregate.outliers(w.project),
    ("GET", "/analytics/aggregate/creator-leaderboard"): lambda tg, w: (
        tg.aggregate.creator_leaderboard(w.project).to_list()
    ),
    ("GET", "/analytics/aggregate/posting-consistency"): lambda tg, w: (
        tg.aggregate.posting_consistency(w.project)
    ),
    ("GET", "/analytics/aggregate/creator-scatter"): lambda tg, w: tg.aggregate.creator_scatter(
        w.project
    ),
    ("GET", "/analytics/aggregate/goal-compliance"): lambda tg, w: tg.aggregate.goal_compliance(
        w.project
    ),
    ("GET", "/analytics/aggregate/campaign-leaderboard"): lambda tg, w: (
        tg.aggregate.campaign_leaderboard(w.project).to_list()
    ),
    ("GET", "/analytics/aggregate/member-overlap"): lambda tg, w: tg.aggregate.member_overlap(
        w.project
    ),
    ("GET", "/payout-methods"): lambda tg, w: tg.payout_methods.list(
        include_disabled=True
    ).to_list(),
    ("POST", "/payout-methods"): _method,
    ("GET", "/payout-methods/{id}"): lambda tg, w: _then(_method(tg, w), tg.payout_methods.get),
    ("PATCH", "/payout-methods/{id}"): lambda tg, w: _then(
        _method(tg, w), lambda m: tg.payout_methods.update(m, readme="ACH only")
    ),
    ("DELETE", "/payout-methods/{id}"): _delete_method,
    ("GET", "/payout-structures"): lambda tg, w: tg.payout_structures.list(
        project_id=w.project
    ).to_list(),
    ("POST", "/payout-structures"): _structure,
    ("GET", "/payout-structures/{id}"): lambda tg, w: _then(
        _structure(tg, w), tg.payout_structures.get
    ),
    ("PATCH", "/payout-structures/{id}"): lambda tg, w: _then(
        _structure(tg, w), lambda s: tg.payout_structures.update(s, amount_cents=2_000)
    ),
    ("DELETE", "/payout-structures/{id}"): _delete_structure,
    ("GET", "/payout-structures/{id}/assignments"): lambda tg, w: _then(
        _structure(tg, w), lambda s: tg.payout_structures.list_assignments(s).to_list()
    ),
    ("POST", "/payout-structures/{id}/assignments"): lambda tg, w: _then(
        _structure(tg, w), lambda s: tg.payout_structures.assign(s, [w.creator])
    ),
    ("DELETE", "/payout-structures/{id}/assignments"): _unassign,
    ("GET", "/payout-accruals"): lambda tg, w: tg.payout_accruals.list(
        project_id=w.project
    ).to_list(),
    ("GET", "/payout-accruals/{id}"): _accrual_get,
    ("PATCH", "/payout-accruals/{id}"): _accrual_patch,
    ("GET", "/payout-payments"): lambda tg, w: tg.payout_payments.list().to_list(),
    ("POST", "/payout-payments"): _payment,
    ("GET", "/payout-payments/{id}"): lambda tg, w: _then(_payment(tg, w), tg.payout_payments.get),
    ("PATCH", "/payout-payments/{id}"): lambda tg, w: _then(
        _payment(tg, w), lambda p: tg.payout_payments.void(p, reason="inventory")
    ),
}


async def _then(first: Awaitable[str], then: Callable[[str], Awaitable[Any]]) -> Any:
    return await then(await first)


def _pattern(path: str) -> re.Pattern[str]:
    """The inventory path as a regex over request paths (``{x}`` and ``:x`` are UUIDs)."""
    template = re.sub(r"\{\w+\}|:\w+", "ID", path)
    escaped = re.escape(template).replace("ID", "[0-9a-f]{8}-[0-9a-f-]{27}")
    return re.compile(f"/api/v1{escaped}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeTrackAGoat:
    return FakeTrackAGoat(seed=8, clock=clock, rate_limit=None)


@pytest.fixture
async def tg(fake: FakeTrackAGoat, clock: FakeClock) -> AsyncIterator[AsyncTrackAGoat]:
    async with AsyncTrackAGoat(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        retry=RetryPolicy(sleep=clock.sleep, clock=clock),
        requests_per_minute=60_000,
    ) as client:
        yield client


@pytest.fixture
def world(fake: FakeTrackAGoat) -> World:
    store = fake.store
    project = next(iter(store.projects))
    creator = next(
        c["id"] for c in store.live(store.creators) if c["project_id"] == project and c["is_active"]
    )
    video = next(
        v["id"]
        for v in store.tracked_videos()
        if v["project_id"] == project and v["tracking_status"] != "excluded"
    )
    campaign = next(c["id"] for c in store.campaigns.values() if c["project_id"] == project)
    return World(project, creator, video, campaign)


def test_every_operation_of_the_inventory_has_a_call() -> None:
    listed = operations()
    assert len(listed) == len(set(listed)) == 63
    assert set(CALLS) == set(listed)


@pytest.mark.parametrize(("method", "path"), operations(), ids=lambda x: x)
async def test_the_operation_reaches_the_fake(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat, world: World, method: str, path: str
) -> None:
    before = len(fake.requests)
    await CALLS[method, path](tg, world)
    sent = fake.requests[before:]
    pattern = _pattern(path)
    hits = [r for r in sent if r.method == method and pattern.fullmatch(r.path)]
    # The call returned, so the answer was a success; the removed endpoints' calls check
    # their GoneError themselves.
    assert hits, f"{method} {path} was not sent; sent: {[(r.method, r.path) for r in sent]}"
