"""trackagoat's error envelope → :class:`~creatorsdk._engine.problems.Problem`.

Every trackagoat error is the envelope ``{"data": null, "error": "<message>", "meta": {...}}``
with the machine code in ``meta.code`` (not RFC 9457 problem JSON, which CreatorAudit sends
and the engine reads). Three things need more than reading that code:

* the creator-rename 409s (``handle_taken``, ``creator_banned``, ``invalid_handle``,
  ``no_change``) are documented as error *messages*, so they are looked for in ``meta.code``
  and then in the ``error`` string;
* both 429s say ``rate_limit_exceeded``. The org's daily quota carries ``meta.retryAfter``
  (seconds to UTC midnight) and no ``Retry-After`` header; it becomes the SDK's own code
  ``daily_quota_exceeded`` so it is raised at once instead of slept on. The per-key window
  429 is retried after its ``Retry-After`` header, or after 60 s when it sends none;
* ``meta`` detail (``limitKey``, ``current``, ``max``, ``required``, ``granted``, ...) goes
  into ``Problem.extra`` under snake_case names, which is where the error classes read it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

from creatorsdk._engine.problems import (
    FALLBACK_CODES,
    Problem,
    _snippet,
    field_errors,
    load_json_object,
)

__all__ = ["DAILY_QUOTA_CODE", "RENAME_CODES", "parse_problem"]

#: The SDK's code for the org's exhausted daily request quota (the server says
#: ``rate_limit_exceeded`` for both 429s).
DAILY_QUOTA_CODE: Final = "daily_quota_exceeded"
#: Creator-rename conflicts; the docs give them as messages, so both places are checked.
RENAME_CODES: Final = ("handle_taken", "creator_banned", "invalid_handle", "no_change")
#: The docs' advice for a per-key 429 that says nothing about when to come back.
PER_KEY_DEFAULT_WAIT: Final = 60.0

# The documented codes where a status has one; other statuses use the engine's names.
_FALLBACK: Final[Mapping[int, str]] = {
    401: "invalid_api_key",
    429: "rate_limit_exceeded",
    500: "internal_error",
}
_RENAME_IN_TEXT = re.compile(r"\b(" + "|".join(RENAME_CODES) + r")\b", re.IGNORECASE)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def parse_problem(status: int, reason: str, headers: Mapping[str, str], body: bytes) -> Problem:
    """Read a trackagoat error response; any body at all (HTML, empty) still gives a Problem."""
    envelope = load_json_object(body) or {}
    meta = _object(envelope.get("meta"))
    message, error_code = _message(envelope.get("error"))
    extra = {_snake(key): value for key, value in meta.items() if key != "code"}
    code = _text(meta.get("code")) or error_code
    has_retry_header = _header(headers, "retry-after") is not None
    retry_after: float | None = None

    if status == 409:
        code = _rename_code(code, message) or code
    elif status == 429:
        quota_wait = _seconds(meta.get("retryAfter"))
        if _is_daily_quota(code, meta, quota_wait, has_retry_header):
            code, retry_after = DAILY_QUOTA_CODE, quota_wait
        elif not has_retry_header:
            retry_after = quota_wait if quota_wait is not None else PER_KEY_DEFAULT_WAIT
        # else: the engine reads the Retry-After header and sets the wait itself.

    detail = message or _snippet(body, envelope)
    if status == 410 and "/analytics" not in detail:
        # The removed endpoints are the old per-entity stats; say where they went.
        detail = (detail + " " if detail else "") + "Use GET /analytics instead."
    return Problem(
        status=status,
        code=code or _FALLBACK.get(status) or FALLBACK_CODES.get(status, "api_error").lower(),
        title=reason,
        detail=detail,
        request_id=_request_id(headers, envelope, meta),
        errors=field_errors(meta.get("errors")),
        retry_after=retry_after,
        extra=extra,
    )


def _is_daily_quota(
    code: str, meta: Mapping[str, Any], quota_wait: float | None, has_retry_header: bool
) -> bool:
    if code.lower() == DAILY_QUOTA_CODE or meta.get("limitKey") == "max_api_requests_per_day":
        return True
    # The documented tell: the quota 429 has meta.retryAfter and no Retry-After header. A
    # response with the header is the per-key window, which is worth a short retry.
    return quota_wait is not None and not has_retry_header


def _rename_code(code: str, message: str) -> str | None:
    if code.lower() in RENAME_CODES:
        return code.lower()
    found = _RENAME_IN_TEXT.search(message)
    return found.group(1).lower() if found else None


def _message(value: object) -> tuple[str, str]:
    """The ``error`` field's message and code; tolerates ``{"message", "code"}`` objects."""
    if isinstance(value, Mapping):
        return _text(value.get("message")), _text(value.get("code"))
    return _text(value), ""


def _request_id(
    headers: Mapping[str, str], envelope: Mapping[str, Any], meta: Mapping[str, Any]
) -> str | None:
    return (
        _header(headers, "x-request-id")
        or _text(meta.get("requestId"))
        or _text(meta.get("request_id"))
        or _text(envelope.get("request_id"))
        or None
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # httpx.Headers is case-insensitive already; a plain mapping (tests, other callers) is not.
    value = headers.get(name)
    if value is not None:
        return value
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _seconds(value: object) -> float | None:
    """A usable wait in seconds from a JSON number or numeric string, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def _snake(name: str) -> str:
    return _CAMEL_HUMP.sub(r"_\1", name).lower()


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
