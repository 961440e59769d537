"""What the routes share: the fake's state, and each request's context."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request

from creatorsdk.testing._faults import FaultTicket
from creatorsdk.testing._ratelimit import Limiter
from creatorsdk.testing.creatoraudit.idempotency import IdempotencyCache
from creatorsdk.testing.creatoraudit.paging import Lister
from creatorsdk.testing.creatoraudit.store import Store

__all__ = ["CONTEXT_KEY", "ApiKey", "ApiState", "RequestContext", "context"]

#: The ASGI scope key holding each request's :class:`RequestContext`.
CONTEXT_KEY = "creatoraudit.context"


@dataclasses.dataclass
class ApiKey:
    """One API key of the organization."""

    secret: str
    name: str
    scopes: frozenset[str]
    enabled: bool = True


@dataclasses.dataclass
class ApiState:
    """Everything the routes read and change, for one fake."""

    store: Store
    organization_id: str
    keys: dict[str, ApiKey]
    limiter: Limiter | None
    idempotency: IdempotencyCache
    lister: Lister
    account_quota: int | None = None


@dataclasses.dataclass
class RequestContext:
    """One request as the gateway admitted it."""

    request_id: str
    state: ApiState
    key: ApiKey | None = None
    body: Any = None
    fault: FaultTicket | None = None
    rate_headers: dict[str, str] = dataclasses.field(default_factory=dict)


def context(request: Request) -> RequestContext:
    """The context the gateway attached to ``request``."""
    ctx: RequestContext = request.scope[CONTEXT_KEY]
    return ctx
