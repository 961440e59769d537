"""CreatorAudit's reply envelope, and the listing pages read through it.

A single resource is ``{"data": {...}}``; a collection page is ``{"data": [...],
"pagination": {"next_cursor", "has_next", "limit", "total_count"?}, "filters": {...}}``.
A listing goes on while ``has_next`` is true, whatever the page holds; the pager refuses a
``has_next`` without a new cursor rather than looping or stopping early. Decoding one object
and building the pager are shared with trackagoat (:mod:`creatorsdk._resources.envelope`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

import attrs

from creatorsdk._engine.client import Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.paging import Page
from creatorsdk._resources.envelope import Envelope
from creatorsdk.creatoraudit._arguments import LIST_LIMIT
from creatorsdk.errors import DecodeError

__all__ = ["ENVELOPE", "envelope", "list_page"]

M = TypeVar("M", bound=Model)


def envelope(reply: Reply) -> Mapping[str, Any]:
    """The body as a JSON object with ``data``, or ``DecodeError`` when it is anything else."""
    body = reply.data
    if not isinstance(body, Mapping) or "data" not in body:
        raise DecodeError(
            "expected a JSON object with a 'data' member",
            field="$.data",
            request_id=reply.request_id,
        )
    return body


@attrs.frozen
class _Pagination(Model):
    next_cursor: str | None = None
    has_next: bool | None = None
    limit: int | None = None
    total_count: int | None = None


def list_page(reply: Reply, model: type[M]) -> Page[M]:
    """One page of a collection: the items in ``data``, the cursor in ``pagination``.

    Without ``has_next`` a non-null ``next_cursor`` means more; without a ``pagination``
    object at all the page is the last.
    """
    body = envelope(reply)
    items: list[M] = decode(body["data"], list[model], request_id=reply.request_id)  # type: ignore[valid-type]
    raw = body.get("pagination")
    paging = _Pagination() if raw is None else decode(raw, _Pagination, request_id=reply.request_id)
    cursor = paging.next_cursor or None
    has_next = paging.has_next if paging.has_next is not None else cursor is not None
    return Page(
        items=items,
        next_cursor=cursor,
        has_next=has_next,
        total_count=paging.total_count,
        request_id=reply.request_id,
    )


class _CreatorAuditEnvelope(Envelope):
    page_members = ("pagination",)
    max_page_size = LIST_LIMIT

    def unwrap(self, reply: Reply) -> Any:
        return envelope(reply)["data"]

    def page(self, reply: Reply, model: type[M]) -> Page[M]:
        return list_page(reply, model)


#: How every CreatorAudit resource reads its replies.
ENVELOPE: Final[Envelope] = _CreatorAuditEnvelope()
