"""CreatorAudit's response envelopes, and cursor listings built on them.

A single resource is ``{"data": {...}}``; a collection page is ``{"data": [...],
"pagination": {"next_cursor", "has_next", "limit", "total_count"?}, "filters": {...}}``.
A listing goes on while ``has_next`` is true, whatever the page holds; the pager refuses a
``has_next`` without a new cursor rather than looping or stopping early.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from creatorsdk._engine.client import BaseClient, Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk.creatoraudit._arguments import LIST_LIMIT, boolean, cursor_arg, limit_arg
from creatorsdk.errors import DecodeError

__all__ = ["Resource", "decode_data", "envelope", "list_page", "pager", "unwrap"]

M = TypeVar("M", bound=Model)


class Resource:
    """Base of the resource namespaces (``ca.accounts``, ...): they share the client."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client


def envelope(reply: Reply) -> Mapping[str, Any]:
    """The body as a JSON object, or ``DecodeError`` when it is anything else."""
    body = reply.data
    if not isinstance(body, Mapping) or "data" not in body:
        raise DecodeError(
            "expected a JSON object with a 'data' member",
            field="$.data",
            request_id=reply.request_id,
        )
    return body


def unwrap(reply: Reply) -> Any:
    """The envelope's ``data``."""
    return envelope(reply)["data"]


def decode_data(reply: Reply, model: type[M]) -> M:
    """The envelope's ``data`` decoded as one ``model``."""
    result: M = decode(unwrap(reply), model, request_id=reply.request_id)
    return result


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


def pager(
    client: BaseClient,
    path: str,
    model: type[M],
    *,
    params: Mapping[str, Any],
    limit: int,
    cursor: str | None,
    include_total: bool = False,
) -> AsyncPager[M]:
    """An :class:`AsyncPager` over ``GET path``; ``params`` (filters, sort) fixed on every page.

    Arguments are checked here, when the pager is built; nothing is sent until iteration.
    """
    fixed = {
        **params,
        "limit": limit_arg(limit, LIST_LIMIT),
        "include_total": True if boolean("include_total", include_total) else None,
    }
    start = cursor_arg(cursor)

    async def fetch(page_cursor: str | None) -> Page[M]:
        # A page unlocks the next: it goes before fan-out chunks waiting for the budget.
        query = {**fixed, "cursor": page_cursor}
        reply = await client.request("GET", path, params=query, critical=True)
        return list_page(reply, model)

    return AsyncPager(fetch, cursor=start)
