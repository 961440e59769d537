"""httpx-aiohttp's transport, with its connection errors told apart from timeouts."""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

__all__ = ["SizedAiohttpTransport"]


class SizedAiohttpTransport(AiohttpTransport):
    """:class:`httpx_aiohttp.AiohttpTransport` raising what httpx's own transport raises.

    httpx-aiohttp maps every ``aiohttp.ClientConnectionError`` to ``httpx.ConnectTimeout``,
    so a refused connection would read as a timeout; only real timeouts stay timeouts here.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp."""
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as error:
            cause = error.__cause__
            if cause is None or isinstance(cause, TimeoutError):
                raise
            message = str(cause) or type(cause).__name__
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(message, request=request) from cause
            raise httpx.ReadError(message, request=request) from cause
