"""CreatorAudit's ``Idempotency-Key``: a repeat of the same create within 10 minutes gets the first
response again; the key bound to another method, path or body is a 422."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._idempotency import IdempotencyCache
from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.errors import validation

__all__ = ["TTL", "idempotency_cache", "idempotent_create"]

#: How long a key is remembered, in seconds of the fake's clock.
TTL = 600.0


def idempotency_cache(clock: Clock) -> IdempotencyCache:
    """The cache of CreatorAudit's creates (failed creates are not stored)."""
    return IdempotencyCache(
        clock,
        ttl=TTL,
        malformed=lambda: validation([("Idempotency-Key", "must be 1-255 characters long")]),
        reused=lambda: validation(
            [("Idempotency-Key", "was already used with a different request")],
            "This Idempotency-Key was used for a different request in the last 10 min.",
        ),
    )


def idempotent_create(request: Request, create: Callable[[], Response]) -> Response:
    """Run a create under the request's ``Idempotency-Key`` (if it has one)."""
    ctx = context(request)
    body = json.dumps(ctx.body, sort_keys=True, separators=(",", ":")).encode()
    fingerprint = (request.method, request.url.path, body)
    owner = ctx.key.secret if ctx.key is not None else ""
    key = request.headers.get("idempotency-key")
    return ctx.state.idempotency.run(owner, key, fingerprint, create)
