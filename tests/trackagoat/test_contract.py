"""AsyncTrackAGoat's public surface against FakeTrackAGoat, in-process and over loopback HTTP.

The respx tests pin each request's shape; these prove the client and an independent
implementation of the contract agree end to end: bulk adds in parallel chunks with every
handle accounted for, no duplicate creator when a retry follows a dropped connection, the
daily quota raised at once, plan limits and scopes as typed errors, every listed item exactly
once through faults, and series that add up to the server's own history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from creatorsdk import AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeTrackAGoat, FaultPlan

UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"
FAST = 60_000.0  # requests per minute: pacing out of the way where a test is not about it


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(fake_clock: FakeClock) -> FakeTrackAGoat:
    return FakeTrackAGoat(seed=3, clock=fake_clock)


def client_for(
    fake: FakeTrackAGoat,
    clock: FakeClock,
    *,
    key: str | None = None,
    base_url: str | None = None,
    in_process: bool = True,
    **options: Any,
) -> AsyncTrackAGoat:
    """The SDK on the fake; retries and pacing wait on the fake's clock, never for real."""
    return AsyncTrackAGoat(
        api_key=key or fake.api_key,
        base_url=base_url or fake.base_url,
        transport=fake.transport() if in_process else None,
        retry=RetryPolicy(sleep=clock.sleep, clock=clock),
        **options,
    )


@pytest.fixture
async def tg(fake: FakeTrackAGoat, fake_clock: FakeClock) -> AsyncIterator[AsyncTrackAGoat]:
    async with client_for(fake, fake_clock) as client:
        yield client


@pytest.fixture
def served(fake: FakeTrackAGoat) -> Iterator[str]:
    """The fake on 127.0.0.1, served from its own event-loop thread for the whole test."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield base_url


def first_project(fake: FakeTrackAGoat) -> str:
    return next(iter(fake.store.projects))


def onboarding_list(fake: FakeTrackAGoat, project: str) -> tuple[list[str], dict[str, str]]:
    """120 handles in the forms users paste, and the outcome each must get."""
    store = fake.store
    in_project = [c for c in store.creators.values() if c["project_id"] == project]
    removed = [c["tiktok_handle"] for c in in_project if c["id"] in store.removed]
    active = [c["tiktok_handle"] for c in in_project if c["id"] not in store.removed][:3]
    banned = sorted(store.banned)[:2]
    new = [f"onboard_{n:03d}" for n in range(120 - len(removed) - len(active) - len(banned))]
    expected = {
        **dict.fromkeys(new, "created"),
        **dict.fromkeys(removed, "reactivated"),
        **dict.fromkeys(banned, "creator_banned"),
        **dict.fromkeys(active, "duplicate"),
    }
    handles = [f"@{h}" for h in new[:40]]
    handles += [f"https://www.tiktok.com/@{h}?lang=en" for h in new[40:60]]
    handles += new[60:] + removed + banned + active
    random.Random(0).shuffle(handles)
    return handles, expected


def outcomes(result: Any) -> dict[str, str]:
    """Handle → created / reactivated / the failure code, from a create_many result."""
    found: dict[str, str] = {}
    for status, creators in (("created", result.created), ("reactivated", result.reactivated)):
        for creator in creators:
            assert creator.tiktok_handle not in found
            found[creator.tiktok_handle] = status
    for failure in result.failed:
        assert failure.handle not in found
        found[failure.handle] = failure.code
    return found


def creator_posts(fake: FakeTrackAGoat) -> list[Any]:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/creators")]


# -- bulk onboarding ----------------------------------------------------------------------------


async def test_adding_120_handles_is_three_parallel_calls_with_every_outcome(
    fake_clock: FakeClock,
) -> None:
    fake = FakeTrackAGoat(seed=3, clock=fake_clock, latency=0.03)
    project = first_project(fake)
    handles, expected = onboarding_list(fake, project)
    assert len(handles) == 120
    before = {c["id"] for c in fake.store.creators.values()}
    async with client_for(fake, fake_clock, requests_per_minute=FAST) as tg:
        result = await tg.creators.create_many(project, handles)

    assert outcomes(result) == expected
    posts = creator_posts(fake)
    assert [len(p.body["creators"]) for p in posts] == [50, 50, 20]
    assert len({p.headers["idempotency-key"] for p in posts}) == 3
    assert fake.max_in_flight == 3  # the chunks were on the wire together
    reactivated = {c.id for c in result.reactivated}
    assert reactivated <= before  # same creators, history kept
    assert all(c.is_active for c in result.created + result.reactivated)
    assert {c.id for c in result.created}.isdisjoint(before)


def first_only(kind: str, draws: int) -> FaultPlan:
    """A plan whose seed damages the first creator POST after applying it, and no later one
    (the injector draws once per eligible request, in arrival order)."""
    for seed in range(10_000):
        rng = random.Random(seed)
        rolls = [rng.random() for _ in range(draws)]
        if rolls[0] < 0.5 and min(rolls[1:]) >= 0.5:
            return FaultPlan(seed=seed, paths={"/projects/*/creators"}, **{kind: 0.5})  # type: ignore[arg-type]
    raise AssertionError("no such seed")  # pragma: no cover


@pytest.mark.parametrize("kind", ["drop_after_commit", "truncated_body"])
async def test_a_retry_after_a_damaged_answer_adds_no_creator_twice(
    fake: FakeTrackAGoat, fake_clock: FakeClock, kind: str
) -> None:
    project = first_project(fake)
    fake.faults = first_only(kind, draws=8)
    handles = [f"retry_{n:03d}" for n in range(120)]
    async with client_for(fake, fake_clock) as tg:
        result = await tg.creators.create_many(project, handles)

    assert fake.faults_injected[kind] == 1
    assert sorted(c.tiktok_handle for c in result.created) == handles
    assert not result.failed
    assert not result.reactivated
    stored = [c["tiktok_handle"] for c in fake.store.creators.values()]
    assert all(stored.count(h) == 1 for h in handles)
    posts = creator_posts(fake)
    keys = [p.headers["idempotency-key"] for p in posts]
    assert len(posts) == 4
    assert len(set(keys)) == 3  # the retry reused its chunk's key
    assert fake.idempotent_replays == 1


async def test_single_create_reactivates_a_removed_handle(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    project = first_project(fake)
    creator = await tg.creators.create(project, "@fresh.face", tracking_mode="selective")
    assert (creator.tiktok_handle, creator.tracking_mode) == ("fresh.face", "selective")
    await tg.creators.delete(creator.id)
    await tg.creators.delete(creator.id)  # a repeated delete (a retry) is harmless
    assert creator.id not in {c.id async for c in tg.creators.list(project_id=project)}
    again = await tg.creators.create(project, "https://www.tiktok.com/@FRESH.FACE")
    assert again.id == creator.id
    assert again.is_active
    assert again.reactivated
    assert not creator.reactivated
    with pytest.raises(errors.ConflictError) as conflict:
        await tg.creators.create(project, "fresh.face")
    assert conflict.value.code == "duplicate"
    assert conflict.value.request_id


# -- limits, quotas, scopes -------------------------------------------------------------------


async def test_the_daily_quota_is_raised_at_once_never_slept(fake_clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=3, clock=fake_clock, limits={"max_api_requests_per_day": 3})
    async with client_for(fake, fake_clock) as tg:
        for _ in range(3):
            await tg.schema()
        before, sent = fake_clock.now(), len(fake.requests)
        with pytest.raises(errors.DailyQuotaExceededError) as quota:
            await tg.projects.list().to_list()
    assert len(fake.requests) == sent + 1  # not retried
    assert fake_clock.now() - before <= 1.0  # at most the pacer's one-second spacing
    midnight = (fake_clock.now() // 86_400 + 1) * 86_400
    assert quota.value.retry_after == pytest.approx(midnight - fake_clock.now(), abs=2)
    assert quota.value.status == 429
    assert quota.value.request_id


async def test_the_per_key_window_is_waited_out(fake_clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=3, clock=fake_clock, rate_limit=5, rate_window=60.0)
    async with client_for(fake, fake_clock, requests_per_minute=FAST) as tg:
        for _ in range(8):
            await tg.schema()
        assert tg.stats.rate_limited >= 1
    answered = [r for r in fake.requests if r.path.endswith("/schema")]
    assert len(answered) == 8 + tg.stats.rate_limited
    assert fake_clock.now() - answered[0].arrived_at >= 60.0  # it waited out the window


async def test_default_pacing_never_trips_the_default_window(
    fake: FakeTrackAGoat, fake_clock: FakeClock
) -> None:
    start = fake_clock.now()
    async with client_for(fake, fake_clock) as tg:  # 60 a minute, like the fake's window
        schema = await tg.schema()
        assert {"project", "creator", "video", "campaign"} <= set(schema.entities)
        one_by_one = [c.id async for c in tg.creators.list(limit=1)]
        for _ in range(80 - len(fake.requests)):
            await tg.schema()
    assert (
        len(one_by_one) == len(set(one_by_one)) == len(list(fake.store.live(fake.store.creators)))
    )
    assert len(fake.requests) == 80
    assert tg.stats.rate_limited == 0
    assert fake_clock.now() - start >= 79.0  # a second apart, as 60 a minute means


async def test_plan_limits_are_limit_reached_errors(fake_clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=3, clock=fake_clock, plan="starter", creators=6)
    project = first_project(fake)
    active = fake.store.active_creator_count()
    fake.limits["max_creators_per_org"] = active + 1
    async with client_for(fake, fake_clock) as tg:
        await tg.creators.create(project, "one.more")
        with pytest.raises(errors.LimitReachedError) as limit:
            await tg.creators.create(project, "one.too.many")
        result = await tg.creators.create_many(project, ["over_a", "over_b"])
    assert (limit.value.status, limit.value.code) == (402, "limit_reached")
    assert limit.value.limit_key == "max_creators_per_org"
    assert (limit.value.current, limit.value.max) == (active + 1, active + 1)
    assert {f.handle: f.code for f in result.failed} == dict.fromkeys(
        ["over_a", "over_b"], "limit_reached"
    )


async def test_manual_scrapes_use_the_daily_quota(fake_clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=3, clock=fake_clock, plan="starter")
    fake.limits["max_manual_scrape_triggers_per_day"] = 2
    creator = next(c for c in fake.store.creators.values() if c["is_active"])
    video = next(v for v in fake.store.videos.values() if v["creator_id"] == creator["id"])
    async with client_for(fake, fake_clock) as tg:
        job = await tg.creators.scrape(creator["id"], job_type="discover_videos")
        assert (job.job_type, job.status) == ("discover_videos", "queued")
        assert job.job_id
        assert (await tg.videos.scrape(video["id"])).job_type == "video_stats"
        with pytest.raises(errors.LimitReachedError) as spent:
            await tg.creators.scrape(creator["id"])
        fake_clock.advance(86_400)  # the quota resets at UTC midnight
        assert (await tg.creators.scrape(creator["id"])).status == "queued"
    assert spent.value.limit_key == "max_manual_scrape_triggers_per_day"
    assert (spent.value.current, spent.value.max) == (2, 2)


async def test_a_read_only_key_gets_insufficient_scope(
    fake: FakeTrackAGoat, fake_clock: FakeClock
) -> None:
    async with client_for(fake, fake_clock, key=fake.read_only_api_key) as reader:
        assert await reader.projects.list().to_list()
        with pytest.raises(errors.InsufficientScopeError) as denied:
            await reader.campaigns.create(first_project(fake), "Nope")
    assert denied.value.status == 403
    assert (denied.value.required, denied.value.granted) == (("write",), ("read",))


async def test_removed_stats_endpoints_are_gone_with_the_replacement(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    creator = next(iter(fake.store.creators))
    with pytest.raises(errors.GoneError) as gone:
        await tg.request("GET", f"/creators/{creator}/stats")
    assert gone.value.status == 410
    assert "/analytics" in gone.value.detail
    with pytest.raises(errors.NotFoundError):
        await tg.creators.update(UNKNOWN_ID, display_name="Ghost")


# -- creators, videos, campaigns ------------------------------------------------------------------


async def test_renames_and_their_conflicts(tg: AsyncTrackAGoat, fake: FakeTrackAGoat) -> None:
    project = first_project(fake)
    mine, other = [c async for c in tg.creators.list(project_id=project) if c.is_active][:2]
    renamed = await tg.creators.update(mine.id, tiktok_handle="@brand.new", readme="# Notes")
    assert (renamed.tiktok_handle, renamed.readme) == ("brand.new", "# Notes")
    cases = {
        other.tiktok_handle.upper(): "handle_taken",
        "spam_bot_9000": "creator_banned",
        "brand.new": "no_change",
    }
    for handle, code in cases.items():
        with pytest.raises(errors.ConflictError) as conflict:
            await tg.creators.update(mine.id, tiktok_handle=handle)
        assert (conflict.value.status, conflict.value.code) == (409, code)
    cleared = await tg.creators.update(mine.id, readme=None, metadata={"tier": "gold"})
    assert cleared.readme is None
    assert dict(cleared.metadata) == {"tier": "gold"}


async def test_bulk_remove_and_reenable_with_the_cooldown(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat, fake_clock: FakeClock
) -> None:
    project = first_project(fake)
    added = await tg.creators.create_many(project, [f"bulk_{n:03d}" for n in range(130)])
    ids = [c.id for c in added.created]
    fake.reset_requests()
    removed = await tg.creators.bulk_remove(project, [*ids, UNKNOWN_ID])
    assert removed.removed_count == 130
    assert removed.not_found == (UNKNOWN_ID,)
    assert [len(r.body["creator_ids"]) for r in fake.requests] == [100, 31]
    assert not {c.id async for c in tg.creators.list(project_id=project)} & set(ids)

    disabled = next(c for c in fake.store.creators.values() if c["disabled_at"])
    first = await tg.creators.bulk_reenable(project, [disabled["id"], ids[0], UNKNOWN_ID])
    assert (first.ok_count, first.skipped_count, first.failed_count) == (1, 0, 2)
    fake.store.disable(disabled["id"])  # the platform disables it again at once
    cooling = await tg.creators.bulk_reenable(project, [disabled["id"]])
    assert (cooling.ok_count, cooling.skipped_count) == (0, 1)
    fake_clock.advance(24 * 3600)
    assert (await tg.creators.bulk_reenable(project, [disabled["id"]])).ok_count == 1


async def test_videos_end_to_end(tg: AsyncTrackAGoat, fake: FakeTrackAGoat) -> None:
    project = first_project(fake)
    creator = next(c for c in fake.store.creators.values() if c["tracking_mode"] == "selective")
    listed = await tg.videos.list(creator_id=creator["id"], limit=2).to_list()
    stored = [v for v in fake.store.videos.values() if v["creator_id"] == creator["id"]]
    assert sorted(v.id for v in listed) == sorted(
        v["id"] for v in stored if v["tracking_status"] != "excluded"
    )
    url = "https://www.tiktok.com/@someone/video/7412345678901234567"
    video = await tg.videos.create(project, url)
    assert (video.tracking_status, video.creator_id, video.url) == ("direct_add", None, url)
    with pytest.raises(errors.ConflictError):
        await tg.videos.create(project, url)
    assert (await tg.videos.update(video.id, readme="pinned")).readme == "pinned"
    others = [v.id for v in await tg.videos.list(project_id=project).to_list()][:3]
    one = await tg.videos.disable_tracking(video.id)
    assert (one.disabled_count, one.not_found) == (1, ())
    many = await tg.videos.disable_tracking([*others, UNKNOWN_ID], project_id=project)
    assert (many.disabled_count, many.not_found) == (len(others), (UNKNOWN_ID,))
    assert not any(fake.store.videos[v]["tracking_enabled"] for v in [video.id, *others])
    await tg.videos.delete(video.id)
    assert video.id not in {v.id async for v in tg.videos.list(project_id=project)}


async def test_campaigns_end_to_end(tg: AsyncTrackAGoat, fake: FakeTrackAGoat) -> None:
    project = first_project(fake)
    target_at = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    parent = await tg.campaigns.create(project, "Fall", target_views=10_000, target_at=target_at)
    child = await tg.campaigns.create(project, "Fall week 1", readme="brief")
    assert parent.target_at == target_at
    assert child.readme == "brief"
    creator = (await tg.creators.list(project_id=project).to_list())[0].id
    item = await tg.campaigns.add_item(parent.id, "campaign", child.id)
    assert (item.campaign_id, item.item_type, item.item_id) == (parent.id, "campaign", child.id)
    await tg.campaigns.add_item(child.id, "creator", creator)
    with pytest.raises(errors.ConflictError) as cycle:
        await tg.campaigns.add_item(child.id, "campaign", parent.id)
    assert cycle.value.code == "circular_nesting"
    renamed = await tg.campaigns.update(parent.id, name="Fall 2026", target_views=None)
    assert (renamed.name, renamed.target_views) == ("Fall 2026", None)
    await tg.campaigns.remove_item(child.id, "creator", creator)
    with pytest.raises(errors.NotFoundError):
        await tg.campaigns.remove_item(child.id, "creator", creator)
    await tg.campaigns.delete(child.id)
    names = {c.name async for c in tg.campaigns.list(project_id=project, limit=1)}
    assert "Fall 2026" in names
    assert "Fall week 1" not in names


# -- listings, analytics, goals -----------------------------------------------------------------


async def test_listings_are_exactly_once_through_faults_and_inserts(
    fake: FakeTrackAGoat, fake_clock: FakeClock
) -> None:
    project = first_project(fake)
    before = {c["id"] for c in fake.store.live(fake.store.creators)}
    fake.faults = FaultPlan(seed=1, empty_page=0.3, error_503=0.3, drop_before_commit=0.1)
    seen: list[str] = []
    async with client_for(fake, fake_clock) as tg:
        async for creator in tg.creators.list(limit=3):
            seen.append(creator.id)
            if len(seen) == 4:
                fake.faults = FaultPlan()
                await tg.creators.create(project, "mid.listing")  # lands after the cursor
                fake.faults = FaultPlan(seed=6, empty_page=0.3, error_503=0.2)
    added = {c["id"] for c in fake.store.creators.values() if c["tiktok_handle"] == "mid.listing"}
    assert len(seen) == len(set(seen))
    assert set(seen) == before | added
    assert fake.faults_injected["empty_page"]
    assert fake.faults_injected["error_503"]


async def test_series_add_up_to_the_servers_history(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    project = first_project(fake)
    creators = [c.id async for c in tg.creators.list(project_id=project)]
    totals: dict[str, float] = {}
    for start in range(0, len(creators), 5):  # at most 5 entities per overlay query
        result = await tg.analytics.query(
            entity="creator", entity_ids=creators[start : start + 5], metric="views"
        )
        totals |= result.totals()
    direct = [v.id async for v in tg.videos.list(project_id=project) if v.creator_id is None]
    for video in direct:
        totals |= (
            await tg.analytics.query(entity="video", entity_id=video, metric="views")
        ).totals()
    whole = await tg.analytics.query(
        entity="project", entity_id=project, metric="views", compare="prior_period"
    )
    (series,) = whole.series
    assert len(series.points) == 30
    assert series.points[-1].partial
    assert series.total == pytest.approx(sum(totals.values()), abs=len(totals))
    assert series.total > 0
    assert whole.compare_series
    assert whole.tier_retention_days is None
    weekly = await tg.analytics.query(
        entity="project", entity_id=project, metric="views", granularity="week"
    )
    assert sum(p.value or 0 for p in weekly.series[0].points) == series.total
    text = await tg.analytics.query(
        entity="project", entity_id=project, metric="views", format="csv"
    )
    assert text.splitlines()[0] == "series_kind,entity_id,label,t,value,partial"
    assert len(text.splitlines()) == 31


async def test_a_campaign_breakdown_has_ten_videos_and_the_rest_as_other(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    project = first_project(fake)
    campaign = await tg.campaigns.create(project, "Everything")
    for creator in await tg.creators.list(project_id=project).to_list():
        await tg.campaigns.add_item(campaign.id, "creator", creator.id)
    counted = fake.store.counted(
        fake.store.videos[v] for v in fake.store.campaign_videos(campaign.id)
    )
    assert len(counted) > 10
    result = await tg.analytics.query(
        entity="campaign", entity_id=campaign.id, metric="views", breakdown="video"
    )
    assert result.breakdown_series is not None
    refs = [s.entity_ref.id for s in result.breakdown_series if s.entity_ref is not None]
    assert len(refs) == 11
    assert refs[-1] == "__other__"
    assert set(refs[:10]) <= {v["id"] for v in counted}
    totals = [s.total for s in result.breakdown_series[:10]]
    assert totals == sorted(totals, reverse=True)
    (main,) = result.series
    assert sum(s.total for s in result.breakdown_series) == pytest.approx(main.total, abs=11)


async def test_create_many_mixes_tracking_modes_in_one_call(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat
) -> None:
    project = first_project(fake)
    result = await tg.creators.create_many(
        project,
        [
            {"tiktok_handle": "mix.auto"},
            {"tiktok_handle": "mix.selective", "tracking_mode": "selective"},
            {"tiktok_handle": "mix.ending", "tracking_end_date": "2027-01-31"},
        ],
    )
    made = {c.tiktok_handle: c for c in result.created}
    assert made["mix.auto"].tracking_mode == "auto"
    assert made["mix.selective"].tracking_mode == "selective"
    assert made["mix.ending"].tracking_end_date == dt.date(2027, 1, 31)
    assert len([r for r in fake.requests if r.path.endswith("/creators")]) == 1


async def test_retention_and_goal_compliance(fake_clock: FakeClock) -> None:
    fake = FakeTrackAGoat(seed=3, clock=fake_clock, plan="starter")
    project = first_project(fake)
    creator = next(c for c in fake.store.creators.values() if c["project_id"] == project)
    async with client_for(fake, fake_clock) as tg:
        with pytest.raises(errors.RetentionExceededError):
            await tg.analytics.query(
                entity="creator", entity_id=creator["id"], metric="views", from_="2024-01-01"
            )
        rate = await tg.analytics.query(
            entity="creator", entity_id=creator["id"], metric="engagement_rate_by_views"
        )
        assert rate.tier_retention_days == 365
        assert all(p.value is None or 0 < p.value < 100 for p in rate.series[0].points)
        report = await tg.goal_compliance(project, period="weekly")
    active = {
        c["id"] for c in fake.store.live(fake.store.creators) if c["project_id"] == project
    } - {c["id"] for c in fake.store.creators.values() if not c["is_active"]}
    assert {r.creator.id for r in report if r.creator} == active
    statuses = {g.status for r in report for g in r.compliance}
    assert statuses <= {"on_track", "behind_pace", "at_risk", "completed", "missed"}
    goals = [g for r in report for g in r.compliance]
    assert goals
    assert all(g.goal and g.goal.period == "weekly" and g.advisory for g in goals)


# -- loopback -------------------------------------------------------------------------------------


async def test_smoke_over_loopback_http(
    fake: FakeTrackAGoat, fake_clock: FakeClock, served: str
) -> None:
    project = first_project(fake)
    async with client_for(fake, fake_clock, base_url=served, in_process=False) as tg:
        assert [p.id async for p in tg.projects.list(limit=1)] == list(fake.store.projects)
        result = await tg.creators.create_many(project, [f"wire_{n}" for n in range(60)])
        assert len(result.created) == 60
        assert len([c async for c in tg.creators.list(search="wire_", limit=7)]) == 60
        series = await tg.analytics.query(
            entity="creator", entity_id=result.created[0].id, metric="views"
        )
        assert len(series.series[0].points) == 30
        with pytest.raises(errors.NotFoundError) as missing:
            await tg.creators.delete(UNKNOWN_ID)
        assert missing.value.request_id
        assert missing.value.request_id.startswith("req_")
    assert len(creator_posts(fake)) == 2
