"""Success responses: the ``{data, error: null, meta}`` envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from creatorsdk.testing._json import dump

__all__ = ["ok"]


def ok(
    data: Any,
    *,
    status: int = 200,
    meta: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A success envelope; single objects have ``meta: null`` (section 11)."""
    body = {"data": data, "error": None, "meta": None if meta is None else dict(meta)}
    return Response(dump(body), status, headers=headers, media_type="application/json")
