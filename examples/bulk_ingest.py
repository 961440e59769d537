"""Bulk-ingest a CreatorAudit organization into SQLite: the project's main job.

    python examples/bulk_ingest.py                    # embedded fake API when no key is set
    CREATORAUDIT_API_KEY=... python examples/bulk_ingest.py --db org.db --windows 1,7,30

Stages: accounts → account-videos (per account, fanned out under the client's limit) →
tracked videos → view deltas for every video (200-id chunks in parallel) → summary. Every page
is written with its cursor in one transaction, so an interrupted run (Ctrl-C included) resumes
with ``--resume`` losing and duplicating nothing, and a rerun changes only what changed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from _api import open_creatoraudit

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.creatoraudit import Account, Deltas, Video

log = logging.getLogger("bulk_ingest")

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, platform TEXT, username TEXT, name TEXT, category TEXT,
    follower_count INTEGER, view_count INTEGER, is_active INTEGER,
    added_at TEXT, last_scrape_time TEXT
);
CREATE TABLE IF NOT EXISTS videos (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, account_id TEXT, platform TEXT,
    account_username TEXT, description TEXT, view_count INTEGER, like_count INTEGER,
    create_time TEXT, last_scrape_time TEXT
);
CREATE TABLE IF NOT EXISTS deltas (
    video_id TEXT NOT NULL, window_days INTEGER NOT NULL, views_gained INTEGER,
    PRIMARY KEY (video_id, window_days)
);
CREATE TABLE IF NOT EXISTS progress (
    stage TEXT PRIMARY KEY, cursor TEXT, done INTEGER NOT NULL DEFAULT 0
);
"""

ACCOUNT_COLUMNS = (
    "id",
    "platform",
    "username",
    "name",
    "category",
    "follower_count",
    "view_count",
    "is_active",
    "added_at",
    "last_scrape_time",
)
VIDEO_COLUMNS = (
    "id",
    "source",
    "account_id",
    "platform",
    "account_username",
    "description",
    "view_count",
    "like_count",
    "create_time",
    "last_scrape_time",
)


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """INSERT … ON CONFLICT DO UPDATE that touches a row only when a value really changed."""
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    values = [c for c in columns if c not in key]
    sets = ", ".join(f"{c} = excluded.{c}" for c in values)
    changed = " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in values)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets} WHERE {changed}"
    )


UPSERT_ACCOUNT = upsert_sql("accounts", ACCOUNT_COLUMNS, ["id"])
UPSERT_VIDEO = upsert_sql("videos", VIDEO_COLUMNS, ["id"])
UPSERT_DELTA = upsert_sql(
    "deltas", ("video_id", "window_days", "views_gained"), ["video_id", "window_days"]
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def account_row(account: Account) -> tuple[Any, ...]:
    """The stored columns of one account."""
    return (
        account.id,
        account.platform,
        account.username,
        account.name,
        account.category,
        account.follower_count,
        account.view_count,
        int(account.is_active),
        _iso(account.added_at),
        _iso(account.last_scrape_time),
    )


def video_row(video: Video, source: str) -> tuple[Any, ...]:
    """The stored columns of one video; ``source`` is ``account`` or ``tracked``."""
    return (
        video.id,
        source,
        video.account_id,
        video.platform,
        video.account_username,
        video.description,
        video.view_count,
        video.like_count,
        _iso(video.create_time),
        _iso(video.last_scrape_time),
    )


class Store:
    """The SQLite side: one transaction per page, progress saved with the data it covers."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)
        self.changes_at_start = self.db.total_changes

    def close(self) -> None:
        self.db.close()

    @property
    def rows_changed(self) -> int:
        """Rows inserted or modified by this run (upserts of unchanged rows count zero)."""
        return self.db.total_changes - self.changes_at_start

    def reset_progress(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM progress")

    def progress(self, stage: str) -> tuple[str | None, bool]:
        row = self.db.execute(
            "SELECT cursor, done FROM progress WHERE stage = ?", (stage,)
        ).fetchone()
        return (row[0], bool(row[1])) if row else (None, False)

    def save_page(
        self, sql: str, rows: Sequence[tuple[Any, ...]], stage: str, cursor: str | None, done: bool
    ) -> None:
        # The rows and the cursor after them commit together: a crash between pages loses
        # nothing and a resumed run never re-counts a page.
        with self.db:
            self.db.executemany(sql, rows)
            self.db.execute(
                "INSERT INTO progress (stage, cursor, done) VALUES (?, ?, ?) "
                "ON CONFLICT (stage) DO UPDATE SET cursor = excluded.cursor, done = excluded.done",
                (stage, cursor, int(done)),
            )

    def mark_done(self, stage: str) -> None:
        self.save_page(UPSERT_DELTA, [], stage, None, True)

    def account_ids(self, platform: str | None, limit: int | None) -> list[str]:
        sql = "SELECT id FROM accounts" + (" WHERE platform = ?" if platform else "")
        rows = self.db.execute(sql + " ORDER BY rowid", (platform,) if platform else ())
        ids = [r[0] for r in rows]
        return ids[:limit] if limit else ids

    def video_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM videos ORDER BY rowid")]

    def video_ids_with_deltas(self, windows: Sequence[int]) -> set[str]:
        marks = ", ".join("?" for _ in windows)
        rows = self.db.execute(
            f"SELECT video_id FROM deltas WHERE window_days IN ({marks}) "
            "GROUP BY video_id HAVING COUNT(*) = ?",
            (*windows, len(windows)),
        )
        return {r[0] for r in rows}

    def save_deltas(self, deltas: Deltas, windows: Sequence[int]) -> int:
        rows = [(vid, w, deltas.get(vid, w)) for vid in deltas.ids for w in windows]
        with self.db:
            self.db.executemany(UPSERT_DELTA, rows)
        return len(deltas.ids)

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def breakouts(self, window: int, top: int) -> list[tuple[str, str, str, int]]:
        """The ``top`` videos with the most views gained over ``window`` days."""
        rows = self.db.execute(
            "SELECT d.video_id, COALESCE(v.account_username, ''), "
            "COALESCE(SUBSTR(REPLACE(v.description, CHAR(10), ' '), 1, 40), ''), d.views_gained "
            "FROM deltas d JOIN videos v ON v.id = d.video_id "
            "WHERE d.window_days = ? AND d.views_gained IS NOT NULL "
            "ORDER BY d.views_gained DESC, d.video_id LIMIT ?",
            (window, top),
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


class Reporter:
    """A rich progress bar per stage on a terminal; plain log lines otherwise."""

    def __init__(self, quiet: bool) -> None:
        self._progress: Any = None
        if not quiet and sys.stdout.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<16}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            self._progress.start()
        self._quiet = quiet

    def stage(self, name: str, total: int | None) -> Callable[[int], None]:
        """Start a stage; returns ``advance(n)``."""
        started = time.perf_counter()
        done = 0
        if self._progress is not None:
            task = self._progress.add_task(name, total=total, rate="")

            def advance(n: int) -> None:
                nonlocal done
                done += n
                rate = done / max(time.perf_counter() - started, 1e-9)
                self._progress.update(task, advance=n, rate=f"{rate:,.0f}/s")

            return advance

        if not self._quiet:
            print(f"[{name}] started" + (f" ({total:,} expected)" if total else ""), flush=True)
        return lambda n: None

    def finish(self, name: str, count: int) -> None:
        if self._progress is None and not self._quiet:
            print(f"[{name}] done: {count:,} items", flush=True)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


async def ingest_accounts(
    ca: AsyncCreatorAudit, store: Store, args: argparse.Namespace, report: Reporter
) -> int:
    """Stage 1: every tracked account, page by page."""
    cursor, done = store.progress("accounts")
    if done:
        return 0
    advance = report.stage("accounts", args.max_accounts)
    count = 0
    pager = ca.accounts.list(platform=args.platform, cursor=cursor)
    async with contextlib.aclosing(pager.pages()) as pages:
        async for page in pages:
            rows = [account_row(a) for a in page.items]
            count += len(rows)
            store.save_page(UPSERT_ACCOUNT, rows, "accounts", page.next_cursor, not page.has_next)
            advance(len(rows))
            if args.max_accounts and count >= args.max_accounts:
                store.mark_done("accounts")
                break
    report.finish("accounts", count)
    return count


async def ingest_account_videos(
    ca: AsyncCreatorAudit, store: Store, args: argparse.Namespace, report: Reporter
) -> int:
    """Stage 2: each account's discovered videos, accounts fanned out in parallel."""
    account_ids = store.account_ids(args.platform, args.max_accounts)
    todo = [a for a in account_ids if not store.progress(f"account-videos:{a}")[1]]
    advance = report.stage("account-videos", None)
    count = 0

    async def one_account(account_id: str) -> None:
        nonlocal count
        stage = f"account-videos:{account_id}"
        cursor, _ = store.progress(stage)
        pager = ca.account_videos.list(account_id=account_id, cursor=cursor)
        async with contextlib.aclosing(pager.pages()) as pages:
            async for page in pages:
                rows = [video_row(v, "account") for v in page.items]
                store.save_page(UPSERT_VIDEO, rows, stage, page.next_cursor, not page.has_next)
                count += len(rows)
                advance(len(rows))

    # The client's own limit bounds requests in flight; tasks only wait their turn.
    async with anyio.create_task_group() as group:
        for account_id in todo:
            group.start_soon(one_account, account_id)
    report.finish("account-videos", count)
    return count


async def ingest_tracked_videos(ca: AsyncCreatorAudit, store: Store, report: Reporter) -> int:
    """Stage 3: individually tracked videos."""
    cursor, done = store.progress("videos")
    if done:
        return 0
    advance = report.stage("tracked videos", None)
    count = 0
    async with contextlib.aclosing(ca.videos.list(cursor=cursor).pages()) as pages:
        async for page in pages:
            rows = [video_row(v, "tracked") for v in page.items]
            store.save_page(UPSERT_VIDEO, rows, "videos", page.next_cursor, not page.has_next)
            count += len(rows)
            advance(len(rows))
    report.finish("tracked videos", count)
    return count


async def ingest_deltas(
    ca: AsyncCreatorAudit, store: Store, args: argparse.Namespace, report: Reporter
) -> int:
    """Stage 4: view deltas for every stored video, 200-id chunks in parallel."""
    have = store.video_ids_with_deltas(args.windows) if args.resume else set()
    ids = [v for v in store.video_ids() if v not in have]
    if not ids:
        return 0
    advance = report.stage("deltas", len(ids))
    count = 0
    async with ca.videos.iter_deltas(ids, windows=args.windows) as chunks:
        async for part in chunks:
            n = store.save_deltas(part, args.windows)
            count += n
            advance(n)
    report.finish("deltas", count)
    return count


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and check the flags; bad values exit with code 2 and a clear message."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="creatoraudit.db", help="SQLite file")
    parser.add_argument("--windows", default="1,7,30", help="delta windows in days, e.g. 1,7,30")
    parser.add_argument("--platform", choices=["instagram", "tiktok"], default=None)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--base-url", default=None, help="API base URL (default: env or real API)")
    parser.add_argument("--max-accounts", type=int, default=None)
    parser.add_argument("--top", type=int, default=10, help="breakouts to show")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        windows = sorted({int(w) for w in args.windows.split(",") if w.strip()})
    except ValueError:
        parser.error(f"--windows must be comma-separated integers, got {args.windows!r}")
    if not windows or len(windows) > 10 or not all(1 <= w <= 365 for w in windows):
        parser.error("--windows takes 1 to 10 values, each from 1 to 365 days")
    args.windows = windows
    if args.concurrency < 1 or args.concurrency > 64:
        parser.error("--concurrency must be between 1 and 64")
    if args.max_accounts is not None and args.max_accounts < 1:
        parser.error("--max-accounts must be at least 1")
    if args.top < 1:
        parser.error("--top must be at least 1")
    return args


async def run(args: argparse.Namespace) -> int:
    """Run every stage and print the summary; returns the process exit code."""
    store = Store(args.db)
    if not args.resume:
        store.reset_progress()
    started = time.perf_counter()
    report: Reporter | None = None
    try:
        async with open_creatoraudit(
            base_url=args.base_url, max_concurrency=args.concurrency, seed=args.seed
        ) as (ca, source):
            print(f"bulk_ingest: using {source}", flush=True)
            report = Reporter(args.quiet)
            counts = {
                "accounts": await ingest_accounts(ca, store, args, report),
                "account-videos": await ingest_account_videos(ca, store, args, report),
                "tracked videos": await ingest_tracked_videos(ca, store, report),
                "deltas": await ingest_deltas(ca, store, args, report),
            }
            report.close()
            print_summary(store, ca, counts, args, time.perf_counter() - started)
    except (
        errors.APIError,
        errors.APIConnectionError,
        errors.BatchError,
        errors.DecodeError,
    ) as error:
        if report is not None:
            report.close()
        print(f"bulk_ingest: failed: {one_line(error)}", file=sys.stderr)
        print("bulk_ingest: the database is consistent; rerun with --resume", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def one_line(error: Exception) -> str:
    """An error on one line, with its request id."""
    if isinstance(error, errors.BatchError) and error.failures:
        error = error.failures[0].error
    return " ".join(str(error).split())


def print_summary(
    store: Store,
    ca: AsyncCreatorAudit,
    counts: dict[str, int],
    args: argparse.Namespace,
    elapsed: float,
) -> None:
    """Items per stage, traffic, and the top breakouts."""
    print("\nsummary")
    for stage, n in counts.items():
        print(f"  {stage:<16}{n:>10,} fetched")
    print(
        f"  {'stored':<16}{store.count('accounts'):>10,} accounts, "
        f"{store.count('videos'):,} videos, {store.count('deltas'):,} deltas "
        f"({store.rows_changed:,} rows changed)"
    )
    stats = ca.stats
    print(
        f"  {'requests':<16}{stats.requests:>10,} sent, {stats.retries:,} retries, "
        f"{stats.rate_limited:,} answered 429"
    )
    print(f"  {'elapsed':<16}{elapsed:>10.1f} s")
    window = max(args.windows)
    print(f"\ntop {args.top} breakouts over {window} days")
    for rank, (vid, user, caption, gained) in enumerate(store.breakouts(window, args.top), 1):
        print(f"  {rank:>2}. +{gained:>12,} views  @{user:<20} {caption}  ({vid})")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse flags, run, and turn Ctrl-C into a clean, resumable stop."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        return anyio.run(run, args)
    except KeyboardInterrupt:
        print(
            "\nbulk_ingest: interrupted; every finished page is saved, rerun with --resume",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
