"""A refused argument is an ``errors.InvalidArgumentError``: a ``ValueError`` and a
``CreatorSDKError`` at once, raised before anything is sent, by every client, async and sync."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import creatorsdk
from creatorsdk import (
    AsyncCreatorAudit,
    AsyncTrackAGoat,
    CreatorAudit,
    RetryPolicy,
    TrackAGoat,
    errors,
)

ID = "00000000-0000-4000-8000-000000000001"
OTHER = "00000000-0000-4000-8000-000000000002"

Call = Callable[[Any], Any]

#: One bad call per kind of check, through CreatorAudit's public surface.
CREATORAUDIT_CALLS: dict[str, Call] = {
    "platform": lambda ca: ca.accounts.list(platform="youtube"),
    "sort": lambda ca: ca.videos.list(sort="-colour"),
    "uuid": lambda ca: ca.accounts.get("not-a-uuid"),
    "create platform": lambda ca: ca.accounts.create("youtube", "x"),
    "empty update": lambda ca: ca.accounts.update(ID),
    "metrics period": lambda ca: ca.accounts.metrics([ID], period="1y"),
    "custom period dates": lambda ca: ca.videos.metrics([ID], period="custom"),
    "windows": lambda ca: ca.videos.deltas([ID], windows=[0]),
    "empty ids": lambda ca: ca.videos.deltas([]),
    "no account videos": lambda ca: ca.account_videos.metrics(),
    "blank name": lambda ca: ca.creators.create(" "),
    "top limit": lambda ca: ca.creators.top(limit=99),
    "date order": lambda ca: ca.creators.analytics(ID, "2026-02-01", "2026-01-01"),
    "overview period": lambda ca: ca.overview(period="1y"),
    "search length": lambda ca: ca.search("q" * 200),
    "metadata": lambda ca: ca.videos.update(ID, metadata={"k": object()}),
}

#: The same for trackagoat.
TRACKAGOAT_CALLS: dict[str, Call] = {
    "handle": lambda tg: tg.creators.create(ID, "not a handle!"),
    "no handles": lambda tg: tg.creators.create_many(ID, []),
    "tracking mode": lambda tg: tg.creators.update(ID, tracking_mode="manual"),
    "item type": lambda tg: tg.campaigns.add_item(ID, "playlist", OTHER),
    "campaign in itself": lambda tg: tg.campaigns.add_item(ID, "campaign", ID),
    "video url": lambda tg: tg.videos.create(ID, "https://example.com/v/1"),
    "bulk without project": lambda tg: tg.videos.disable_tracking([ID]),
    "no metric": lambda tg: tg.analytics.query("creator", ID),
    "metric word": lambda tg: tg.analytics.query("creator", ID, "two words"),
    "time zone": lambda tg: tg.analytics.query("creator", ID, "views", tz="Europe Berlin"),
    "min ratio": lambda tg: tg.aggregate.outliers(ID, min_ratio=0),
    "entity pair": lambda tg: tg.annotations.create("2026-01-01", "x", entity="creator"),
    "payment status": lambda tg: tg.payout_payments.update(ID, status="paid"),
    "rule fields": lambda tg: tg.payout_structures.create(
        ID, "n", rule_type="goals", amount_cents=1
    ),
    "statuses": lambda tg: tg.payout_accruals.list(status=[]),
    "goal period": lambda tg: tg.goal_compliance(ID, period="yearly"),
    "page size": lambda tg: tg.projects.list(limit=0),
    "job type": lambda tg: tg.creators.scrape(ID, job_type="everything"),
}

#: Constructor arguments each client refuses.
BAD_OPTIONS: dict[str, dict[str, Any]] = {
    "blank key": {"api_key": " "},
    "concurrency": {"max_concurrency": 0},
    "timeout": {"timeout": 0},
    "plain http": {"base_url": "http://api.example.com/v2"},
    "not https": {"base_url": "ftp://api.example.com/v2"},
    "app info": {"app_info": "my:app/1.0"},
    "budget url": {"budget": "redis://127.0.0.1:6379/0"},
    "concurrency flag": {"max_concurrency": True},
    "timeout flag": {"timeout": True},
    "pace as text": {"requests_per_minute": "60"},
    "retry count": {"retry": 3},
}


def refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a refused argument still sent {request.method} {request.url}")


def options(**overrides: Any) -> dict[str, Any]:
    return {
        "api_key": "key",
        "base_url": "https://api.example.com/v1",
        "transport": httpx.MockTransport(refuse),
        **overrides,
    }


def assert_caught_both_ways(error: Exception) -> None:
    """The error is caught by ``except CreatorSDKError`` and by ``except ValueError``."""
    for base in (errors.CreatorSDKError, ValueError):
        with pytest.raises(base) as caught:  # an ``except base`` clause, as pytest runs it
            raise error
        assert caught.value is error
    assert type(error) is errors.InvalidArgumentError


async def raised_by(call: Call, client: Any) -> Exception:
    try:
        result = call(client)
        if inspect.isawaitable(result):
            await result
    except Exception as error:
        return error
    raise AssertionError("the bad argument was accepted")


@pytest.fixture
async def ca() -> Any:
    async with AsyncCreatorAudit(**options()) as client:
        yield client


@pytest.fixture
async def tg() -> Any:
    async with AsyncTrackAGoat(**options()) as client:
        yield client


@pytest.fixture
def sync_ca() -> Iterator[CreatorAudit]:
    with CreatorAudit(**options()) as client:
        yield client


@pytest.fixture
def sync_tg() -> Iterator[TrackAGoat]:
    with TrackAGoat(**options()) as client:
        yield client


@pytest.mark.parametrize("call", CREATORAUDIT_CALLS.values(), ids=list(CREATORAUDIT_CALLS))
async def test_async_creatoraudit_refuses_with_the_sdk_error(ca: Any, call: Call) -> None:
    assert_caught_both_ways(await raised_by(call, ca))


@pytest.mark.parametrize("call", TRACKAGOAT_CALLS.values(), ids=list(TRACKAGOAT_CALLS))
async def test_async_trackagoat_refuses_with_the_sdk_error(tg: Any, call: Call) -> None:
    assert_caught_both_ways(await raised_by(call, tg))


def test_the_sync_clients_raise_the_same_error(sync_ca: CreatorAudit, sync_tg: TrackAGoat) -> None:
    for client, calls in ((sync_ca, CREATORAUDIT_CALLS), (sync_tg, TRACKAGOAT_CALLS)):
        for name, call in calls.items():
            with pytest.raises(errors.InvalidArgumentError) as refused:
                call(client)
            assert_caught_both_ways(refused.value)
            assert refused.value.__traceback__ is not None, name


@pytest.mark.parametrize(
    "client",
    [AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat],
    ids=lambda c: c.__name__,
)
@pytest.mark.parametrize("bad", BAD_OPTIONS.values(), ids=list(BAD_OPTIONS))
def test_every_client_refuses_bad_options_with_the_sdk_error(
    client: type[Any], bad: dict[str, Any]
) -> None:
    with pytest.raises(errors.InvalidArgumentError) as refused:
        client(**options(**bad))
    assert_caught_both_ways(refused.value)


def test_policy_and_pacing_options_are_refused_the_same_way() -> None:
    with pytest.raises(errors.InvalidArgumentError) as policy:
        RetryPolicy(max_attempts=0)
    assert_caught_both_ways(policy.value)
    with pytest.raises(errors.InvalidArgumentError) as pacing:
        AsyncTrackAGoat(**options(requests_per_minute=-1))
    assert_caught_both_ways(pacing.value)


def test_no_argument_check_in_the_sdk_raises_a_bare_value_error() -> None:
    """A guard for checks added later: ``raise ValueError(`` appears only where a ValueError is
    part of a parsing protocol (``json.loads``' ``parse_constant`` hook), never for arguments."""
    root = Path(creatorsdk.__file__).parent
    allowed = {root / "_engine" / "parsing.py"}
    bare = []
    for path in root.rglob("*.py"):
        if "testing" in path.relative_to(root).parts or path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id == "ValueError":
                    bare.append(f"{path.relative_to(root)}:{node.lineno}")
    assert bare == []
