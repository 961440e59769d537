"""The client options are declared once, on the engine's constructor, and seen everywhere."""

from __future__ import annotations

import inspect

import pytest

from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat
from creatorsdk._engine.client import BaseClient

OPTIONS = inspect.signature(BaseClient.__init__)


@pytest.mark.parametrize("client", [AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat])
def test_every_client_shows_the_one_declaration(client: type) -> None:
    shown = inspect.signature(client)
    assert list(shown.parameters) == [p for p in OPTIONS.parameters if p != "self"]
    assert all(
        shown.parameters[name].default == OPTIONS.parameters[name].default
        for name in shown.parameters
    )


def test_the_sync_client_passes_every_option_on_untouched() -> None:
    with CreatorAudit(
        api_key="ca_key", base_url="https://api.creatoraudit.test/v2", max_concurrency=3
    ) as ca:
        assert ca.max_concurrency == 3
        assert ca.base_url == "https://api.creatoraudit.test/v2"


def test_the_sync_client_refuses_an_unknown_option_like_the_async_one() -> None:
    with pytest.raises(TypeError, match="max_concurency"):
        AsyncCreatorAudit(api_key="k", max_concurency=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="max_concurency"):
        CreatorAudit(api_key="k", max_concurency=3)  # type: ignore[call-arg]
