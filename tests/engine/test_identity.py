"""The version and the User-Agent: what the SDK says it is, and what the app adds."""

from __future__ import annotations

import platform
import re
from importlib import metadata

import httpx
import pytest
import respx

import creatorsdk
from creatorsdk._engine.identity import user_agent

from ..conftest import API_KEY
from .conftest import EngineClient


def test_the_version_is_the_installed_distributions() -> None:
    assert creatorsdk.__version__ == metadata.version("creatorsdk")
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", creatorsdk.__version__)


def test_the_user_agent_names_sdk_python_platform_and_httpx() -> None:
    agent = user_agent()
    assert agent.startswith(f"creatorsdk/{creatorsdk.__version__} (Python ")
    assert platform.python_version() in agent
    assert f"httpx/{httpx.__version__}" in agent


def test_an_app_is_named_first() -> None:
    assert user_agent("ingest-job/2.1 acme").startswith("ingest-job/2.1 acme creatorsdk/")


@pytest.mark.parametrize("bad", ["", " ", "app/1 (comment)", "app/1\r\nX-Evil: 1", "app/\u00e9", 3])
def test_app_info_that_is_not_product_tokens_is_refused_before_the_network(bad: object) -> None:
    with pytest.raises(ValueError, match="app_info"):
        EngineClient(api_key=API_KEY, app_info=bad)  # type: ignore[arg-type]


async def test_every_request_carries_it(api: respx.MockRouter) -> None:
    route = api.get("/whoami").mock(return_value=httpx.Response(200, json={"data": {}}))
    async with EngineClient(api_key=API_KEY, app_info="dash/3") as client:
        await client.request("GET", "/whoami")
    sent = route.calls.last.request.headers["user-agent"]
    assert sent == user_agent("dash/3")
