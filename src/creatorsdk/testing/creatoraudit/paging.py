"""Cursor pagination: filters, sorting, keyset cursors bound to both, and the ``Link`` header.

A cursor holds the sort key of the last item served (``[null-flag, value, id]``) plus a
fingerprint of the endpoint, filters and sort it was issued for. The next page starts strictly
after that key, so items inserted meanwhile never shift a page: nothing is skipped or repeated.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from creatorsdk.testing._paging import decode_cursor, encode_cursor, listing_fingerprint
from creatorsdk.testing.creatoraudit.errors import validation
from creatorsdk.testing.creatoraudit.params import PLATFORMS, Reader
from creatorsdk.testing.creatoraudit.store import Store

__all__ = ["Filter", "ListQuery", "ListSpec", "Lister", "Page", "parse_list_query"]

SortKey = tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class Filter:
    """One list filter: ``kind`` is ``platform``, ``bool``, ``uuid``, ``text`` or ``exact``."""

    name: str
    kind: str
    fields: tuple[str, ...] = ()

    def read(self, reader: Reader) -> Any:
        """The filter's value from the query, or ``None`` when absent (or invalid)."""
        if self.kind == "platform":
            return reader.choice(self.name, PLATFORMS)
        if self.kind == "bool":
            return reader.boolean(self.name)
        if self.kind == "uuid":
            return reader.uuid(self.name)
        value = reader.string(self.name, max_length=128)
        return value.lower() if value is not None and self.kind == "text" else value

    def matches(self, record: Mapping[str, Any], value: Any) -> bool:
        """Whether ``record`` passes this filter set to ``value``."""
        if self.kind == "text":
            return any(value in (record[f] or "").lower() for f in self.fields)
        if self.kind == "exact":
            return str(record[self.fields[0]] or "").lower() == str(value).lower()
        return bool(record[self.fields[0]] == value)


@dataclasses.dataclass(frozen=True)
class ListSpec:
    """What one list endpoint offers."""

    name: str
    collection: str
    order_fields: tuple[str, ...]
    default_order: str
    default_direction: str
    filters: tuple[Filter, ...]
    folded: frozenset[str] = frozenset({"username", "name"})

    def sort_key(self, order_by: str) -> Callable[[Mapping[str, Any]], SortKey]:
        """The ascending sort key for ``order_by``; the id breaks ties, nulls sort lowest."""
        folded = order_by in self.folded

        def key(record: Mapping[str, Any]) -> SortKey:
            value = record[order_by]
            if value is None:
                return (0, None, record["id"])
            return (1, value.lower() if folded else value, record["id"])

        return key


@dataclasses.dataclass(frozen=True)
class ListQuery:
    """A list request, validated."""

    limit: int
    include_total: bool
    filters: dict[str, Any]
    order_by: str
    direction: str
    fingerprint: str
    after: SortKey | None
    was_emptied: bool

    def echo(self) -> dict[str, Any]:
        """The ``filters`` object of the envelope: active filters and the sort in use."""
        return {**self.filters, "order_by": self.order_by, "order_direction": self.direction}


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of results."""

    items: list[dict[str, Any]]
    has_next: bool
    next_cursor: str | None
    total: int


def parse_list_query(spec: ListSpec, params: Mapping[str, str]) -> ListQuery:
    """Validate limit, cursor, include_total, filters and sort (``order_by`` beats ``sort``)."""
    reader = Reader(params, from_query=True)
    limit = reader.integer("limit", 1, 200)
    include_total = reader.boolean("include_total") or False
    filters = {f.name: v for f in spec.filters if (v := f.read(reader)) is not None}
    order_by, direction = _sort(spec, reader)
    reader.check()
    fingerprint = listing_fingerprint(spec.name, filters, order_by, direction, digest_size=8)
    after, emptied = _decode_cursor(params.get("cursor"), fingerprint)
    return ListQuery(
        limit=limit or 50,
        include_total=include_total,
        filters=filters,
        order_by=order_by,
        direction=direction,
        fingerprint=fingerprint,
        after=after,
        was_emptied=emptied,
    )


def _sort(spec: ListSpec, reader: Reader) -> tuple[str, str]:
    direction = reader.choice("order_direction", ("asc", "desc"))
    order_by = reader.choice("order_by", spec.order_fields)
    if order_by is not None or reader.present("order_by"):
        return order_by or spec.default_order, direction or spec.default_direction
    sort = reader.string("sort", max_length=64)
    if sort is not None:
        field = sort.removeprefix("-")
        if field not in spec.order_fields:
            choices = ", ".join(f"{s}{f}" for f in spec.order_fields for s in ("", "-"))
            reader.fail("sort", f"must be one of: {choices}")
            return spec.default_order, spec.default_direction
        return field, "desc" if sort.startswith("-") else "asc"
    return spec.default_order, direction or spec.default_direction


def _cursor_after(fingerprint: str, after: SortKey | None, *, emptied: bool = False) -> str:
    """An opaque cursor to the position after the sort key ``after``."""
    after_key = None if after is None else list(after)
    return encode_cursor({"f": fingerprint, "k": after_key, "e": int(emptied)})


def _decode_cursor(cursor: str | None, fingerprint: str) -> tuple[SortKey | None, bool]:
    if cursor is None or cursor == "":
        return None, False
    try:
        payload = decode_cursor(cursor)
        after = payload["k"]
        issued_for, emptied = str(payload["f"]), bool(payload["e"])
        if after is not None and (not isinstance(after, list) or len(after) != 3):
            raise ValueError("bad key")
    except (ValueError, KeyError, TypeError):
        raise validation([("cursor", "is not a cursor this API issued")]) from None
    if issued_for != fingerprint:
        raise validation(
            [("cursor", "was issued for different filters or sort")],
            "The cursor belongs to a listing with other filters or sort; start again without it.",
        )
    return (None if after is None else tuple(after)), emptied


class Lister:
    """Serves pages from a store, keeping recent sorted listings until the store changes."""

    def __init__(self, store: Store, cache_size: int = 16) -> None:
        self.store = store
        self._cache: OrderedDict[tuple[str, int], tuple[list[Any], list[SortKey]]] = OrderedDict()
        self._cache_size = cache_size

    def page(self, spec: ListSpec, query: ListQuery, *, empty: bool = False) -> Page:
        """The page after the query's cursor; ``empty`` serves no items but the same position."""
        items, keys = self._sorted(spec, query)
        if empty:
            cursor = _cursor_after(query.fingerprint, query.after, emptied=True)
            return Page([], True, cursor, len(items))
        try:
            if query.direction == "asc":
                start = 0 if query.after is None else bisect.bisect_right(keys, query.after)
                chunk = items[start : start + query.limit]
                has_next = start + query.limit < len(items)
            else:
                end = len(items) if query.after is None else bisect.bisect_left(keys, query.after)
                chunk = items[max(end - query.limit, 0) : end][::-1]
                has_next = end - query.limit > 0
        except TypeError:  # a hand-made cursor whose key cannot be compared with ours
            raise validation([("cursor", "is not a cursor this API issued")]) from None
        next_cursor = None
        if has_next:
            last = spec.sort_key(query.order_by)(chunk[-1])
            next_cursor = _cursor_after(query.fingerprint, last)
        return Page(chunk, has_next, next_cursor, len(items))

    def _sorted(self, spec: ListSpec, query: ListQuery) -> tuple[list[Any], list[SortKey]]:
        cache_key = (query.fingerprint, self.store.version)
        hit = self._cache.get(cache_key)
        if hit is not None:
            self._cache.move_to_end(cache_key)
            return hit
        by_name = {f.name: f for f in spec.filters}
        records = [
            r
            for r in self._candidates(spec, query)
            if all(by_name[n].matches(r, v) for n, v in query.filters.items())
        ]
        key = spec.sort_key(query.order_by)
        records.sort(key=key)
        entry = (records, [key(r) for r in records])
        self._cache[cache_key] = entry
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return entry

    def _candidates(self, spec: ListSpec, query: ListQuery) -> Iterable[dict[str, Any]]:
        # Listing one account's videos is the bulk-ingest pattern: use the store's index
        # instead of scanning every account-video once per account.
        account_id = query.filters.get("account_id")
        if spec.collection == "account_videos" and account_id is not None:
            return self.store.videos_of_account(account_id)
        collection: dict[str, dict[str, Any]] = getattr(self.store, spec.collection)
        return collection.values()
