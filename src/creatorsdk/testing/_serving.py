"""Two ways to reach a fake: an in-process httpx transport, and real HTTP on loopback."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator

import anyio
import httpx
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from creatorsdk.testing._faults import ConnectionDropped

__all__ = ["InProcessTransport", "serve_app"]

# uvicorn logs this at ERROR whenever an app ends without finishing its response, which is
# exactly how a fake drops a connection on purpose; nothing else is filtered.
_DROP_LOG_MESSAGE = "ASGI callable returned without completing response."


class InProcessTransport(httpx.AsyncBaseTransport):
    """Serves requests by calling the ASGI app in the caller's task, with no sockets.

    A dropped connection surfaces as :class:`httpx.RemoteProtocolError`, and the request's
    read timeout (from the client) is enforced around the whole exchange, so slow responses
    time out as they would on the network.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            with anyio.fail_after(timeout):
                return await self._asgi.handle_async_request(request)
        except ConnectionDropped as error:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from error
        except TimeoutError as error:
            raise httpx.ReadTimeout(f"no response within {timeout} s", request=request) from error

    async def aclose(self) -> None:
        await self._asgi.aclose()


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the program embedding it."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = anyio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _HideIntentionalDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_LOG_MESSAGE


def _dropping_connections(app: ASGIApp) -> ASGIApp:
    """Turns :class:`ConnectionDropped` into a connection closed in the middle of a response."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        except ConnectionDropped:
            # ASGI cannot close a socket directly; promising a body and ending without it
            # makes uvicorn close the connection, and the client sees an incomplete message.
            headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})

    return wrapped


@contextlib.asynccontextmanager
async def serve_app(
    app: ASGIApp, *, prefix: str = "", host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn until the block exits; yields the base URL with its real port.

    ``port=0`` lets uvicorn bind an ephemeral port itself (so the socket keeps ``TCP_NODELAY``).
    Runs on asyncio, as uvicorn does.
    """
    config = uvicorn.Config(
        _dropping_connections(app),
        host=host,
        port=port,
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        # The fakes date their answers by their own clock (their resets are on it too);
        # uvicorn's Date, by the host's, would be a second one.
        date_header=False,
        timeout_graceful_shutdown=5,
    )
    server = _EmbeddedServer(config)
    hide = _HideIntentionalDrops()
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.addFilter(hide)
    stopped = anyio.Event()
    failure: Exception | None = None
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_run, server, host, port, stopped)
            await server.ready.wait()
            bound_port = server.servers[0].sockets[0].getsockname()[1]
            try:
                yield f"http://{host}:{bound_port}{prefix}"
            except Exception as error:
                # Raised again below, as itself rather than wrapped in an ExceptionGroup.
                failure = error
            finally:
                # Let uvicorn close its sockets even when the block failed or was cancelled;
                # cancelling serve() instead would leak the listening socket.
                server.should_exit = True
                with anyio.CancelScope(shield=True):
                    await stopped.wait()
    finally:
        uvicorn_log.removeFilter(hide)
    if failure is not None:
        raise failure


async def _run(server: uvicorn.Server, host: str, port: int, stopped: anyio.Event) -> None:
    try:
        await server.serve()
    except SystemExit as error:
        # uvicorn exits the process when it cannot bind; an embedded server raises instead.
        raise OSError(f"could not serve on {host}:{port} (see the uvicorn log)") from error
    finally:
        stopped.set()
