"""The gateway both fakes share: request ids on every answer, and each API's hooks for its own
headers and error format."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from creatorsdk.testing import FakeCreatorAudit, FakeTrackAGoat, FaultPlan
from creatorsdk.testing._faults import FAULT_SCOPE_KEY, FaultTicket
from creatorsdk.testing._gateway import (
    CONTEXT_KEY,
    BaseApiError,
    Gateway,
    InjectedErrors,
    RequestContext,
)

REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")

# -- the shared gateway, on a tiny API of its own --------------------------------------------

TINY_ERRORS: InjectedErrors = {
    "error_500": (500, "tiny_internal", "tiny broke"),
    "error_429": (429, "tiny_slow_down", "too many"),
}


class TinyError(BaseApiError):
    """The tiny API's error."""


class TinyGateway(Gateway[dict[str, str], RequestContext[dict[str, str], str], TinyError]):
    """Refuses requests with ``X-Refuse``; answers errors as ``{"oops": code, ...}``."""

    fake_name = "Tiny"
    context_type = RequestContext
    error_type = TinyError
    injected_errors = TINY_ERRORS

    async def admit(self, scope: Scope, receive: Receive, ctx: RequestContext[Any, str]) -> None:
        headers = dict(scope["headers"])
        if b"x-refuse" in headers:
            raise TinyError(403, "refused", "go away", headers={"X-Why": "asked to"})
        ctx.key = headers.get(b"x-key", b"anonymous").decode()
        self.raise_injected_fault(ctx.fault)

    def response_headers(self, ctx: RequestContext[Any, str]) -> Mapping[str, str]:
        return {"X-Tiny-Key": ctx.key or "none"}

    def from_http(self, error: HTTPException, path: str) -> TinyError:
        return TinyError(error.status_code, f"http_{error.status_code}", f"{path}: {error.detail}")

    def render(self, error: TinyError, path: str, request_id: str) -> Response:
        body = {"oops": error.code, "path": path, "id": request_id}
        return JSONResponse(body, error.status, headers=error.headers)


async def _hello(request: Request) -> Response:
    ctx: RequestContext[dict[str, str], str] = request.scope[CONTEXT_KEY]
    return JSONResponse({"greeting": ctx.state["greeting"], "key": ctx.key})


async def _boom(request: Request) -> Response:
    raise RuntimeError("a bug in a route")


class _Half(Response):
    """Starts its response, then fails: too late to answer with an error."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("failed mid-response")


async def _half(request: Request) -> Response:
    return _Half()


def _tiny() -> TinyGateway:
    routes = [Route("/hello", _hello), Route("/boom", _boom), Route("/half", _half)]
    return TinyGateway(Router(routes=routes), {"greeting": "hi"})


def _with_fault(app: ASGIApp, kind: str) -> ASGIApp:
    """``app`` behind a harness stand-in that hands every request a ``kind`` fault ticket."""
    plan = FaultPlan(retry_after=7)

    async def faulted(scope: Scope, receive: Receive, send: Send) -> None:
        scope[FAULT_SCOPE_KEY] = FaultTicket(kind, plan, Counter())
        await app(scope, receive, send)

    return faulted


def _client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tiny")


async def test_a_success_carries_a_fresh_request_id_and_the_apis_headers() -> None:
    async with _client(_tiny()) as http:
        first = await http.get("/hello", headers={"X-Key": "k1"})
        second = await http.get("/hello")
    assert first.json() == {"greeting": "hi", "key": "k1"}
    assert first.headers["x-tiny-key"] == "k1"
    assert second.headers["x-tiny-key"] == "anonymous"
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(REQUEST_ID.fullmatch(i) for i in ids)
    assert ids[0] != ids[1]


async def test_a_refusal_is_rendered_by_the_api_with_the_same_request_id() -> None:
    async with _client(_tiny()) as http:
        response = await http.get("/hello", headers={"X-Refuse": "1"})
    assert response.status_code == 403
    assert response.json() == {
        "oops": "refused",
        "path": "/hello",
        "id": response.headers["x-request-id"],
    }
    assert response.headers["x-why"] == "asked to"
    # admit failed before it set the key: the API's headers still go on the error
    assert response.headers["x-tiny-key"] == "none"


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nowhere", 404), ("POST", "/hello", 405)]
)
async def test_the_routers_own_errors_go_through_from_http(
    method: str, path: str, status: int
) -> None:
    async with _client(_tiny()) as http:
        response = await http.request(method, path)
    assert response.status_code == status
    assert response.json()["oops"] == f"http_{status}"
    assert response.json()["id"] == response.headers["x-request-id"]
    assert response.headers["x-tiny-key"] == "anonymous"


async def test_an_unexpected_failure_is_logged_and_answered_as_the_apis_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="creatorsdk.testing"):
        async with _client(_tiny()) as http:
            response = await http.get("/boom")
    assert response.status_code == 500
    assert response.json()["oops"] == "tiny_internal"
    assert REQUEST_ID.fullmatch(response.headers["x-request-id"])
    assert [r.getMessage() for r in caplog.records] == ["Tiny failed on GET /boom"]


async def test_a_failure_after_the_response_started_is_not_papered_over() -> None:
    async with _client(_tiny()) as http:
        with pytest.raises(RuntimeError, match="failed mid-response"):
            await http.get("/half")


async def test_an_injected_fault_becomes_the_apis_error_with_retry_after() -> None:
    async with _client(_with_fault(_tiny(), "error_429")) as http:
        response = await http.get("/hello")
    assert response.status_code == 429
    assert response.json()["oops"] == "tiny_slow_down"
    assert response.headers["retry-after"] == "7"
    assert REQUEST_ID.fullmatch(response.headers["x-request-id"])


async def test_a_fault_the_api_does_not_inject_reaches_the_route() -> None:
    async with _client(_with_fault(_tiny(), "empty_page")) as http:
        response = await http.get("/hello")
    assert response.status_code == 200
    assert response.json()["greeting"] == "hi"


# -- both fakes through it ---------------------------------------------------------------------


def _creatoraudit_error(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["instance"] == response.request.url.path
    code: str = body["code"]
    return code


def _trackagoat_error(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None
    assert body["error"]
    code: str = body["meta"]["code"]
    return code


async def test_creatoraudit_stamps_ids_and_rate_headers_and_answers_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeCreatorAudit(seed=0, accounts=3, tracked_videos=2, creators=1, rate_limit=100)
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url=fake.base_url, headers=headers
    ) as http:
        answers = {
            "ok": await http.get("/whoami"),
            "unauthorized": await http.get("/whoami", headers={"Authorization": "Bearer no"}),
            "missing": await http.get("/nowhere"),
            "wrong method": await http.put("/accounts"),
        }
        fake.faults = FaultPlan(error_503=1.0)
        answers["injected"] = await http.get("/accounts")
        fake.faults = FaultPlan()
        monkeypatch.setattr(fake.store, "today", _raise_bug)
        answers["bug"] = await http.get("/overview")
    ids = {name: a.headers["x-request-id"] for name, a in answers.items()}
    assert all(REQUEST_ID.fullmatch(i) for i in ids.values())
    assert len(set(ids.values())) == len(answers)
    assert answers["ok"].json()["data"]["type"] == "whoami"
    codes = {name: _creatoraudit_error(a) for name, a in answers.items() if name != "ok"}
    assert codes == {
        "unauthorized": "UNAUTHORIZED",
        "missing": "NOT_FOUND",
        "wrong method": "METHOD_NOT_ALLOWED",
        "injected": "SERVICE_UNAVAILABLE",
        "bug": "INTERNAL_ERROR",
    }
    # The rate-limit headers go on every authenticated answer, errors included.
    for name in ("ok", "missing", "wrong method", "injected", "bug"):
        assert "x-ratelimit-remaining" in answers[name].headers, name
    assert "x-ratelimit-remaining" not in answers["unauthorized"].headers


async def test_trackagoat_stamps_ids_and_answers_envelopes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeTrackAGoat(seed=0, creators=2, campaigns=1)
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url=fake.base_url, headers=headers
    ) as http:
        answers = {
            "ok": await http.get("/schema"),
            "unauthorized": await http.get("/schema", headers={"Authorization": "Bearer no"}),
            "missing": await http.get("/nowhere"),
            "wrong method": await http.put("/projects"),
        }
        fake.faults = FaultPlan(error_503=1.0)
        answers["injected"] = await http.get("/projects")
        fake.faults = FaultPlan()
        monkeypatch.setattr(fake.store, "order", _raise_bug)
        answers["bug"] = await http.get("/projects")
    ids = {name: a.headers["x-request-id"] for name, a in answers.items()}
    assert all(REQUEST_ID.fullmatch(i) for i in ids.values())
    assert len(set(ids.values())) == len(answers)
    assert answers["ok"].json()["error"] is None
    codes = {name: _trackagoat_error(a) for name, a in answers.items() if name != "ok"}
    assert codes == {
        "unauthorized": "invalid_api_key",
        "missing": "not_found",
        "wrong method": "method_not_allowed",
        "injected": "service_unavailable",
        "bug": "internal_error",
    }
    assert all(not name.startswith("x-ratelimit") for a in answers.values() for name in a.headers)


def _raise_bug(*args: object) -> Any:
    raise RuntimeError("a bug in the store")
