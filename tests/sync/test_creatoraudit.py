"""CreatorAudit against FakeCreatorAudit: the async client's behaviour, without ``await``."""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from creatorsdk import CreatorAudit, Page, RetryPolicy, SyncPager, errors
from creatorsdk.creatoraudit import Account, Deltas, Video, Whoami
from creatorsdk.testing import FakeCreatorAudit, FaultPlan

from ..conftest import sync_client_on

MISSING = "00000000-0000-4000-8000-000000000000"


def paths(fake: FakeCreatorAudit) -> list[str]:
    return [r.path for r in fake.requests]


def test_calls_return_the_async_clients_models(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    me = sync_ca.whoami()
    assert isinstance(me, Whoami)
    assert me.organization_id == fake.organization_id


def test_list_fetches_page_by_page_as_items_are_taken(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    pager = sync_ca.accounts.list(limit=5)
    assert isinstance(pager, SyncPager)
    assert fake.requests == []  # nothing is sent until the pager is iterated
    items = iter(pager)
    first = next(items)
    assert isinstance(first, Account)
    assert len(fake.requests) == 1
    for _ in range(4):
        next(items)
    assert len(fake.requests) == 1  # the rest of the first page comes from memory
    next(items)
    assert len(fake.requests) == 2
    assert fake.requests[1].query["cursor"]  # the second page was asked for by cursor


def test_list_yields_every_item_once_in_order(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    ids = [a.id for a in sync_ca.accounts.list(limit=7)]
    assert len(ids) == len(set(ids)) == len(fake.store.accounts)
    assert len(fake.requests) == math.ceil(len(ids) / 7)
    assert [a.id for a in sync_ca.accounts.list(limit=7).to_list()] == ids  # iterable again


def test_pages_and_resuming_from_a_saved_cursor(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    pages = list(sync_ca.videos.list(limit=10).pages())
    assert all(isinstance(p, Page) for p in pages)
    assert [p.has_next for p in pages] == [True] * (len(pages) - 1) + [False]
    everything = [v.id for p in pages for v in p.items]
    resumed = sync_ca.videos.list(limit=10, cursor=pages[0].next_cursor)
    assert [v.id for v in resumed] == everything[10:]
    assert all(isinstance(v, Video) for v in resumed)


def test_breaking_out_early_sends_nothing_more(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    for _ in sync_ca.accounts.list(limit=5):
        break
    assert len(fake.requests) == 1
    sync_ca.whoami()  # the client is fine afterwards
    assert paths(fake)[-1].endswith("/whoami")


def test_deltas_chunk_and_merge_like_the_async_client(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    ids = [*fake.store.videos, *fake.store.account_videos]
    deltas = sync_ca.videos.deltas([*ids, MISSING], windows=[7, 30])
    assert isinstance(deltas, Deltas)
    assert len(fake.requests) == math.ceil((len(ids) + 1) / 200)
    assert deltas.not_found == (MISSING,)
    for video_id in ids:
        assert deltas.get(video_id, 7) == fake.store.deltas(video_id, 7)
        assert deltas.get(video_id, 30) == fake.store.deltas(video_id, 30)


def test_deltas_fan_out_in_parallel_under_the_limit() -> None:
    # 8 chunks answered after 25 ms each, 4 at a time: two rounds, never more than 4 at once.
    fake = FakeCreatorAudit(seed=1, rate_limit=None, latency=0.025)
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1600)]
    with sync_client_on(fake, max_concurrency=4) as ca:
        ca.videos.deltas(ids)
    assert len(fake.requests) == 8
    assert fake.max_in_flight == 4


def test_iter_deltas_hands_over_each_chunk(sync_ca: CreatorAudit, fake: FakeCreatorAudit) -> None:
    ids = [*fake.store.videos, *fake.store.account_videos]
    with sync_ca.videos.iter_deltas(ids, windows=[7]) as parts:
        received = list(parts)
    assert len(received) == math.ceil(len(ids) / 200)
    merged = Deltas.merge(received)
    assert {video_id: merged.get(video_id, 7) for video_id in ids} == {
        video_id: fake.store.deltas(video_id, 7) for video_id in ids
    }


def test_writes_round_trip(sync_ca: CreatorAudit, fake: FakeCreatorAudit) -> None:
    account = sync_ca.accounts.create(platform="tiktok", username="sync_facade", category="tech")
    assert sync_ca.accounts.get(account.id) == account
    assert sync_ca.accounts.update(account.id, category="news").category == "news"
    assert sync_ca.accounts.delete(account.id) is None
    creates = [r for r in fake.requests if r.method == "POST"]
    assert creates[0].headers["idempotency-key"]  # minted by the one async implementation


def test_errors_are_the_same_typed_exceptions_with_request_id(sync_ca: CreatorAudit) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        sync_ca.accounts.get(MISSING)
    error = caught.value
    assert error.status == 404
    assert error.request_id
    assert error.attempts == 1


def test_bad_input_fails_before_the_network(sync_ca: CreatorAudit, fake: FakeCreatorAudit) -> None:
    with pytest.raises(ValueError, match="video_ids"):
        sync_ca.videos.deltas([])
    with pytest.raises(ValueError, match="limit"):
        sync_ca.accounts.list(limit=0)
    assert fake.requests == []


def test_failed_chunks_raise_batch_error_carrying_typed_errors(fake: FakeCreatorAudit) -> None:
    fake.faults = FaultPlan(error_503=1.0, paths={"/videos/deltas"})
    ids = [*fake.store.videos, *fake.store.account_videos][:400]
    with (
        sync_client_on(fake, retry=RetryPolicy(max_attempts=1)) as ca,
        pytest.raises(errors.BatchError) as caught,
    ):
        ca.videos.deltas(ids)
    assert [f.index for f in caught.value.failures] == [0, 1]
    for failure in caught.value.failures:
        assert isinstance(failure.error, errors.ServiceUnavailableError)
        assert failure.error.request_id


def test_many_threads_share_one_client(sync_ca: CreatorAudit, fake: FakeCreatorAudit) -> None:
    ids = list(fake.store.accounts)
    callers: set[str] = set()

    def get(account_id: str) -> str:
        callers.add(threading.current_thread().name)
        return sync_ca.accounts.get(account_id).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(get, ids)) == ids
    assert len(callers) > 1
    assert fake.max_in_flight <= sync_ca.max_concurrency


def test_engine_state_is_visible(sync_ca: CreatorAudit, fake: FakeCreatorAudit) -> None:
    limited = FakeCreatorAudit(seed=0, rate_limit=100)
    with sync_client_on(limited) as client:
        assert client.rate_limit is None
        client.whoami()
        assert client.rate_limit is not None
        assert client.rate_limit.limit == 100
        assert client.stats.requests == 1
    assert sync_ca.base_url == fake.base_url
    assert sync_ca.max_concurrency == 8
    assert "api_key" not in repr(sync_ca)
    assert fake.api_key not in repr(sync_ca)


def test_an_error_inside_a_streamed_block_comes_out_as_raised(
    sync_ca: CreatorAudit, fake: FakeCreatorAudit
) -> None:
    ids = [*fake.store.videos, *fake.store.account_videos]

    def read_one_then_fail() -> None:
        with sync_ca.videos.iter_deltas(ids) as parts:
            next(parts)
            raise LookupError("stop here")

    with pytest.raises(LookupError, match="stop here"):
        read_one_then_fail()
    assert sync_ca.whoami()  # the client's loop survived it
