"""tg.creators: listing, single and bulk create, rename, remove, scrape, bulk remove/re-enable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
import httpx
import pytest
import respx

from creatorsdk import errors
from creatorsdk.trackagoat import AsyncTrackAGoat, CreateManyResult, Creator, CreatorFailure

from .conftest import PROJECT, creator, fail, ok, page, sent_json, uid

CREATE_PATH = f"/projects/{PROJECT}/creators"


# ---- list -------------------------------------------------------------------------------------


async def test_list_with_filters_kept_across_pages(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.get("/creators").mock(
        side_effect=[page([creator(1)], "c1"), page([creator(2, follower_count=None)])]
    )
    found = await tg.creators.list(project_id=PROJECT, search="cook", limit=50).to_list()
    assert [c.tiktok_handle for c in found] == ["creator1", "creator2"]
    assert found[0].tracking_start_date == dt.date(2026, 5, 1)
    assert found[0].follower_count == 1001
    assert found[1].follower_count is None
    params = [c.request.url.params for c in route.calls]
    assert params[0] == httpx.QueryParams({"project_id": PROJECT, "search": "cook", "limit": "50"})
    assert params[1] == httpx.QueryParams(
        {"project_id": PROJECT, "search": "cook", "limit": "50", "cursor": "c1"}
    )


async def test_list_tolerates_the_short_documented_shape_and_unknown_fields(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    short = {
        "id": uid(7),
        "project_id": PROJECT,
        "tiktok_handle": "x",
        "display_name": None,
        "description": "notes",
        "engagement_score": 0.7,
    }
    routes.get("/creators").mock(return_value=page([short]))
    [found] = await tg.creators.list().to_list()
    assert found == Creator(id=uid(7), project_id=PROJECT, tiktok_handle="x", description="notes")
    assert found.extra == {"engagement_score": 0.7}


def test_list_validates_filters(tg: AsyncTrackAGoat) -> None:
    with pytest.raises(ValueError, match="project_id"):
        tg.creators.list(project_id="123")
    with pytest.raises(ValueError, match="search"):
        tg.creators.list(search=" ")


# ---- create -----------------------------------------------------------------------------------


async def test_create_sends_handle_settings_and_a_fresh_idempotency_key(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(
        side_effect=[fail(503, "Unavailable"), *[ok(creator(1, "cook"), status=201)] * 2]
    )
    made = await tg.creators.create(
        PROJECT, "@cook", tracking_mode="selective", tracking_start_date=dt.date(2026, 6, 1)
    )
    assert isinstance(made, Creator)
    assert made.tiktok_handle == "cook"
    first, second = (c.request for c in route.calls)
    assert sent_json(first) == {
        "tiktok_handle": "cook",
        "tracking_mode": "selective",
        "tracking_start_date": "2026-06-01",
    }
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    await tg.creators.create(PROJECT, "cook")
    assert route.calls.last.request.headers["idempotency-key"] != first.headers["idempotency-key"]


async def test_create_reactivation_answers_200_with_the_creator(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post(CREATE_PATH).mock(return_value=ok(creator(3, "back", is_active=True)))
    made = await tg.creators.create(PROJECT, "back")
    assert made.id == uid(3)
    assert made.is_active
    assert made.reactivated  # 200, not 201: the removed creator came back


async def test_a_created_creator_is_not_reactivated_and_takes_an_end_date(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(return_value=ok(creator(4, "new"), status=201))
    made = await tg.creators.create(
        PROJECT, "new", tracking_start_date="2026-06-01", tracking_end_date=dt.date(2026, 8, 31)
    )
    assert not made.reactivated
    assert sent_json(route.calls.last.request) == {
        "tiktok_handle": "new",
        "tracking_start_date": "2026-06-01",
        "tracking_end_date": "2026-08-31",
    }
    with pytest.raises(ValueError, match="tracking_start_date 2026-09-01 is after"):
        await tg.creators.create(
            PROJECT, "new", tracking_start_date="2026-09-01", tracking_end_date="2026-08-31"
        )
    with pytest.raises(ValueError, match="tracking_end_date"):
        await tg.creators.create(PROJECT, "new", tracking_end_date="end of summer")
    assert route.call_count == 1


async def test_create_uses_the_callers_idempotency_key(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(return_value=ok(creator(1), status=201))
    await tg.creators.create(PROJECT, "creator1", idempotency_key="mine-1")
    assert route.calls.last.request.headers["idempotency-key"] == "mine-1"


@pytest.mark.parametrize(
    ("raw", "handle"),
    [
        ("charlidamelio", "charlidamelio"),
        ("@khaby.lame", "khaby.lame"),
        ("  @a_b-c  ", "a_b-c"),
        ("https://www.tiktok.com/@name?lang=en", "name"),
        ("https://www.tiktok.com/@Some.One/", "Some.One"),
        ("tiktok.com/@x_y", "x_y"),
        ("http://m.tiktok.com/@abc#top", "abc"),
        ("a" * 30, "a" * 30),
    ],
)
async def test_handles_are_normalised_before_sending(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, raw: str, handle: str
) -> None:
    route = routes.post(CREATE_PATH).mock(return_value=ok(creator(1, handle), status=201))
    await tg.creators.create(PROJECT, raw)
    assert sent_json(route.calls.last.request) == {"tiktok_handle": handle}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "@",
        "a" * 31,
        "has space",
        "emoji🙂",
        "https://www.tiktok.com/@name/video/123",
        "https://example.com/@name",
        "@@double",
        "semi;colon",
    ],
)
async def test_invalid_handles_are_refused_without_a_request(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, raw: str
) -> None:
    with pytest.raises(ValueError, match="handle") as caught:
        await tg.creators.create(PROJECT, raw)
    assert repr(raw) in str(caught.value)
    assert not routes.calls


async def test_create_validates_other_arguments(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="project_id"):
        await tg.creators.create("nope", "x")
    with pytest.raises(ValueError, match="tracking_mode"):
        await tg.creators.create(PROJECT, "x", tracking_mode="manual")
    with pytest.raises(ValueError, match="tracking_start_date"):
        await tg.creators.create(PROJECT, "x", tracking_start_date="June 1")
    assert not routes.calls


async def test_create_over_the_plan_limit(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(CREATE_PATH).mock(
        return_value=fail(
            402,
            "Limit reached: max_creators_per_org",
            {"code": "limit_reached", "limitKey": "max_creators_per_org", "current": 50, "max": 50},
        )
    )
    with pytest.raises(errors.LimitReachedError) as caught:
        await tg.creators.create(PROJECT, "one_too_many")
    assert (caught.value.limit_key, caught.value.current, caught.value.max) == (
        "max_creators_per_org",
        50,
        50,
    )
    assert route.call_count == 1  # a 402 is final


# ---- create_many ------------------------------------------------------------------------------


def bulk_reply(request: httpx.Request) -> httpx.Response:
    """A bulk-create answer: handles starting "old" are reactivated, "banned" ones fail."""
    results: list[dict[str, Any]] = []
    for n, entry in enumerate(sent_json(request)["creators"]):
        handle = entry["tiktok_handle"]
        if handle.startswith("banned"):
            results.append(
                {
                    "tiktok_handle": handle,
                    "status": "failed",
                    "creator": None,
                    "error": "Handle is banned",
                    "code": "creator_banned",
                }
            )
        else:
            status = "reactivated" if handle.startswith("old") else "created"
            results.append(
                {
                    "tiktok_handle": handle,
                    "status": status,
                    "creator": creator(int(handle[-3:]) + n * 0, handle),
                    "error": None,
                    "code": None,
                }
            )
    return ok({"results": results}, status=201)


HANDLES = [
    f"old{n:03d}" if n % 10 == 0 else f"banned{n:03d}" if n % 25 == 1 else f"h{n:03d}"
    for n in range(120)
]


async def test_create_many_sends_3_parallel_chunks_and_merges_results(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    arrived = 0
    all_in = anyio.Event()

    async def respond(request: httpx.Request) -> httpx.Response:
        # Each chunk waits until all three are on the wire: sequential sending would hang.
        nonlocal arrived
        arrived += 1
        if arrived == 3:
            all_in.set()
        with anyio.fail_after(2):
            await all_in.wait()
        return bulk_reply(request)

    route = routes.post(CREATE_PATH).mock(side_effect=respond)
    result = await tg.creators.create_many(PROJECT, HANDLES, tracking_mode="auto")
    assert isinstance(result, CreateManyResult)
    bodies = [sent_json(c.request)["creators"] for c in route.calls]
    assert sorted(len(b) for b in bodies) == [20, 50, 50]
    assert all(entry["tracking_mode"] == "auto" for b in bodies for entry in b)
    assert sorted(e["tiktok_handle"] for b in bodies for e in b) == sorted(HANDLES)
    keys = {c.request.headers["idempotency-key"] for c in route.calls}
    assert len(keys) == 3
    assert [c.tiktok_handle for c in result.reactivated] == [
        f"old{n:03d}" for n in range(0, 120, 10)
    ]
    assert result.failed == tuple(
        CreatorFailure(handle=h, code="creator_banned", message="Handle is banned")
        for h in HANDLES
        if h.startswith("banned")
    )
    assert len(result.created) == 120 - 12 - len(result.failed)
    assert [c.tiktok_handle for c in result.created] == [h for h in HANDLES if h.startswith("h")]


async def test_create_many_takes_per_creator_settings_as_the_docs_bulk_example(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(side_effect=bulk_reply)
    result = await tg.creators.create_many(
        PROJECT,
        [
            {"tiktok_handle": "charli001"},
            {"tiktok_handle": "@khaby.002", "tracking_mode": "selective"},
            "plain003",
            {"tiktok_handle": "old004", "tracking_end_date": dt.date(2026, 12, 31)},
            {"tiktok_handle": "CHARLI001", "tracking_mode": "selective"},  # a repeat
        ],
        tracking_start_date="2026-06-01",
    )
    assert sent_json(route.calls.last.request) == {
        "creators": [
            {"tiktok_handle": "charli001", "tracking_start_date": "2026-06-01"},
            {
                "tiktok_handle": "khaby.002",
                "tracking_mode": "selective",
                "tracking_start_date": "2026-06-01",
            },
            {"tiktok_handle": "plain003", "tracking_start_date": "2026-06-01"},
            {
                "tiktok_handle": "old004",
                "tracking_start_date": "2026-06-01",
                "tracking_end_date": "2026-12-31",
            },
        ]
    }
    assert [c.reactivated for c in result.reactivated] == [True]
    assert not any(c.reactivated for c in result.created)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"handle": "x"}, r"handles\[1\] has unknown field\(s\) handle"),
        ({"tracking_mode": "auto"}, r"handles\[1\] needs a tiktok_handle"),
        ({"tiktok_handle": "x", "tracking_mode": "all"}, r"handles\[1\]\.tracking_mode"),
        ({"tiktok_handle": "x y"}, r"handles\[1\]\.tiktok_handle"),
        ({"tiktok_handle": "x", "tracking_end_date": "2026-01-01"}, r"handles\[1\]: tracking"),
        (3, r"handles\[1\]"),
    ],
)
async def test_create_many_refuses_a_bad_entry_naming_it(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, entry: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await tg.creators.create_many(PROJECT, ["fine", entry], tracking_start_date="2026-06-01")
    with pytest.raises(ValueError, match="handles must be a list"):
        await tg.creators.create_many(PROJECT, {"tiktok_handle": "x"})  # type: ignore[arg-type]
    assert not routes.calls


async def test_a_retried_chunk_reuses_its_idempotency_key(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    failed_once: set[str] = set()

    def respond(request: httpx.Request) -> httpx.Response:
        first = sent_json(request)["creators"][0]["tiktok_handle"]
        if first == "h050" and first not in failed_once:  # the second chunk fails once
            failed_once.add(first)
            return fail(500, "Internal error", {"code": "internal_error"})
        return bulk_reply(request)

    route = routes.post(CREATE_PATH).mock(side_effect=respond)
    handles = [f"h{n:03d}" for n in range(120)]
    result = await tg.creators.create_many(PROJECT, handles)
    assert len(result.created) == 120
    assert route.call_count == 4
    by_chunk: dict[str, list[str]] = {}
    for call in route.calls:
        head = sent_json(call.request)["creators"][0]["tiktok_handle"]
        by_chunk.setdefault(head, []).append(call.request.headers["idempotency-key"])
    assert len(by_chunk["h050"]) == 2
    assert len(set(by_chunk["h050"])) == 1
    assert len({keys[0] for keys in by_chunk.values()}) == 3


async def test_callers_key_is_derived_per_chunk(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(side_effect=bulk_reply)
    await tg.creators.create_many(PROJECT, [f"h{n:03d}" for n in range(60)], idempotency_key="k")
    assert sorted(c.request.headers["idempotency-key"] for c in route.calls) == ["k-0", "k-1"]
    await tg.creators.create_many(PROJECT, ["h001"], idempotency_key="solo")
    assert route.calls.last.request.headers["idempotency-key"] == "solo"


async def test_create_many_normalises_and_deduplicates(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.post(CREATE_PATH).mock(side_effect=bulk_reply)
    await tg.creators.create_many(
        PROJECT, ["@h001", "https://www.tiktok.com/@h002?lang=en", "H001", "h002"]
    )
    assert sent_json(route.calls.last.request) == {
        "creators": [{"tiktok_handle": "h001"}, {"tiktok_handle": "h002"}]
    }


async def test_create_many_refuses_any_invalid_handle_before_sending(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    handles = [f"h{n:03d}" for n in range(60)] + ["bad handle!"]
    with pytest.raises(ValueError, match=r"handles\[60\].*'bad handle!'"):
        await tg.creators.create_many(PROJECT, handles)
    with pytest.raises(ValueError, match="empty"):
        await tg.creators.create_many(PROJECT, [])
    with pytest.raises(ValueError, match="list"):
        await tg.creators.create_many(PROJECT, "h001")
    assert not routes.calls


async def test_a_failed_chunk_raises_batch_error_with_the_others_results(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if sent_json(request)["creators"][0]["tiktok_handle"] == "h050":
            return fail(
                402,
                "Limit reached: max_creators_per_org",
                {
                    "code": "limit_reached",
                    "limitKey": "max_creators_per_org",
                    "current": 100,
                    "max": 100,
                },
            )
        return bulk_reply(request)

    routes.post(CREATE_PATH).mock(side_effect=respond)
    with pytest.raises(errors.BatchError) as caught:
        await tg.creators.create_many(PROJECT, [f"h{n:03d}" for n in range(120)])
    [failure] = caught.value.failures
    assert failure.index == 1
    assert failure.ids[0] == "h050"
    assert isinstance(failure.error, errors.LimitReachedError)
    assert [len(r.created) for r in caught.value.results] == [50, 20]


async def test_created_result_without_a_creator_is_a_decode_error(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post(CREATE_PATH).mock(
        return_value=ok({"results": [{"tiktok_handle": "x", "status": "created"}]}, status=201)
    )
    with pytest.raises(errors.BatchError) as caught:
        await tg.creators.create_many(PROJECT, ["x"])
    assert isinstance(caught.value.failures[0].error, errors.DecodeError)


async def test_unknown_statuses_fail_and_failures_are_named_by_position(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post(CREATE_PATH).mock(
        return_value=ok(
            [
                {"tiktok_handle": "x", "status": "queued_for_review"},
                {"status": "failed", "error": "Unknown account"},
            ],
            status=201,
        )
    )
    result = await tg.creators.create_many(PROJECT, ["x", "y"])
    assert result.failed == (
        CreatorFailure(handle="x", code="queued_for_review"),
        CreatorFailure(handle="y", message="Unknown account"),
    )


# ---- update, delete, scrape -------------------------------------------------------------------


async def test_update_sends_only_what_changes(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    route = routes.patch(f"/creators/{uid(1)}").mock(
        return_value=ok(creator(1, "renamed", readme=None, tracking_mode="selective"))
    )
    updated = await tg.creators.update(
        uid(1).upper(),
        tiktok_handle="@renamed",
        readme=None,
        tracking_mode="selective",
        tracking_end_date=dt.date(2026, 12, 31),
        metadata={"tier": "gold"},
    )
    assert updated.tiktok_handle == "renamed"
    assert sent_json(route.calls.last.request) == {
        "tiktok_handle": "renamed",
        "readme": None,
        "tracking_mode": "selective",
        "tracking_end_date": "2026-12-31",
        "metadata": {"tier": "gold"},
    }


async def test_update_validates_before_the_network(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="at least one"):
        await tg.creators.update(uid(1))
    with pytest.raises(ValueError, match="tiktok_handle"):
        await tg.creators.update(uid(1), tiktok_handle="no spaces allowed")
    with pytest.raises(ValueError, match="description"):
        await tg.creators.update(uid(1), description="x" * 5001)
    with pytest.raises(ValueError, match="after"):
        await tg.creators.update(
            uid(1), tracking_start_date="2026-06-02", tracking_end_date="2026-06-01"
        )
    with pytest.raises(ValueError, match="creator_id"):
        await tg.creators.update("../projects", readme="x")
    assert not routes.calls


@pytest.mark.parametrize("code", ["handle_taken", "creator_banned", "invalid_handle", "no_change"])
@pytest.mark.parametrize("where", ["meta", "error"])
async def test_rename_conflicts(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, code: str, where: str
) -> None:
    response = fail(409, "Conflict", {"code": code}) if where == "meta" else fail(409, code)
    route = routes.patch(f"/creators/{uid(1)}").mock(return_value=response)
    with pytest.raises(errors.ConflictError) as caught:
        await tg.creators.update(uid(1), tiktok_handle="newname")
    assert caught.value.code == code
    assert route.call_count == 1


@pytest.mark.parametrize("response", [ok({"id": uid(1), "is_active": False}), httpx.Response(204)])
async def test_delete_accepts_200_and_204(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, response: httpx.Response
) -> None:
    route = routes.delete(f"/creators/{uid(1)}").mock(return_value=response)
    await tg.creators.delete(uid(1))
    assert route.call_count == 1


async def test_scrape_sends_job_type(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(f"/creators/{uid(1)}/scrape").mock(
        return_value=ok(
            {"job_id": "job_1", "job_type": "discover_videos", "status": "queued"}, status=202
        )
    )
    job = await tg.creators.scrape(uid(1), job_type="discover_videos")
    assert (job.job_id, job.job_type, job.status) == ("job_1", "discover_videos", "queued")
    assert sent_json(route.calls.last.request) == {"job_type": "discover_videos"}
    await tg.creators.scrape(uid(1))
    assert sent_json(route.calls.last.request) == {"job_type": "creator_profiles"}


async def test_scrape_quota_and_bad_job_type(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="job_type"):
        await tg.creators.scrape(uid(1), job_type="everything")
    routes.post(f"/creators/{uid(1)}/scrape").mock(
        return_value=fail(
            402,
            "Limit reached",
            {
                "code": "limit_reached",
                "limitKey": "max_manual_scrape_triggers_per_day",
                "current": 10,
                "max": 10,
            },
        )
    )
    with pytest.raises(errors.LimitReachedError) as caught:
        await tg.creators.scrape(uid(1))
    assert caught.value.limit_key == "max_manual_scrape_triggers_per_day"


async def test_scrape_without_a_body_still_reports_the_job(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    routes.post(f"/creators/{uid(1)}/scrape").mock(return_value=httpx.Response(202))
    job = await tg.creators.scrape(uid(1), job_type="video_stats")
    assert job.job_type == "video_stats"


# ---- bulk remove and re-enable ----------------------------------------------------------------


async def test_bulk_remove_chunks_of_100_summed(
    tg: AsyncTrackAGoat, routes: respx.MockRouter
) -> None:
    ids = [uid(n) for n in range(250)]

    def respond(request: httpx.Request) -> httpx.Response:
        chunk = sent_json(request)["creator_ids"]
        missing = [i for i in chunk if i == uid(120)]
        return ok({"removed_count": len(chunk) - len(missing), "not_found": missing})

    route = routes.post(f"/projects/{PROJECT}/creators/bulk-remove").mock(side_effect=respond)
    result = await tg.creators.bulk_remove(PROJECT, [*ids, uid(5).upper()])  # a duplicate
    chunks = [sent_json(c.request)["creator_ids"] for c in route.calls]
    assert sorted(len(c) for c in chunks) == [50, 100, 100]
    assert sorted(i for c in chunks for i in c) == sorted(ids)
    assert result.removed_count == 249
    assert result.not_found == (uid(120),)


async def test_bulk_reenable_sums_counts(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    route = routes.post(f"/projects/{PROJECT}/creators/bulk-reenable").mock(
        side_effect=[
            ok({"ok_count": 98, "skipped_count": 2, "failed_count": 0}),
            ok({"ok_count": 3, "skipped_count": 0, "failed_count": 1}),
        ]
    )
    result = await tg.creators.bulk_reenable(PROJECT, [uid(n) for n in range(104)])
    assert (result.ok_count, result.skipped_count, result.failed_count) == (101, 2, 1)
    assert route.call_count == 2


async def test_bulk_calls_validate_ids(tg: AsyncTrackAGoat, routes: respx.MockRouter) -> None:
    with pytest.raises(ValueError, match="creator_ids must not be empty"):
        await tg.creators.bulk_remove(PROJECT, [])
    with pytest.raises(ValueError, match=r"creator_ids\[1\]"):
        await tg.creators.bulk_reenable(PROJECT, [uid(1), "creator-2"])
    with pytest.raises(ValueError, match="creator_ids"):
        await tg.creators.bulk_remove(PROJECT, uid(1))  # a bare string, not a list
    assert not routes.calls


@pytest.mark.parametrize("key", ["", " padded", "two\r\nlines", 42])
async def test_a_bad_idempotency_key_is_refused_before_sending(
    tg: AsyncTrackAGoat, routes: respx.MockRouter, key: Any
) -> None:
    with pytest.raises(ValueError, match="idempotency_key"):
        await tg.creators.create(PROJECT, "x", idempotency_key=key)
    with pytest.raises(ValueError, match="idempotency_key"):
        await tg.creators.create_many(PROJECT, ["x"], idempotency_key=key)
    assert not routes.calls
