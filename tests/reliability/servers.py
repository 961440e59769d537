"""Hostile HTTP servers on 127.0.0.1: scripted raw responses a real backend or proxy might send.

:func:`raw_server` serves one :data:`Script` per request path over real TCP, so the client's
whole stack (httpx, httpcore, h11, the SDK's reader) meets the bytes exactly as written: a
body trickled a byte at a time, a header line that never ends, a 2 GB ``Content-Length``, an
endless chunked body, a gzip bomb. Each script writes until it is done or the client hangs up.
Works on asyncio and trio (anyio sockets).
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
from anyio.abc import SocketAttribute
from anyio.streams.tls import TLSListener

__all__ = [
    "JSON_15_BYTES",
    "Script",
    "Served",
    "answer",
    "declared_huge",
    "endless_chunked",
    "endless_gzip",
    "gzip_bytes",
    "raw_server",
    "reraise",
    "trickled_body",
    "trickled_header",
]

#: The 15-byte JSON body of the issue's trickle scenario.
JSON_15_BYTES = b'{"data": "abc"}'
assert len(JSON_15_BYTES) == 15

#: One write of zeros or JSON filler: big enough to be fast, reused so the server stays small.
_BLOCK = b" " * 65536

Script = Callable[[anyio.abc.SocketStream], Awaitable[None]]


class Served:
    """What a running :func:`raw_server` exposes: its base URL and the request heads it read."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/v2"
        self.heads: list[bytes] = []
        self.arrived = anyio.Event()

    def paths(self) -> list[str]:
        """The path of every request received, in order."""
        return [head.split(b" ", 2)[1].decode() for head in self.heads]


@contextlib.asynccontextmanager
async def raw_server(scripts: Mapping[str, Script]) -> AsyncIterator[Served]:
    """Serve ``scripts`` (keyed by the path after ``/v2``) on an ephemeral loopback port."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    served = Served(listener.extra(SocketAttribute.local_port))

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            head = await _read_head(stream)
            if head is None:
                return
            served.heads.append(head)
            served.arrived.set()
            path = head.split(b" ", 2)[1].decode().split("?", 1)[0].removeprefix("/v2")
            script = scripts.get(path, _not_found)
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await script(stream)

    async with _serving(listener, handle):
        yield served


@contextlib.asynccontextmanager
async def _serving(
    listener: anyio.abc.Listener[Any], handle: Callable[[Any], Awaitable[None]]
) -> AsyncIterator[None]:
    """Serve ``handle`` on ``listener`` while the block runs; then close it (cancelling
    ``serve()`` alone leaves its socket to the garbage collector)."""
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, handle)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


#: A self-signed certificate for 127.0.0.1, made for 100 years; no client trusts it.
CERT = Path(__file__).parent / "data" / "selfsigned-127.0.0.1.pem"


class ServedOverTLS:
    """What a running :func:`tls_server` exposes: its base URL and the bytes each
    connection sent once its handshake was done."""

    def __init__(self, port: int) -> None:
        self.base_url = f"https://127.0.0.1:{port}/v2"
        self.received: list[bytes] = []


@contextlib.asynccontextmanager
async def tls_server(body: bytes) -> AsyncIterator[ServedOverTLS]:
    """Serve ``body`` as a 200 JSON answer over TLS with :data:`CERT`, on a loopback port.

    anyio logs each refused handshake at ERROR; the refusal is what the tests want, so
    that logger is off while it serves.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERT)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    served = ServedOverTLS(listener.extra(SocketAttribute.local_port))
    tls = TLSListener(listener, context, standard_compatible=False)

    async def handle(stream: anyio.abc.ByteStream) -> None:
        async with stream:
            served.received.append(await stream.receive())
            await stream.send(
                _head("200 OK", {"content-type": "application/json", "content-length": len(body)})
                + body
            )

    logger = logging.getLogger("anyio.streams.tls")
    logger.disabled = True
    try:
        async with _serving(tls, handle):
            yield served
    finally:
        logger.disabled = False


async def _read_head(stream: anyio.abc.SocketStream) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            data += await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            return None
    return data.split(b"\r\n\r\n", 1)[0]


async def _not_found(stream: anyio.abc.SocketStream) -> None:
    await stream.send(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")


def answer(
    body: bytes,
    *,
    status: str = "200 OK",
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json",
) -> Script:
    """A plain, complete response with ``body`` (headers added verbatim)."""
    fields = {"content-type": content_type, "content-length": str(len(body)), **(headers or {})}
    head = _head(status, fields)

    async def script(stream: anyio.abc.SocketStream) -> None:
        await stream.send(head + body)

    return script


def trickled_body(body: bytes, every: float) -> Script:
    """Headers at once, then ``body`` one byte every ``every`` seconds."""
    head = _head("200 OK", {"content-type": "application/json", "content-length": str(len(body))})

    async def script(stream: anyio.abc.SocketStream) -> None:
        await stream.send(head)
        for index in range(len(body)):
            await anyio.sleep(every)
            await stream.send(body[index : index + 1])

    return script


def trickled_header(every: float) -> Script:
    """A status line, then a header line one byte every ``every`` seconds, never finished."""

    async def script(stream: anyio.abc.SocketStream) -> None:
        await stream.send(b"HTTP/1.1 200 OK\r\n")
        for byte in b"x-slow: " + b"a" * 10_000:
            await anyio.sleep(every)
            await stream.send(bytes([byte]))

    return script


def declared_huge(size: int = 2 * 1024**3) -> Script:
    """A ``Content-Length`` of ``size`` bytes (2 GB by default), sent until the client leaves."""
    head = _head("200 OK", {"content-type": "application/json", "content-length": str(size)})

    async def script(stream: anyio.abc.SocketStream) -> None:
        await stream.send(head + b'{"data": "')
        sent = 0
        while sent < size:
            await stream.send(_BLOCK)
            sent += len(_BLOCK)

    return script


def endless_chunked() -> Script:
    """``Transfer-Encoding: chunked`` with no last chunk: the body never ends."""
    head = _head("200 OK", {"content-type": "application/json", "transfer-encoding": "chunked"})
    chunk = f"{len(_BLOCK):x}\r\n".encode() + _BLOCK + b"\r\n"

    async def script(stream: anyio.abc.SocketStream) -> None:
        await stream.send(head + b'a\r\n{"data": "\r\n')
        while True:
            await stream.send(chunk)

    return script


def endless_gzip(status: str = "200 OK") -> Script:
    """A gzip bomb: ``Content-Encoding: gzip`` over an endless stream of compressed spaces.

    Each chunk sent (about 4 KB) inflates to 4 MiB; the stream is made on the fly, so the
    server never holds more than one chunk.
    """
    head = _head(
        status,
        {
            "content-type": "application/json",
            "content-encoding": "gzip",
            "transfer-encoding": "chunked",
        },
    )

    async def script(stream: anyio.abc.SocketStream) -> None:
        deflate = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        await stream.send(head)
        pending = deflate.compress(b'{"data": "')
        while True:
            for _ in range(64):
                pending += deflate.compress(_BLOCK)
            pending += deflate.flush(zlib.Z_SYNC_FLUSH)
            await stream.send(f"{len(pending):x}\r\n".encode() + pending + b"\r\n")
            pending = b""

    return script


def gzip_bytes(data: bytes, layers: int = 1) -> bytes:
    """``data`` gzipped ``layers`` times over."""
    for _ in range(layers):
        deflate = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        data = deflate.compress(data) + deflate.flush()
    return data


def reraise(error: BaseException) -> None:
    """Raise ``error`` (run in a process pool worker: the error crosses it both ways)."""
    raise error


def _head(status: str, fields: Mapping[str, Any]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in fields.items()), "connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
