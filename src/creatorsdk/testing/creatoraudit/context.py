"""What a route reaches through its request: the request's context, and through it the fake's
state (keys, limits, idempotency, the store)."""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from creatorsdk.testing import _gateway
from creatorsdk.testing._gateway import CONTEXT_KEY
from creatorsdk.testing._idempotency import IdempotencyCache
from creatorsdk.testing._ratelimit import Limiter
from creatorsdk.testing.creatoraudit.paging import Lister
from creatorsdk.testing.creatoraudit.store import Store

__all__ = ["ApiKey", "ApiState", "RequestContext", "context"]


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
class RequestContext(_gateway.RequestContext[ApiState, ApiKey]):
    """One request as the gateway admitted it, with the rate-limit headers of its answer."""

    rate_headers: dict[str, str] = dataclasses.field(default_factory=dict)


def context(request: Request) -> RequestContext:
    """The context the gateway attached to ``request``."""
    ctx: RequestContext = request.scope[CONTEXT_KEY]
    return ctx
