"""Raw responses: what a typed call's HTTP exchange looked like, beside its parsed result.

``ca.with_raw_response.videos.get(id)`` runs the same call as ``ca.videos.get(id)`` and
returns a :class:`RawResponse`. The engine records each successful exchange of the call into a
context variable only while such a call runs, so ordinary calls pay one lookup.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import attrs
import httpx

from creatorsdk._engine.pacing import RateLimit

__all__ = ["Exchange", "RawResponse", "RawView", "recording"]

T = TypeVar("T")

#: The exchanges of the raw call running in this context, or ``None`` outside one.
recording: contextvars.ContextVar[list[Exchange] | None] = contextvars.ContextVar(
    "creatorsdk_raw_recording", default=None
)


@attrs.frozen
class Exchange:
    """One logical request of a call: its final response and how it got there."""

    method: str
    path: str
    status: int
    headers: httpx.Headers
    request_id: str | None
    rate_limit: RateLimit | None
    #: Seconds from the call's start to its final response: pacer waits and retries included.
    elapsed: float
    attempts: int


@attrs.frozen
class RawResponse(Generic[T]):
    """The last HTTP exchange of a typed call, and :meth:`parse` for its typed result.

    A call that sends several requests (deltas for many ids) lists them all in
    ``exchanges``; the attributes describe the last one to finish.
    """

    exchanges: tuple[Exchange, ...]
    _parsed: T

    @property
    def status(self) -> int:
        """HTTP status of the final response."""
        return self.exchanges[-1].status

    @property
    def headers(self) -> httpx.Headers:
        """Headers of the final response."""
        return self.exchanges[-1].headers

    @property
    def request_id(self) -> str | None:
        """The server's ``X-Request-ID`` of the final response."""
        return self.exchanges[-1].request_id

    @property
    def rate_limit(self) -> RateLimit | None:
        """The rate-limit state the final response reported, if it sent one."""
        return self.exchanges[-1].rate_limit

    @property
    def elapsed(self) -> float:
        """Seconds the final request took, pacer waits and retries included."""
        return self.exchanges[-1].elapsed

    @property
    def attempts(self) -> int:
        """Attempts the final request needed."""
        return self.exchanges[-1].attempts

    def parse(self) -> T:
        """The typed result the call returns without ``with_raw_response``."""
        return self._parsed


class RawView:
    """``client.with_raw_response``: the client's resources and calls, returning raw responses.

    Listings are not wrapped: their pages already carry ``request_id``, and a pager sends
    nothing until iterated.
    """

    def __init__(self, target: object) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._target, name)
        if inspect.iscoroutinefunction(value):
            return _raw_call(value)
        if callable(value) or not hasattr(value, "_client"):
            raise AttributeError(f"{name!r} has no raw response (only calls that await do)")
        return RawView(value)

    def __repr__(self) -> str:
        return f"<raw responses of {self._target!r}>"


def _raw_call(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[RawResponse[T]]]:
    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> RawResponse[T]:
        exchanges: list[Exchange] = []
        token = recording.set(exchanges)
        try:
            parsed = await method(*args, **kwargs)
        finally:
            recording.reset(token)
        if not exchanges:  # pragma: no cover - every awaited call sends at least one request
            raise RuntimeError(f"{method.__qualname__} sent no request")
        return RawResponse(tuple(exchanges), parsed)

    return call
