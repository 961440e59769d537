"""Sync-client fixtures: ``sync_ca`` reaches a FakeCreatorAudit in-process (``sync_tg`` keeps
the root conftest's respx routes)."""

from __future__ import annotations

import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit

from ..conftest import Endpoint


@pytest.fixture
def fake(clock: FakeClock) -> FakeCreatorAudit:
    return FakeCreatorAudit(seed=0, rate_limit=None, clock=clock)


@pytest.fixture
def ca_endpoint(fake: FakeCreatorAudit) -> Endpoint:
    return Endpoint.of(fake)
