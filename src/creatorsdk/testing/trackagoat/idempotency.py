"""``Idempotency-Key`` on creates: the first response again for 24 hours (section 1.6)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from starlette.responses import Response

from creatorsdk.testing._clock import Clock
from creatorsdk.testing.trackagoat.envelope import ApiError

__all__ = ["TTL", "IdempotencyCache"]

#: How long a key is remembered, in seconds of the fake's clock.
TTL = 24 * 3600.0


@dataclasses.dataclass(frozen=True)
class _Stored:
    at: float
    route: tuple[str, str]
    status: int
    body: bytes


class IdempotencyCache:
    """Remembers successful creates by ``(API key, Idempotency-Key)``.

    The same key on the same route (method and path) within :data:`TTL` gets the stored
    response, whatever the body (section 11); on another route it is a 409
    ``idempotency_key_reused``. Failed creates are not stored, so repeating one runs it again.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str], _Stored] = {}
        self.replays = 0

    def run(
        self, owner: str, key: str | None, route: tuple[str, str], create: Callable[[], Response]
    ) -> Response:
        """Answer with the stored response for ``key``, or call ``create`` and store its answer."""
        if key is None:
            return create()
        if not 1 <= len(key) <= 255:
            raise ApiError(400, "invalid_params", "Idempotency-Key must be 1-255 characters.")
        now = self._clock()
        stored = self._entries.get((owner, key))
        if stored is not None and now - stored.at < TTL:
            if stored.route != route:
                raise ApiError(
                    409,
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used on a different route.",
                )
            self.replays += 1
            return Response(
                stored.body,
                stored.status,
                headers={"Idempotent-Replayed": "true"},
                media_type="application/json",
            )
        response = create()
        if 200 <= response.status_code < 300:
            self._entries[(owner, key)] = _Stored(
                now, route, response.status_code, bytes(response.body)
            )
        return response
