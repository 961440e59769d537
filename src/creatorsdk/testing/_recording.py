"""What a fake received: one :class:`RecordedRequest` per request, in arrival order."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import parse_qs

from starlette.types import Scope

__all__ = ["RecordedRequest", "Recorder"]


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake saw it on arrival.

    ``path`` is the full request path (``/v2/accounts``); ``query`` maps each parameter to all
    its values; ``body`` is the parsed JSON body, or ``None`` when there was none or it was not
    JSON; ``headers`` has lowercase names and never the ``Authorization`` header; ``arrived_at``
    is the fake's clock on arrival; ``in_flight`` counts the requests being served at that
    moment, this one included.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]
    arrived_at: float
    in_flight: int


class Recorder:
    """Keeps the requests and how many are in flight; one per fake."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def arrive(self, scope: Scope, body: bytes, now: float) -> RecordedRequest:
        """Record a request that has just arrived; pair every call with :meth:`depart`."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            if name == "authorization":
                continue  # the key must never end up in a test's output or a log
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        recorded = RecordedRequest(
            method=scope["method"],
            path=scope["path"],
            query=parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True),
            body=_json_or_none(body),
            headers=headers,
            arrived_at=now,
            in_flight=self.in_flight,
        )
        self.requests.append(recorded)
        return recorded

    def depart(self) -> None:
        """A request has been answered (or dropped)."""
        self.in_flight -= 1

    def reset(self) -> None:
        """Forget the recorded requests; the in-flight peak restarts from what is in flight now."""
        self.requests.clear()
        self.max_in_flight = self.in_flight


def _json_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
