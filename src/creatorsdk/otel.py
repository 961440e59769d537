"""OpenTelemetry tracing: one client span per logical call, attempts and waits as events.

Needs the ``otel`` extra (``pip install 'creatorsdk[otel]'``)::

    from creatorsdk import AsyncCreatorAudit
    from creatorsdk.otel import tracing_hooks

    ca = AsyncCreatorAudit(hooks=tracing_hooks())

Spans follow the HTTP client semantic conventions: named after the method, with
``http.request.method``, ``server.address``, ``server.port``, ``url.full``,
``http.response.status_code``, ``http.request.resend_count`` and, on failure,
``error.type`` and an ERROR status. Each attempt, retry and pacer wait is an event on the span.
"""

from __future__ import annotations

from typing import Any

from creatorsdk._engine.observing import (
    CallInfo,
    Hooks,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    WaitEvent,
)
from creatorsdk._version import __version__

try:
    from opentelemetry import trace
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "creatorsdk.otel needs OpenTelemetry: pip install 'creatorsdk[otel]'"
    ) from error

__all__ = ["tracing_hooks"]


def tracing_hooks(tracer_provider: trace.TracerProvider | None = None) -> Hooks:
    """Hooks that trace every logical call of the client they are given to.

    ``tracer_provider`` defaults to the global one (``trace.set_tracer_provider``).
    """
    tracer = trace.get_tracer("creatorsdk", __version__, tracer_provider=tracer_provider)
    spans: dict[int, trace.Span] = {}

    def on_start(call: CallInfo) -> None:
        url = _url_parts(call.url)
        spans[call.id] = tracer.start_span(
            call.method,
            kind=trace.SpanKind.CLIENT,
            attributes={"http.request.method": call.method, "url.full": call.url, **url},
        )

    def on_request(event: RequestEvent) -> None:
        span = spans.get(event.call.id)
        if span is not None:
            span.add_event("attempt", {"attempt": event.attempt})
            if event.attempt > 1:
                span.set_attribute("http.request.resend_count", event.attempt - 1)

    def on_response(event: ResponseEvent) -> None:
        span = spans.get(event.call.id)
        if span is None:
            return
        span.set_attribute("http.response.status_code", event.status)
        attributes: dict[str, Any] = {
            "attempt": event.attempt,
            "http.response.status_code": event.status,
            "elapsed_s": event.elapsed,
        }
        if event.request_id is not None:
            attributes["request_id"] = event.request_id
        span.add_event("response", attributes)

    def on_retry(event: RetryEvent) -> None:
        span = spans.get(event.call.id)
        if span is not None:
            span.add_event(
                "retry",
                {
                    "attempt": event.attempt,
                    "error.type": type(event.error).__name__,
                    "wait_s": event.wait,
                },
            )

    def on_wait(event: WaitEvent) -> None:
        span = spans.get(event.call.id)
        if span is not None:
            span.add_event("wait", {"reason": event.reason, "wait_s": event.seconds})

    def on_end(call: CallInfo, error: BaseException | None) -> None:
        span = spans.pop(call.id, None)
        if span is None:
            return
        if error is not None:
            status = getattr(error, "status", None)
            span.set_attribute("error.type", str(status) if status else type(error).__name__)
            span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
        span.end()

    return Hooks(
        on_start=on_start,
        on_request=on_request,
        on_response=on_response,
        on_retry=on_retry,
        on_wait=on_wait,
        on_end=on_end,
    )


def _url_parts(url: str) -> dict[str, Any]:
    import httpx

    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return {"server.address": parsed.host, "server.port": port}
