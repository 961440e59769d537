"""Error bodies → typed exceptions, as pure functions of status, headers and body.

Each API has its own body parser returning a :class:`Problem`; :func:`error_from_problem`
picks the exception class from the status and the API's machine code. A body that is not
what the API documents (a proxy's HTML 502, an empty 503) still yields a :class:`Problem`
with the HTTP status, so callers always get an :class:`~creatorsdk.errors.APIError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from creatorsdk import errors

__all__ = ["Problem", "ProblemParser", "error_from_problem", "parse_problem_json"]

#: Codes that generic clients fall back to when the body says nothing usable.
FALLBACK_CODES: Mapping[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    410: "GONE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    502: "UPSTREAM_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

_BY_STATUS: Mapping[int, type[errors.APIError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.PaymentRequiredError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    406: errors.NotAcceptableError,
    409: errors.ConflictError,
    410: errors.GoneError,
    415: errors.UnsupportedMediaTypeError,
    422: errors.ValidationError,
    429: errors.RateLimitError,
    503: errors.ServiceUnavailableError,
}

# Codes are compared lowercased: CreatorAudit shouts them, trackagoat does not.
_BY_CODE: Mapping[str, type[errors.APIError]] = {
    "insufficient_scope": errors.InsufficientScopeError,
    "quota_exceeded": errors.QuotaExceededError,
    "limit_reached": errors.LimitReachedError,
    "retention_exceeded": errors.RetentionExceededError,
    "daily_quota_exceeded": errors.DailyQuotaExceededError,
    "default_method": errors.DefaultPayoutMethodError,
}


@attrs.frozen
class Problem:
    """What an error response says, whatever the API's body format."""

    status: int
    code: str
    title: str = ""
    detail: str = ""
    type: str = "about:blank"
    request_id: str | None = None
    errors: tuple[errors.FieldError, ...] = ()
    retry_after: float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


#: ``(status, reason, headers, body) -> Problem``; one per API.
ProblemParser = Callable[[int, str, Mapping[str, str], bytes], Problem]


def load_json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` when it is empty, not JSON, or not an object."""
    if not body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def parse_problem_json(
    status: int, reason: str, headers: Mapping[str, str], body: bytes
) -> Problem:
    """Parse an RFC 9457 problem document, tolerating any body at all."""
    doc = load_json_object(body) or {}
    request_id = headers.get("x-request-id") or _text(doc.get("request_id")) or None
    known = {"type", "title", "status", "detail", "code", "instance", "request_id", "errors"}
    return Problem(
        status=status,
        code=_text(doc.get("code")) or FALLBACK_CODES.get(status, "INTERNAL_ERROR"),
        title=_text(doc.get("title")) or reason,
        detail=_text(doc.get("detail")) or _snippet(body, doc),
        type=_text(doc.get("type")) or "about:blank",
        request_id=request_id,
        errors=field_errors(doc.get("errors")),
        extra={k: v for k, v in doc.items() if k not in known},
    )


def field_errors(value: object) -> tuple[errors.FieldError, ...]:
    """Read ``[{field, message}, ...]``, skipping entries that are not objects."""
    if not isinstance(value, list):
        return ()
    return tuple(
        errors.FieldError(field=_text(item.get("field")), message=_text(item.get("message")))
        for item in value
        if isinstance(item, dict)
    )


def error_from_problem(
    problem: Problem,
    *,
    attempts: int,
    method: str,
    path: str,
    rate_limit: object = None,
) -> errors.APIError:
    """The exception for ``problem``: by code where callers branch on it, else by status."""
    cls = _BY_CODE.get(problem.code.lower()) or _BY_STATUS.get(problem.status)
    if cls is None:
        cls = errors.ServerError if problem.status >= 500 else errors.APIError
    kwargs: dict[str, Any] = {
        "status": problem.status,
        "code": problem.code,
        "title": problem.title,
        "detail": problem.detail,
        "type": problem.type,
        "request_id": problem.request_id,
        "errors": problem.errors,
        "attempts": attempts,
        "method": method,
        "path": path,
        "retry_after": problem.retry_after,
        "extra": problem.extra,
    }
    if issubclass(cls, errors.RateLimitError):
        kwargs["rate_limit"] = rate_limit
    return cls(**kwargs)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _snippet(body: bytes, doc: Mapping[str, Any]) -> str:
    # A non-JSON body (a proxy's HTML page) is shown briefly so the error is recognisable.
    if doc or not body:
        return ""
    text = body[:200].decode("utf-8", "replace")
    return " ".join(text.split())
