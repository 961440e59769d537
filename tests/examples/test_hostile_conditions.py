"""The examples under hostile conditions (issue 15): a full disk, and cursors a caller mangled."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import bulk_ingest
import pytest

from creatorsdk.testing import FakeCreatorAudit

from .conftest import connector, data_tables, small_fake
from .test_fastapi_app import Served, app_on, assert_problem

#: Pages the ingest may use: the schema takes 15, a complete run of the small org 26, so the
#: database fills up part-way through the ingest.
PAGES_BEFORE_FULL = 20

FLAGS = ("--quiet", "--page-size", "4")


def full_disk_after(monkeypatch: pytest.MonkeyPatch, db: Path, pages: int) -> None:
    """Make SQLite report a full disk once ``db`` holds ``pages`` pages.

    ``PRAGMA max_page_count`` is SQLite's own ceiling: writes past it fail with the very error
    a full filesystem gives (``SQLITE_FULL``, "database or disk is full").
    """
    connect = sqlite3.connect

    def connect_capped(path: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(path, *args, **kwargs)
        if str(path) == str(db):
            connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(bulk_ingest.sqlite3, "connect", connect_capped)


async def run(fake: FakeCreatorAudit, db: Path, *flags: str) -> int:
    options = bulk_ingest.parse_args(["--db", str(db), *FLAGS, *flags])
    return await bulk_ingest.run(options, connector(fake), io.StringIO())


@pytest.mark.slow  # three ingests: filling the disk, resuming, and the reference run
async def test_a_full_disk_is_one_line_and_exit_1_and_resume_finishes(
    fake: FakeCreatorAudit,
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with monkeypatch.context() as patched:
        full_disk_after(patched, db, PAGES_BEFORE_FULL)
        code = await run(fake, db)
    error = capsys.readouterr().err.strip().splitlines()

    assert code == 1
    assert len(error) == 1, error
    assert error[0].startswith(f"bulk_ingest: --db {db}: cannot write: database or disk is full")
    assert "rerun with --resume" in error[0]

    # What was committed before the disk filled up is whole: resuming with room to spare
    # ends with exactly what an uninterrupted run stores.
    assert await run(fake, db, "--resume") == 0
    reference = tmp_path / "reference.db"
    assert await run(small_fake(), reference) == 0
    assert data_tables(db) == data_tables(reference)


async def test_a_disk_too_full_for_the_schema_is_one_line_before_any_request(
    fake: FakeCreatorAudit,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Not even the tables fit: the --db file cannot be used at all (exit 2, like a bad file).
    full_disk_after(monkeypatch, db, 1)
    code = await run(fake, db)
    error = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert error == [f"bulk_ingest: --db {db}: database or disk is full"]
    assert fake.requests == []


@pytest.fixture
async def app(fake: FakeCreatorAudit) -> AsyncIterator[Served]:
    async with app_on(fake) as running:
        yield running


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("cursor=", "cursor"),  # empty: refused by the app's own validation
        # Each "/" becomes "%2F" in the API request: 90,000 characters, more than a URL holds.
        ("cursor=" + "/" * 30_000, "cursor"),
        ("cursor=not-a-cursor", "cursor"),  # the API's own 422, passed through
    ],
    ids=["empty", "too long for a URL", "not one the API issued"],
)
async def test_an_empty_or_bad_cursor_is_a_422(app: Served, query: str, names: str) -> None:
    response = await app.http.get(f"/accounts?{query}")
    body = assert_problem(response, 422)
    assert names in response.text
    assert "Traceback" not in response.text
    assert body["status"] == 422
