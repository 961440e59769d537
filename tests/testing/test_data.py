"""The seeded organization: deterministic, shaped by the knobs, cheap to build."""

from __future__ import annotations

import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit


def test_same_seed_same_data() -> None:
    first, again = (
        FakeCreatorAudit(seed=5, clock=FakeClock()),
        FakeCreatorAudit(seed=5, clock=FakeClock()),
    )
    assert first.store.accounts == again.store.accounts
    assert first.store.account_videos == again.store.account_videos
    assert first.store.videos == again.store.videos
    assert first.store.creators == again.store.creators
    assert first.api_key == again.api_key
    other = FakeCreatorAudit(seed=6, clock=FakeClock())
    assert set(other.store.accounts).isdisjoint(first.store.accounts)


def test_knobs_shape_the_organization() -> None:
    fake = FakeCreatorAudit(
        accounts=30, videos_per_account=(2, 3), tracked_videos=7, creators=3, clock=FakeClock()
    )
    store = fake.store
    assert len(store.accounts) == 30
    assert len(store.videos) == 7
    assert len(store.creators) == 3
    scraped = [a for a in store.accounts.values() if a["last_scrape_time"] is not None]
    assert 2 * len(scraped) <= len(store.account_videos) <= 3 * len(scraped)
    assert [c["is_active"] for c in store.creators.values()].count(False) == 1


def test_guaranteed_shapes_exist() -> None:
    store = FakeCreatorAudit(accounts=4, tracked_videos=2, clock=FakeClock()).store
    assert {a["platform"] for a in store.accounts.values()} == {"instagram", "tiktok"}
    assert any(a["last_scrape_time"] is None for a in store.accounts.values())
    assert any(v["last_scrape_time"] is None for v in store.videos.values())
    assert any(v["added_at"].startswith("2026-06-13") for v in store.videos.values())


def test_records_are_consistent() -> None:
    store = FakeCreatorAudit(seed=2, clock=FakeClock()).store
    for account in store.accounts.values():
        videos = store.videos_of_account(account["id"])
        assert account["view_count"] == sum(v["view_count"] or 0 for v in videos)
        if account["creator_id"]:
            creator = store.creators[account["creator_id"]]
            assert account["creator_name"] == creator["name"]
            assert creator["is_active"] or not account["is_active"]
        if account["last_scrape_time"] is not None:
            assert (
                account["added_at"] <= account["first_scrape_time"] <= account["last_scrape_time"]
            )
    for creator_id, creator in store.creators.items():
        assert creator["accounts_summary"] == store.summarize(creator_id)
    for video in [*store.videos.values(), *store.account_videos.values()]:
        if video["last_scrape_time"] is not None:
            assert video["first_scrape_time"] <= video["last_scrape_time"]
            assert video["added_at"] <= video["last_scrape_time"]
    internal = [v["internal_id"] for v in store.account_videos.values()]
    assert len(set(internal)) == len(internal)


def test_a_demo_sized_organization_holds_what_the_examples_expect() -> None:
    # How fast it builds is a benchmark question, not a unit test's (timed tests flake).
    fake = FakeCreatorAudit(accounts=300, videos_per_account=33, tracked_videos=300)
    assert len(fake.store.accounts) == 300
    assert len(fake.store.account_videos) > 9_000


def test_invalid_knobs_are_refused() -> None:
    with pytest.raises(ValueError, match="videos_per_account"):
        FakeCreatorAudit(videos_per_account=(5, 2))
    with pytest.raises(ValueError, match="accounts"):
        FakeCreatorAudit(accounts=-1)
    with pytest.raises(ValueError, match="rate"):
        FakeCreatorAudit(rate_limit=0)


def test_fake_clock() -> None:
    clock = FakeClock(100.0)
    clock.advance(2.5)
    assert clock() == clock.now() == 102.5
    with pytest.raises(ValueError, match="seconds"):
        clock.advance(-1)
