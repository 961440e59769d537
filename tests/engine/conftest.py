"""A bare engine client on the shared respx routes, for testing the request path alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import respx

from creatorsdk import RetryPolicy
from creatorsdk._engine.client import BaseClient

from ..conftest import API_KEY, BASE_URL


class EngineClient(BaseClient):
    """The smallest concrete client: the engine with CreatorAudit's error format."""

    _api_name = "Test"
    _env_api_key = "CREATORSDK_TEST_API_KEY"
    _env_base_url = "CREATORSDK_TEST_BASE_URL"
    _default_base_url = BASE_URL


@pytest.fixture
async def engine(api: respx.MockRouter, policy: RetryPolicy) -> AsyncIterator[EngineClient]:
    async with EngineClient(api_key=API_KEY, retry=policy) as client:
        yield client
