"""AsyncPager: cursor-driven, never stopped by an empty page, resumable."""

from __future__ import annotations

import pytest

from creatorsdk import AsyncPager, Page, errors


def _pager(
    pages: dict[str | None, Page[int]], calls: list[str | None], **kw: str
) -> AsyncPager[int]:
    async def fetch(cursor: str | None) -> Page[int]:
        calls.append(cursor)
        return pages[cursor]

    return AsyncPager(fetch, **kw)


PAGES: dict[str | None, Page[int]] = {
    None: Page(items=[1, 2], next_cursor="c1", has_next=True),
    "c1": Page(items=[], next_cursor="c2", has_next=True),
    "c2": Page(items=[3], next_cursor="c3", has_next=True),
    "c3": Page(items=[4, 5], next_cursor=None, has_next=False),
}


async def test_every_item_once_across_an_empty_page() -> None:
    calls: list[str | None] = []
    assert [i async for i in _pager(PAGES, calls)] == [1, 2, 3, 4, 5]
    assert calls == [None, "c1", "c2", "c3"]


async def test_to_list_and_pages() -> None:
    calls: list[str | None] = []
    pager = _pager(PAGES, calls)
    assert await pager.to_list() == [1, 2, 3, 4, 5]
    pages = [page async for page in pager.pages()]
    assert [p.next_cursor for p in pages] == ["c1", "c2", "c3", None]


async def test_resume_from_cursor() -> None:
    calls: list[str | None] = []
    assert await _pager(PAGES, calls, cursor="c2").to_list() == [3, 4, 5]
    assert calls == ["c2", "c3"]


async def test_has_next_false_stops_even_with_a_cursor() -> None:
    pages = {None: Page(items=[1], next_cursor="dangling", has_next=False)}
    calls: list[str | None] = []
    assert await _pager(pages, calls).to_list() == [1]
    assert calls == [None]


@pytest.mark.parametrize("bad_cursor", [None, "", "same"])
async def test_has_next_without_a_new_cursor_raises(bad_cursor: str | None) -> None:
    pages = {
        None: Page(items=[1], next_cursor="same", has_next=True),
        "same": Page(items=[2], next_cursor=bad_cursor, has_next=True, request_id="r1"),
    }
    with pytest.raises(errors.DecodeError, match="next_cursor") as caught:
        await _pager(pages, []).to_list()
    assert caught.value.request_id == "r1"


async def test_breaking_early_fetches_no_more_pages() -> None:
    calls: list[str | None] = []
    pager = _pager(PAGES, calls)
    async for item in pager:
        if item == 2:
            break
    assert calls == [None]
