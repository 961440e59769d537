"""The CreatorAudit ASGI app: a gateway (auth, limits, content negotiation) before the routes.

The gateway does what the real service does before any endpoint runs, in this order: request
id, API key (401/403), rate limit (429; its headers go on every authenticated response),
``Accept`` (406), scope (403 ``INSUFFICIENT_SCOPE``), injected API-level faults, then the body
(415, 400). Every error anywhere becomes a problem+json response carrying the request id.
"""

from __future__ import annotations

import json
import logging
import uuid

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Route, Router
from starlette.types import Message, Receive, Scope, Send

from creatorsdk.testing._faults import FAULT_SCOPE_KEY
from creatorsdk.testing._middleware import read_body
from creatorsdk.testing._routing import UUID, Handler, method_route
from creatorsdk.testing.creatoraudit import routes_accounts as accounts
from creatorsdk.testing.creatoraudit import routes_creators as creators
from creatorsdk.testing.creatoraudit import routes_org as org
from creatorsdk.testing.creatoraudit import routes_videos as videos
from creatorsdk.testing.creatoraudit.problems import ApiError, problem_response
from creatorsdk.testing.creatoraudit.state import CONTEXT_KEY, ApiKey, ApiState, RequestContext

__all__ = ["PREFIX", "PUBLIC_PATHS", "Gateway", "build_app"]

PREFIX = "/v2"
#: Endpoints without authentication, rate limits or faults.
PUBLIC_PATHS = frozenset({f"{PREFIX}/health", f"{PREFIX}/meta"})
#: POSTs that only read: a read-scoped key may send them.
READ_ONLY_POSTS = frozenset(
    f"{PREFIX}{p}"
    for p in ("/videos/deltas", "/videos/metrics", "/account-videos/metrics", "/accounts/metrics")
)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_JSON_RANGES = frozenset({"*/*", "application/*", "application/json", "application/problem+json"})
_INJECTED = {
    "error_503": (503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable; retry."),
    "error_500": (500, "INTERNAL_ERROR", "An unexpected error occurred."),
    "error_502": (502, "UPSTREAM_ERROR", "The platform did not answer; retry later."),
    "error_429": (429, "RATE_LIMITED", "Rate limit exceeded."),
}
_log = logging.getLogger("creatorsdk.testing")


def _route(path: str, **handlers: Handler) -> Route:
    return method_route(f"{PREFIX}{path}", **handlers)


def _routes() -> list[Route]:
    one = f"{{id:{UUID}}}"
    return [
        _route("/health", GET=org.health),
        _route("/meta", GET=org.meta),
        _route("/whoami", GET=org.whoami),
        _route("/overview", GET=org.overview_route),
        _route("/search", GET=org.search),
        _route("/accounts", GET=accounts.list_accounts, POST=accounts.create_account),
        _route("/accounts/metrics", POST=accounts.accounts_metrics),
        _route(
            f"/accounts/{one}",
            GET=accounts.get_account,
            PATCH=accounts.update_account,
            DELETE=accounts.delete_account,
        ),
        _route("/account-videos", GET=videos.list_account_videos),
        _route("/account-videos/metrics", POST=videos.account_videos_metrics),
        _route("/videos", GET=videos.list_videos, POST=videos.create_video),
        _route("/videos/deltas", POST=videos.video_deltas),
        _route("/videos/metrics", POST=videos.videos_metrics),
        _route(
            f"/videos/{one}",
            GET=videos.get_video,
            PATCH=videos.update_video,
            DELETE=videos.delete_video,
        ),
        _route("/creators", GET=creators.list_creators, POST=creators.create_creator),
        _route("/creators/top", GET=creators.top_creators_route),
        _route(
            f"/creators/{one}",
            GET=creators.get_creator,
            PATCH=creators.update_creator,
            DELETE=creators.delete_creator,
        ),
        _route(f"/creators/{one}/analytics", GET=creators.creator_analytics_route),
        _route(
            f"/creators/{one}/accounts/{{account_id:{UUID}}}",
            PUT=creators.link_account,
            DELETE=creators.unlink_account,
        ),
    ]


def build_app(state: ApiState) -> Gateway:
    """The whole CreatorAudit API over ``state``."""
    return Gateway(Router(routes=_routes()), state)


class Gateway:
    """Admits each request (see the module docstring), routes it, and renders every error."""

    def __init__(self, router: Router, state: ApiState) -> None:
        self.router = router
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        ctx = RequestContext(
            request_id=f"req_{uuid.uuid4().hex}", state=self.state, fault=scope.get(FAULT_SCOPE_KEY)
        )
        scope[CONTEXT_KEY] = ctx
        # With "app" in the scope, Starlette's router raises 404/405 as HTTPException for us
        # to render as problems, instead of answering in plain text itself.
        scope["app"] = self
        started = False

        async def stamped(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = {"X-Request-ID": ctx.request_id, **ctx.rate_headers}
                headers = [*message.get("headers", [])]
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._admit(scope, receive, ctx)
            await self.router(scope, receive, stamped)
            return
        except ApiError as error:
            problem = error
        except HTTPException as error:
            problem = _from_http(error, scope["path"])
        except Exception:
            if started:
                raise
            _log.exception("FakeCreatorAudit failed on %s %s", scope["method"], scope["path"])
            problem = ApiError(500, "INTERNAL_ERROR", "An unexpected error occurred.")
        response = problem_response(problem, instance=scope["path"], request_id=ctx.request_id)
        await response(scope, receive, stamped)

    async def _admit(self, scope: Scope, receive: Receive, ctx: RequestContext) -> None:
        headers = Headers(scope=scope)
        path, method = scope["path"], scope["method"]
        if path.startswith(f"{PREFIX}/") and path not in PUBLIC_PATHS:
            ctx.key = self._authenticate(headers.get("authorization"))
            self._count_against_limit(ctx.key, ctx)
        if not _accepts_json(headers.get("accept")):
            raise ApiError(406, "NOT_ACCEPTABLE", "This API only answers in JSON.")
        if ctx.key is not None:
            _check_scope(ctx.key, method, path)
            _inject_fault(ctx)
        if method in _BODY_METHODS:
            await _read_body(headers, receive, ctx)

    def _authenticate(self, authorization: str | None) -> ApiKey:
        scheme, _, secret = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(
                401, "UNAUTHORIZED", "Send your API key as 'Authorization: Bearer <key>'."
            )
        key = self.state.keys.get(secret.strip())
        if key is None:
            raise ApiError(401, "UNAUTHORIZED", "The API key is not valid.")
        if not key.enabled:
            raise ApiError(403, "FORBIDDEN", "The API key is disabled.")
        return key

    def _count_against_limit(self, key: ApiKey, ctx: RequestContext) -> None:
        limiter = self.state.limiter
        if limiter is None:
            return
        verdict = limiter.hit(key.secret)
        # Kept on the context so every response to this request carries them, errors included
        # (Retry-After among them when the limiter sends one).
        ctx.rate_headers = verdict.headers()
        if not verdict.allowed:
            raise ApiError(429, "RATE_LIMITED", "Rate limit exceeded.")


def _check_scope(key: ApiKey, method: str, path: str) -> None:
    writes = method in _WRITE_METHODS and not (method == "POST" and path in READ_ONLY_POSTS)
    if writes and "write" not in key.scopes:
        raise ApiError(
            403, "INSUFFICIENT_SCOPE", "This API key lacks the 'write' scope; it can only read."
        )


def _accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    for media_range in accept.split(","):
        media, *params = (part.strip() for part in media_range.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0 and media.lower() in _JSON_RANGES:
            return True
    return False


def _from_http(error: HTTPException, path: str) -> ApiError:
    if error.status_code == 405:
        allowed = sorted(m.strip() for m in (error.headers or {}).get("Allow", "").split(","))
        return ApiError(
            405,
            "METHOD_NOT_ALLOWED",
            f"{path} does not allow this method.",
            headers={"Allow": ", ".join(allowed)},
        )
    if error.status_code == 404:
        return ApiError(404, "NOT_FOUND", f"No endpoint or resource at {path}.")
    return ApiError(error.status_code, "BAD_REQUEST", error.detail)


def _inject_fault(ctx: RequestContext) -> None:
    fault = ctx.fault
    if fault is None or fault.kind not in _INJECTED:
        return
    fault.applied()
    status, code, detail = _INJECTED[fault.kind]
    retry = {"Retry-After": str(fault.plan.retry_after)} if status == 429 else {}
    raise ApiError(status, code, detail, headers=retry)


async def _read_body(headers: Headers, receive: Receive, ctx: RequestContext) -> None:
    raw = await read_body(receive)
    if not raw:
        return
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.")
    try:
        ctx.body = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "BAD_REQUEST", f"The body is not valid JSON: {error}") from None
