"""The base of the sync clients: lifecycle, resources, and the engine's shared attributes."""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from types import TracebackType
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, Self, TypeVar

from creatorsdk._engine.client import (
    BaseClient,
    RequestStats,
    certifi_context,
    document_options,
)
from creatorsdk._engine.credentials import sealed
from creatorsdk._engine.pacing import RateLimit
from creatorsdk._engine.raw import RawView
from creatorsdk._engine.retry import RetryPolicy
from creatorsdk._sync._runner import Runner
from creatorsdk._sync._wrap import Delegate, SyncResource, check_twins, sync

__all__ = ["SyncClient"]

C = TypeVar("C", bound=BaseClient)
P = ParamSpec("P")
R = TypeVar("R")


def _takes_options_of(
    source: Callable[Concatenate[Any, P], Any],
) -> Callable[[Callable[..., R]], Callable[Concatenate[Any, P], R]]:
    """Give a constructor that forwards ``**options`` the signature of ``source``.

    The async client's ``__init__`` is the one place the options are declared: the sync
    constructor passes them on untouched, and type checkers and ``help()`` see the same
    keywords (``inspect.signature`` follows ``__wrapped__``).
    """

    def mirror(init: Callable[..., R]) -> Callable[Concatenate[Any, P], R]:
        mirrored = functools.wraps(source)(init)
        # The return annotation is the sync method's own, not the async one's.
        mirrored.__annotations__ = {
            **source.__annotations__,
            "return": init.__annotations__.get("return"),
        }
        return mirrored

    return mirror


class SyncClient(Delegate, Generic[C]):
    """A blocking client over an async one running on its own event-loop thread.

    A subclass names its async client class (``mirrors=``), declares its resources as
    annotations (``videos: Videos``, each a :class:`SyncResource` subclass) and its client
    methods with :func:`sync`. The constructor takes the async client's arguments.
    """

    _mirrors: ClassVar[type[BaseClient]]
    _resource_types: ClassVar[dict[str, type[SyncResource]]] = {}
    _runner: Runner[C]
    #: The async client this one calls: the runner's own, or a ``with_options`` view of it.
    _target: BaseClient

    def __init_subclass__(cls, *, mirrors: type[BaseClient], **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._mirrors = mirrors
        check_twins(cls, mirrors)
        cls.__doc__ = document_options(cls.__doc__)
        # Resources are the annotations naming a SyncResource (``videos: Videos``).
        cls._resource_types = {
            name: hint
            for name, hint in typing.get_type_hints(cls).items()
            if isinstance(hint, type) and issubclass(hint, SyncResource)
        }

    @_takes_options_of(BaseClient.__init__)
    def __init__(self, **options: Any) -> None:
        # The key's repr is redacted in every frame it passes through from here on.
        options = {**options, "api_key": sealed(options.get("api_key"))}
        certifi_context()  # loaded here, not as a 0.1 s stall of the client's event loop
        runner: Runner[C] = Runner(self._mirrors, options)  # type: ignore[arg-type]
        self._attach(runner, runner.client)
        self._is_view = False

    def _attach(self, runner: Runner[C], target: BaseClient) -> None:
        Delegate.__init__(self, runner, target)
        for name, resource in self._resource_types.items():
            setattr(self, name, resource(runner, getattr(target, name)))

    @_takes_options_of(BaseClient.with_options)
    def with_options(self, **options: Any) -> Self:
        """This client with other options for the calls made through the view (see the
        async client's ``with_options``): same thread, pool, limit and pacer."""
        view = object.__new__(type(self))
        view._attach(self._runner, self._target.with_options(**options))
        view._is_view = True
        return view

    @property
    def with_raw_response(self) -> Any:
        """The same resources and calls, each returning a :class:`RawResponse`."""
        return _SyncRawView(self._runner, RawView(self._target))

    def __repr__(self) -> str:
        runner = getattr(self, "_runner", None)  # a constructor that failed must still repr
        if runner is None:
            return f"{type(self).__name__}(<not built>)"
        state = " closed" if runner.closed else ""
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
        On a view made by :meth:`with_options` it does nothing: the thread is the client's.
        """
        if not self._is_view:
            self._runner.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        return self._runner.closed

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest rate-limit state the server reported, or ``None`` before any."""
        return self._target.rate_limit

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._target.base_url

    @property
    def max_concurrency(self) -> int:
        """Requests in flight at most, shared by every call on this client."""
        return self._target.max_concurrency

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy every call follows."""
        return self._target.retry_policy

    @property
    def stats(self) -> RequestStats:
        """Counters of what this client has sent (attempts, retries, 429s)."""
        return self._target.stats

    request = sync(BaseClient.request)


class _SyncRawView:
    """``with_raw_response`` of a sync client: the async raw calls, run on the loop thread."""

    def __init__(self, runner: Runner[Any], raw: RawView) -> None:
        self._runner = runner
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._raw, name)
        if isinstance(value, RawView):
            return _SyncRawView(self._runner, value)
        runner = self._runner

        @functools.wraps(value)
        def call(*args: Any, **kwargs: Any) -> Any:
            return runner.call(value, *args, **kwargs)

        return call
