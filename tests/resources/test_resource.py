"""Resources are declared on the client class: no client writes an ``__init__`` of its own."""

from __future__ import annotations

import pydoc

import pytest

from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat
from creatorsdk._engine.client import BaseClient
from creatorsdk._resources.resource import Resource, resource
from creatorsdk.creatoraudit import Accounts, AccountVideos, Creators, Videos
from creatorsdk.trackagoat import analytics, campaigns, creators, projects, videos

KEY = "a-test-key"
CA_URL = "https://api.creatoraudit.test/v2"
TG_URL = "https://www.trackagoat.test/api/v1"

CA_RESOURCES = {
    "accounts": Accounts,
    "account_videos": AccountVideos,
    "videos": Videos,
    "creators": Creators,
}
TG_RESOURCES = {
    "projects": projects.Projects,
    "creators": creators.Creators,
    "videos": videos.Videos,
    "campaigns": campaigns.Campaigns,
    "analytics": analytics.Analytics,
}


@pytest.mark.parametrize("cls", [AsyncCreatorAudit, AsyncTrackAGoat])
def test_the_clients_have_no_init_of_their_own(cls: type[BaseClient]) -> None:
    assert "__init__" not in vars(cls)
    assert cls.__init__ is BaseClient.__init__


@pytest.mark.parametrize(
    ("cls", "url", "expected"),
    [(AsyncCreatorAudit, CA_URL, CA_RESOURCES), (AsyncTrackAGoat, TG_URL, TG_RESOURCES)],
)
async def test_each_client_builds_each_resource_once_for_itself(
    cls: type[BaseClient], url: str, expected: dict[str, type[Resource]]
) -> None:
    async with cls(api_key=KEY, base_url=url) as one, cls(api_key=KEY, base_url=url) as two:
        for name, resource_cls in expected.items():
            built = getattr(one, name)
            assert type(built) is resource_cls
            assert built._client is one
            assert getattr(one, name) is built
            assert getattr(two, name) is not built
            assert getattr(two, name)._client is two


def test_help_lists_each_resource_with_its_docstring() -> None:
    text = pydoc.render_doc(AsyncCreatorAudit, renderer=pydoc.plaintext)
    assert "accounts\n |      Tracked accounts." in text
    assert AsyncTrackAGoat.analytics.__doc__
    assert "projects\n |      The organization's projects." in pydoc.render_doc(
        AsyncTrackAGoat, renderer=pydoc.plaintext
    )


async def test_a_resource_can_be_replaced_on_one_client() -> None:
    async with AsyncCreatorAudit(api_key=KEY, base_url=CA_URL) as ca:
        replacement = Videos(ca)
        ca.videos = replacement
        assert ca.videos is replacement


def test_the_docstring_defaults_to_the_resource_class_summary() -> None:
    class Sample(Resource):
        """Samples of things.

        More words that help() need not repeat.
        """

    class Client(BaseClient):
        samples = resource(Sample)

    assert Client.samples.__doc__ == "Samples of things."
    assert repr(Client.samples) == "resource(Sample)"
