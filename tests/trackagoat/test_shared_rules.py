"""The rules trackagoat shares with CreatorAudit: dates, optional and clearable fields, PATCH
retries, and idempotency keys that hold across attempts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import AsyncTrackAGoat

from .conftest import PROJECT, campaign, creator, fail, ok, sent_json, uid, video

CREATE_PATH = f"/projects/{PROJECT}/creators"
RESULT: dict[str, Any] = {"series": [], "compare_series": None, "tier_retention_days": 365}


# ---- dates: a date or a 'YYYY-MM-DD' string; never a datetime --------------------------------


@pytest.mark.parametrize("start", [dt.date(2026, 6, 1), "2026-06-01"])
async def test_a_date_argument_takes_dates_and_iso_strings(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, start: Any
) -> None:
    route = routes.get("/analytics").mock(return_value=ok(RESULT))
    await tg.analytics.query(entity="creator", entity_id=uid(1), metric="views", from_=start)
    assert route.calls.last.request.url.params["from"] == "2026-06-01"


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (
            lambda tg: tg.analytics.query(
                "creator", uid(1), "views", from_=dt.datetime(2026, 6, 1, 23, tzinfo=dt.UTC)
            ),
            "from_",
        ),
        (
            lambda tg: tg.creators.create(
                PROJECT, "ada", tracking_start_date=dt.datetime(2026, 6, 1)
            ),
            "tracking_start_date",
        ),
        (
            lambda tg: tg.creators.update(
                uid(1), tracking_end_date=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
            ),
            "tracking_end_date",
        ),
        (
            lambda tg: tg.goal_compliance(PROJECT, reference_date=dt.datetime(2026, 6, 1)),
            "reference_date",
        ),
    ],
)
async def test_a_datetime_is_refused_where_a_date_is_expected(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, call: Any, argument: str
) -> None:
    # Which day a datetime falls on depends on its zone: the caller says which day they mean.
    with pytest.raises(ValueError, match=f"{argument} must be a date, not a datetime"):
        await call(tg)
    assert not routes.calls


# ---- optional arguments: None is "not given"; clearable PATCH fields default to UNSET --------


async def test_none_clears_a_clearable_field_and_leaves_out_any_other(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.patch(f"/creators/{uid(1)}").mock(return_value=ok(creator(1)))
    await tg.creators.update(
        uid(1), display_name=None, readme=None, tracking_end_date=None, metadata=None
    )
    assert sent_json(route.calls.last.request) == {"readme": None, "tracking_end_date": None}


async def test_fields_not_passed_are_left_out(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.patch(f"/campaigns/{uid(1)}").mock(return_value=ok(campaign(1)))
    await tg.campaigns.update(uid(1), target_views=5)
    assert sent_json(route.calls.last.request) == {"target_views": 5}


async def test_an_update_of_only_unclearable_nones_is_refused(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="update needs at least one of"):
        await tg.videos.update(uid(1), metadata=None)
    assert not routes.calls


# ---- PATCH sets fields to values, so it is retried like a GET --------------------------------


@pytest.mark.parametrize(
    ("path", "call", "body"),
    [
        (f"/creators/{uid(1)}", lambda tg: tg.creators.update(uid(1), readme="x"), creator(1)),
        (f"/videos/{uid(1)}", lambda tg: tg.videos.update(uid(1), readme="x"), video(1)),
        (f"/campaigns/{uid(1)}", lambda tg: tg.campaigns.update(uid(1), name="x"), campaign(1)),
    ],
)
async def test_every_patch_is_retried_after_an_ambiguous_500(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, path: str, call: Any, body: Any
) -> None:
    route = routes.patch(path).mock(side_effect=[fail(500, "Internal"), ok(body)])
    await call(tg)
    assert route.call_count == 2
    first, second = (c.request for c in route.calls)
    assert first.content == second.content


async def test_an_unsafe_post_is_still_not_retried_after_a_500(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    # A repeated scrape would spend the daily manual-scrape quota again.
    route = routes.post(f"/creators/{uid(1)}/scrape").mock(return_value=fail(500, "Internal"))
    with pytest.raises(errors.ServerError):
        await tg.creators.scrape(uid(1))
    assert route.call_count == 1


# ---- idempotency keys: one per logical create, the caller's wins -----------------------------


async def test_the_callers_key_is_sent_on_every_attempt(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(
        side_effect=[fail(500, "Internal"), fail(503, "Unavailable"), ok(creator(1), status=201)]
    )
    await tg.creators.create(PROJECT, "creator1", idempotency_key="mine-1")
    assert [c.request.headers["idempotency-key"] for c in route.calls] == ["mine-1"] * 3


async def test_each_bulk_chunk_mints_its_own_key_and_keeps_it_across_retries(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    def answer(request: Any) -> Any:
        handles = [c["tiktok_handle"] for c in sent_json(request)["creators"]]
        if handles[0] == "h0" and not any(
            c.request.headers["idempotency-key"] == request.headers["idempotency-key"]
            for c in route.calls[:-1]
        ):
            return fail(500, "Internal")  # the first chunk fails once
        results = [
            {"tiktok_handle": h, "status": "created", "creator": creator(1, h)} for h in handles
        ]
        return ok({"results": results}, status=201)

    route = routes.post(CREATE_PATH).mock(side_effect=answer)
    result = await tg.creators.create_many(PROJECT, [f"h{i}" for i in range(60)])
    assert len(result.created) == 60
    by_chunk: dict[str, set[str]] = {}
    for call in route.calls:
        first_handle = sent_json(call.request)["creators"][0]["tiktok_handle"]
        by_chunk.setdefault(first_handle, set()).add(call.request.headers["idempotency-key"])
    assert route.call_count == 3
    assert len(by_chunk["h0"]) == 1  # the retry reused its chunk's key
    assert by_chunk["h0"].isdisjoint(by_chunk["h50"])
