"""CreatorAudit errors, rendered as RFC 9457 problem documents (``application/problem+json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from starlette.responses import Response

from creatorsdk.testing._gateway import BaseApiError

__all__ = ["ApiError", "FieldError", "conflict", "not_found", "problem_response", "validation"]

#: The ``title`` of each status, as the API words them.
TITLES: Mapping[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

#: ``(field, message)`` of one entry of a 422's ``errors`` list.
FieldError = tuple[str, str]


class ApiError(BaseApiError):
    """Raised anywhere in a request to answer with a problem response."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, code, detail, headers=headers)
        self.detail = detail
        self.errors = list(errors)


def validation(errors: Sequence[FieldError], detail: str | None = None) -> ApiError:
    """A 422 ``VALIDATION_ERROR`` listing each field's problem."""
    summary = detail or "; ".join(f"{field}: {message}" for field, message in errors)
    return ApiError(422, "VALIDATION_ERROR", summary or "Validation failed.", errors=errors)


def not_found(kind: str, resource_id: str) -> ApiError:
    """A 404 for an id the organization does not have."""
    return ApiError(404, "NOT_FOUND", f"No {kind} with id {resource_id} in your organization.")


def conflict(detail: str) -> ApiError:
    """A 409 ``CONFLICT``."""
    return ApiError(409, "CONFLICT", detail)


def problem_response(error: ApiError, *, instance: str, request_id: str) -> Response:
    """The problem+json response for ``error``."""
    body: dict[str, object] = {
        "type": f"urn:creatoraudit:error:{error.code.lower().replace('_', '-')}",
        "title": TITLES.get(error.status, "Error"),
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        "instance": instance,
        "request_id": request_id,
    }
    if error.status == 422:
        body["errors"] = [{"field": f, "message": m} for f, m in error.errors]
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=error.status,
        headers=error.headers,
        media_type="application/problem+json",
    )
