"""trackagoat errors, rendered as the ``{data: null, error, meta: {code, ...}}`` envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from creatorsdk.testing._gateway import BaseApiError
from creatorsdk.testing._json import dump

__all__ = ["ApiError", "bad_body", "bad_query", "limit_reached", "not_found"]


class ApiError(BaseApiError):
    """Raised anywhere in a request to answer ``{data: null, error: message, meta: {code, ...}}``.

    ``meta`` holds the structured detail next to the code (``limitKey``, ``required``, ...).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        meta: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, code, message, headers=headers)
        self.message = message
        self.meta = dict(meta or {})

    def response(self) -> Response:
        """The error envelope."""
        body = {"data": None, "error": self.message, "meta": {"code": self.code, **self.meta}}
        return Response(
            dump(body), self.status, headers=self.headers, media_type="application/json"
        )


def bad_query(message: str) -> ApiError:
    """400 ``invalid_query``."""
    return ApiError(400, "invalid_query", message)


def bad_body(message: str) -> ApiError:
    """400 ``invalid_body``."""
    return ApiError(400, "invalid_body", message)


def not_found(kind: str, resource_id: str) -> ApiError:
    """404 for an id the organization does not have (or has removed)."""
    return ApiError(404, "not_found", f"No {kind} with id {resource_id} in your organization.")


def limit_reached(limit_key: str, current: int, maximum: int) -> ApiError:
    """402 ``limit_reached`` with the documented ``limitKey``, ``current`` and ``max``."""
    return ApiError(
        402,
        "limit_reached",
        f"Limit reached: {limit_key}",
        meta={"limitKey": limit_key, "current": current, "max": maximum},
    )
