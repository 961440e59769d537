"""The SDK's public surface against FakeCreatorAudit, in-process and over loopback HTTP.

The respx tests pin each request's shape; these prove the client and an independent
implementation of the contract agree end to end: every item exactly once, the numbers the
server computes, typed errors with the server's request ids, no request for bad input, and
no duplicate write when a retry follows a dropped connection.
"""

from __future__ import annotations

import pytest

from creatorsdk import AsyncCreatorAudit, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from ..conftest import Endpoint, client_on

UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture
def fake(clock: FakeClock) -> FakeCreatorAudit:
    return FakeCreatorAudit(
        seed=3, accounts=24, videos_per_account=(3, 12), tracked_videos=260, clock=clock
    )


@pytest.fixture(params=["in-process", "loopback"])
def ca_endpoint(request: pytest.FixtureRequest, fake: FakeCreatorAudit) -> Endpoint:
    """The fake, in-process and over loopback HTTP: ``ca`` waits on its clock, never for real."""
    if request.param == "in-process":
        return Endpoint.of(fake)
    return Endpoint(fake.api_key, request.getfixturevalue("loopback_url"))


def active(records: dict[str, dict[str, object]]) -> set[str]:
    return {rid for rid, record in records.items() if record["is_active"]}


async def test_whoami_meta_and_health_answer(ca: AsyncCreatorAudit, fake: FakeCreatorAudit) -> None:
    me = await ca.whoami()
    assert me.organization_id == fake.organization_id
    assert (await ca.meta()).api_version
    assert (await ca.health()).status is not None
    assert ca.rate_limit is not None
    assert ca.rate_limit.remaining < ca.rate_limit.limit  # type: ignore[operator]


async def test_every_listing_yields_each_item_exactly_once(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    accounts = [a.id async for a in ca.accounts.list(limit=5)]
    assert len(accounts) == len(set(accounts))
    assert set(accounts) == set(fake.store.accounts)

    videos = [v.id async for v in ca.videos.list(limit=50)]
    assert sorted(videos) == sorted(fake.store.videos)

    some_account = accounts[0]
    feed = [v.id async for v in ca.account_videos.list(account_id=some_account, limit=2)]
    assert sorted(feed) == sorted(v["id"] for v in fake.store.videos_of_account(some_account))

    creators = await ca.creators.list(limit=3).to_list()
    assert {c.id for c in creators} == set(fake.store.creators)


async def test_filters_and_sort_hold_across_pages(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    tiktok = [
        a
        async for a in ca.accounts.list(
            platform="tiktok", order_by="follower_count", order_direction="desc", limit=3
        )
    ]
    expected = {rid for rid, a in fake.store.accounts.items() if a["platform"] == "tiktok"}
    assert {a.id for a in tiktok} == expected
    followers = [a.follower_count or 0 for a in tiktok]
    assert followers == sorted(followers, reverse=True)


async def test_a_saved_cursor_resumes_where_the_listing_stopped(ca: AsyncCreatorAudit) -> None:
    first_pages = []
    async for page in ca.accounts.list(limit=4).pages():
        first_pages.append(page)
        if len(first_pages) == 2:
            break
    resumed = [a.id async for a in ca.accounts.list(limit=4, cursor=first_pages[-1].next_cursor)]
    seen = [a.id for page in first_pages for a in page.items]
    everything = [a.id async for a in ca.accounts.list(limit=4)]
    assert seen + resumed == everything


async def test_listing_through_faults_and_empty_pages_loses_and_repeats_nothing(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    fake.faults = FaultPlan(
        seed=7, empty_page=0.25, error_503=0.1, error_429=0.05, html_502=0.05, truncated_body=0.05
    )
    ids = [v.id async for v in ca.account_videos.list(limit=7)]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(fake.store.account_videos)
    injected = fake.faults_injected
    assert injected["empty_page"] > 0
    assert injected["error_503"] + injected["truncated_body"] > 0


async def test_deltas_fan_out_matches_the_server_for_every_id(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    known = sorted(fake.store.account_videos) + sorted(fake.store.videos)
    assert len(known) > 400  # more than two chunks
    fake.reset_requests()
    deltas = await ca.videos.deltas([*known, UNKNOWN_ID], windows=[1, 7, 30])
    sent = [r for r in fake.requests if r.path.endswith("/videos/deltas")]
    assert len(sent) == -(-(len(known) + 1) // 200)
    assert all(len(r.body["video_ids"]) <= 200 for r in sent)
    assert deltas.not_found == (UNKNOWN_ID,) or set(deltas.not_found) == {UNKNOWN_ID}
    for video_id in known:
        for window in (1, 7, 30):
            assert deltas.get(video_id, window) == fake.store.deltas(video_id, window)
    assert deltas.get(UNKNOWN_ID, 7) is None
    assert deltas.get(known[0], 90) is None  # a window that was not asked for


async def test_iter_deltas_delivers_every_chunk(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    known = sorted(fake.store.account_videos)
    seen: set[str] = set()
    async with ca.videos.iter_deltas(known, windows=[7]) as parts:
        async for part in parts:
            seen.update(v for v in known if part.get(v, 7) is not None or v in part.not_found)
    with_history = {v for v in known if fake.store.deltas(v, 7) is not None}
    assert with_history <= seen


async def test_create_read_update_delete_round_trip(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    account = await ca.accounts.create(platform="tiktok", username="contract.one", category="tech")
    assert (await ca.accounts.get(account.id)).username == "contract.one"
    updated = await ca.accounts.update(account.id, category="music")
    assert updated.category == "music"
    assert fake.store.accounts[account.id]["category"] == "music"
    await ca.accounts.delete(account.id)
    assert fake.store.accounts[account.id]["is_active"] is False

    video = await ca.videos.create("tiktok", "https://www.tiktok.com/@someone/video/7300000000001")
    assert video.id in fake.store.videos
    assert (await ca.videos.update(video.id, is_active=False)).is_active is False
    await ca.videos.delete(video.id)

    creator = await ca.creators.create("Contract Creator")
    unlinked = sorted(
        rid for rid, a in fake.store.accounts.items() if a["is_active"] and not a["creator_id"]
    )
    link = await ca.creators.link_account(creator.id, unlinked[0])
    assert link.creator_id == creator.id
    assert len(fake.store.accounts_of_creator(creator.id)) == 1
    await ca.creators.unlink_account(creator.id, link.account_id)
    assert fake.store.accounts_of_creator(creator.id) == []
    assert (await ca.creators.update(creator.id, name="Renamed")).name == "Renamed"
    assert (await ca.creators.get(creator.id)).name == "Renamed"
    await ca.creators.delete(creator.id)


async def test_reports_are_computed_by_the_server(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    overview = await ca.overview(period="30d")
    assert overview.current.active_accounts == len(active(fake.store.accounts))
    assert overview.current.tracked_videos is not None
    top = await ca.creators.top(period="30d", limit=5)
    assert 0 < len(top) <= 5
    views = [t.total_views or 0 for t in top]
    assert views == sorted(views, reverse=True)
    creator_id = next(iter(fake.store.creators))
    analytics = await ca.creators.analytics(creator_id)
    assert analytics.creator_id == creator_id
    account_ids = sorted(fake.store.accounts)[:3]
    metrics = await ca.accounts.metrics([*account_ids, UNKNOWN_ID], period="7d")
    assert set(metrics.ids) == set(account_ids)
    assert metrics.not_found == (UNKNOWN_ID,)
    video_ids = sorted(fake.store.videos)[:3]
    assert set((await ca.videos.metrics(video_ids, period="90d")).ids) == set(video_ids)
    username = fake.store.accounts[account_ids[0]]["username"]
    found = await ca.search(str(username))
    assert any(a.id == account_ids[0] for a in found.accounts)


async def test_a_create_retried_after_a_dropped_connection_exists_once(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    fake.faults = FaultPlan(seed=1, drop_after_commit=1.0, paths={"/accounts"})
    before = len(fake.store.accounts)
    with pytest.raises(errors.APIConnectionError):
        # Every attempt is dropped after the write: the first committed, the rest replayed.
        await ca.accounts.create(platform="instagram", username="dropped.once")
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/accounts")]
    assert len(posts) == RetryPolicy().max_attempts
    assert len({r.headers["idempotency-key"] for r in posts}) == 1
    assert len(fake.store.accounts) == before + 1

    fake.faults = FaultPlan(seed=2, drop_after_commit=0.5, paths={"/accounts"})
    made = [await ca.accounts.create(platform="instagram", username=f"flaky.{n}") for n in range(6)]
    assert len(fake.store.accounts) == before + 1 + 6
    assert {a.id for a in made} <= set(fake.store.accounts)


async def test_server_errors_arrive_typed_with_the_servers_request_id(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit
) -> None:
    with pytest.raises(errors.NotFoundError) as missing:
        await ca.accounts.get(UNKNOWN_ID)
    assert missing.value.status == 404
    assert missing.value.request_id is not None
    assert missing.value.request_id == fake.requests[-1].headers.get(
        "x-request-id", missing.value.request_id
    )

    existing = next(iter(fake.store.accounts.values()))
    with pytest.raises(errors.ConflictError) as conflict:
        await ca.accounts.create(platform=existing["platform"], username=existing["username"])
    assert conflict.value.request_id

    fake.account_quota = len(active(fake.store.accounts))
    with pytest.raises(errors.QuotaExceededError):
        await ca.accounts.create(platform="tiktok", username="over.quota")


async def test_a_read_only_key_cannot_write(fake: FakeCreatorAudit) -> None:
    async with client_on(fake, api_key=fake.read_only_api_key) as reader:
        assert (await reader.whoami()).organization_id == fake.organization_id
        with pytest.raises(errors.InsufficientScopeError) as denied:
            await reader.creators.create("Nope")
    assert denied.value.request_id
    assert fake.read_only_api_key not in str(denied.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda ca: ca.videos.deltas([], windows=[7]),
        lambda ca: ca.videos.deltas(["not-a-uuid"]),
        lambda ca: ca.videos.deltas([UNKNOWN_ID], windows=[0]),
        lambda ca: ca.videos.deltas([UNKNOWN_ID], windows=list(range(1, 12))),
        lambda ca: ca.accounts.get("../whoami"),
        lambda ca: ca.accounts.create(platform="myspace", username="x"),
        lambda ca: ca.overview(period="1y"),
        lambda ca: ca.accounts.list(limit=0).to_list(),
    ],
)
async def test_bad_input_fails_before_the_network(
    ca: AsyncCreatorAudit, fake: FakeCreatorAudit, call: object
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each call names a different argument
        await call(ca)  # type: ignore[operator]
    assert fake.requests == []


async def test_a_rate_limited_run_paces_instead_of_hammering(clock: FakeClock) -> None:
    fake = FakeCreatorAudit(
        seed=5, accounts=60, videos_per_account=2, rate_limit=10, rate_window=1.0, clock=clock
    )
    async with client_on(fake) as ca:
        accounts = await ca.accounts.list(limit=2).to_list()
    assert len(accounts) == 60
    # At most the pacer's two tests of whether the reset is rounded up (here it is exact).
    assert ca.stats.rate_limited <= 2
    assert ca.stats.requests <= 32
