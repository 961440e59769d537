"""Sync-client fixtures: a FakeCreatorAudit reached in-process and a CreatorAudit on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from creatorsdk import CreatorAudit
from creatorsdk.testing import FakeCreatorAudit


@pytest.fixture
def fake() -> FakeCreatorAudit:
    return FakeCreatorAudit(seed=0, rate_limit=None)


def sync_client(fake: FakeCreatorAudit, **options: object) -> CreatorAudit:
    """A CreatorAudit on the fake's in-process transport (no sockets)."""
    return CreatorAudit(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def ca(fake: FakeCreatorAudit) -> Iterator[CreatorAudit]:
    with sync_client(fake) as client:
        yield client
