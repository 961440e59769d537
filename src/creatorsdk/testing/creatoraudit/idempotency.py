"""``Idempotency-Key`` on creates: the first response again for a retry, within 10 minutes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from starlette.responses import Response

from creatorsdk.testing._clock import Clock
from creatorsdk.testing.creatoraudit.problems import validation

__all__ = ["IdempotencyCache"]

#: How long a key is remembered, in seconds of the fake's clock.
TTL = 600.0


@dataclasses.dataclass(frozen=True)
class _Stored:
    at: float
    fingerprint: tuple[str, str, bytes]
    status: int
    body: bytes
    headers: dict[str, str]


class IdempotencyCache:
    """Remembers successful creates by ``(API key, Idempotency-Key)``.

    A repeat with the same method, path and body within :data:`TTL` seconds gets the stored
    response (same status, same body); a repeat with anything else is a 422
    ``VALIDATION_ERROR``. Failed creates are not stored: repeating them fails the same way.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str], _Stored] = {}

    def run(
        self,
        owner: str,
        key: str | None,
        fingerprint: tuple[str, str, bytes],
        create: Callable[[], Response],
    ) -> Response:
        """Answer with the stored response for ``key``, or call ``create`` and store its answer."""
        if key is None:
            return create()
        if not 1 <= len(key) <= 255:
            raise validation([("Idempotency-Key", "must be 1-255 characters long")])
        now = self._clock()
        stored = self._entries.get((owner, key))
        if stored is not None and now - stored.at < TTL:
            if stored.fingerprint != fingerprint:
                raise validation(
                    [("Idempotency-Key", "was already used with a different request")],
                    "This Idempotency-Key was used for a different request in the last 10 min.",
                )
            return Response(stored.body, stored.status, stored.headers)
        response = create()
        if 200 <= response.status_code < 300:
            headers = {"content-type": response.headers.get("content-type", "application/json")}
            if "location" in response.headers:
                headers["location"] = response.headers["location"]
            self._entries[(owner, key)] = _Stored(
                now, fingerprint, response.status_code, bytes(response.body), headers
            )
        return response
