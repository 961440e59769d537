"""ca.videos.deltas / iter_deltas: chunked, parallel, merged, partial failures kept."""

from __future__ import annotations

import json
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.creatoraudit import Deltas

from .conftest import deltas_server, ok, problem, sent_json, uid

IDS = [uid(n) for n in range(1, 2346)]  # 2,345 ids: 11 full chunks of 200 and one of 145
UNKNOWN = {IDS[0], IDS[1000], IDS[2344]}


def views(video_id: str, window: int) -> int | None:
    """Deterministic deltas: null for the 30-day window of every tenth video."""
    number = int(video_id.replace("-", ""), 16) % 10_000
    return None if window == 30 and number % 10 == 0 else number * window


async def test_any_number_of_ids_in_chunks_of_200_merged(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos/deltas").mock(side_effect=deltas_server(views, unknown=UNKNOWN))
    deltas = await ca.videos.deltas([i.upper() for i in IDS], windows=[7, 30])
    bodies = [sent_json(c) for c in route.calls]
    assert len(bodies) == 12
    assert all(len(b["video_ids"]) <= 200 and b["windows"] == [7, 30] for b in bodies)
    sent = [i for b in bodies for i in b["video_ids"]]
    assert sorted(sent) == sorted(IDS)  # each id exactly once, lowercased
    assert deltas.ids == tuple(i for i in IDS if i not in UNKNOWN)  # chunk order kept
    assert set(deltas.not_found) == UNKNOWN
    assert deltas.windows == (7, 30)
    assert deltas.video_count == len(IDS)
    assert deltas.get(IDS[5], 7) == views(IDS[5], 7)
    assert deltas.get(IDS[5].upper(), 30) == views(IDS[5], 30)
    nulls = [i for i in IDS if views(i, 30) is None and i not in UNKNOWN]
    assert nulls
    assert all(deltas.get(i, 30) is None for i in nulls)
    assert deltas.get(IDS[5], 14) is None  # a window not asked for
    assert deltas.get(IDS[0], 7) is None  # not found
    assert deltas.get(uid(999_999), 7) is None  # never asked for
    assert IDS[5] in deltas
    assert IDS[0] not in deltas


async def test_default_windows_are_left_to_the_server(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos/deltas").mock(side_effect=deltas_server(lambda i, w: -w, omit=[14]))
    deltas = await ca.videos.deltas(iter([uid(1), uid(1).upper(), uid(2)]))
    assert sent_json(route.calls[0]) == {"video_ids": [uid(1), uid(2)]}
    assert deltas.windows == (1, 7, 14, 30)
    assert deltas.get(uid(1), 30) == -30  # negative deltas kept as they are
    assert deltas.get(uid(1), 14) is None  # a window listed in meta but missing from the row
    assert dict(deltas.data[uid(2)]) == {1: -1, 7: -7, 30: -30}


async def test_windows_are_deduplicated(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.post("/videos/deltas").mock(side_effect=deltas_server(lambda i, w: w))
    await ca.videos.deltas([uid(1)], windows=(7, 1, 7))
    assert sent_json(route.calls[0])["windows"] == [7, 1]


async def test_deltas_are_retried_on_500_as_a_read_only_post(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos/deltas").mock(
        side_effect=[problem(500, "INTERNAL_ERROR"), ok({"data": {uid(1): {"1d": 1}}, "meta": {}})]
    )
    deltas = await ca.videos.deltas([uid(1)], windows=[1])
    assert deltas.get(uid(1), 1) == 1
    assert route.call_count == 2
    assert "Idempotency-Key" not in route.calls[0].request.headers


def _fail_chunk(bad: str) -> Any:
    """The deltas server, except a 422 for the chunk that holds ``bad``."""
    good = deltas_server(views)

    def handle(request: httpx.Request) -> httpx.Response:
        if bad in json.loads(request.content)["video_ids"]:
            return problem(422, "VALIDATION_ERROR")
        return good(request)

    return handle


async def test_a_failed_chunk_raises_batch_error_with_the_other_results(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    route = api.post("/videos/deltas").mock(side_effect=_fail_chunk(IDS[450]))
    with pytest.raises(errors.BatchError) as caught:
        await ca.videos.deltas(IDS, windows=[7])
    error = caught.value
    assert route.call_count == 12  # a 422 is not retried, and the others still run
    assert len(error.failures) == 1
    failure = error.failures[0]
    assert failure.index == 2
    assert failure.ids == tuple(IDS[400:600])
    assert isinstance(failure.error, errors.ValidationError)
    assert len(error.results) == 11
    partial = Deltas.merge(error.results)
    assert len(partial) == len(IDS) - 200
    assert partial.get(IDS[0], 7) == views(IDS[0], 7)
    assert partial.get(IDS[450], 7) is None


async def test_iter_deltas_streams_each_chunk(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.post("/videos/deltas").mock(side_effect=deltas_server(views, unknown=UNKNOWN))
    parts: list[Deltas] = []
    async with ca.videos.iter_deltas(IDS, windows=[1]) as chunks:
        async for part in chunks:
            assert isinstance(part, Deltas)
            assert len(part) <= 200
            parts.append(part)
    assert len(parts) == 12
    merged = Deltas.merge(parts)
    assert sorted(merged.ids) == sorted(set(IDS) - UNKNOWN)
    assert set(merged.not_found) == UNKNOWN


async def test_iter_deltas_can_stop_early(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.post("/videos/deltas").mock(side_effect=deltas_server(views))
    async with ca.videos.iter_deltas(IDS[:1000]) as chunks:
        async for part in chunks:
            assert len(part) == 200
            break


async def test_iter_deltas_raises_batch_error_at_the_end(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.post("/videos/deltas").mock(side_effect=_fail_chunk(IDS[0]))
    received: list[Deltas] = []

    async def consume() -> None:
        async with ca.videos.iter_deltas(IDS[:600]) as chunks:
            received.extend([part async for part in chunks])

    with pytest.raises(errors.BatchError) as caught:
        await consume()
    assert len(received) == 2
    assert [f.index for f in caught.value.failures] == [0]
    assert len(caught.value.results) == 2


async def test_iter_deltas_checks_arguments_at_the_call(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    with pytest.raises(ValueError, match="windows"):
        ca.videos.iter_deltas([uid(1)], windows=[0])
    assert not api.calls


async def test_a_data_list_is_a_decode_error(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    api.post("/videos/deltas").mock(return_value=ok({"data": [], "meta": {}}))
    with pytest.raises(errors.BatchError) as caught:
        await ca.videos.deltas([uid(1)])
    error = caught.value.failures[0].error
    assert isinstance(error, errors.DecodeError)
    assert error.field is not None
    assert "data" in error.field


async def test_a_non_integer_delta_names_its_field(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    body = {"data": {uid(1): {"7d": "lots"}}, "meta": {"windows": [7], "not_found": []}}
    api.post("/videos/deltas").mock(return_value=ok(body))
    with pytest.raises(errors.BatchError) as caught:
        await ca.videos.deltas([uid(1)])
    error = caught.value.failures[0].error
    assert isinstance(error, errors.DecodeError)
    assert error.field is not None
    assert uid(1) in error.field
    assert "7d" in error.field


@pytest.mark.parametrize(
    ("video_ids", "windows", "argument"),
    [
        ([], None, "video_ids must not be empty"),
        (uid(1), None, "video_ids"),
        ([uid(1), "1234"], None, r"video_ids\[1\]"),
        ([uid(1), None], None, r"video_ids\[1\]"),
        ([uid(1)], [], "windows"),
        ([uid(1)], list(range(1, 12)), "windows"),
        ([uid(1)], [0], r"windows\[0\]"),
        ([uid(1)], [7, 366], r"windows\[1\]"),
        ([uid(1)], [True], r"windows\[0\]"),
        ([uid(1)], [7.0], r"windows\[0\]"),
        ([uid(1)], 7, "windows"),
        ([uid(1)], "7", "windows"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    ca: AsyncCreatorAudit,
    api: respx.MockRouter,
    video_ids: Any,
    windows: Any,
    argument: str,
) -> None:
    with pytest.raises(ValueError, match=argument):
        await ca.videos.deltas(video_ids, windows=windows)
    assert not api.calls


@pytest.mark.parametrize("method", ["deltas", "metrics"])
async def test_a_long_id_list_lets_other_tasks_run_while_it_is_checked(
    ca: AsyncCreatorAudit, api: respx.MockRouter, method: str
) -> None:
    """Thousands of ids take milliseconds to check; a listing's next page, asked for
    meanwhile, goes between slices of the check instead of after all of it. Nothing is
    sent before the whole list is checked, and a bad id is still named by its index."""
    route = api.post(f"/videos/{method}")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.lowlevel.checkpoint()

    ids = [*IDS, *IDS, "not-an-id"]
    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        with pytest.raises(errors.InvalidArgumentError, match=rf"video_ids\[{2 * len(IDS)}\]"):
            await getattr(ca.videos, method)(ids)
        group.cancel_scope.cancel()
    assert ticks >= 2  # it ran between the slices (before: not once until the error)
    assert not route.called
