"""What a route reaches through its request: the request's context, and through it the fake's
state (keys, plan limits and counters, idempotency, the store)."""

from __future__ import annotations

import dataclasses

from starlette.requests import Request

from creatorsdk.testing import _gateway
from creatorsdk.testing._gateway import CONTEXT_KEY
from creatorsdk.testing._idempotency import IdempotencyCache
from creatorsdk.testing.trackagoat.annotations import AnnotationBook
from creatorsdk.testing.trackagoat.payouts import PayoutLedger
from creatorsdk.testing.trackagoat.plans import DailyCounter, SlidingWindow
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["ApiKey", "ApiState", "RequestContext", "context"]


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
    payouts: PayoutLedger
    annotations: AnnotationBook

    def limit(self, key: str) -> int | None:
        """A plan limit; ``None`` is unlimited."""
        return self.limits[key]


@dataclasses.dataclass
class RequestContext(_gateway.RequestContext[ApiState, ApiKey]):
    """One request as the gateway admitted it."""


def context(request: Request) -> RequestContext:
    """The context the gateway attached to ``request``."""
    ctx: RequestContext = request.scope[CONTEXT_KEY]
    return ctx
