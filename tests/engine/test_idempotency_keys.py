"""``request(create=True)``: one Idempotency-Key per logical create, kept on every attempt."""

from __future__ import annotations

import uuid

import httpx
import pytest
import respx

from creatorsdk import errors

from .conftest import EngineClient


def _answers(*statuses: int) -> list[httpx.Response]:
    problem = {"code": "X", "title": "X"}
    return [
        httpx.Response(s, json={"data": {}} if s < 400 else {**problem, "status": s})
        for s in statuses
    ]


def _keys(route: respx.Route) -> list[str | None]:
    return [call.request.headers.get("Idempotency-Key") for call in route.calls]


async def test_a_create_mints_one_key_and_sends_it_on_every_attempt(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(side_effect=_answers(500, 503, 201))
    await engine.request("POST", "/things", json={"n": 1}, create=True)
    keys = _keys(route)
    assert len(keys) == 3
    assert len(set(keys)) == 1
    assert uuid.UUID(str(keys[0])).version == 4


async def test_each_logical_create_gets_a_new_key(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(side_effect=_answers(201, 201))
    await engine.request("POST", "/things", json={}, create=True)
    await engine.request("POST", "/things", json={}, create=True)
    first, second = _keys(route)
    assert first != second


async def test_the_callers_key_wins_on_every_attempt(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/things").mock(side_effect=_answers(502, 201))
    await engine.request("POST", "/things", json={}, create=True, idempotency_key="order-7")
    assert _keys(route) == ["order-7", "order-7"]


async def test_a_post_that_is_no_create_carries_no_key_and_is_not_repeated_after_a_500(
    engine: EngineClient, api: respx.MockRouter
) -> None:
    route = api.post("/actions").mock(side_effect=_answers(500, 201))
    # A keyless POST is not safe to repeat: the 500 itself is raised.
    with pytest.raises(errors.ServerError):
        await engine.request("POST", "/actions", json={})
    assert _keys(route) == [None]
