"""``GET /openapi.json`` and ``GET /analytics/schema``: OpenAPI 3.1 documents of the fake.

Both are built from the app's own route table, so they list exactly the operations the fake
serves. ``/openapi.json`` is served bare, as OpenAPI files are (Postman and Insomnia import
it); ``/analytics/schema`` is the analytics part of it, in the usual envelope.
"""

from __future__ import annotations

import re
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from creatorsdk.testing._json import dump
from creatorsdk.testing.trackagoat.responses import ok

__all__ = ["VERSION", "analytics_schema", "openapi_document", "openapi_json"]

#: The API version the docs name for the frozen analytics shape.
VERSION: Final = "1.4.0"
_CONVERTOR: Final = re.compile(r"\{(\w+):[^}]+\}")
_WRITE: Final = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def openapi_document(routes: list[Any], prefix: str, *, under: str = "") -> dict[str, Any]:
    """An OpenAPI 3.1 document of ``routes`` whose path (after ``prefix``) starts ``under``."""
    paths: dict[str, Any] = {}
    for route in routes:
        if not isinstance(route, Route) or not route.path.startswith(prefix + under):
            continue
        path = _CONVERTOR.sub(r"{\1}", route.path.removeprefix(prefix))
        operations = {}
        for method in sorted((route.methods or set()) - {"HEAD"}):
            operations[method.lower()] = {
                "operationId": f"{method.lower()}_{_slug(path)}",
                "summary": f"{method} {path}",
                "security": [{"bearer": ["write" if method in _WRITE else "read"]}],
                "parameters": [
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                    for name in re.findall(r"\{(\w+)\}", path)
                ],
                "responses": {"200": {"$ref": "#/components/responses/Envelope"}},
            }
        paths[path] = operations
    return {
        "openapi": "3.1.0",
        "info": {"title": "trackagoat API (FakeTrackAGoat)", "version": VERSION},
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Envelope": {
                    "description": "{data, error, meta}",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        },
    }


async def openapi_json(request: Request) -> Response:
    """``GET /openapi.json``: the whole API, bare."""
    document = openapi_document(request.scope["router"].routes, _prefix(request))
    return Response(dump(document), media_type="application/json")


async def analytics_schema(request: Request) -> Response:
    """``GET /analytics/schema``: the analytics operations, in the envelope."""
    routes = request.scope["router"].routes
    return ok(openapi_document(routes, _prefix(request), under="/analytics"))


def _prefix(request: Request) -> str:
    return request.url.path.rsplit("/openapi.json", 1)[0].rsplit("/analytics/schema", 1)[0]


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
