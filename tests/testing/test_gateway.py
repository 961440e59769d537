"""The gateway both fakes share: request ids on every answer, and each API's hooks for its own
headers and error format."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping
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


@dataclasses.dataclass
class TinyContext(RequestContext[dict[str, str], str]):
    """A tiny request's context: its state is a greeting, its key a name."""


class TinyGateway(Gateway[dict[str, str], TinyContext, TinyError]):
    """Refuses requests with ``X-Refuse``; answers errors as ``{"oops": code, ...}``."""

    fake_name = "Tiny"
    context_type = TinyContext
    error_type = TinyError
    injected_errors = TINY_ERRORS

    async def admit(self, scope: Scope, receive: Receive, ctx: TinyContext) -> None:
        headers = dict(scope["headers"])
        if b"x-refuse" in headers:
            raise TinyError(403, "refused", "go away", headers={"X-Why": "asked to"})
        ctx.key = headers.get(b"x-key", b"anonymous").decode()
        self.raise_injected_fault(ctx.fault)

    def response_headers(self, ctx: TinyContext) -> Mapping[str, str]:
        return {"X-Tiny-Key": ctx.key or "none"}

    def from_http(self, error: HTTPException, path: str) -> TinyError:
        return TinyError(error.status_code, f"http_{error.status_code}", f"{path}: {error.detail}")

    def render(self, error: TinyError, path: str, request_id: str) -> Response:
        body = {"oops": error.code, "path": path, "id": request_id}
        return JSONResponse(body, error.status, headers=error.headers)


async def _hello(request: Request) -> Response:
    ctx: TinyContext = request.scope[CONTEXT_KEY]
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


def _with_fault(app: ASGIApp, kind: str, injected: Counter[str]) -> ASGIApp:
    """``app`` behind a harness stand-in that hands every request a ``kind`` fault ticket;
    ``injected`` counts those applied."""
    plan = FaultPlan(retry_after=7)

    async def faulted(scope: Scope, receive: Receive, send: Send) -> None:
        scope[FAULT_SCOPE_KEY] = FaultTicket(kind, plan, injected)
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
    injected: Counter[str] = Counter()
    async with _client(_with_fault(_tiny(), "error_429", injected)) as http:
        response = await http.get("/hello")
    assert injected == {"error_429": 1}
    assert response.status_code == 429
    assert response.json()["oops"] == "tiny_slow_down"
    assert response.headers["retry-after"] == "7"
    assert REQUEST_ID.fullmatch(response.headers["x-request-id"])


async def test_a_fault_the_api_does_not_inject_reaches_the_route() -> None:
    injected: Counter[str] = Counter()
    async with _client(_with_fault(_tiny(), "empty_page", injected)) as http:
        response = await http.get("/hello")
    assert not injected
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


@dataclasses.dataclass(frozen=True)
class _Api:
    """How to probe one fake through the gateway, and what its answers look like."""

    make: Callable[[], FakeCreatorAudit | FakeTrackAGoat]
    ok_path: str
    list_path: str
    #: A store method the route at ``bug_path`` calls, to make it fail unexpectedly.
    bug: tuple[str, str]
    error_code: Callable[[httpx.Response], str]
    #: The error code of each answer but the successful one.
    codes: dict[str, str]
    rate_headers: bool


APIS = {
    "creatoraudit": _Api(
        make=lambda: FakeCreatorAudit(seed=0, accounts=3, tracked_videos=2, creators=1),
        ok_path="/whoami",
        list_path="/accounts",
        bug=("today", "/overview"),
        error_code=_creatoraudit_error,
        codes={
            "unauthorized": "UNAUTHORIZED",
            "missing": "NOT_FOUND",
            "wrong method": "METHOD_NOT_ALLOWED",
            "injected": "SERVICE_UNAVAILABLE",
            "bug": "INTERNAL_ERROR",
        },
        rate_headers=True,
    ),
    "trackagoat": _Api(
        make=lambda: FakeTrackAGoat(seed=0, creators=2, campaigns=1),
        ok_path="/schema",
        list_path="/projects",
        bug=("order", "/projects"),
        error_code=_trackagoat_error,
        codes={
            "unauthorized": "invalid_api_key",
            "missing": "not_found",
            "wrong method": "method_not_allowed",
            "injected": "service_unavailable",
            "bug": "internal_error",
        },
        rate_headers=False,
    ),
}


@pytest.mark.parametrize("api", APIS.values(), ids=APIS.keys())
async def test_each_fake_stamps_request_ids_and_answers_in_its_own_format(
    api: _Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = api.make()
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url=fake.base_url, headers=headers
    ) as http:
        answers = {
            "ok": await http.get(api.ok_path),
            "unauthorized": await http.get(api.ok_path, headers={"Authorization": "Bearer no"}),
            "missing": await http.get("/nowhere"),
            "wrong method": await http.put(api.list_path),
        }
        fake.faults = FaultPlan(error_503=1.0)
        answers["injected"] = await http.get(api.list_path)
        fake.faults = FaultPlan()
        store_method, bug_path = api.bug
        monkeypatch.setattr(fake.store, store_method, _raise_bug)
        answers["bug"] = await http.get(bug_path)
    ids = [a.headers["x-request-id"] for a in answers.values()]
    assert all(REQUEST_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(answers)
    assert answers["ok"].status_code == 200
    codes = {name: api.error_code(a) for name, a in answers.items() if name != "ok"}
    assert codes == api.codes
    # CreatorAudit's rate-limit headers go on every authenticated answer, errors included.
    limited = {name for name, a in answers.items() if "x-ratelimit-remaining" in a.headers}
    expected = set(answers) - {"unauthorized"} if api.rate_headers else set()
    assert limited == expected


def _raise_bug(*args: object) -> Any:
    raise RuntimeError("a bug in the store")
