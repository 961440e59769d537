"""Real HTTP: ``fake.serve()`` on loopback, and the command-line server."""

from __future__ import annotations

import email.utils
import socket

import httpx
import pytest

from creatorsdk._engine.pacing.readings import http_date
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan
from creatorsdk.testing.__main__ import FAKES
from creatorsdk.testing._cli import main

from ..conftest import START
from .conftest import served_by_cli


async def test_serve_on_loopback_with_a_real_client() -> None:
    fake = FakeCreatorAudit(accounts=10, tracked_videos=5)
    async with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v2")
        assert not base_url.endswith(":0/v2")
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            whoami = await http.get("/whoami")
            listing = await http.get("/accounts", params={"limit": 3})
            created = await http.post("/creators", json={"name": "Wire"})
    assert whoami.json()["data"]["organization_id"] == fake.organization_id
    assert listing.links["next"]["url"].startswith(f"{base_url}/accounts?")
    assert created.status_code == 201
    assert [r.path for r in fake.requests] == ["/v2/whoami", "/v2/accounts", "/v2/creators"]


async def test_answers_are_dated_once_by_the_fake_s_own_clock() -> None:
    """A server dates its answers by the clock its rate-limit resets are on; a fake that
    keeps its own time (the examples' demo organization) must do the same, and uvicorn's
    Date, by the host's clock, would be a second one."""
    clock = FakeClock(START - 13 * 3600)
    fake = FakeCreatorAudit(accounts=2, tracked_videos=1, clock=clock)
    async with fake.serve() as base_url:
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            answer = await http.get("/accounts")
    assert answer.headers.get_list("date") == [email.utils.formatdate(clock(), usegmt=True)]
    dated = http_date(answer.headers["date"])
    assert dated is not None
    assert dated <= float(answer.headers["x-ratelimit-reset"]) <= dated + 60  # on one clock


async def test_a_failing_block_still_closes_the_listening_socket() -> None:
    fake = FakeCreatorAudit(accounts=2, tracked_videos=1)
    with pytest.raises(RuntimeError, match="boom"):
        async with fake.serve() as base_url:
            raise RuntimeError("boom")
    port = httpx.URL(base_url).port
    assert port is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()


@pytest.mark.parametrize(
    ("kind", "applied"), [("drop_before_commit", False), ("drop_after_commit", True)]
)
async def test_drops_really_close_the_connection(kind: str, applied: bool) -> None:
    fake = FakeCreatorAudit(accounts=4, faults=FaultPlan(**{kind: 1.0}))  # type: ignore[arg-type]
    async with fake.serve() as base_url:
        headers = {"Authorization": f"Bearer {fake.api_key}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post("/creators", json={"name": "Dropped"})
            fake.faults = FaultPlan()
            assert (await http.get("/whoami")).status_code == 200
    names = [c["name"] for c in fake.store.creators.values()]
    assert names.count("Dropped") == int(applied)


@pytest.mark.slow
def test_cli_serves_until_sigint() -> None:
    options = ("--seed", "1", "--accounts", "12", "--videos-per-account", "2,3")
    with served_by_cli("creatoraudit", *options) as (name, base_url, api_key):
        assert name == "FakeCreatorAudit"
        assert base_url.startswith("http://127.0.0.1:")
        response = httpx.get(
            f"{base_url}/accounts",
            params={"include_total": "true"},
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=5,
        )
        assert response.status_code == 200
        assert response.json()["pagination"]["total_count"] == 12


def test_cli_says_when_a_fake_is_not_available(capsys: pytest.CaptureFixture[str]) -> None:
    # A registered fake whose module does not exist yet (as trackagoat's until it is written).
    registry = {"creatoraudit": FAKES["creatoraudit"], "later": "creatorsdk.testing.later.cli"}
    assert main(registry, ["later", "--port", "0"]) == 2
    assert "the later fake is not available" in capsys.readouterr().err


def test_cli_registry_has_a_slot_for_trackagoat() -> None:
    assert FAKES["trackagoat"] == "creatorsdk.testing.trackagoat.cli"
