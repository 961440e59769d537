"""Fixtures for the fakes' own tests: a fake on the test's ``clock`` and plain httpx clients."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from creatorsdk.testing import FakeClock, FakeCreatorAudit


@pytest.fixture
def fake(clock: FakeClock) -> FakeCreatorAudit:
    return FakeCreatorAudit(seed=0, clock=clock)


def client_for(fake: FakeCreatorAudit, key: str | None = None) -> httpx.AsyncClient:
    """A plain httpx client on the fake's in-process transport, authenticated with ``key``."""
    headers = {"Authorization": f"Bearer {key or fake.api_key}"}
    return httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url, headers=headers)


@pytest.fixture
async def client(fake: FakeCreatorAudit) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(fake) as http:
        yield http


@pytest.fixture
async def reader(fake: FakeCreatorAudit) -> AsyncIterator[httpx.AsyncClient]:
    """A client with the read-only key."""
    async with client_for(fake, fake.read_only_api_key) as http:
        yield http


async def list_all(
    http: httpx.AsyncClient, path: str, **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every item of a listing, following cursors and ``has_next``; also the request count."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    requests = 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await http.get(path, params=query)
        requests += 1
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        if not body["pagination"]["has_next"]:
            return items, requests
        cursor = body["pagination"]["next_cursor"]


@contextlib.contextmanager
def served_by_cli(api: str, *options: str) -> Iterator[tuple[str, str, str]]:
    """``python -m creatorsdk.testing <api> --port 0 <options>`` until the block ends.

    Yields the banner's first word (the fake's class), its base URL and its API key; on
    leaving, sends SIGINT and asserts the server stops cleanly (it is killed if it does not).
    """
    command = [sys.executable, "-m", "creatorsdk.testing", api, "--port", "0", *options]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    ) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            words = banner.split()
            assert words[1:2] == ["serving"], banner
            keys = dict(w.split("=", 1) for w in words if "=" in w)
            yield words[0], words[2], keys["api_key"]
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
