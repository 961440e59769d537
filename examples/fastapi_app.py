"""A FastAPI backend that embeds one shared AsyncCreatorAudit.

    CREATORAUDIT_API_KEY=... uvicorn fastapi_app:app --app-dir examples
    CREATORSDK_USE_FAKE=1 uvicorn fastapi_app:app --app-dir examples   # against the fake

The client is built once in the lifespan (its connection pool, concurrency limit and rate
pacer are shared by every request) and handed to routes by a dependency. SDK errors become
problem+json responses that carry the upstream request id.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

import attrs
from breakouts import find_breakouts
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from creatorsdk import AsyncCreatorAudit, errors


def build_client() -> AsyncCreatorAudit:
    """The shared client: the real API, or the fake when ``CREATORSDK_USE_FAKE=1``.

    Without a key and without that switch, startup fails with a clear message instead of
    serving routes that would all fail.
    """
    if os.environ.get("CREATORAUDIT_API_KEY"):
        return AsyncCreatorAudit()
    if os.environ.get("CREATORSDK_USE_FAKE") == "1":
        from creatorsdk.testing import FakeCreatorAudit

        fake = FakeCreatorAudit(seed=1, accounts=60, tracked_videos=40)
        return AsyncCreatorAudit(
            api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport()
        )
    raise RuntimeError(
        "CREATORAUDIT_API_KEY is not set; set it, or set CREATORSDK_USE_FAKE=1 to serve the "
        "embedded fake API"
    )


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the one client at startup and close it at shutdown."""
    async with build_client() as client:
        app.state.creatoraudit = client
        yield


app = FastAPI(title="creatorsdk FastAPI example", lifespan=lifespan)


def get_client(request: Request) -> AsyncCreatorAudit:
    """Dependency: the shared client."""
    client: AsyncCreatorAudit = request.app.state.creatoraudit
    return client


Client = Annotated[AsyncCreatorAudit, Depends(get_client)]


def as_json(model: Any) -> dict[str, Any]:
    """A model as JSON-ready data, without the ``extra`` bag."""
    data: dict[str, Any] = attrs.asdict(model, filter=lambda a, _: a.name != "extra")
    return data


@app.get("/accounts")
async def list_accounts(
    ca: Client,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    platform: str | None = None,
) -> dict[str, Any]:
    """One page of accounts; pass ``next_cursor`` back as ``cursor`` for the next."""
    pager = ca.accounts.list(platform=platform, limit=limit, cursor=cursor)
    async with contextlib.aclosing(pager.pages()) as pages:
        page = await anext(pages)
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
    """The fastest-growing videos over ``window`` days."""
    ranked = await find_breakouts(ca, window=window, top=top)
    return {
        "window": window,
        "data": [
            {
                "video_id": b.video.id,
                "account_username": b.video.account_username,
                "views_gained": b.views_gained,
            }
            for b in ranked
        ],
    }


@app.get("/overview")
async def overview(ca: Client, period: str = "7d") -> dict[str, Any]:
    """Org-wide headline numbers with period-over-period change."""
    return {"data": as_json(await ca.overview(period=period))}


def problem(status: int, title: str, detail: str, **fields: Any) -> JSONResponse:
    """An RFC 9457 problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **fields}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


# The caller's mistakes pass through with their status; upstream trouble (our key, our rate
# limit, their outage) is a 502 from this service's point of view.
_PASS_THROUGH = frozenset({400, 404, 409, 422})


@app.exception_handler(errors.APIError)
async def upstream_error(_: Request, error: errors.APIError) -> JSONResponse:
    """SDK API errors → problem+json carrying the upstream code and request id."""
    status = error.status if error.status in _PASS_THROUGH else 502
    return problem(
        status,
        error.title or "Upstream error",
        error.detail or str(error),
        code=error.code,
        upstream_status=error.status,
        upstream_request_id=error.request_id,
    )


@app.exception_handler(errors.CreatorSDKError)
async def sdk_error(_: Request, error: errors.CreatorSDKError) -> JSONResponse:
    """Connection failures, batch failures and undecodable bodies → 502."""
    return problem(502, "Upstream unavailable", str(error))


@app.exception_handler(ValueError)
async def bad_argument(_: Request, error: ValueError) -> JSONResponse:
    """The SDK refused an argument before sending it: the caller's input was bad."""
    return problem(422, "Invalid argument", str(error))
