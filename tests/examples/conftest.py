"""Fixtures for the examples' tests: small seeded fakes, injected clients, database readers.

The examples live in ``examples/`` as scripts, not a package; putting that directory on
``sys.path`` here lets the tests import them (``import bulk_ingest``) and call their main
functions in-process with a client on a fake's in-process transport.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from creatorsdk import AsyncCreatorAudit, CreatorAudit, RetryPolicy
from creatorsdk.testing import FakeClock, FakeCreatorAudit

from ..conftest import client_on, sync_client_on

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

#: Small enough to keep every test fast, big enough for several pages per listing at page
#: size 4, a few never-scraped videos, and both platforms.
SMALL_ORG: dict[str, Any] = {
    "seed": 7,
    "accounts": 14,
    "videos_per_account": (2, 13),
    "tracked_videos": 11,
    "creators": 3,
    "rate_limit": None,
}


@pytest.fixture(autouse=True)
def no_real_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples must never reach past the fakes, whatever the developer's shell has set."""
    for name in ("CREATORAUDIT_API_KEY", "CREATORAUDIT_BASE_URL", "CREATORSDK_USE_FAKE"):
        monkeypatch.delenv(name, raising=False)


def small_fake(**overrides: Any) -> FakeCreatorAudit:
    """The small organization on a fixed clock: two fakes built alike hold the same data."""
    options = {**SMALL_ORG, "clock": FakeClock(), **overrides}
    return FakeCreatorAudit(**options)


@pytest.fixture
def fake() -> FakeCreatorAudit:
    return small_fake()


class Tap(httpx.AsyncBaseTransport):
    """A transport in front of another: numbers requests, keeps response request ids.

    ``before(number, request)`` runs before each request is passed on, e.g. to simulate a
    Ctrl-C at the Nth request of a stage.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        before: Callable[[int, httpx.Request], None] | None = None,
    ) -> None:
        self.inner = inner
        self.before = before
        self.count = 0
        self.responses: list[tuple[str, int, str | None]] = []
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        if self.before is not None:
            self.before(self.count, request)
        response = await self.inner.handle_async_request(request)
        self.responses.append(
            (request.url.path, response.status_code, response.headers.get("x-request-id"))
        )
        return response

    async def aclose(self) -> None:
        self.closed = True
        await self.inner.aclose()

    def request_ids(self, status: int) -> set[str | None]:
        """Request ids of the responses with ``status``."""
        return {rid for _, code, rid in self.responses if code == status}


def client_for(
    fake: FakeCreatorAudit, tap: Tap | None = None, attempts: int = 5, concurrency: int = 8
) -> AsyncCreatorAudit:
    """A client on the fake's in-process transport (through ``tap`` when given), on the fake's
    clock: a 429's ``Retry-After`` costs no real time and the fake sees that time pass."""
    return client_on(
        fake,
        transport=tap if tap is not None else fake.transport(),
        max_concurrency=concurrency,
        retry=_policy(fake, attempts),
    )


def _policy(fake: FakeCreatorAudit, attempts: int) -> RetryPolicy:
    clock = fake.clock
    assert isinstance(clock, FakeClock)
    return RetryPolicy(max_attempts=attempts, sleep=clock.sleep, clock=clock)


def connector(
    fake: FakeCreatorAudit,
    *,
    attempts: int = 5,
    before: Callable[[int, httpx.Request], None] | None = None,
    taps: list[Tap] | None = None,
) -> Callable[..., contextlib.AbstractAsyncContextManager[tuple[AsyncCreatorAudit, str]]]:
    """A ``connect`` for the examples: a client on ``fake``, each tap appended to ``taps``."""

    @contextlib.asynccontextmanager
    async def connect(
        *, max_concurrency: int = 8, **_: Any
    ) -> AsyncIterator[tuple[AsyncCreatorAudit, str]]:
        tap = Tap(fake.transport(), before)
        if taps is not None:
            taps.append(tap)
        async with client_for(fake, tap, attempts, max_concurrency) as client:
            yield client, "the test fake"

    return connect


def connector_sync(
    fake: FakeCreatorAudit, *, attempts: int = 5
) -> Callable[..., contextlib.AbstractContextManager[tuple[CreatorAudit, str]]]:
    """A ``connect`` for the examples' blocking variants: a ``CreatorAudit`` on ``fake``."""

    @contextlib.contextmanager
    def connect(*, max_concurrency: int = 8, **_: Any) -> Iterator[tuple[CreatorAudit, str]]:
        policy = _policy(fake, attempts)
        with sync_client_on(fake, max_concurrency=max_concurrency, retry=policy) as client:
            yield client, "the test fake"

    return connect


def rows(db: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, sorted."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return sorted(connection.execute(f"SELECT * FROM {table}"))


def data_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The ingested data (not the run's bookkeeping), for comparing two databases."""
    return {t: rows(db, t) for t in ("accounts", "account_videos", "videos", "deltas")}


def _normalized(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        return dt.datetime.fromisoformat(value)
    return value


def records(db: Path, table: str) -> dict[str, dict[str, Any]]:
    """A table as ``{id: {column: value}}``, timestamps parsed so API and SQLite forms compare."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        cursor = connection.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        found = [dict(zip(names, map(_normalized, r), strict=True)) for r in cursor]
    return {r["id"]: r for r in found}


def expected(source: dict[str, dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    """The fake's records restricted to the stored columns, normalized like :func:`records`."""
    return {i: {c: _normalized(r[c]) for c in columns} for i, r in source.items()}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "org.db"


def expected_ranking(
    fake: FakeCreatorAudit, window: int, top: int, source: str = "both"
) -> list[tuple[str, int]]:
    """The ranking computed straight from the fake's state."""
    store = fake.store
    videos = {
        "account": store.account_videos,
        "tracked": store.videos,
        "both": {**store.account_videos, **store.videos},
    }[source]
    ranked = [
        (video_id, gained)
        for video_id, record in videos.items()
        if record["last_scrape_time"] is not None
        and (gained := store.deltas(video_id, window)) is not None
    ]
    ranked.sort(key=lambda pair: (-pair[1], pair[0]))
    return ranked[:top]
