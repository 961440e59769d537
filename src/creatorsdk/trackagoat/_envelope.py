"""trackagoat's ``{data, error, meta}`` envelope of successful replies, and listing pages.

A listing page is ``{"data": [...], "meta": {"nextCursor": "<opaque>" | null, "hasMore": bool}}``.
The listing goes on while ``nextCursor`` is a string and ``hasMore`` is not false; ``hasMore``
may be absent. ``hasMore: true`` without a cursor is left to the pager, which raises rather
than stopping early or looping. Decoding one object and building the pager are shared with
CreatorAudit (:mod:`creatorsdk._resources.envelope`); error replies are read by
:mod:`creatorsdk.trackagoat._error_envelope`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from creatorsdk._engine.client import Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.paging import Page
from creatorsdk._resources.envelope import Envelope
from creatorsdk.errors import DecodeError
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE

__all__ = ["ENVELOPE"]

M = TypeVar("M", bound=Model)


class _TrackAGoatEnvelope(Envelope):
    page_members = ("meta",)
    max_page_size = MAX_PAGE_SIZE

    def unwrap(self, reply: Reply) -> Any:
        """The envelope's ``data``; ``None`` for an empty body (a 204)."""
        body = reply.data
        if body is None:
            return None
        if not isinstance(body, Mapping) or "data" not in body:
            raise DecodeError(
                "expected the {data, error, meta} envelope",
                field="data",
                request_id=reply.request_id,
            )
        return body["data"]

    def page(self, reply: Reply, model: type[M]) -> Page[M]:
        """One page of a listing: the items in ``data`` and the cursor in ``meta``."""
        data = self.unwrap(reply)
        items: list[M] = decode(data, list[model], request_id=reply.request_id)  # type: ignore[valid-type]
        meta = reply.data.get("meta")
        meta = meta if isinstance(meta, Mapping) else {}
        cursor = meta.get("nextCursor")
        cursor = cursor if isinstance(cursor, str) and cursor else None
        has_more = meta.get("hasMore")
        has_next = has_more is True or (cursor is not None and has_more is not False)
        total = meta.get("total", meta.get("total_count"))
        return Page(
            items=items,
            next_cursor=cursor,
            has_next=has_next,
            total_count=total if isinstance(total, int) and not isinstance(total, bool) else None,
            request_id=reply.request_id,
        )


#: How every trackagoat resource reads its replies.
ENVELOPE: Final[Envelope] = _TrackAGoatEnvelope()
