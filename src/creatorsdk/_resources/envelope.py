"""How an API wraps its successful replies, and what both APIs read through it the same way.

Each API package subclasses :class:`Envelope` once for its own body shape (CreatorAudit's
``{data, pagination}``, trackagoat's ``{data, error, meta}``): where a reply's payload is and
how a listing page says where the next one starts. Decoding one object and building a cursor
pager on top of that are the same for both APIs and live here.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from creatorsdk._engine.client import BaseClient, Reply
from creatorsdk._engine.decoding import Model, decode, page_parser
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk._resources.arguments import cursor_arg, int_arg, optional

__all__ = ["Envelope"]

M = TypeVar("M", bound=Model)


class Envelope(abc.ABC):
    """One API's reply envelope: its payload, its listing pages, its largest page size."""

    #: The largest ``limit`` every listing of the API accepts; also every ``list()``'s default.
    max_page_size: ClassVar[int]
    #: The members of a listing page's body besides ``data`` that :meth:`page` reads.
    page_members: ClassVar[tuple[str, ...]]

    @abc.abstractmethod
    def unwrap(self, reply: Reply) -> Any:
        """The reply's payload (its ``data``); ``DecodeError`` when the body is no envelope."""

    @abc.abstractmethod
    def page(self, reply: Reply, model: type[M]) -> Page[M]:
        """One listing page: the items decoded as ``model`` and where the next page starts."""

    def decode(self, reply: Reply, model: type[M], *, empty: M | None = None) -> M:
        """The payload decoded as one ``model``; ``empty`` stands in for a reply without one
        when the call's success says all there is to say (a bodiless 202)."""
        data = self.unwrap(reply)
        if data is None and empty is not None:
            return empty
        result: M = decode(data, model, request_id=reply.request_id)
        return result

    def pager(
        self,
        client: BaseClient,
        path: str,
        model: type[M],
        *,
        params: Mapping[str, Any] | None = None,
        limit: int | None,
        cursor: str | None,
    ) -> AsyncPager[M]:
        """An :class:`AsyncPager` over ``GET path``; ``params`` (filters, sort) stay fixed
        across pages, and ``limit=None`` sends no page size.

        Arguments are checked here, when the pager is built; nothing is sent until iteration.
        """
        fixed = {
            **(params or {}),
            "limit": optional(int_arg, "limit", limit, low=1, high=self.max_page_size),
        }
        start = optional(cursor_arg, "cursor", cursor)
        parse = page_parser(model, self.page_members)

        async def fetch(page_cursor: str | None) -> Page[M]:
            # A page unlocks the next: it goes before fan-out chunks waiting for the budget.
            query = {**fixed, "cursor": page_cursor}
            reply = await client.request("GET", path, params=query, critical=True, parse=parse)
            page = self.page(reply, model)
            if not page.has_next:
                # Known here, not in the pacer: it would keep budget for a next page until
                # two of the listing's cycles went by without one.
                await client._listing_ended()
            return page

        return AsyncPager(fetch, cursor=start)
