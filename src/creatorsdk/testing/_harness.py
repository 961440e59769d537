"""What every fake shares: clock, recording, faults, latency, and the ways to reach it."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import AbstractAsyncContextManager
from typing import ClassVar

import httpx
from starlette.types import ASGIApp

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._faults import FaultInjector, FaultPlan
from creatorsdk.testing._middleware import HarnessMiddleware
from creatorsdk.testing._recording import RecordedRequest, Recorder
from creatorsdk.testing._serving import InProcessTransport, serve_app

__all__ = ["FakeServer"]


class FakeServer:
    """The API-independent half of a fake.

    A subclass sets :attr:`api_prefix` (e.g. ``"/v2"``) and :attr:`unfaulted_paths`, calls
    ``super().__init__`` with the harness knobs, builds its ASGI app, hands it to
    :meth:`_mount`, and sets :attr:`api_key`.
    """

    #: The path every endpoint lives under; also the path of :attr:`base_url`.
    api_prefix: ClassVar[str] = ""
    #: Paths after the prefix that faults never touch (unauthenticated endpoints).
    unfaulted_paths: ClassVar[frozenset[str]] = frozenset()

    #: A key the fake accepts, for clients and the CLI banner.
    api_key: str

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock | None,
        faults: FaultPlan | None,
        latency: float,
        latency_jitter: float,
    ) -> None:
        self.seed = seed
        self.clock: Clock = clock if clock is not None else time.time
        self._recorder = Recorder()
        self._injector = FaultInjector(faults if faults is not None else FaultPlan())
        self._latency = (latency, latency_jitter)
        self._app: ASGIApp | None = None

    def _mount(self, app: ASGIApp) -> None:
        """Wrap the API's app in the harness; call once, at the end of the constructor."""
        latency, jitter = self._latency
        self._app = HarnessMiddleware(
            app,
            recorder=self._recorder,
            injector=self._injector,
            clock=self.clock,
            fault_scope=self._fault_scope,
            latency=latency,
            latency_jitter=jitter,
            seed=self.seed,
        )

    @property
    def asgi_app(self) -> ASGIApp:
        """The whole fake as one ASGI app (mount it in your own server if you like)."""
        if self._app is None:
            raise RuntimeError(f"{type(self).__name__} did not mount its app")
        return self._app

    @property
    def base_url(self) -> str:
        """The base URL to use with :meth:`transport`, e.g. ``http://127.0.0.1/v2``."""
        return f"http://127.0.0.1{self.api_prefix}"

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that serves requests in-process, without sockets."""
        return InProcessTransport(self.asgi_app)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractAsyncContextManager[str]:
        """Serve over real HTTP while the ``async with`` block runs; yields the base URL."""
        return serve_app(self.asgi_app, prefix=self.api_prefix, host=host, port=port)

    @property
    def faults(self) -> FaultPlan:
        """The fault plan in force; assign a new one to change faults mid-test."""
        return self._injector.plan

    @faults.setter
    def faults(self, plan: FaultPlan) -> None:
        self._injector.use(plan)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order."""
        return self._recorder.requests

    @property
    def max_in_flight(self) -> int:
        """The most requests ever in flight at once (since the last :meth:`reset_requests`)."""
        return self._recorder.max_in_flight

    @property
    def faults_injected(self) -> Counter[str]:
        """How many faults of each kind were injected so far."""
        return self._injector.injected

    def reset_requests(self) -> None:
        """Forget the recorded requests and the in-flight peak (not the fault counts)."""
        self._recorder.reset()

    def _fault_scope(self, path: str) -> str | None:
        prefix = self.api_prefix
        if not path.startswith(prefix + "/"):
            return None
        api_path = path[len(prefix) :]
        return None if api_path in self.unfaulted_paths else api_path
