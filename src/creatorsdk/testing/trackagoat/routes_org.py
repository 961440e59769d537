"""Projects, the schema, goal compliance, and the removed per-entity stats endpoints (410)."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import day_of, day_of_date
from creatorsdk.testing.trackagoat.context import context
from creatorsdk.testing.trackagoat.errors import ApiError, bad_query, not_found
from creatorsdk.testing.trackagoat.goals import compliance
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import query_date, query_uuid
from creatorsdk.testing.trackagoat.responses import ok

__all__ = ["SCHEMA", "goal_compliance", "list_projects", "removed_stats", "schema"]

PERIODS: Final = ("daily", "weekly", "monthly", "all")


def _fields(**kinds: str) -> dict[str, Any]:
    return {name: {"type": kind} for name, kind in kinds.items()}


#: ``GET /schema``: entities, their fields and how they relate.
SCHEMA: Final[dict[str, Any]] = {
    "version": "1.4.0",
    "entities": {
        "project": {
            "description": "A container of creators, videos and campaigns.",
            "fields": _fields(id="uuid", name="string", description="string|null", org_id="uuid"),
        },
        "creator": {
            "description": "A tracked TikTok account in one project.",
            "fields": _fields(
                id="uuid", project_id="uuid", tiktok_handle="string", is_active="boolean"
            ),
        },
        "video": {
            "description": "A tracked TikTok post.",
            "fields": _fields(
                id="uuid", project_id="uuid", creator_id="uuid|null", tracking_status="string"
            ),
        },
        "campaign": {
            "description": "A nestable group of creators, videos and campaigns.",
            "fields": _fields(id="uuid", project_id="uuid", name="string"),
        },
    },
    "relationships": [
        {"from": "creator", "to": "project", "via": "project_id"},
        {"from": "video", "to": "creator", "via": "creator_id"},
        {"from": "video", "to": "project", "via": "project_id"},
        {"from": "campaign", "to": "project", "via": "project_id"},
    ],
}


async def schema(request: Request) -> Response:
    """``GET /schema``."""
    return ok(SCHEMA)


async def list_projects(request: Request) -> Response:
    """``GET /projects``: paginated like the other lists."""
    store = context(request).state.store
    return serve_list(request, "projects", {}, list(store.live(store.projects)))


async def goal_compliance(request: Request) -> Response:
    """``GET /projects/{id}/goal-compliance``: every active creator with its goals' progress."""
    store = context(request).state.store
    project_id = request.path_params["project_id"]
    if store.find(store.projects, project_id) is None:
        raise not_found("project", project_id)
    params = request.query_params
    creator_id = query_uuid(params, "creator_id")
    period = params.get("period", "all")
    if period not in PERIODS:
        raise bad_query(f"period must be one of {', '.join(PERIODS)}")
    when = query_date(params, "reference_date")
    ref = day_of(store.clock()) if when is None else day_of_date(when)
    data = []
    for creator in store.live(store.creators):
        if creator["project_id"] != project_id or not creator["is_active"]:
            continue
        if creator_id is not None and creator["id"] != creator_id:
            continue
        goals = [
            g
            for g in store.goals.get(creator["id"], ())
            if g["is_active"] and period in ("all", g["period"])
        ]
        data.append(
            {
                "creator": {
                    k: creator[k] for k in ("id", "tiktok_handle", "display_name", "avatar_url")
                },
                "compliance": [compliance(store, creator, g, ref) for g in goals],
            }
        )
    return ok(data)


async def removed_stats(request: Request) -> Response:
    """The old ``/{kind}/{id}/stats`` endpoints: 410, naming the analytics replacement."""
    kind = request.url.path.split("/")[-3].removesuffix("s")
    replacement = f"/api/v1/analytics?entity={kind}&entity_id={request.path_params['id']}"
    raise ApiError(
        410,
        "endpoint_removed",
        f"This endpoint was removed. Use GET {replacement} instead.",
        meta={"replacement": replacement},
    )
