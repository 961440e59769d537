"""One attempt on the wire, bounded in time and in size, whatever the server's pace.

:func:`exchange` sends a request and reads its whole response (connect, headers and body)
under one deadline, ``timeout`` seconds from the start: httpx's own timeouts bound each socket
operation, so a server trickling one byte a second could otherwise hold an attempt, and the
concurrency slot it occupies, as long as it liked. The body is read as it arrives, decoded
here rather than by httpx (only the encodings the SDK asks for, one layer, inflated in bounded
pieces) and counted after decoding against ``max_bytes``, so neither a huge body, an endless
one nor a compression bomb can grow memory past the cap. Every failure comes out as an SDK
error.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import anyio
import attrs
import httpx

from creatorsdk import errors

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "AttemptLimits",
    "checked_max_response_bytes",
    "connection_error",
    "exchange",
]

#: The encodings the SDK asks for, and the only ones it accepts (one layer, or none).
ACCEPT_ENCODING = "gzip, deflate"

#: Generous for these APIs: their largest pages (200 items, 200 ids of deltas) are well under
#: a megabyte.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024

#: Most bytes one inflate step may produce: bounds memory between two checks of the cap.
_INFLATE_STEP = 64 * 1024

#: Longest wait for a cut-off response to release its connection (httpcore closes at once).
_CLOSE_GRACE = 1.0

#: Statuses whose body is read; others (1xx, 204, 304) have none.
_NO_BODY = frozenset({204, 304})


def checked_max_response_bytes(value: object) -> int:
    """``value`` when it is a usable size cap (an integer >= 1), else a ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_response_bytes must be an integer >= 1, got {value!r}")
    return value


@attrs.frozen
class AttemptLimits:
    """How long one attempt may take as a whole, and how large a body it may read."""

    timeout: float
    max_bytes: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_BYTES,
        converter=checked_max_response_bytes,  # validates, and keeps the int
    )


async def exchange(
    http: httpx.AsyncClient, request: httpx.Request, limits: AttemptLimits, number: int
) -> httpx.Response:
    """Send ``request`` and read its whole response within ``limits``.

    Returns a response whose ``content`` is the decoded body (its ``Content-Encoding`` header
    removed, as the body no longer has it). Raises :class:`~creatorsdk.errors.APITimeoutError`
    when the attempt outlives ``limits.timeout`` (``bound="timeout"``),
    :class:`~creatorsdk.errors.ResponseTooLargeError` past ``limits.max_bytes``,
    :class:`~creatorsdk.errors.MalformedResponseError` for a body encoded in a way the SDK did
    not ask for or that does not decode, and :class:`~creatorsdk.errors.APIConnectionError`
    for any transport failure. ``number`` is the attempt's number, for the error.
    """
    method, path = request.method, request.url.path
    request.headers["Accept-Encoding"] = ACCEPT_ENCODING
    try:
        # The scope is left the moment the deadline passes: the attempt's connection is
        # dropped and its concurrency slot is free for the next caller at once.
        with anyio.fail_after(limits.timeout):
            return await _send_and_read(http, request, limits, number)
    except TimeoutError as error:
        raise errors.APITimeoutError(
            f"the attempt took longer than timeout={limits.timeout:g}s "
            "(connect, response headers and body together)",
            method=method,
            path=path,
            attempts=number,
            bound="timeout",
        ) from error
    except httpx.TransportError as error:
        raise connection_error(error, method, path, number) from error
    except httpx.DecodingError as error:
        # A body that is not compressed as its Content-Encoding says (a proxy mangled it, the
        # stream was cut): served but unreadable, like a truncated body.
        raise errors.MalformedResponseError(
            f"{method} {path} returned a body that could not be decoded: {error}",
            attempts=number,
        ) from error


async def _send_and_read(
    http: httpx.AsyncClient, request: httpx.Request, limits: AttemptLimits, number: int
) -> httpx.Response:
    response = await http.send(request, stream=True)
    try:
        body = await _read_body(response, limits.max_bytes, number)
    finally:
        with anyio.move_on_after(_CLOSE_GRACE, shield=True):
            await response.aclose()
    return _decoded(response, body)


async def _read_body(response: httpx.Response, max_bytes: int, number: int) -> bytes:
    """The decoded body, or an error once it passes ``max_bytes``.

    An error response's body only explains the status, so it never turns the error into
    another one: past the cap it is cut there, and one the SDK cannot decode reads as empty.
    """
    request = response.request
    if request.method == "HEAD" or response.status_code in _NO_BODY:
        return b""
    keep_status = not response.is_success
    if response.is_stream_consumed:
        # A transport (httpx.MockTransport, a test double) handed over a response it had
        # already read and decoded: only the cap is left to apply.
        body = response.content
        if len(body) <= max_bytes:
            return body
        if keep_status:
            return body[:max_bytes]
        raise _too_large(response, max_bytes, number, f"{len(body):,} bytes")
    try:
        inflater = _inflater_for(response.headers)
    except httpx.DecodingError as error:
        if keep_status:
            return b""
        raise _malformed(response, number, error) from error
    declared = _declared_length(response.headers)
    if not keep_status and declared is not None and declared > max_bytes:
        raise _too_large(response, max_bytes, number, f"it declared {declared:,} bytes")
    pieces: list[bytes] = []
    size = 0
    received = 0
    try:
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > max_bytes:  # even compressed, more than the cap
                raise _too_large(response, max_bytes, number, "before decompression")
            for piece in inflater.feed(chunk):
                size += len(piece)
                if size > max_bytes:
                    raise _too_large(response, max_bytes, number, "after decompression")
                pieces.append(piece)
        inflater.finish()
    except errors.ResponseTooLargeError:
        if not keep_status:
            raise
        # Cut at the cap: the status says what went wrong, the start of the body explains it.
    except httpx.DecodingError as error:
        if keep_status:
            return b""
        raise _malformed(response, number, error) from error
    return b"".join(pieces)


def _malformed(
    response: httpx.Response, number: int, error: httpx.DecodingError
) -> errors.MalformedResponseError:
    request = response.request
    return errors.MalformedResponseError(
        f"{request.method} {request.url.path} returned a body that could not be decoded: {error}",
        request_id=response.headers.get("x-request-id"),
        attempts=number,
    )


def _declared_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _too_large(
    response: httpx.Response, max_bytes: int, number: int, how: str
) -> errors.ResponseTooLargeError:
    request = response.request
    return errors.ResponseTooLargeError(
        f"{request.method} {request.url.path} returned a body larger than "
        f"max_response_bytes={max_bytes:,} ({how}); not retried, as asking again gets the "
        "same body: raise the client's max_response_bytes if it is expected",
        limit=max_bytes,
        status=response.status_code,
        method=request.method,
        path=request.url.path,
        request_id=response.headers.get("x-request-id"),
        attempts=number,
    )


def _decoded(response: httpx.Response, body: bytes) -> httpx.Response:
    """A complete response holding the decoded ``body``, with headers that say so."""
    headers = response.headers
    if "content-encoding" in headers:
        # Raw bytes, as received: a server's non-ASCII header value must survive the copy.
        headers = httpx.Headers(
            [
                (name, value)
                for name, value in headers.raw
                if name.lower() not in (b"content-encoding", b"content-length")
            ]
        )
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )


def connection_error(
    error: httpx.TransportError, method: str, path: str, number: int
) -> errors.APIConnectionError:
    """The SDK error for a transport failure; ``sent`` is false when nothing left."""
    # Nothing left the machine when connecting failed, so even a keyless POST may repeat.
    sent = not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    reason = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return errors.APITimeoutError(
            f"{reason} ({type(error).__name__}: one socket operation outlived the timeout)",
            method=method,
            path=path,
            attempts=number,
            sent=sent,
            bound="timeout",
        )
    return errors.APIConnectionError(reason, method=method, path=path, attempts=number, sent=sent)


# -- decoding -----------------------------------------------------------------------------------


class _Identity:
    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if chunk:
            yield chunk

    def finish(self) -> None:
        return None


class _Inflater:
    """gzip or deflate, inflated at most :data:`_INFLATE_STEP` bytes at a time."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        data = chunk
        while data:
            if self._inflate.eof:
                if self._encoding == "gzip" and data[:1] == b"\x1f":
                    # gzip bodies may be several members end to end; each is read alike.
                    self._inflate = zlib.decompressobj(self._wbits)
                elif data.strip(b"\0"):
                    raise httpx.DecodingError(f"data after the end of the {self._encoding} body")
                else:
                    return  # zero padding after the stream, as gzip tools tolerate
            try:
                piece = self._inflate.decompress(data, _INFLATE_STEP)
            except zlib.error as error:
                if self._encoding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib wrapper (httpx allows it).
                    self._wbits = -zlib.MAX_WBITS
                    self._inflate = zlib.decompressobj(self._wbits)
                    self._started = True
                    continue
                raise httpx.DecodingError(f"the body is not valid {self._encoding}") from error
            self._started = True
            if piece:
                yield piece
            data = self._inflate.unused_data if self._inflate.eof else self._inflate.unconsumed_tail

    def finish(self) -> None:
        if self._started and not self._inflate.eof:
            raise httpx.DecodingError(f"the {self._encoding} stream ended early")


def _inflater_for(headers: httpx.Headers) -> _Identity | _Inflater:
    """The decoder for the response's ``Content-Encoding``, refusing what was not asked for."""
    codings = [
        value.strip().lower()
        for value in headers.get_list("content-encoding", split_commas=True)
        if value.strip() and value.strip().lower() != "identity"
    ]
    if not codings:
        return _Identity()
    if len(codings) > 1:
        raise httpx.DecodingError(
            f"the body is encoded in {len(codings)} layers ({', '.join(codings)}); "
            f"the SDK asks for one of {ACCEPT_ENCODING}"
        )
    if codings[0] not in ("gzip", "deflate"):
        raise httpx.DecodingError(
            f"the body is encoded as {codings[0]!r}, which the SDK did not ask for "
            f"(it accepts {ACCEPT_ENCODING})"
        )
    return _Inflater(codings[0])
