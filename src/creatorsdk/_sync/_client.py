"""The base of the sync clients: lifecycle, resources, and the engine's shared attributes."""

from __future__ import annotations

import typing
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx

from creatorsdk._engine.client import BaseClient, RequestStats
from creatorsdk._engine.pacing import RateLimit
from creatorsdk._engine.retry import RetryPolicy
from creatorsdk._sync._runner import Runner
from creatorsdk._sync._wrap import Delegate, SyncResource, check_twins, sync
from creatorsdk.budgets import Budget

__all__ = ["SyncClient"]

C = TypeVar("C", bound=BaseClient)


class SyncClient(Delegate, Generic[C]):
    """A blocking client over an async one running on its own event-loop thread.

    A subclass names its async client class (``mirrors=``), declares its resources as
    annotations (``videos: Videos``, each a :class:`SyncResource` subclass) and its client
    methods with :func:`sync`. The constructor takes the async client's arguments.
    """

    _mirrors: ClassVar[type[BaseClient]]
    _resource_types: ClassVar[dict[str, type[SyncResource]]] = {}
    _runner: Runner[C]

    def __init_subclass__(cls, *, mirrors: type[BaseClient], **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._mirrors = mirrors
        check_twins(cls, mirrors)
        # Resources are the annotations naming a SyncResource (``videos: Videos``).
        cls._resource_types = {
            name: hint
            for name, hint in typing.get_type_hints(cls).items()
            if isinstance(hint, type) and issubclass(hint, SyncResource)
        }

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        requests_per_minute: float | None = None,
        budget: Budget | None = None,
    ) -> None:
        runner: Runner[C] = Runner(
            self._mirrors,  # type: ignore[arg-type]  # mirrors is the C of this subclass
            {
                "api_key": api_key,
                "base_url": base_url,
                "timeout": timeout,
                "max_concurrency": max_concurrency,
                "retry": retry,
                "transport": transport,
                "requests_per_minute": requests_per_minute,
                "budget": budget,
            },
        )
        super().__init__(runner, runner.client)
        for name, resource in self._resource_types.items():
            setattr(self, name, resource(runner, getattr(runner.client, name)))

    def __repr__(self) -> str:
        state = " closed" if self._runner.closed else ""
        return f"{type(self).__name__}(base_url={self.base_url!r}){state}"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool and stop the client's thread. Calling it again is a no-op.

        A client never closed is closed at interpreter exit (or when it is garbage-collected).
        """
        self._runner.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        return self._runner.closed

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest rate-limit state the server reported, or ``None`` before any."""
        return self._runner.client.rate_limit

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._runner.client.base_url

    @property
    def max_concurrency(self) -> int:
        """Requests in flight at most, shared by every call on this client."""
        return self._runner.client.max_concurrency

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy every call follows."""
        return self._runner.client.retry_policy

    @property
    def stats(self) -> RequestStats:
        """Counters of what this client has sent (attempts, retries, 429s)."""
        return self._runner.client.stats

    request = sync(BaseClient.request)
