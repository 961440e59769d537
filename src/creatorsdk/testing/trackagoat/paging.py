"""Cursor pagination: ``meta.nextCursor`` / ``hasMore`` over records in insertion order.

A cursor holds the rank of the last item served and a fingerprint of the listing's filters.
The next page starts strictly after that rank, and new records always rank last, so items
added or removed meanwhile never shift a page: nothing is skipped or served twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._paging import (
    decode_cursor,
    empties_page,
    encode_cursor,
    listing_fingerprint,
)
from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import bad_query
from creatorsdk.testing.trackagoat.responses import ok

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "serve_list"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def serve_list(
    request: Request,
    name: str,
    filters: Mapping[str, Any],
    records: Iterable[dict[str, Any]],
    serve: Callable[[dict[str, Any]], dict[str, Any]] = dict,
    *,
    rank: Callable[[str], int] | None = None,
) -> Response:
    """One page of ``records`` (already filtered) in insertion order, as an envelope.

    ``rank`` gives a record's insertion rank by id (default: the store's order).
    """
    ctx = context(request)
    order = ctx.state.store.order if rank is None else rank
    limit = _limit(request.query_params.get("limit"))
    fingerprint = listing_fingerprint(name, filters, digest_size=6)
    after, emptied = _decode(request.query_params.get("cursor"), fingerprint)
    ranked = sorted(
        ((order(r["id"]), r) for r in records if order(r["id"]) > after), key=lambda p: p[0]
    )
    if empties_page(ctx.fault, was_emptied=emptied):
        same_place = _encode(fingerprint, after, emptied=True)
        return ok([], meta={"nextCursor": same_place, "hasMore": True})
    chunk = ranked[:limit]
    has_more = len(ranked) > limit
    cursor = _encode(fingerprint, chunk[-1][0]) if has_more else None
    return ok([serve(r) for _, r in chunk], meta={"nextCursor": cursor, "hasMore": has_more})


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise bad_query(f"limit must be an integer from 1 to {MAX_LIMIT}, got {raw!r}")
    return value


def _encode(fingerprint: str, after: int, *, emptied: bool = False) -> str:
    return encode_cursor({"f": fingerprint, "a": after, "e": int(emptied)})


def _decode(cursor: str | None, fingerprint: str) -> tuple[int, bool]:
    if not cursor:
        return -1, False
    try:
        payload = decode_cursor(cursor)
        after, issued_for, emptied = int(payload["a"]), str(payload["f"]), bool(payload["e"])
    except (ValueError, KeyError, TypeError):
        raise bad_query("cursor is not a cursor this API issued") from None
    if issued_for != fingerprint:
        raise bad_query("cursor was issued for a listing with other filters; start again")
    return after, emptied
