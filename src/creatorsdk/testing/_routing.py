"""Routing pieces both fakes share: lowercase-UUID path parameters and per-method routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["UUID", "Handler", "method_route"]

Handler = Callable[[Request], Awaitable[Response]]

#: The convertor name for ``{id:lower_uuid}``: only UUIDs match (so ``/videos/deltas`` never
#: looks like an id), and the value reaches the handler lowercased.
UUID = "lower_uuid"


class _UUIDConvertor(Convertor[str]):
    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def convert(self, value: str) -> str:
        return value.lower()

    def to_string(self, value: str) -> str:
        return value


register_url_convertor(UUID, _UUIDConvertor())


def method_route(path: str, **handlers: Handler) -> Route:
    """One path with a handler per method (so a 405 lists every allowed method)."""

    async def dispatch(request: Request) -> Response:
        return await handlers["GET" if request.method == "HEAD" else request.method](request)

    return Route(path, dispatch, methods=list(handlers))
