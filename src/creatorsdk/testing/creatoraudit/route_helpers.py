"""Helpers the route modules share: list pages, ``201 Created``, lookups, batch ``meta``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import date_of_day
from creatorsdk.testing._paging import empties_page
from creatorsdk.testing.creatoraudit.context import context
from creatorsdk.testing.creatoraudit.errors import not_found
from creatorsdk.testing.creatoraudit.paging import ListSpec, parse_list_query
from creatorsdk.testing.creatoraudit.responses import json_response

__all__ = ["batch_meta", "created", "find", "serve_list"]


def serve_list(request: Request, spec: ListSpec) -> Response:
    """A collection envelope ``{data, pagination, filters}`` with its ``Link`` header."""
    ctx = context(request)
    query = parse_list_query(spec, request.query_params)
    empty = empties_page(ctx.fault, was_emptied=query.was_emptied)
    page = ctx.state.lister.page(spec, query, empty=empty)
    pagination: dict[str, Any] = {
        "next_cursor": page.next_cursor,
        "has_next": page.has_next,
        "limit": query.limit,
    }
    if query.include_total:
        pagination["total_count"] = page.total
    links = [f'<{request.url.remove_query_params("cursor")}>; rel="first"']
    if page.next_cursor is not None:
        links.append(f'<{request.url.include_query_params(cursor=page.next_cursor)}>; rel="next"')
    payload = {"data": page.items, "pagination": pagination, "filters": query.echo()}
    return json_response(request, payload, headers={"Link": ", ".join(links)})


def find(collection: dict[str, dict[str, Any]], kind: str, resource_id: str) -> dict[str, Any]:
    """The record with ``resource_id`` (routes only match lowercased UUIDs), or a 404."""
    record = collection.get(resource_id)
    if record is None:
        raise not_found(kind, resource_id)
    return record


def batch_meta(period: str, start: int, end: int, missing: list[Any]) -> dict[str, Any]:
    """The ``meta`` of a batch metrics response."""
    return {
        "period": period,
        "start_date": date_of_day(start).isoformat(),
        "end_date": date_of_day(end).isoformat(),
        "days": end - start + 1,
        "not_found": missing,
    }


def created(request: Request, record: dict[str, Any]) -> Response:
    """``201 Created`` with ``{data}`` and the new resource's absolute URL in ``Location``."""
    location = f"{request.url.replace(query='')}/{record['id']}"
    return json_response(request, {"data": record}, status=201, headers={"Location": location})
