"""The gateway in front of each fake's routes: what every request meets before and after them.

Per request the gateway gives the request a fresh id and a context (under :data:`CONTEXT_KEY`
in the ASGI scope, with the fault the harness drew), lets the API admit it (authentication,
limits, scopes, injected faults, the body), routes it, and answers every error in the API's own
format. Every response, errors included, carries ``X-Request-ID`` and the API's own extra
headers.

An API subclasses :class:`Gateway` and fills in its hooks: :meth:`~Gateway.admit`,
:meth:`~Gateway.response_headers`, :meth:`~Gateway.from_http` and :meth:`~Gateway.render`, plus
its :attr:`~Gateway.context_type`, the :attr:`~Gateway.error_type` it raises and the
:attr:`~Gateway.injected_errors` it answers faults with.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Router
from starlette.types import Message, Receive, Scope, Send

from creatorsdk.testing._faults import FAULT_SCOPE_KEY, FaultTicket

__all__ = ["CONTEXT_KEY", "BaseApiError", "Gateway", "InjectedErrors", "RequestContext"]

#: The ASGI scope key holding each request's :class:`RequestContext`.
CONTEXT_KEY = "creatorsdk.testing.context"

#: ``(status, code, text)`` of the API's error for each API-level fault kind it injects.
InjectedErrors = Mapping[str, tuple[int, str, str]]

StateT = TypeVar("StateT")
KeyT = TypeVar("KeyT")
ContextT = TypeVar("ContextT", bound="RequestContext[Any, Any]")
ErrorT = TypeVar("ErrorT", bound="BaseApiError")

_log = logging.getLogger("creatorsdk.testing")


class BaseApiError(Exception):
    """Raised anywhere in a request to answer with the API's error response.

    Each API subclasses it with its own fields; the gateway reads ``status`` and ``headers``
    only through the API's :meth:`Gateway.render`.
    """

    def __init__(
        self, status: int, code: str, text: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(text)
        self.status = status
        self.code = code
        self.headers = dict(headers or {})


@dataclasses.dataclass
class RequestContext(Generic[StateT, KeyT]):
    """One request as the gateway admitted it: its id, the fake's state, and what admission
    found (the caller's key, the parsed JSON body, the fault drawn for it)."""

    request_id: str
    state: StateT
    key: KeyT | None = None
    body: Any = None
    fault: FaultTicket | None = None


class Gateway(abc.ABC, Generic[StateT, ContextT, ErrorT]):
    """Admits each request, routes it, stamps every response, and renders every error.

    ``state`` is the fake's state, which every request's context carries to the routes.
    """

    #: The fake's name, for the log line of an unexpected failure.
    fake_name: ClassVar[str]
    #: The API's request context (a :class:`RequestContext` over its state and keys).
    context_type: type[ContextT]
    #: The exception the API's code raises to answer with an error.
    error_type: type[ErrorT]
    #: The API's answer to each injected fault kind; ``error_500`` is also its answer to any
    #: unexpected exception.
    injected_errors: ClassVar[InjectedErrors]

    def __init__(self, router: Router, state: StateT) -> None:
        self.router = router
        self.state = state

    @abc.abstractmethod
    async def admit(self, scope: Scope, receive: Receive, ctx: ContextT) -> None:
        """Check the request before any route runs; raise :attr:`error_type` to refuse it."""

    def response_headers(self, ctx: ContextT) -> Mapping[str, str]:
        """Headers every response to this request carries besides ``X-Request-ID``."""
        return {}

    @abc.abstractmethod
    def from_http(self, error: HTTPException, path: str) -> ErrorT:
        """The API's error for the router's own 404 or 405 (or another HTTP error)."""

    @abc.abstractmethod
    def render(self, error: ErrorT, path: str, request_id: str) -> Response:
        """The API's error response for ``error`` on ``path``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        request_id = f"req_{uuid.uuid4().hex}"
        fault = scope.get(FAULT_SCOPE_KEY)
        ctx = self.context_type(request_id=request_id, state=self.state, fault=fault)
        scope[CONTEXT_KEY] = ctx
        # With "app" in the scope, Starlette's router raises 404/405 as HTTPException for us
        # to render in the API's format, instead of answering in plain text itself.
        scope["app"] = self
        started = False

        async def stamped(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = {"X-Request-ID": request_id, **self.response_headers(ctx)}
                headers = [*message.get("headers", [])]
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.admit(scope, receive, ctx)
            await self.router(scope, receive, stamped)
            return
        except self.error_type as error:
            problem = error
        except HTTPException as error:
            problem = self.from_http(error, scope["path"])
        except Exception:
            if started:
                raise
            _log.exception("%s failed on %s %s", self.fake_name, scope["method"], scope["path"])
            problem = self.error_type(*self.injected_errors["error_500"])
        await self.render(problem, scope["path"], request_id)(scope, receive, stamped)

    def raise_injected_fault(self, fault: FaultTicket | None) -> None:
        """Raise the API's error for an API-level fault drawn for this request, if one was."""
        if fault is None or fault.kind not in self.injected_errors:
            return
        fault.applied()
        status, code, text = self.injected_errors[fault.kind]
        retry = {"Retry-After": str(fault.plan.retry_after)} if status == 429 else {}
        raise self.error_type(status, code, text, headers=retry)
