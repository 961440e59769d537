"""tg.projects.list, and the nextCursor pagination every trackagoat listing shares."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import respx

from creatorsdk import AsyncPager, errors
from creatorsdk.trackagoat import AsyncTrackAGoat, Project

from .conftest import ok, page, project, uid


async def test_list_decodes_projects(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/projects").mock(return_value=page([project(1), project(2)]))
    pager = tg.projects.list()
    assert isinstance(pager, AsyncPager)
    projects = await pager.to_list()
    assert [p.id for p in projects] == [uid(1), uid(2)]
    first = projects[0]
    assert isinstance(first, Project)
    assert first.name == "Project 1"
    assert first.org_id == uid(999)
    assert first.created_at == dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    assert route.calls.last.request.url.params == httpx.QueryParams({"limit": "100"})


async def test_pages_follow_next_cursor_across_an_empty_page(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/projects").mock(
        side_effect=[page([project(1)], "c1"), page([], "c2"), page([project(2)])]
    )
    pages = [p async for p in tg.projects.list(limit=1).pages()]
    assert [p.next_cursor for p in pages] == ["c1", "c2", None]
    assert [p.has_next for p in pages] == [True, True, False]
    assert [c.request.url.params.get("cursor") for c in route.calls] == [None, "c1", "c2"]
    assert {c.request.url.params["limit"] for c in route.calls} == {"1"}


async def test_resume_from_a_saved_cursor(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.get("/projects").mock(return_value=page([project(3)]))
    assert [p.id for p in await tg.projects.list(cursor="saved").to_list()] == [uid(3)]
    assert route.calls.last.request.url.params["cursor"] == "saved"


@pytest.mark.parametrize(
    "meta",
    [
        {"nextCursor": None},  # hasMore absent
        {},  # nextCursor absent
        None,  # no meta at all
        {"nextCursor": "", "hasMore": False},
        {"nextCursor": "c9", "hasMore": False},  # hasMore false ends it even with a cursor
    ],
)
async def test_last_page_readings(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, meta: dict[str, object] | None
) -> None:
    route = routes.get("/projects").mock(return_value=ok([project(1)], meta=meta))
    assert len(await tg.projects.list().to_list()) == 1
    assert route.call_count == 1


async def test_cursor_without_has_more_continues(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get("/projects").mock(
        side_effect=[ok([project(1)], meta={"nextCursor": "c1"}), ok([project(2)], meta={})]
    )
    assert len(await tg.projects.list().to_list()) == 2


async def test_has_more_without_a_cursor_raises_rather_than_truncating(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get("/projects").mock(
        return_value=ok([project(1)], meta={"nextCursor": None, "hasMore": True})
    )
    with pytest.raises(errors.DecodeError, match="next_cursor"):
        await tg.projects.list().to_list()


async def test_a_page_retried_after_a_fault_reuses_its_cursor(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/projects").mock(
        side_effect=[page([project(1)], "c1"), httpx.ReadError("reset"), page([project(2)])]
    )
    assert [p.id for p in await tg.projects.list().to_list()] == [uid(1), uid(2)]
    assert [c.request.url.params.get("cursor") for c in route.calls] == [None, "c1", "c1"]


async def test_data_that_is_not_a_list_is_a_decode_error(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.get("/projects").mock(return_value=ok({"id": uid(1)}))
    with pytest.raises(errors.DecodeError):
        await tg.projects.list().to_list()


@pytest.mark.parametrize("limit", [0, 101, -5, True, 2.5])
def test_limit_must_be_1_to_100(tg: AsyncTrackAGoat, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        tg.projects.list(limit=limit)


def test_cursor_must_be_a_non_empty_string(tg: AsyncTrackAGoat) -> None:
    with pytest.raises(ValueError, match="cursor"):
        tg.projects.list(cursor="")
