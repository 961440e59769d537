"""Cursor pagination as async iteration.

A listing ends only when the server says so (``has_next`` false), never on an empty page: an
empty page with ``has_next`` true is a gap, not the end. A server that leads a listing back to
a cursor it already gave (a cycle of any length) or hands out a cursor no URL can carry ends it
with a ``DecodeError`` instead of paging forever. Each page is fetched outside any task group
or cancel scope, so breaking out of ``async for`` early leaves nothing running.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import attrs

from creatorsdk._engine.urls import QueryTooLongError
from creatorsdk.errors import DecodeError

__all__ = ["AsyncPager", "Page"]

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing: its items and where the next page starts."""

    items: Sequence[T]
    next_cursor: str | None
    has_next: bool
    total_count: int | None = None
    request_id: str | None = None


FetchPage = Callable[[str | None], Awaitable[Page[T]]]


class AsyncPager(Generic[T]):
    """Every item of a listing, page by page.

    ``async for item in pager`` yields items; ``pager.pages()`` yields whole pages (to save
    ``next_cursor`` and resume later with ``cursor=``); ``await pager.to_list()`` collects all.
    A pager can be iterated more than once; each iteration starts again from its first cursor.
    """

    def __init__(self, fetch_page: FetchPage[T], *, cursor: str | None = None) -> None:
        self._fetch_page = fetch_page
        self._cursor = cursor

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        """Yield each page in order, following ``next_cursor`` while ``has_next`` is true."""
        cursor = self._cursor
        seen = _SeenCursors(cursor)
        pages = 0
        while True:
            page = await self._fetch(cursor, from_server=pages > 0)
            pages += 1
            yield page
            if not page.has_next:
                return
            if not page.next_cursor or page.next_cursor == cursor:
                raise DecodeError(
                    "the server said has_next but gave no new next_cursor; stopping rather "
                    "than looping or skipping",
                    field="pagination.next_cursor",
                    request_id=page.request_id,
                )
            if not seen.add(page.next_cursor):
                raise DecodeError(
                    f"the server led the listing back to a cursor it gave before, after "
                    f"{pages} pages; stopping rather than serving the same pages forever",
                    field="pagination.next_cursor",
                    request_id=page.request_id,
                )
            cursor = page.next_cursor

    async def _fetch(self, cursor: str | None, *, from_server: bool) -> Page[T]:
        try:
            return await self._fetch_page(cursor)
        except QueryTooLongError as error:
            if not from_server:
                raise  # the caller's own cursor: a ValueError, before the network
            raise DecodeError(
                f"the server gave a next_cursor too long to send back ({error})",
                field="pagination.next_cursor",
            ) from error

    async def __aiter__(self) -> AsyncIterator[T]:
        pages = self.pages()
        try:
            async for page in pages:
                for item in page.items:
                    yield item
        finally:
            await pages.aclose()

    async def to_list(self) -> list[T]:
        """Fetch every page and return all items in order."""
        return [item async for item in self]


class _SeenCursors:
    """Every cursor of one listing, as a 16-byte digest: memory per page stays small however
    long the server's cursors are."""

    def __init__(self, first: str | None) -> None:
        self._digests: set[bytes] = set()
        if first is not None:
            self.add(first)

    def add(self, cursor: str) -> bool:
        """Remember ``cursor``; false when it was seen before."""
        digest = hashlib.blake2b(cursor.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if digest in self._digests:
            return False
        self._digests.add(digest)
        return True
