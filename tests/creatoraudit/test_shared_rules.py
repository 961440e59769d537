"""The rules CreatorAudit shares with trackagoat: dates, optional arguments, PATCH retries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import respx

from creatorsdk import AsyncCreatorAudit

from .conftest import (
    account_json,
    creator_json,
    ok,
    problem,
    sent_json,
    sent_query,
    uid,
    video_json,
)

ANALYTICS = {"creator_id": uid(200), "start_date": "2026-06-01", "end_date": "2026-06-14"}


# ---- dates: a date or a 'YYYY-MM-DD' string; never a datetime --------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 6, 1), dt.date(2026, 6, 14)),
        ("2026-06-01", "2026-06-14"),
        ("2026-06-01", dt.date(2026, 6, 14)),
    ],
)
async def test_a_date_argument_takes_dates_and_iso_strings(
    ca: AsyncCreatorAudit, api: respx.MockRouter, start: Any, end: Any
) -> None:
    route = api.get(f"/creators/{uid(200)}/analytics").mock(return_value=ok({"data": ANALYTICS}))
    await ca.creators.analytics(uid(200), start, end)
    assert sent_query(route.calls[0]) == {"start_date": "2026-06-01", "end_date": "2026-06-14"}


@pytest.mark.parametrize(
    "call",
    [
        lambda ca: ca.creators.analytics(uid(200), dt.datetime(2026, 6, 1, 23, tzinfo=dt.UTC)),
        lambda ca: ca.creators.analytics(uid(200), start_date=dt.datetime(2026, 6, 1)),
        lambda ca: ca.accounts.metrics(
            [uid(1)], "custom", dt.datetime(2026, 6, 1, tzinfo=dt.UTC), dt.date(2026, 6, 14)
        ),
    ],
)
async def test_a_datetime_is_refused_where_a_date_is_expected(
    ca: AsyncCreatorAudit, api: respx.MockRouter, call: Any
) -> None:
    with pytest.raises(ValueError, match="start_date must be a date, not a datetime"):
        await call(ca)
    assert not api.calls


async def test_custom_metrics_take_string_dates(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos/metrics").mock(return_value=ok({"data": {}, "meta": {}}))
    await ca.videos.metrics([uid(1)], "custom", "2026-06-01", "2026-06-14")
    assert sent_json(route.calls[0]) == {
        "video_ids": [uid(1)],
        "period": "custom",
        "start_date": "2026-06-01",
        "end_date": "2026-06-14",
    }


# ---- optional arguments: None means "not given" ---------------------------------------------


async def test_none_leaves_a_field_out_of_a_create_and_an_update(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    create = api.post("/creators").mock(return_value=ok({"data": creator_json()}, 201))
    update = api.patch(f"/videos/{uid(100)}").mock(return_value=ok({"data": video_json()}))
    await ca.creators.create("Ada", is_active=None, metadata=None)
    await ca.videos.update(uid(100), is_active=False, metadata=None)
    assert sent_json(create.calls[0]) == {"name": "Ada"}
    assert sent_json(update.calls[0]) == {"is_active": False}


async def test_an_update_of_nothing_but_nones_is_refused(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="update needs at least one of: is_active, category"):
        await ca.accounts.update(uid(1), is_active=None, category=None)
    assert not api.calls


# ---- PATCH sets fields to values, so it is retried like a GET --------------------------------


@pytest.mark.parametrize(
    ("path", "call", "body"),
    [
        (
            f"/accounts/{uid(1)}",
            lambda ca: ca.accounts.update(uid(1), category="x"),
            account_json(),
        ),
        (
            f"/videos/{uid(100)}",
            lambda ca: ca.videos.update(uid(100), is_active=True),
            video_json(),
        ),
        (
            f"/creators/{uid(200)}",
            lambda ca: ca.creators.update(uid(200), name="A"),
            creator_json(),
        ),
    ],
)
async def test_every_patch_is_retried_after_an_ambiguous_500(
    ca: AsyncCreatorAudit, api: respx.MockRouter, path: str, call: Any, body: Any
) -> None:
    route = api.patch(path).mock(
        side_effect=[
            problem(500, "INTERNAL_ERROR"),
            problem(502, "UPSTREAM_ERROR"),
            ok({"data": body}),
        ]
    )
    await call(ca)
    assert route.call_count == 3
    assert len({c.request.content for c in route.calls}) == 1
