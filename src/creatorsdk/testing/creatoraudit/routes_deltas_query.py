"""``GET /videos/deltas``: the seed tutorial's query-string form of ``POST /videos/deltas``.

"``GET /v2/videos/deltas`` accepts the same request as query parameters (``video_ids``
repeated, optional ``windows``)". The query becomes the POST's body and the POST's handler
answers it, so both forms validate and compute alike. A comma-separated value is read as
several, as many tools send lists that way.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.routes_videos import video_deltas

__all__ = ["video_deltas_query"]


async def video_deltas_query(request: Request) -> Response:
    """``GET /videos/deltas?video_ids=…&video_ids=…&windows=7``."""
    params = request.query_params
    body: dict[str, Any] = {}
    ids = _values(params.getlist("video_ids"))
    if ids:
        body["video_ids"] = ids
    windows = _values(params.getlist("windows"))
    if windows:
        # Whole numbers become integers; anything else stays text for the 422 to name.
        body["windows"] = [int(w) if re.fullmatch(r"\d{1,6}", w) else w for w in windows]
    context(request).body = body
    return await video_deltas(request)


def _values(raw: list[str]) -> list[str]:
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]
