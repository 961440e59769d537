"""A FastAPI backend that embeds one shared AsyncCreatorAudit.

    CREATORAUDIT_API_KEY=... uvicorn fastapi_app:app --app-dir examples
    CREATORSDK_USE_FAKE=1 uvicorn fastapi_app:app --app-dir examples   # the embedded fake
    REDIS_URL=redis://localhost:6379/0 uvicorn fastapi_app:app --app-dir examples --workers 4

The client is built once in the lifespan (its connection pool, concurrency limit and rate
pacer are shared by every request) and handed to routes by a dependency. With ``REDIS_URL``
set, every worker's client spends one budget kept in Redis (the ``redis`` extra), so four
workers on one key stay under its rate limit together. SDK errors become
``application/problem+json`` responses that carry the upstream request id.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

import attrs
from breakouts import find_breakouts
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.budgets import Budget


def budget_from_env() -> contextlib.AbstractAsyncContextManager[Budget | None]:
    """The key's budget for every worker, kept in Redis, when ``REDIS_URL`` is set (one name
    per API key: ``CREATORSDK_BUDGET_NAME``, default ``creatoraudit``); else ``None``: each
    client keeps its own, which is right for one worker.

    ``uvicorn --workers 4`` runs a client per process, and each would spend the key's budget
    as if it were alone: four times the rate, then 429s.
    """
    url = os.environ.get("REDIS_URL")
    if not url:
        return contextlib.nullcontext()
    from creatorsdk.budgets import RedisBudget

    return RedisBudget(url, name=os.environ.get("CREATORSDK_BUDGET_NAME", "creatoraudit"))


def client_from_env(budget: Budget | None = None) -> AsyncCreatorAudit:
    """The shared client: the real API, or an in-process fake when ``CREATORSDK_USE_FAKE=1``,
    spending ``budget`` (see :func:`budget_from_env`).

    Without a key and without that switch, startup fails with a clear message instead of
    serving routes that would all fail.
    """
    if os.environ.get("CREATORAUDIT_API_KEY"):
        return AsyncCreatorAudit(budget=budget)
    if os.environ.get("CREATORSDK_USE_FAKE") == "1":
        from _api import DemoClock

        from creatorsdk.testing import FakeCreatorAudit

        # As in the other examples, the organization is generated as of today 00:00 UTC, so
        # every run on one day answers alike (the README's sample output reproduces).
        clock = DemoClock()
        fake = FakeCreatorAudit(seed=1, accounts=60, tracked_videos=40, clock=clock)
        clock.start()
        return AsyncCreatorAudit(
            api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport(), budget=budget
        )
    raise RuntimeError(
        "CREATORAUDIT_API_KEY is not set: set it, or set CREATORSDK_USE_FAKE=1 to serve the "
        "embedded fake API"
    )


#: The most one request to this app may spend on the API, waits for its rate limit included.
#: Past it the route answers 503 with the upstream Retry-After instead of holding the caller
#: (and a worker) for as long as the API's 429s last.
REQUEST_DEADLINE = float(os.environ.get("CREATORSDK_REQUEST_DEADLINE", "5"))


def get_client(request: Request) -> AsyncCreatorAudit:
    """Dependency: the one client the lifespan created, seen through the per-request budget
    (a view that shares its pool, limit and pacer)."""
    client: AsyncCreatorAudit = request.app.state.creatoraudit_per_request
    return client


Client = Annotated[AsyncCreatorAudit, Depends(get_client)]


def as_json(model: Any) -> dict[str, Any]:
    """A model as JSON-ready data, without the ``extra`` bag."""
    data: dict[str, Any] = attrs.asdict(model, filter=lambda a, _: a.name != "extra")
    return data


def problem(status: int, title: str, detail: str, **fields: Any) -> JSONResponse:
    """An RFC 9457 ``application/problem+json`` response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **fields}
    headers = {}
    if fields.get("upstream_request_id"):
        headers["X-Upstream-Request-ID"] = fields["upstream_request_id"]
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


# The caller's mistakes (a bad cursor, an unknown id) keep their status; trouble between this
# service and the API (our key, an outage) is a 502, and the API's rate limit a 503 to retry.
_PASS_THROUGH = frozenset({400, 404, 409, 422})


def upstream_problem(error: errors.CreatorSDKError) -> JSONResponse:
    """Any SDK error as problem+json, with the upstream status, code and request id."""
    if isinstance(error, errors.BatchError) and error.failures:
        first = error.failures[0].error
        if isinstance(first, errors.CreatorSDKError):
            return upstream_problem(first)
    if isinstance(error, errors.APIError):
        if error.status in _PASS_THROUGH:
            status = error.status
        elif isinstance(error, errors.RateLimitError):
            status = 503
        else:
            status = 502
        response = problem(
            status,
            error.title or "Upstream error",
            error.detail or str(error),
            code=error.code,
            upstream_status=error.status,
            upstream_request_id=error.request_id,
        )
        if status == 503 and error.retry_after is not None:
            response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return response
    if isinstance(error, errors.APITimeoutError) and error.bound == "deadline":
        # The request's budget ran out (the API's rate limit held it): busy, try again.
        return problem(503, "Upstream busy", str(error))
    return problem(
        502,
        "Upstream unavailable",
        str(error),
        upstream_request_id=getattr(error, "request_id", None),
    )


class InvalidArgument(Exception):
    """A query parameter the SDK refused before sending it (too long, malformed): a 422."""


def create_app(
    make_client: Callable[[Budget | None], AsyncCreatorAudit] = client_from_env,
) -> FastAPI:
    """The app; ``make_client`` builds the shared client at startup from the budget the
    environment names (tests pass a fake's)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with budget_from_env() as budget, make_client(budget) as client:
            app.state.creatoraudit = client
            app.state.creatoraudit_per_request = client.with_options(deadline=REQUEST_DEADLINE)
            yield

    app = FastAPI(title="creatorsdk FastAPI example", lifespan=lifespan)

    @app.get("/accounts")
    async def list_accounts(
        ca: Client,
        cursor: Annotated[str | None, Query(min_length=1)] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        platform: Literal["instagram", "tiktok"] | None = None,
    ) -> dict[str, Any]:
        """One page of accounts; pass ``next_cursor`` back as ``cursor`` for the next."""
        try:
            pager = ca.accounts.list(platform=platform, limit=limit, cursor=cursor)
            async with contextlib.aclosing(pager.pages()) as pages:
                page = await anext(pages)
        except ValueError as error:  # the SDK refuses a bad argument before sending it
            raise InvalidArgument(str(error)) from error
        return {
            "data": [as_json(a) for a in page.items],
            "next_cursor": page.next_cursor if page.has_next else None,
            "has_next": page.has_next,
        }

    @app.get("/breakouts")
    async def breakouts(
        ca: Client,
        window: Annotated[int, Query(ge=1, le=365)] = 7,
        top: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        """The fastest-growing videos over ``window`` days (videos without history skipped)."""
        ranked = await find_breakouts(ca, window=window, top=top)
        return {
            "window": window,
            "data": [
                {
                    "video_id": b.video.id,
                    "account_username": b.video.account_username,
                    "description": b.video.description,
                    "views_gained": b.views_gained,
                }
                for b in ranked
            ],
        }

    @app.get("/overview")
    async def overview(ca: Client, period: Literal["7d", "30d", "90d"] = "7d") -> dict[str, Any]:
        """Org-wide headline numbers with period-over-period change."""
        return {"data": as_json(await ca.overview(period=period))}

    @app.exception_handler(errors.CreatorSDKError)
    async def sdk_error(_: Request, error: errors.CreatorSDKError) -> JSONResponse:
        return upstream_problem(error)

    @app.exception_handler(InvalidArgument)
    async def invalid_argument(_: Request, error: InvalidArgument) -> JSONResponse:
        return problem(422, "Invalid request", str(error))

    @app.exception_handler(RequestValidationError)
    async def bad_query(_: Request, error: RequestValidationError) -> JSONResponse:
        # Same problem+json shape for the caller's own bad parameters.
        fields = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in error.errors()
        ]
        return problem(422, "Invalid request", "some parameters are invalid", errors=fields)

    return app


app = create_app()
