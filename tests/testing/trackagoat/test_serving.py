"""FakeTrackAGoat over real HTTP: ``serve()`` on loopback and the command-line server."""

from __future__ import annotations

import httpx
import pytest

from creatorsdk.testing import FakeTrackAGoat, FaultPlan
from tests.testing.conftest import served_by_cli


async def test_serve_on_loopback() -> None:
    fake = FakeTrackAGoat(seed=1)
    async with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/v1")
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            projects = await http.get("/projects")
            project = projects.json()["data"][0]["id"]
            created = await http.post(
                f"/projects/{project}/creators", json={"tiktok_handle": "wired"}
            )
    assert created.status_code == 201
    assert created.headers["x-request-id"].startswith("req_")
    assert [r.path for r in fake.requests] == [
        "/api/v1/projects",
        f"/api/v1/projects/{project}/creators",
    ]


async def test_a_drop_after_commit_really_closes_the_connection() -> None:
    fake = FakeTrackAGoat(seed=1, faults=FaultPlan(drop_after_commit=1.0))
    project = next(iter(fake.store.projects))
    async with fake.serve() as base_url:
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post(f"/projects/{project}/creators", json={"tiktok_handle": "ghost"})
    assert [c["tiktok_handle"] for c in fake.store.creators.values()].count("ghost") == 1


@pytest.mark.slow
def test_cli_serves_until_sigint() -> None:
    options = ("--seed", "2", "--creators", "5", "--plan", "starter")
    with served_by_cli("trackagoat", *options) as (name, base_url, api_key):
        assert name == "FakeTrackAGoat"
        assert base_url.startswith("http://127.0.0.1:")
        assert api_key.startswith("tga_")
        response = httpx.get(
            f"{base_url}/creators",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=5,
        )
        assert response.status_code == 200
        assert len(response.json()["data"]) == 5
