"""The sync clients mirror the async ones: every resource, method, argument and return type.

The last tests prove the check has teeth: an endpoint added to only one side, an argument
that differs, a return type that differs, a resource added to one client are all reported.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator

import pytest

import creatorsdk
from creatorsdk import (
    AsyncCreatorAudit,
    AsyncTrackAGoat,
    CreatorAudit,
    RetryPolicy,
    SyncPager,
    TrackAGoat,
)
from creatorsdk import creatoraudit as aio
from creatorsdk._sync import creatoraudit as sync_ca
from creatorsdk.creatoraudit import Account, Deltas, Video

from .parity import parity_problems

KEY = "ca_parity_key"
URL = "https://api.creatoraudit.test/v2"


@pytest.fixture
def pair() -> Iterator[tuple[AsyncCreatorAudit, CreatorAudit]]:
    """An async and a sync CreatorAudit (nothing is ever sent)."""
    with CreatorAudit(api_key=KEY, base_url=URL) as ca:
        yield AsyncCreatorAudit(api_key=KEY, base_url=URL), ca


def test_creatoraudit_matches_its_async_twin(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    assert parity_problems(*pair) == []


def test_trackagoat_matches_its_async_twin() -> None:
    key, url = "tga_parity", "https://www.trackagoat.test/api/v1"
    with TrackAGoat(api_key=key, base_url=url) as tg:
        assert parity_problems(AsyncTrackAGoat(api_key=key, base_url=url), tg) == []


def test_the_walk_covers_every_documented_resource_and_method(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    # Guards the checker itself: a walk that saw nothing would report no problems.
    _, ca = pair
    for name in ("accounts", "account_videos", "videos", "creators"):
        assert isinstance(getattr(ca, name), sync_ca.SyncResource)
    for name in ("list", "get", "create", "update", "delete", "deltas", "iter_deltas", "metrics"):
        assert callable(getattr(ca.videos, name))
    for name in ("whoami", "meta", "health", "overview", "search", "request", "close"):
        assert callable(getattr(ca, name))


def test_twins_keep_names_docs_and_typed_signatures() -> None:
    assert sync_ca.Videos.deltas.__doc__ == aio.Videos.deltas.__doc__
    assert sync_ca.Videos.deltas.__name__ == "deltas"
    assert sync_ca.Videos.deltas.__qualname__ == "Videos.deltas"
    assert typing.get_type_hints(sync_ca.Videos.deltas)["return"] is Deltas
    assert typing.get_type_hints(sync_ca.Accounts.list)["return"] == SyncPager[Account]
    listing = inspect.signature(sync_ca.Videos.list)
    assert listing.return_annotation == SyncPager[Video]
    assert list(listing.parameters) == list(inspect.signature(aio.Videos.list).parameters)
    assert "SyncPager[Video]" in (sync_ca.Videos.list.__doc__ or "")


def test_public_names() -> None:
    assert {"CreatorAudit", "TrackAGoat", "SyncPager"} <= set(creatorsdk.__all__)
    assert CreatorAudit.__doc__
    assert TrackAGoat.__doc__


# ---- the check has teeth ------------------------------------------------------------------


class VideosWithArchive(aio.Videos):
    async def archive(self, video_id: str) -> None:
        """An endpoint that only the async client got."""


def test_an_endpoint_added_only_to_the_async_client_is_reported(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    async_client, ca = pair
    async_client.videos = VideosWithArchive(async_client)
    assert parity_problems(async_client, ca) == ["videos.archive: only on the async client"]


class SyncVideosWithArchive(sync_ca.Videos, mirrors=aio.Videos):
    def archive(self, video_id: str) -> None:
        """A method written by hand on the sync side only."""


def test_an_endpoint_added_only_to_the_sync_client_is_reported(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    async_client, ca = pair
    ca.videos = SyncVideosWithArchive(ca._runner, ca._runner.client.videos)
    assert parity_problems(async_client, ca) == ["videos.archive: only on the sync client"]


class VideosWithOtherArguments(aio.Videos):
    async def get(self, video_id: str, *, fields: str | None = None) -> Video:
        return await super().get(video_id)


class VideosWithOtherReturn(aio.Videos):
    async def get(self, video_id: str) -> Account:  # type: ignore[override]
        raise NotImplementedError


def test_an_argument_that_differs_is_reported(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    async_client, ca = pair
    async_client.videos = VideosWithOtherArguments(async_client)
    [problem] = parity_problems(async_client, ca)
    assert problem.startswith("videos.get: arguments differ")
    assert "fields" in problem


def test_a_return_type_that_differs_is_reported(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    async_client, ca = pair
    async_client.videos = VideosWithOtherReturn(async_client)
    [problem] = parity_problems(async_client, ca)
    assert problem.startswith("videos.get: returns")
    assert "Account" in problem


def test_a_resource_added_only_to_the_async_client_is_reported(
    pair: tuple[AsyncCreatorAudit, CreatorAudit],
) -> None:
    async_client, ca = pair
    async_client.archive = aio.Videos(async_client)  # type: ignore[attr-defined]
    assert parity_problems(async_client, ca) == ["archive: resource only on the async client"]


def test_a_constructor_argument_added_only_to_the_async_client_is_reported() -> None:
    class LoudCreatorAudit(AsyncCreatorAudit):
        def __init__(self, *, verbose: bool = False, retry: RetryPolicy | None = None) -> None:
            super().__init__(api_key=KEY, base_url=URL, retry=retry)

    with CreatorAudit(api_key=KEY, base_url=URL) as ca:
        [problem] = parity_problems(LoudCreatorAudit(), ca)
    assert problem.startswith("client.__init__: arguments differ")


def test_a_twin_of_the_wrong_method_is_refused_at_class_creation() -> None:
    with pytest.raises(TypeError, match=r"Videos.get wraps Accounts.get"):

        class Videos(sync_ca.SyncResource, mirrors=aio.Videos):
            get = sync_ca.sync(aio.Accounts.get)
