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
from collections.abc import AsyncIterator, Iterator

import anyio
import attrs
import httpx

from creatorsdk import errors
from creatorsdk._engine.checks import int_arg

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


def checked_max_response_bytes(value: object) -> int:
    """``value`` when it is a usable size cap (an integer >= 1), else a ``ValueError``."""
    return int_arg("max_response_bytes", value, low=1)


@attrs.frozen
class AttemptLimits:
    """How long one attempt may take as a whole, and how large a body it may read."""

    timeout: float
    max_bytes: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_BYTES,
        converter=checked_max_response_bytes,  # validates, and keeps the int
    )


async def exchange(
    http: httpx.AsyncClient,
    request: httpx.Request,
    limits: AttemptLimits,
    number: int,
    auth: httpx.Auth,
) -> httpx.Response:
    """Send ``request`` with ``auth`` (never following a redirect) and read its whole
    response within ``limits``.

    Returns the response with its body read: ``content`` is the decoded body (its
    ``Content-Encoding`` header removed, as the body no longer has it). Raises
    :class:`~creatorsdk.errors.APITimeoutError` when the attempt outlives ``limits.timeout``
    (``bound="timeout"``), :class:`~creatorsdk.errors.ResponseTooLargeError` past
    ``limits.max_bytes``, :class:`~creatorsdk.errors.MalformedResponseError` for a body
    encoded in a way the SDK did not ask for or that does not decode, and
    :class:`~creatorsdk.errors.APIConnectionError`
    for any transport failure. ``number`` is the attempt's number, for the error.
    """
    method, path = request.method, request.url.path
    request.headers["Accept-Encoding"] = ACCEPT_ENCODING
    try:
        # The scope is left the moment the deadline passes: the attempt's connection is
        # dropped and its concurrency slot is free for the next caller at once. (A bare
        # scope: anyio.fail_after is the same plus a generator-based wrapper per attempt.)
        with anyio.CancelScope(deadline=anyio.current_time() + limits.timeout):
            return await _send_and_read(http, request, limits, number, auth)
        # Reached only when the deadline cancelled the attempt. The cause is what
        # anyio.fail_after would raise: timeout errors always carry one.
        raise errors.APITimeoutError(
            f"the attempt took longer than timeout={limits.timeout:g}s "
            "(connect, response headers and body together)",
            method=method,
            path=path,
            attempts=number,
            bound="timeout",
        ) from TimeoutError(f"attempt deadline of {limits.timeout:g}s passed")
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
    http: httpx.AsyncClient,
    request: httpx.Request,
    limits: AttemptLimits,
    number: int,
    auth: httpx.Auth,
) -> httpx.Response:
    # Per request, so a caller's own client (``http_client=``) is used as it is.
    response = await http.send(request, stream=True, auth=auth, follow_redirects=False)
    try:
        await _read_body(response, limits.max_bytes, number)
    except BaseException:
        # Cut off (timed out, too large, undecodable): drop the connection, whatever the
        # cancellation in progress; a completely read body has closed its stream already.
        with anyio.CancelScope(shield=True):
            await response.aclose()
        raise
    _let_go_of_stream(response)
    return response


def _let_go_of_stream(response: httpx.Response) -> None:
    """Replace a read and closed response's stream with one holding only its body.

    httpx's stream wrapper (and ours, :class:`_BoundedBody`) refers back to the response
    (encode/httpx#3733): a cycle that keeps every body until the cyclic collector runs, so
    peak memory followed how rarely it ran rather than what the caller still holds.
    """
    if response.is_closed:
        response.stream = httpx.ByteStream(response.content)


async def _read_body(response: httpx.Response, max_bytes: int, number: int) -> None:
    """Read the body into ``response.content``, decoded and counted against ``max_bytes``.

    httpx reads through :class:`_BoundedBody`, which inflates what the SDK asked for and
    raises once the cap is passed; httpx's own decoding is switched off by removing the
    ``Content-Encoding`` header, as the body no longer has it. An error response's body only
    explains its status, so it never turns the error into another one: past the cap it is
    cut there, and one the SDK cannot decode reads as empty.
    """
    if response.is_stream_consumed:
        # A transport (httpx.MockTransport, a test double) handed over a response it had
        # already read and decoded: only the cap is left to apply.
        if response.is_success and len(response.content) > max_bytes:
            raise _too_large(response, max_bytes, number, f"{len(response.content):,} bytes")
        return
    keep_status = not response.is_success
    headers = response.headers
    codings, declared = _framing(headers)
    try:
        inflater = _inflater_for(codings)
    except httpx.DecodingError as error:
        if not keep_status:
            raise _malformed(response, number, error) from error
        inflater = None
    if not keep_status and declared is not None and declared > max_bytes:
        raise _too_large(response, max_bytes, number, f"it declared {declared:,} bytes")
    if codings:
        del headers["content-encoding"]
        headers.pop("content-length", None)
    response.stream = _BoundedBody(response, inflater, max_bytes, number)
    await response.aread()


class _BoundedBody(httpx.AsyncByteStream):
    """The body of ``response`` as it arrives: inflated in bounded pieces and counted.

    ``inflater=None`` reads nothing (a body the SDK cannot decode, on an error response).
    """

    def __init__(
        self,
        response: httpx.Response,
        inflater: _Identity | _Inflater | None,
        max_bytes: int,
        number: int,
    ) -> None:
        self._response = response
        self._raw = response.stream
        self._inflater = inflater
        self._max_bytes = max_bytes
        self._number = number

    async def __aiter__(self) -> AsyncIterator[bytes]:
        inflater = self._inflater
        if inflater is None:
            return
        assert isinstance(self._raw, httpx.AsyncByteStream)
        max_bytes = self._max_bytes
        received = size = 0
        try:
            async for chunk in self._raw:
                received += len(chunk)
                if received > max_bytes:  # even compressed, more than the cap
                    raise self._too_large("before decompression")
                for piece in inflater.feed(chunk):
                    size += len(piece)
                    if size > max_bytes:
                        raise self._too_large("after decompression")
                    yield piece
            inflater.finish()
        except errors.ResponseTooLargeError:
            if self._response.is_success:
                raise
            # Cut at the cap: the status says what went wrong, the start explains it.
        except httpx.DecodingError as error:
            if self._response.is_success:
                raise _malformed(self._response, self._number, error) from error

    def _too_large(self, how: str) -> errors.ResponseTooLargeError:
        return _too_large(self._response, self._max_bytes, self._number, how)

    async def aclose(self) -> None:
        if isinstance(self._raw, httpx.AsyncByteStream):
            await self._raw.aclose()


def _malformed(
    response: httpx.Response, number: int, error: httpx.DecodingError
) -> errors.MalformedResponseError:
    request = response.request
    return errors.MalformedResponseError(
        f"{request.method} {request.url.path} returned a body that could not be decoded: {error}",
        request_id=response.headers.get("x-request-id"),
        attempts=number,
    )


def _framing(headers: httpx.Headers) -> tuple[list[str], int | None]:
    """The response's content codings (``identity`` left out) and its declared length.

    One pass over the raw headers: ``Headers.get`` decodes every header on each lookup.
    """
    codings: list[str] = []
    declared: int | None = None
    for name, value in headers.raw:
        lowered = name.lower()
        if lowered == b"content-encoding":
            for coding in value.decode("latin-1").lower().split(","):
                if coding.strip() not in ("", "identity"):
                    codings.append(coding.strip())
        elif lowered == b"content-length" and value.strip().isdigit():
            declared = int(value)
    return codings, declared


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


def _inflater_for(codings: list[str]) -> _Identity | _Inflater:
    """The decoder for the response's content codings, refusing what was not asked for."""
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
