"""What the routes share: the fake's state, and each request's context."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._faults import FaultTicket
from creatorsdk.testing.trackagoat.idempotency import IdempotencyCache
from creatorsdk.testing.trackagoat.plans import DailyCounter, SlidingWindow
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["CONTEXT_KEY", "ApiKey", "ApiState", "RequestContext", "context", "idempotent"]

#: The ASGI scope key holding each request's :class:`RequestContext`.
CONTEXT_KEY = "trackagoat.context"


@dataclasses.dataclass
class ApiKey:
    """One API key of the organization; a revoked key gets 401 like an unknown one."""

    secret: str
    name: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclasses.dataclass
class ApiState:
    """Everything the routes read and change, for one fake."""

    store: Store
    org_id: str
    plan: str
    limits: dict[str, int | None]
    keys: dict[str, ApiKey]
    window: SlidingWindow | None
    api_requests: DailyCounter
    manual_scrapes: DailyCounter
    idempotency: IdempotencyCache

    def limit(self, key: str) -> int | None:
        """A plan limit; ``None`` is unlimited."""
        return self.limits[key]


@dataclasses.dataclass
class RequestContext:
    """One request as the gateway admitted it."""

    request_id: str
    state: ApiState
    key: ApiKey | None = None
    body: Any = None
    fault: FaultTicket | None = None


def context(request: Request) -> RequestContext:
    """The context the gateway attached to ``request``."""
    ctx: RequestContext = request.scope[CONTEXT_KEY]
    return ctx


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    """Run a create under the request's ``Idempotency-Key``, scoped to its API key and route."""
    ctx = context(request)
    owner = ctx.key.secret if ctx.key is not None else ""
    key = request.headers.get("idempotency-key")
    return ctx.state.idempotency.run(owner, key, (request.method, request.url.path), create)
