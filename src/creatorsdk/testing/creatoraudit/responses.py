"""Success responses: compact JSON, with a strong ETag and ``304`` on GET."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._json import dump

__all__ = ["json_response"]


def json_response(
    request: Request,
    payload: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``payload`` as JSON; a GET gets an ``ETag`` and ``304`` when ``If-None-Match`` matches."""
    body = dump(payload)
    out = dict(headers or {})
    if request.method in ("GET", "HEAD") and status == 200:
        etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        out["ETag"] = etag
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=out)
    return Response(body, status_code=status, headers=out, media_type="application/json")


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2): a W/ prefix does not matter.
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
