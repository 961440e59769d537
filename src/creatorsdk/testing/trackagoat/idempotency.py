"""trackagoat's ``Idempotency-Key`` (section 1.6): the same key on the same route within 24 hours
gets the first response again, whatever the body (section 11); on another route it is a 409."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._idempotency import IdempotencyCache
from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import ApiError

__all__ = ["TTL", "idempotency_cache", "idempotent_create"]

#: How long a key is remembered, in seconds of the fake's clock.
TTL = 24 * 3600.0


def idempotency_cache(clock: Clock) -> IdempotencyCache:
    """The cache of trackagoat's creates; a replay says so in ``Idempotent-Replayed``."""
    return IdempotencyCache(
        clock,
        ttl=TTL,
        malformed=lambda: ApiError(
            400, "invalid_params", "Idempotency-Key must be 1-255 characters."
        ),
        reused=lambda: ApiError(
            409,
            "idempotency_key_reused",
            "This Idempotency-Key was already used on a different route.",
        ),
        replay_headers={"Idempotent-Replayed": "true"},
    )


def idempotent_create(request: Request, create: Callable[[], Response]) -> Response:
    """Run a create under the request's ``Idempotency-Key``, scoped to its API key and route."""
    ctx = context(request)
    owner = ctx.key.secret if ctx.key is not None else ""
    key = request.headers.get("idempotency-key")
    return ctx.state.idempotency.run(owner, key, (request.method, request.url.path), create)
