"""The routes of the OpenAPI documents, the analytics annotations and the ten aggregate
analytics, for the app's route table."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import Route

from creatorsdk.testing._routing import UUID
from creatorsdk.testing.trackagoat import openapi
from creatorsdk.testing.trackagoat import routes_annotations as notes
from creatorsdk.testing.trackagoat.routes_aggregate import ENDPOINTS

__all__ = ["reporting_routes"]


def reporting_routes(route: Callable[..., Route]) -> list[Route]:
    """Every such route, built with the app's ``route(path, METHOD=handler, ...)``."""
    one = f"{{id:{UUID}}}"
    return [
        route("/openapi.json", GET=openapi.openapi_json),
        route("/analytics/schema", GET=openapi.analytics_schema),
        route(
            "/analytics/annotations",
            GET=notes.list_annotations,
            POST=notes.create_annotation,
        ),
        route(
            f"/analytics/annotations/{one}",
            PATCH=notes.update_annotation,
            DELETE=notes.delete_annotation,
        ),
        *(
            route(f"/analytics/aggregate/{name}", GET=handler)
            for name, handler in ENDPOINTS.items()
        ),
    ]
