"""tg.aggregate and tg.annotations against FakeTrackAGoat: every summary agrees with what the
other endpoints serve from the same data (videos, analytics series, goal compliance,
campaigns), and annotations show up in the analytics of their range."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from creatorsdk import AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeTrackAGoat
from creatorsdk.trackagoat import Video

FIRST, LAST = dt.date(2026, 5, 15), dt.date(2026, 6, 14)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeTrackAGoat:
    return FakeTrackAGoat(seed=6, creators=16, clock=clock)


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
def project(fake: FakeTrackAGoat) -> str:
    return next(iter(fake.store.projects))


COUNTED = {"auto_tracked", "included", "direct_add"}


async def videos_posted_in_range(
    tg: AsyncTrackAGoat, project: str, tz: dt.tzinfo = dt.UTC
) -> list[Video]:
    """The project's counted videos posted in the range (in ``tz``), as /videos lists them."""
    return [
        v
        async for v in tg.videos.list(project_id=project)
        if v.posted_at is not None
        and FIRST <= v.posted_at.astimezone(tz).date() <= LAST
        and v.tracking_status in COUNTED
    ]


async def test_the_video_leaderboard_ranks_the_videos_the_listing_serves(
    tg: AsyncTrackAGoat, project: str
) -> None:
    posted = await videos_posted_in_range(tg, project)
    assert len(posted) > 5
    pager = tg.aggregate.video_leaderboard(project, from_=FIRST, to=LAST, limit=4)
    pages = [p async for p in pager.pages()]
    rows = [r for p in pages for r in p.items]
    assert {p.total_count for p in pages} == {len(posted)}
    assert len(pages) == -(-len(posted) // 4)
    assert sorted(r.video_id for r in rows) == sorted(v.id for v in posted)
    views = [r.view_count for r in rows]
    assert views == sorted(views, reverse=True)
    newest = await tg.aggregate.video_leaderboard(
        project, from_=FIRST, to=LAST, order="posted_at"
    ).to_list()
    stamps = [r.posted_at for r in newest]
    assert stamps == sorted(stamps, reverse=True)
    skipped = await tg.aggregate.video_leaderboard(
        project, from_=FIRST, to=LAST, offset=2
    ).to_list()
    assert [r.video_id for r in skipped] == [r.video_id for r in rows[2:]]


async def test_the_heatmap_counts_every_post_of_the_range_in_its_time_zone(
    tg: AsyncTrackAGoat, project: str
) -> None:
    posted = await videos_posted_in_range(tg, project)
    utc = await tg.aggregate.posting_heatmap(project, FIRST, LAST)
    assert sum(map(sum, utc.grid())) == len(posted)
    assert all(cell.post_count >= 1 for cell in utc.cells)
    expected = Counter(((v.posted_at.weekday() + 1) % 7, v.posted_at.hour) for v in posted)
    assert {(c.dow, c.hour): c.post_count for c in utc.cells} == dict(expected)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    shifted = await tg.aggregate.posting_heatmap(project, FIRST, LAST, tz="Asia/Tokyo")
    local = [
        v.posted_at.astimezone(tokyo)
        for v in await videos_posted_in_range(tg, project, tokyo)
        if v.posted_at
    ]
    assert {(c.dow, c.hour): c.post_count for c in shifted.cells} == dict(
        Counter(((t.weekday() + 1) % 7, t.hour) for t in local)
    )
    assert shifted.cells != utc.cells


async def test_creator_and_campaign_leaderboards_add_up_to_the_analytics(
    tg: AsyncTrackAGoat, project: str
) -> None:
    creators = await tg.aggregate.creator_leaderboard(project, from_=FIRST, to=LAST).to_list()
    assert creators
    for rank in creators[:3]:
        series = await tg.analytics.query(
            entity="creator", entity_id=rank.creator_id, metric="views", from_=FIRST, to=LAST
        )
        assert rank.views == pytest.approx(series.series[0].total, abs=31)
    assert [c.views for c in creators] == sorted((c.views for c in creators), reverse=True)
    by_posts = await tg.aggregate.creator_leaderboard(
        project, from_=FIRST, to=LAST, order="posts"
    ).to_list()
    consistency = {
        c.creator_id: c
        for c in await tg.aggregate.posting_consistency(project, from_=FIRST, to=LAST)
    }
    assert {c.creator_id: c.posts for c in by_posts} == {k: c.posts for k, c in consistency.items()}
    scatter = {
        p.creator_id: p for p in await tg.aggregate.creator_scatter(project, from_=FIRST, to=LAST)
    }
    assert {c.creator_id: c.views for c in creators} == {k: p.views for k, p in scatter.items()}

    campaigns = await tg.aggregate.campaign_leaderboard(project, from_=FIRST, to=LAST).to_list()
    assert campaigns
    for rank in campaigns:
        series = await tg.analytics.query(
            entity="campaign", entity_id=rank.campaign_id, metric="views", from_=FIRST, to=LAST
        )
        assert rank.views == pytest.approx(series.series[0].total, abs=31)


async def test_goal_counts_match_goal_compliance(tg: AsyncTrackAGoat, project: str) -> None:
    report = await tg.goal_compliance(project)
    statuses = Counter(g.status for r in report for g in r.compliance)
    counts = await tg.aggregate.goal_compliance(project)
    assert counts.total == sum(statuses.values()) > 0
    assert {k: v for k, v in counts.counts.items() if v} == dict(statuses)
    weekly = await tg.aggregate.goal_compliance(project, period="weekly")
    assert weekly.total == sum(
        1 for r in await tg.goal_compliance(project, period="weekly") for _ in r.compliance
    )


async def test_distribution_outliers_and_overlap_describe_the_same_videos(
    tg: AsyncTrackAGoat, fake: FakeTrackAGoat, project: str
) -> None:
    posted = await videos_posted_in_range(tg, project)
    distribution = await tg.aggregate.view_distribution(project, from_=FIRST, to=LAST)
    assert (
        distribution.video_count == len(posted) == sum(b.video_count for b in distribution.buckets)
    )
    p = distribution.percentiles
    assert p["p25"] <= p["p50"] <= p["p90"] <= p["p99"]
    for bucket in distribution.buckets:
        inside = [
            v for v in posted if bucket.min_views <= v.view_count < (bucket.max_views or 10**18)
        ]
        assert bucket.video_count == len(inside)
    outliers = await tg.aggregate.outliers(project, from_=FIRST, to=LAST, min_ratio=1.2)
    assert all(o.ratio is not None and o.ratio >= 1.2 for o in outliers)
    assert {o.video_id for o in outliers} <= {v.id for v in posted}

    store = fake.store

    def counted(campaign: str) -> set[str]:
        members = (store.videos[v] for v in store.campaign_videos(campaign))
        return {v["id"] for v in store.counted(members)}

    overlaps = await tg.aggregate.member_overlap(project)
    found = {(o.campaign_a_id, o.campaign_b_id): o.shared_videos for o in overlaps}
    ids = [c.id for c in await tg.campaigns.list(project_id=project).to_list()]
    expected = {
        (a, b): len(counted(a) & counted(b))
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if counted(a) & counted(b)
    }
    assert found == expected
    assert expected  # the seeded campaigns nest, so some share videos


async def test_an_unknown_project_and_bad_query_are_typed_errors(
    tg: AsyncTrackAGoat, project: str
) -> None:
    with pytest.raises(errors.NotFoundError):
        await tg.aggregate.view_distribution("00000000-0000-4000-8000-00000000dead")
    with pytest.raises(errors.BadRequestError) as bad:
        await tg.aggregate.creator_leaderboard(project, order="charisma").to_list()
    assert bad.value.code == "invalid_query"


async def test_annotations_show_up_in_the_analytics_of_their_range(
    tg: AsyncTrackAGoat, project: str
) -> None:
    creator = (await tg.creators.list(project_id=project, limit=1).pages().__anext__()).items[0]
    mine = await tg.annotations.create(
        "2026-06-10", "Sponsored post", entity="creator", entity_id=creator.id, kind="launch"
    )
    assert mine.project_id == project
    elsewhere = await tg.annotations.create(
        "2026-03-01", "Too early", entity="creator", entity_id=creator.id
    )
    result = await tg.analytics.query(entity="creator", entity_id=creator.id, metric="views")
    labels = {a.label for a in result.annotations}
    assert "Sponsored post" in labels
    assert "Too early" not in labels
    assert "New brief sent" in labels  # the seeded org-wide note
    changed = await tg.annotations.update(mine.id, label="Sponsored post #1", description="paid")
    assert (changed.label, changed.description) == ("Sponsored post #1", "paid")
    listed = await tg.annotations.list(entity="creator", entity_id=creator.id).to_list()
    assert {a.id for a in listed} == {mine.id, elsewhere.id}
    await tg.annotations.delete(mine.id)
    with pytest.raises(errors.NotFoundError):
        await tg.annotations.delete(mine.id)
    with pytest.raises(errors.NotFoundError):
        await tg.annotations.create(
            "2026-06-10", "Ghost", entity="video", entity_id="00000000-0000-4000-8000-00000000dead"
        )


async def test_openapi_and_the_analytics_schema_list_the_routes(tg: AsyncTrackAGoat) -> None:
    document = await tg.openapi()
    assert document.openapi.startswith("3.1")
    assert {"/payout-payments", "/analytics/aggregate/member-overlap", "/creators/{id}"} <= set(
        document.paths
    )
    assert set(document.paths["/payout-methods/{id}"]) == {"get", "patch", "delete"}
    analytics = await tg.analytics.schema()
    assert analytics.paths
    assert all(path.startswith("/analytics") for path in analytics.paths)
