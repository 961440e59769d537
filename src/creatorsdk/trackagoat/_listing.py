"""The ``{data, error, meta}`` envelope of successful replies, and cursor listings over it.

A listing page is ``{"data": [...], "meta": {"nextCursor": "<opaque>" | null, "hasMore": bool}}``.
The listing goes on while ``nextCursor`` is a string and ``hasMore`` is not false; ``hasMore``
may be absent. ``hasMore: true`` without a cursor is left to the pager, which raises rather
than stopping early or looping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from creatorsdk._engine.client import BaseClient, Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk.errors import DecodeError
from creatorsdk.trackagoat._arguments import page_size

__all__ = ["Resource", "decode_data", "envelope_page", "pager", "unwrap"]

M = TypeVar("M", bound=Model)


def unwrap(reply: Reply) -> Any:
    """The envelope's ``data``; ``None`` for an empty body (a 204)."""
    body = reply.data
    if body is None:
        return None
    if not isinstance(body, Mapping) or "data" not in body:
        raise DecodeError(
            "expected the {data, error, meta} envelope", field="data", request_id=reply.request_id
        )
    return body["data"]


def decode_data(reply: Reply, model: type[M], *, empty: M | None = None) -> M:
    """The envelope's ``data`` decoded as one ``model``; ``empty`` stands in for a reply
    without data when the call's success says all there is to say (a bodiless 202)."""
    data = unwrap(reply)
    if data is None and empty is not None:
        return empty
    result: M = decode(data, model, request_id=reply.request_id)
    return result


def envelope_page(reply: Reply, model: type[M]) -> Page[M]:
    """One page of a listing: the items in ``data`` and the cursor in ``meta``."""
    items: list[M] = decode(unwrap(reply), list[model], request_id=reply.request_id)  # type: ignore[valid-type]
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


def pager(
    client: BaseClient,
    path: str,
    model: type[M],
    *,
    params: Mapping[str, Any] | None = None,
    limit: int | None,
    cursor: str | None,
) -> AsyncPager[M]:
    """An :class:`AsyncPager` over ``GET path``; filters in ``params`` stay fixed across pages.

    ``limit=None`` sends no page size (for endpoints that do not document one).
    """
    if limit is not None:
        page_size(limit)
    if cursor is not None and (not isinstance(cursor, str) or not cursor):
        raise ValueError(f"cursor must be a non-empty string from next_cursor, got {cursor!r}")
    fixed = dict(params or {})

    async def fetch(page_cursor: str | None) -> Page[M]:
        query = {**fixed, "limit": limit, "cursor": page_cursor}
        # A page unlocks the next: it goes before fan-out chunks waiting for the budget.
        reply = await client.request("GET", path, params=query, critical=True)
        return envelope_page(reply, model)

    return AsyncPager(fetch, cursor=cursor)


class Resource:
    """Base of the resource namespaces (``tg.creators``, ...): they share the client."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client
