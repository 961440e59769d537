"""Bulk-ingest a CreatorAudit organization into SQLite: the project's main job.

    python examples/bulk_ingest.py                    # the embedded fake API when no key is set
    CREATORAUDIT_API_KEY=... python examples/bulk_ingest.py --db org.db --windows 1,7,30
    python examples/bulk_ingest.py --resume           # finish an interrupted run

Stages: accounts → account-videos (each account's pages, accounts fanned out under the
client's limit) → tracked videos → view deltas for every video (200-id chunks in parallel) →
summary. Each page is written together with the cursor after it in one transaction, and the
upserts only touch rows whose values changed: an interrupted run (Ctrl-C included) continues
with ``--resume`` losing and duplicating nothing, and a rerun changes only what changed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

import anyio
from _api import Connect, leaves, one_line, open_creatoraudit, sdk_failure
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from creatorsdk import AsyncCreatorAudit
from creatorsdk.creatoraudit import Account, Deltas, Video
from creatorsdk.creatoraudit.literals import Platform

#: Bump when the tables change: an older file is refused instead of half-written.
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, platform TEXT, username TEXT, name TEXT, category TEXT,
    creator_id TEXT, is_active INTEGER, follower_count INTEGER, view_count INTEGER,
    added_at TEXT, last_scrape_time TEXT
);
CREATE TABLE IF NOT EXISTS account_videos (
    id TEXT PRIMARY KEY, account_id TEXT, platform TEXT, account_username TEXT,
    description TEXT, media_type TEXT, create_time TEXT, view_count INTEGER,
    like_count INTEGER, comment_count INTEGER, share_count INTEGER, is_active INTEGER,
    last_scrape_time TEXT
);
CREATE TABLE IF NOT EXISTS videos (
    id TEXT PRIMARY KEY, account_id TEXT, platform TEXT, account_username TEXT,
    description TEXT, media_type TEXT, create_time TEXT, view_count INTEGER,
    like_count INTEGER, comment_count INTEGER, share_count INTEGER, is_active INTEGER,
    last_scrape_time TEXT
);
CREATE TABLE IF NOT EXISTS deltas (
    video_id TEXT NOT NULL, window_days INTEGER NOT NULL, views_gained INTEGER,
    PRIMARY KEY (video_id, window_days)
);
-- The run's bookkeeping: one row per stage (one per account for account-videos), the
-- video ids still waiting for deltas, and the options the run was started with.
CREATE TABLE IF NOT EXISTS progress (
    stage TEXT PRIMARY KEY, cursor TEXT, done INTEGER NOT NULL DEFAULT 0,
    items INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS pending_deltas (video_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

ACCOUNT_COLUMNS = (
    "id",
    "platform",
    "username",
    "name",
    "category",
    "creator_id",
    "is_active",
    "follower_count",
    "view_count",
    "added_at",
    "last_scrape_time",
)
VIDEO_COLUMNS = (
    "id",
    "account_id",
    "platform",
    "account_username",
    "description",
    "media_type",
    "create_time",
    "view_count",
    "like_count",
    "comment_count",
    "share_count",
    "is_active",
    "last_scrape_time",
)
DELTA_COLUMNS = ("video_id", "window_days", "views_gained")


def upsert_sql(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """INSERT … ON CONFLICT DO UPDATE that touches a row only when a value really changed."""
    values = [c for c in columns if c not in key]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in values)
        + " WHERE "
        + " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in values)
    )


UPSERT = {
    "accounts": upsert_sql("accounts", ACCOUNT_COLUMNS, ["id"]),
    "account_videos": upsert_sql("account_videos", VIDEO_COLUMNS, ["id"]),
    "videos": upsert_sql("videos", VIDEO_COLUMNS, ["id"]),
    "deltas": upsert_sql("deltas", DELTA_COLUMNS, ["video_id", "window_days"]),
}


def _column(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def row(model: Account | Video, columns: Sequence[str]) -> tuple[Any, ...]:
    """The stored columns of one account or video."""
    return tuple(_column(getattr(model, c)) for c in columns)


@dataclasses.dataclass(frozen=True)
class Options:
    """What a run was asked to do (see :func:`parse_args`)."""

    db: str = "creatoraudit.db"
    windows: tuple[int, ...] = (1, 7, 30)
    platform: Platform | None = None
    concurrency: int = 8
    base_url: str | None = None
    max_accounts: int | None = None
    page_size: int = 200
    resume: bool = False
    quiet: bool = False
    top: int = 10
    breakout_window: int = 7
    seed: int = 1

    def scope(self) -> str:
        """The options that decide what a run covers; ``--resume`` must not change them."""
        return json.dumps(
            {"platform": self.platform, "max_accounts": self.max_accounts, "windows": self.windows}
        )


@dataclasses.dataclass(frozen=True)
class StageState:
    """One stage's saved progress: the cursor to continue from, and items stored so far."""

    cursor: str | None = None
    done: bool = False
    items: int = 0
    exists: bool = False


class StoreError(Exception):
    """The ``--db`` file cannot be used (wrong schema, or a resume with other options)."""


class Store:
    """The SQLite side: every page commits with the progress it makes, or not at all."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        try:
            self._check_schema()
        except BaseException:
            self.db.close()
            raise
        #: Data rows inserted or modified by this process (unchanged upserts count zero).
        self.rows_changed = 0

    def _check_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        tables = self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        if version not in (0, SCHEMA_VERSION) or (version == 0 and tables):
            raise StoreError("not written by this version of bulk_ingest; use a new --db")
        with self.db:
            self.db.executescript(SCHEMA)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def begin(self, options: Options) -> bool:
        """Start a run, or continue the saved one with ``--resume``; True when continuing."""
        saved = self.db.execute("SELECT value FROM run WHERE key = 'scope'").fetchone()
        if options.resume and saved is not None:
            if saved[0] != options.scope():
                raise StoreError(
                    f"--resume must use the interrupted run's --platform, --max-accounts and "
                    f"--windows ({saved[0]}); drop --resume to start over"
                )
            return True
        with self.db:
            self.db.execute("DELETE FROM progress")
            self.db.execute("DELETE FROM pending_deltas")
            self.db.execute(
                "INSERT OR REPLACE INTO run (key, value) VALUES ('scope', ?)", (options.scope(),)
            )
        return False

    def unfinished(self) -> bool:
        """Whether a started run has stages left (a hint for a run without ``--resume``)."""
        row = self.db.execute("SELECT COUNT(*) FROM progress WHERE done = 0").fetchone()
        return bool(row[0])

    def stage(self, stage: str) -> StageState:
        """The saved progress of one stage."""
        found = self.db.execute(
            "SELECT cursor, done, items FROM progress WHERE stage = ?", (stage,)
        ).fetchone()
        return StageState(found[0], bool(found[1]), found[2], True) if found else StageState()

    def save_page(
        self,
        table: str,
        rows: Sequence[tuple[Any, ...]],
        stage: str,
        cursor: str | None,
        done: bool,
        children: Sequence[str] = (),
    ) -> None:
        """Upsert one page's rows and move its stage past it, in one transaction.

        ``children`` are stages this page creates (an account's videos), so the work list of
        the next stage is saved with the page that found it.
        """
        with self.db:
            self.rows_changed += max(self.db.executemany(UPSERT[table], rows).rowcount, 0)
            self.db.execute(
                "INSERT INTO progress (stage, cursor, done, items) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (stage) DO UPDATE SET cursor = excluded.cursor, "
                "done = excluded.done, items = items + excluded.items",
                (stage, cursor, int(done), len(rows)),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO progress (stage) VALUES (?)", [(c,) for c in children]
            )

    def unfinished_children(self, prefix: str) -> list[tuple[str, str | None]]:
        """Stages under ``prefix`` not finished yet, with their cursors, in creation order."""
        rows = self.db.execute(
            "SELECT stage, cursor FROM progress WHERE stage LIKE ? AND done = 0 ORDER BY rowid",
            (prefix + "%",),
        )
        return [(r[0], r[1]) for r in rows]

    def children(self, prefix: str) -> tuple[int, int]:
        """How many stages under ``prefix`` exist, and the items they stored."""
        found = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(items), 0) FROM progress WHERE stage LIKE ?",
            (prefix + "%",),
        ).fetchone()
        return int(found[0]), int(found[1])

    def queue_deltas(self, platform: str | None) -> None:
        """Queue this run's videos for deltas: its accounts' videos and the tracked ones."""
        with self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO pending_deltas (video_id) "
                "SELECT id FROM account_videos WHERE account_id IN "
                "  (SELECT substr(stage, 16) FROM progress WHERE stage LIKE 'account-videos:%') "
                "UNION SELECT id FROM videos WHERE ?1 IS NULL OR platform = ?1",
                (platform,),
            )
            self.db.execute("INSERT OR IGNORE INTO progress (stage) VALUES ('deltas')")

    def pending_deltas(self) -> list[str]:
        """Video ids still waiting for their deltas."""
        return [r[0] for r in self.db.execute("SELECT video_id FROM pending_deltas ORDER BY rowid")]

    def save_deltas(self, deltas: Deltas, windows: Sequence[int]) -> int:
        """Upsert one chunk's deltas and take its ids off the queue; returns the ids answered."""
        rows = [(video_id, w, deltas.get(video_id, w)) for video_id in deltas.ids for w in windows]
        answered = [*deltas.ids, *deltas.not_found]
        with self.db:
            self.rows_changed += max(self.db.executemany(UPSERT["deltas"], rows).rowcount, 0)
            self.db.executemany(
                "DELETE FROM pending_deltas WHERE video_id = ?", [(v,) for v in answered]
            )
            self.db.execute(
                "UPDATE progress SET items = items + ? WHERE stage = 'deltas'", (len(deltas.ids),)
            )
        return len(answered)

    def finish_deltas(self) -> None:
        """Every chunk was answered: nothing is pending any more."""
        with self.db:
            self.db.execute("DELETE FROM pending_deltas")
            self.db.execute("UPDATE progress SET done = 1 WHERE stage = 'deltas'")

    def count(self, table: str) -> int:
        """Rows in one table."""
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def breakouts(self, window: int, top: int) -> list[tuple[str, str, str, int]]:
        """The ``top`` videos with the most views gained over ``window`` days.

        A video without history (never scraped, or a ``null`` delta) has no meaningful delta
        and is skipped rather than ranked as zero.
        """
        rows = self.db.execute(
            "SELECT d.video_id, COALESCE(a.account_username, t.account_username, ''), "
            "  COALESCE(a.description, t.description, ''), d.views_gained "
            "FROM deltas d "
            "LEFT JOIN account_videos a ON a.id = d.video_id "
            "LEFT JOIN videos t ON t.id = d.video_id "
            "WHERE d.window_days = ? AND d.views_gained IS NOT NULL "
            "  AND COALESCE(a.last_scrape_time, t.last_scrape_time) IS NOT NULL "
            "ORDER BY d.views_gained DESC, d.video_id LIMIT ?",
            (window, top),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]


#: ``advance(items, steps)``: record items stored, and bar steps (default: one per item).
Advance = Callable[..., None]


class Reporter:
    """Progress per stage: a rich bar on a terminal, plain lines otherwise or with ``--quiet``."""

    #: Seconds between plain progress lines within a long stage.
    PLAIN_EVERY = 5.0

    def __init__(self, *, bars: bool, out: TextIO) -> None:
        self.out = out
        self.progress: Progress | None = None
        if bars:
            self.progress = Progress(
                TextColumn("{task.description:<15}"),
                BarColumn(),
                TextColumn("{task.fields[detail]}"),
                TimeRemainingColumn(elapsed_when_finished=True),
                console=Console(file=out),
            )

    def __enter__(self) -> Reporter:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    @contextlib.contextmanager
    def stage(
        self, name: str, *, total: int | None, done: int = 0, items: int = 0, unit: str = "items"
    ) -> Iterator[Advance]:
        """Report one stage; the block gets ``advance(items, steps=None)``."""
        started = last_line = time.monotonic()
        count, steps = items, done

        def amounts() -> str:
            text = f"{steps:,}" + (f"/{total:,}" if total is not None else "") + f" {unit}"
            return text + (f", {count:,} items" if unit != "items" else "")

        def detail() -> str:
            rate = (count - items) / max(time.monotonic() - started, 1e-6)
            return f"{amounts()}, {rate:,.0f} items/s"

        progress = self.progress
        task: TaskID | None = None
        if progress is not None:
            task = progress.add_task(name, total=total, completed=done, detail=detail())
        else:
            to_go = f", {total - done:,} {unit} to go" if total is not None else ""
            self._line(f"{name}: started{to_go}")

        def advance(n: int, step: int | None = None) -> None:
            nonlocal count, steps, last_line
            count += n
            steps += n if step is None else step
            if progress is not None and task is not None:
                progress.update(task, completed=steps, detail=detail())
            elif time.monotonic() - last_line >= self.PLAIN_EVERY:
                last_line = time.monotonic()
                self._line(f"{name}: {detail()}")

        yield advance
        if progress is not None and task is not None and total is None:
            progress.update(task, total=steps)  # a listing of unknown length is now complete
        if progress is None:
            self._line(f"{name}: done, {amounts()} in {time.monotonic() - started:.1f} s")

    def _line(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def ingest_accounts(
    ca: AsyncCreatorAudit, store: Store, options: Options, report: Reporter
) -> None:
    """Stage 1: every tracked account (up to ``--max-accounts``), page by page."""
    state = store.stage("accounts")
    if state.done:
        return
    cap = options.max_accounts
    items = state.items
    pager = ca.accounts.list(
        platform=options.platform,
        limit=min(options.page_size, cap or options.page_size),
        cursor=state.cursor,
    )
    with report.stage("accounts", total=cap, done=items, items=items) as advance:
        async with contextlib.aclosing(pager.pages()) as pages:
            async for page in pages:
                accounts = page.items[: cap - items] if cap is not None else page.items
                items += len(accounts)
                full = cap is not None and items >= cap
                store.save_page(
                    "accounts",
                    [row(a, ACCOUNT_COLUMNS) for a in accounts],
                    "accounts",
                    page.next_cursor,
                    done=full or not page.has_next,
                    children=[f"account-videos:{a.id}" for a in accounts],
                )
                advance(len(accounts))
                if full:
                    break


async def ingest_account_videos(
    ca: AsyncCreatorAudit, store: Store, options: Options, report: Reporter
) -> None:
    """Stage 2: each account's discovered videos, accounts fanned out in parallel."""
    todo = store.unfinished_children("account-videos:")
    if not todo:
        return
    total, items = store.children("account-videos:")
    queue = iter(todo)

    async def worker(advance: Advance) -> None:
        # Workers share one queue; each has at most one request in flight, so no more
        # accounts are open at once than the client would send requests for anyway.
        for stage, cursor in queue:
            pager = ca.account_videos.list(
                account_id=stage.partition(":")[2], limit=options.page_size, cursor=cursor
            )
            async with contextlib.aclosing(pager.pages()) as pages:
                async for page in pages:
                    rows = [row(v, VIDEO_COLUMNS) for v in page.items]
                    store.save_page(
                        "account_videos", rows, stage, page.next_cursor, not page.has_next
                    )
                    advance(len(rows), 0)
            advance(0, 1)

    with report.stage(
        "account-videos", total=total, done=total - len(todo), items=items, unit="accounts"
    ) as advance:
        async with anyio.create_task_group() as group:
            for _ in range(min(options.concurrency, len(todo))):
                group.start_soon(worker, advance)


async def ingest_tracked_videos(
    ca: AsyncCreatorAudit, store: Store, options: Options, report: Reporter
) -> None:
    """Stage 3: individually tracked videos."""
    state = store.stage("videos")
    if state.done:
        return
    pager = ca.videos.list(platform=options.platform, limit=options.page_size, cursor=state.cursor)
    with report.stage("tracked videos", total=None, done=state.items, items=state.items) as advance:
        async with contextlib.aclosing(pager.pages()) as pages:
            async for page in pages:
                rows = [row(v, VIDEO_COLUMNS) for v in page.items]
                store.save_page("videos", rows, "videos", page.next_cursor, not page.has_next)
                advance(len(rows))


async def ingest_deltas(
    ca: AsyncCreatorAudit, store: Store, options: Options, report: Reporter
) -> None:
    """Stage 4: view deltas for every video of the run, 200-id chunks in parallel."""
    state = store.stage("deltas")
    if state.done:
        return
    if not state.exists:
        store.queue_deltas(options.platform)
    ids = store.pending_deltas()
    with report.stage(
        "deltas", total=len(ids) + state.items, done=state.items, items=state.items
    ) as advance:
        if ids:
            async with ca.videos.iter_deltas(ids, windows=options.windows) as parts:
                async for part in parts:
                    advance(store.save_deltas(part, options.windows))
    store.finish_deltas()


async def ingest(
    ca: AsyncCreatorAudit, store: Store, options: Options, report: Reporter
) -> dict[str, int]:
    """Run every stage not finished yet; returns the items stored per stage by the run."""
    await ingest_accounts(ca, store, options, report)
    await ingest_account_videos(ca, store, options, report)
    await ingest_tracked_videos(ca, store, options, report)
    await ingest_deltas(ca, store, options, report)
    return {
        "accounts": store.stage("accounts").items,
        "account-videos": store.children("account-videos:")[1],
        "tracked videos": store.stage("videos").items,
        "deltas": store.stage("deltas").items,
    }


def print_summary(
    store: Store,
    ca: AsyncCreatorAudit,
    counts: dict[str, int],
    options: Options,
    elapsed: float,
    out: TextIO,
) -> None:
    """Items per stage, traffic, and the top breakouts."""
    accounts = store.children("account-videos:")[0]
    notes = {
        "account-videos": f"from {accounts:,} accounts",
        "deltas": f"videos × windows of {', '.join(map(str, options.windows))} days",
    }

    def say(text: str = "") -> None:
        print(text, file=out)

    say("\nsummary")
    for stage, n in counts.items():
        say(f"  {stage:<16}{n:>8,}  {notes.get(stage, '')}".rstrip())
    say(f"  {'rows changed':<16}{store.rows_changed:>8,}  in {options.db}")
    stats = ca.stats
    say(
        f"  {'requests':<16}{stats.requests:>8,}  sent, {stats.retries:,} retried, "
        f"{stats.rate_limited:,} answered 429"
    )
    say(f"  {'elapsed':<16}{elapsed:>8.1f}  s")
    window = options.breakout_window
    say(f"\ntop {options.top} breakouts: views gained over {window} days")
    for rank, (video_id, user, caption, gained) in enumerate(
        store.breakouts(window, options.top), 1
    ):
        text = " ".join(caption.split())[:40]
        say(f"  {rank:>2}. {gained:>+10,}  @{user:<20} {text:<40}  {video_id}")


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """Parse and check the flags; a bad value exits with code 2 and says which flag."""
    parser = argparse.ArgumentParser(
        prog="bulk_ingest.py", description="Ingest a CreatorAudit organization into SQLite."
    )
    add = parser.add_argument
    add("--db", default="creatoraudit.db", help="SQLite file (default: %(default)s)")
    add("--windows", default="1,7,30", help="delta windows in days (default: %(default)s)")
    add("--platform", choices=["instagram", "tiktok"], help="only this platform")
    add("--concurrency", type=int, default=8, help="requests in flight (default: %(default)s)")
    add("--base-url", help="API base URL (default: $CREATORAUDIT_BASE_URL or the real API)")
    add("--max-accounts", type=int, help="ingest at most this many accounts")
    add("--page-size", type=int, default=200, help="items per list page (default: %(default)s)")
    add("--resume", action="store_true", help="continue an interrupted run where it stopped")
    add("--quiet", action="store_true", help="plain progress lines instead of progress bars")
    add("--top", type=int, default=10, help="breakouts to show (default: %(default)s)")
    add("--breakout-window", type=int, help="window ranked (default: 7 if listed, else largest)")
    add("--seed", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    try:
        windows = tuple(sorted({int(w) for w in args.windows.split(",") if w.strip()}))
    except ValueError:
        parser.error(f"--windows takes comma-separated day counts, got {args.windows!r}")
    if not 1 <= len(windows) <= 10 or not all(1 <= w <= 365 for w in windows):
        parser.error("--windows takes 1 to 10 day counts, each from 1 to 365")
    breakout_window = args.breakout_window or (7 if 7 in windows else windows[-1])
    if breakout_window not in windows:
        parser.error(f"--breakout-window must be one of --windows ({args.windows})")
    for flag, value, low, high in (
        ("--concurrency", args.concurrency, 1, 64),
        ("--max-accounts", args.max_accounts, 1, None),
        ("--page-size", args.page_size, 1, 200),
        ("--top", args.top, 1, None),
    ):
        if value is not None and (value < low or (high is not None and value > high)):
            parser.error(f"{flag} must be {f'{low} to {high}' if high else f'at least {low}'}")
    if args.base_url and not os.environ.get("CREATORAUDIT_API_KEY"):
        parser.error("--base-url needs CREATORAUDIT_API_KEY set (the key for that server)")
    return Options(
        db=args.db,
        windows=windows,
        platform=args.platform,
        concurrency=args.concurrency,
        base_url=args.base_url,
        max_accounts=args.max_accounts,
        page_size=args.page_size,
        resume=args.resume,
        quiet=args.quiet,
        top=args.top,
        breakout_window=breakout_window,
        seed=args.seed,
    )


async def run(
    options: Options, connect: Connect = open_creatoraudit, out: TextIO | None = None
) -> int:
    """Run every stage and print the summary; returns the process exit code.

    2: the ``--db`` file or the base URL cannot be used; 1: the API failed, or the database
    could not be written (a full disk): it stays consistent and ``--resume`` continues; 0: done.
    """
    out = out or sys.stdout
    started = time.perf_counter()
    try:
        store = Store(options.db)
    except (sqlite3.Error, StoreError) as error:
        print(f"bulk_ingest: --db {options.db}: {error}", file=sys.stderr)
        return 2
    try:
        async with contextlib.AsyncExitStack() as stack:
            try:
                ca, source = await stack.enter_async_context(
                    connect(
                        base_url=options.base_url,
                        max_concurrency=options.concurrency,
                        seed=options.seed,
                    )
                )
                abandoned = not options.resume and store.unfinished()
                resumed = store.begin(options)
            except (ValueError, StoreError) as error:
                print(f"bulk_ingest: {error}", file=sys.stderr)
                return 2
            except sqlite3.Error as error:
                return storage_failed(options, error)
            print(f"bulk_ingest: using {source}", file=out, flush=True)
            if resumed:
                print("bulk_ingest: resuming the interrupted run", file=out)
            elif abandoned:
                print("bulk_ingest: an unfinished run was found; starting over", file=out)
            try:
                bars = not options.quiet and Console(file=out).is_terminal
                with Reporter(bars=bars, out=out) as report:
                    counts = await ingest(ca, store, options, report)
            except Exception as error:
                failure = sdk_failure(error)
                if failure is None:
                    if (storage := storage_failure(error)) is not None:
                        return storage_failed(options, storage)
                    raise
                print(
                    f"bulk_ingest: failed: {one_line(failure)}; the database is consistent, "
                    "rerun with --resume to continue",
                    file=sys.stderr,
                )
                return 1
            print_summary(store, ca, counts, options, time.perf_counter() - started, out)
            return 0
    finally:
        store.close()


def storage_failure(error: BaseException) -> sqlite3.Error | None:
    """The SQLite error behind ``error`` when that is all it is (a full disk, a lost file)."""
    found = list(leaves(error))
    if found and all(isinstance(e, sqlite3.Error) for e in found):
        first = found[0]
        assert isinstance(first, sqlite3.Error)
        return first
    return None


def storage_failed(options: Options, error: sqlite3.Error) -> int:
    """Say in one line that the database could not be written (exit code 1)."""
    # Every page commits with its cursor in one transaction, so whatever was committed
    # before the failure is whole, and --resume goes on from it.
    print(
        f"bulk_ingest: --db {options.db}: cannot write: {' '.join(str(error).split())}; "
        "every page saved before it is kept: free space and rerun with --resume",
        file=sys.stderr,
    )
    return 1


def main(argv: Sequence[str] | None = None, *, connect: Connect = open_creatoraudit) -> int:
    """Entry point: parse flags, run, and turn Ctrl-C into a clean, resumable stop."""
    options = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        return anyio.run(run, options, connect)
    except KeyboardInterrupt:
        # asyncio cancels the run on Ctrl-C; every page committed so far stays committed.
        print(
            "\nbulk_ingest: interrupted; every finished page is saved, rerun with --resume",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
