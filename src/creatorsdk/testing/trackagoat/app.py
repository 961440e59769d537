"""The trackagoat ASGI app: the routes behind trackagoat's hooks of the shared gateway.

The gateway (:mod:`creatorsdk.testing._gateway`) gives each request its id (``X-Request-ID`` on
every response, errors included); then, in order, these hooks check the API key (401
``invalid_api_key``), the per-key rolling window (429 with ``Retry-After``), the org's daily
quota (429 with ``meta.retryAfter`` and no ``Retry-After``), the scope (403
``insufficient_scope``), injected API-level faults, then the JSON body (400 ``invalid_body``).
Every error anywhere becomes the ``{data: null, error, meta: {code}}`` envelope.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope

from creatorsdk.testing._gateway import Gateway, InjectedErrors
from creatorsdk.testing._middleware import read_body
from creatorsdk.testing._routing import UUID, Handler, method_route
from creatorsdk.testing.trackagoat import routes_analytics as analytics
from creatorsdk.testing.trackagoat import routes_campaigns as campaigns
from creatorsdk.testing.trackagoat import routes_creators as creators
from creatorsdk.testing.trackagoat import routes_org as org
from creatorsdk.testing.trackagoat import routes_videos as videos
from creatorsdk.testing.trackagoat.context import ApiKey, ApiState, RequestContext
from creatorsdk.testing.trackagoat.errors import ApiError, bad_body
from creatorsdk.testing.trackagoat.plans import seconds_to_midnight
from creatorsdk.testing.trackagoat.routes_payouts import payout_routes
from creatorsdk.testing.trackagoat.routes_reporting import reporting_routes

__all__ = ["PREFIX", "TrackAGoatGateway", "build_app"]

PREFIX = "/api/v1"
_WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_INJECTED: InjectedErrors = {
    "error_503": (503, "service_unavailable", "The service is temporarily unavailable."),
    "error_500": (500, "internal_error", "Internal server error."),
    "error_502": (502, "bad_gateway", "An upstream service did not answer."),
    "error_429": (429, "rate_limit_exceeded", "Too many requests."),
}


def _route(path: str, **handlers: Handler) -> Route:
    return method_route(f"{PREFIX}{path}", **handlers)


def _routes() -> list[Route]:
    one = f"{{id:{UUID}}}"
    project = f"/projects/{{project_id:{UUID}}}"
    return [
        _route("/schema", GET=org.schema),
        _route("/projects", GET=org.list_projects),
        _route(f"{project}/goal-compliance", GET=org.goal_compliance),
        _route("/creators", GET=creators.list_creators),
        _route(f"{project}/creators", POST=creators.create_creators),
        _route(f"{project}/creators/bulk-remove", POST=creators.bulk_remove),
        _route(f"{project}/creators/bulk-reenable", POST=creators.bulk_reenable),
        _route(f"/creators/{one}", PATCH=creators.update_creator, DELETE=creators.delete_creator),
        _route(f"/creators/{one}/scrape", POST=creators.scrape_creator),
        _route("/videos", GET=videos.list_videos),
        _route(f"{project}/videos", POST=videos.create_video),
        _route(f"{project}/videos/bulk-tracking-disable", POST=videos.bulk_disable),
        _route(f"/videos/{one}", PATCH=videos.update_video, DELETE=videos.delete_video),
        _route(f"/videos/{one}/scrape", POST=videos.scrape_video),
        _route(f"/videos/{one}/tracking-disable", POST=videos.disable_video),
        _route("/campaigns", GET=campaigns.list_campaigns),
        _route(f"{project}/campaigns", POST=campaigns.create_campaign),
        _route(
            f"/campaigns/{one}",
            PATCH=campaigns.update_campaign,
            DELETE=campaigns.delete_campaign,
        ),
        _route(f"/campaigns/{one}/items", POST=campaigns.add_item, DELETE=campaigns.remove_item),
        _route("/analytics", GET=analytics.query),
        *payout_routes(_route),
        *reporting_routes(_route),
        *(
            _route(f"/{kind}/{one}/stats", GET=org.removed_stats)
            for kind in ("creators", "campaigns", "videos")
        ),
    ]


def build_app(state: ApiState) -> TrackAGoatGateway:
    """The whole trackagoat API over ``state``."""
    return TrackAGoatGateway(Router(routes=_routes()), state)


class TrackAGoatGateway(Gateway[ApiState, RequestContext, ApiError]):
    """Admits each request (see the module docstring) and renders errors as envelopes."""

    fake_name = "FakeTrackAGoat"
    context_type = RequestContext
    error_type = ApiError
    injected_errors = _INJECTED

    async def admit(self, scope: Scope, receive: Receive, ctx: RequestContext) -> None:
        headers = Headers(scope=scope)
        method = scope["method"]
        key = ctx.key = self._authenticate(headers.get("authorization"))
        self._count(key)
        if method in _WRITE_METHODS and "write" not in key.scopes:
            granted = ", ".join(key.scopes)
            raise ApiError(
                403,
                "insufficient_scope",
                f"This action requires the 'write' scope. Granted: [{granted}]",
                meta={"required": "write", "granted": list(key.scopes)},
            )
        self.raise_injected_fault(ctx.fault)
        if method in _WRITE_METHODS:
            raw = await read_body(receive)
            if raw:
                try:
                    ctx.body = json.loads(raw)
                except (ValueError, RecursionError):
                    raise bad_body("The request body is not valid JSON.") from None

    def from_http(self, error: HTTPException, path: str) -> ApiError:
        if error.status_code == 405:
            allowed = (error.headers or {}).get("Allow", "")
            return ApiError(
                405,
                "method_not_allowed",
                f"{path} does not allow this method.",
                headers={"Allow": allowed},
            )
        if error.status_code == 404:
            return ApiError(404, "not_found", f"No endpoint or resource at {path}.")
        return ApiError(error.status_code, "invalid_params", str(error.detail))

    def render(self, error: ApiError, path: str, request_id: str) -> Response:
        return error.response()

    def _authenticate(self, authorization: str | None) -> ApiKey:
        scheme, _, secret = (authorization or "").partition(" ")
        key = self.state.keys.get(secret.strip()) if scheme.lower() == "bearer" else None
        if key is None or key.revoked:
            raise ApiError(401, "invalid_api_key", "Invalid or missing API key")
        return key

    def _count(self, key: ApiKey) -> None:
        state = self.state
        if state.window is not None:
            wait = state.window.admit(key.secret)
            if wait is not None:
                raise ApiError(
                    429,
                    "rate_limit_exceeded",
                    "Too many requests",
                    headers={"Retry-After": str(wait)},
                )
        if not state.api_requests.take(state.limit("max_api_requests_per_day")):
            # The daily quota says when it resets in meta only: no Retry-After (section 11).
            now = state.store.clock()
            raise ApiError(
                429,
                "rate_limit_exceeded",
                "Rate limit exceeded",
                meta={"retryAfter": seconds_to_midnight(now)},
            )
