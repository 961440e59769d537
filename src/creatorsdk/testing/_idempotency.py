"""``Idempotency-Key`` on creates: a retry within the key's lifetime gets the first answer again.

Both fakes remember successful creates by ``(API key, Idempotency-Key)`` here; each API says
how long a key lives, what makes a repeat "the same request" (the fingerprint it passes), which
errors it answers a malformed or reused key with, and what headers mark a replay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping

from starlette.responses import Response

from creatorsdk.testing._clock import Clock

__all__ = ["IdempotencyCache"]


@dataclasses.dataclass(frozen=True)
class _Stored:
    at: float
    fingerprint: Hashable
    status: int
    body: bytes
    headers: dict[str, str]


class IdempotencyCache:
    """Remembers successful creates by ``(API key, Idempotency-Key)`` for ``ttl`` seconds.

    A repeat with the same fingerprint within ``ttl`` gets the stored response (same status,
    body, content type and ``Location``, plus ``replay_headers``); a repeat with another
    fingerprint raises ``reused()``; a key outside 1-255 characters raises ``malformed()``.
    Failed creates are not stored: repeating one runs it again.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        ttl: float,
        malformed: Callable[[], Exception],
        reused: Callable[[], Exception],
        replay_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.ttl = ttl
        self.replays = 0
        self._clock = clock
        self._malformed = malformed
        self._reused = reused
        self._replay_headers = dict(replay_headers or {})
        self._entries: dict[tuple[str, str], _Stored] = {}

    def run(
        self,
        owner: str,
        key: str | None,
        fingerprint: Hashable,
        create: Callable[[], Response],
    ) -> Response:
        """Answer with the stored response for ``key``, or call ``create`` and store its answer."""
        if key is None:
            return create()
        if not 1 <= len(key) <= 255:
            raise self._malformed()
        now = self._clock()
        stored = self._entries.get((owner, key))
        if stored is not None and now - stored.at < self.ttl:
            if stored.fingerprint != fingerprint:
                raise self._reused()
            self.replays += 1
            headers = {**stored.headers, **self._replay_headers}
            return Response(stored.body, stored.status, headers)
        response = create()
        if 200 <= response.status_code < 300:
            kept = {"content-type": response.headers.get("content-type", "application/json")}
            if "location" in response.headers:
                kept["location"] = response.headers["location"]
            self._entries[(owner, key)] = _Stored(
                now, fingerprint, response.status_code, bytes(response.body), kept
            )
        return response
