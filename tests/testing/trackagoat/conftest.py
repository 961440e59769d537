"""FakeTrackAGoat for the fakes' own tests; ``client`` and ``reader`` come from the parent
conftest and talk to whichever ``fake`` is in scope."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeTrackAGoat
from tests.testing.conftest import client_for


@pytest.fixture
def fake(clock: FakeClock) -> FakeTrackAGoat:
    return FakeTrackAGoat(seed=0, clock=clock)


@pytest.fixture
def project(fake: FakeTrackAGoat) -> str:
    """The first project, which holds the seeded removed and disabled creators."""
    return next(iter(fake.store.projects))


def http_for(fake: FakeTrackAGoat, key: str | None = None) -> httpx.AsyncClient:
    """The parent conftest's plain client (typed for FakeCreatorAudit, it needs only
    ``transport()``, ``base_url`` and ``api_key``) on a FakeTrackAGoat."""
    return client_for(cast(Any, fake), key)


async def list_all(http: httpx.AsyncClient, path: str, **params: Any) -> tuple[list[Any], int]:
    """Every item of a listing, following ``meta.nextCursor``; also the request count."""
    items: list[Any] = []
    cursor: str | None = None
    requests = 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await http.get(path, params=query)
        requests += 1
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["error"] is None
        items.extend(body["data"])
        if not body["meta"]["hasMore"]:
            assert body["meta"]["nextCursor"] is None
            return items, requests
        cursor = body["meta"]["nextCursor"]


def meta_code(response: httpx.Response) -> str:
    """The machine code of an error envelope (after checking it is one)."""
    body = response.json()
    assert body["data"] is None
    assert isinstance(body["error"], str)
    assert body["error"]
    code: str = body["meta"]["code"]
    return code
