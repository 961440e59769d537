"""The outermost layer of every fake: recording, latency and transport-level faults.

It wraps the API's own ASGI app and knows nothing of its routes or error format. Per request it
records the arrival, draws the request's fault (in arrival order, before any waiting), waits the
configured latency, then either answers for the API (a proxy's HTML 502), drops the connection
(by raising :class:`ConnectionDropped` for the serving layer to turn into a real drop), or
passes the request on, buffering the response when it has to be cut short or thrown away.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Callable

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._faults import (
    FAULT_SCOPE_KEY,
    HTML_502_BODY,
    ConnectionDropped,
    FaultInjector,
    FaultTicket,
)
from creatorsdk.testing._recording import Recorder

__all__ = ["HarnessMiddleware", "read_body"]

#: Maps a request path to the path after the API prefix when faults may hit it, else ``None``.
FaultScope = Callable[[str], str | None]


class HarnessMiddleware:
    """Wraps an API's ASGI app with recording, seeded latency and transport-level faults."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        recorder: Recorder,
        injector: FaultInjector,
        clock: Clock,
        fault_scope: FaultScope,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        seed: int = 0,
    ) -> None:
        if latency < 0 or latency_jitter < 0:
            raise ValueError("latency and latency_jitter must be >= 0 seconds")
        self.app = app
        self._recorder = recorder
        self._injector = injector
        self._clock = clock
        self._fault_scope = fault_scope
        self._latency = latency
        self._jitter = latency_jitter
        self._rng = random.Random(f"latency:{seed}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        self._recorder.arrive(scope, body, self._clock())
        try:
            await self._serve(scope, _replaying(body, receive), self._dating(send))
        finally:
            self._recorder.depart()

    def _dating(self, send: Send) -> Send:
        """``send``, with every answer dated by the fake's own clock, as a server dates its
        answers by its clock (its rate-limit resets are on that clock too)."""

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"date" for name, _ in headers):
                    headers.append((b"date", _http_date(self._clock())))
                message = {**message, "headers": headers}
            await send(message)

        return dated

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        api_path = self._fault_scope(scope["path"])
        ticket = self._injector.draw(api_path) if api_path is not None else None
        delay = self._latency + (self._rng.uniform(0.0, self._jitter) if self._jitter else 0.0)
        if delay > 0:
            await anyio.sleep(delay)
        if ticket is None:
            await self.app(scope, receive, send)
            return
        kind = ticket.kind
        if kind == "slow":
            ticket.applied()
            await anyio.sleep(self._injector.plan.slow_seconds)
        elif kind == "html_502":
            ticket.applied()
            await _send(send, 502, [(b"content-type", b"text/html")], HTML_502_BODY)
            return
        elif kind == "drop_before_commit":
            ticket.applied()
            raise ConnectionDropped("dropped before the request was applied")
        scope[FAULT_SCOPE_KEY] = ticket
        if kind in ("truncated_body", "drop_after_commit"):
            await self._serve_damaged(ticket, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _serve_damaged(
        self, ticket: FaultTicket, scope: Scope, receive: Receive, send: Send
    ) -> None:
        status, headers, body = await _run_buffered(self.app, scope, receive)
        if ticket.kind == "drop_after_commit":
            ticket.applied()
            raise ConnectionDropped("dropped after the request was applied")
        if 200 <= status < 300 and len(body) >= 2:
            ticket.applied()
            body = body[: len(body) // 2]
        await _send(send, status, headers, body)


def _http_date(now: float) -> bytes:
    """``now`` as an HTTP ``Date`` (whole seconds, GMT)."""
    return email.utils.formatdate(math.floor(now), usegmt=True).encode()


async def read_body(receive: Receive) -> bytes:
    """The whole request body, however many messages it arrives in."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the already-read body over once, then defers to the server."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _run_buffered(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return status, headers, b"".join(chunks)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    # Content-Length always matches the body actually sent: a truncated body is complete HTTP.
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _answer_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
