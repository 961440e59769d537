"""``/analytics/annotations``: list, create, change and delete chart annotations."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing.trackagoat.analytics import resolve
from creatorsdk.testing.trackagoat.context import ApiState, context
from creatorsdk.testing.trackagoat.errors import bad_body, bad_query, not_found
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import UNSET, Fields, body_object, query_date, query_uuid
from creatorsdk.testing.trackagoat.responses import ok

__all__ = ["create_annotation", "delete_annotation", "list_annotations", "update_annotation"]

ENTITIES: Final = ("creator", "video", "campaign", "project")
KINDS: Final = ("note", "campaign", "launch", "event", "incident")
LABEL_MAX: Final = 200
DESCRIPTION_MAX: Final = 5_000
_FIELDS: Final = ("date", "label", "description", "kind", "entity", "entity_id", "project_id")


async def list_annotations(request: Request) -> Response:
    """``GET /analytics/annotations?project_id=&entity=&entity_id=&from=&to=``."""
    book = context(request).state.annotations
    params = request.query_params
    entity = params.get("entity")
    if entity is not None and entity not in ENTITIES:
        raise bad_query(f"entity must be one of {', '.join(ENTITIES)}")
    first, last = query_date(params, "from"), query_date(params, "to")
    filters = {
        "project_id": query_uuid(params, "project_id"),
        "entity": entity,
        "entity_id": query_uuid(params, "entity_id"),
        "from": None if first is None else first.isoformat(),
        "to": None if last is None else last.isoformat(),
    }

    def keep(record: dict[str, Any]) -> bool:
        for name in ("project_id", "entity", "entity_id"):
            if filters[name] is not None and record[name] != filters[name]:
                return False
        after, before = filters["from"], filters["to"]
        return (after is None or record["date"] >= after) and (
            before is None or record["date"] <= before
        )

    records = [r for r in book.records.values() if keep(r)]
    return serve_list(request, "annotations", filters, records, rank=book.rank)


async def create_annotation(request: Request) -> Response:
    """``POST /analytics/annotations``: 201 with the annotation."""
    ctx = context(request)
    state = ctx.state

    def create() -> Response:
        fields = body_object(ctx.body, _FIELDS)
        values = _values(fields, creating=True)
        entity, entity_id = values.get("entity"), values.get("entity_id")
        if (entity is None) != (entity_id is None):
            raise bad_body("entity and entity_id go together.")
        if entity is not None and entity_id is not None:
            values["project_id"] = _project_of(state, entity, entity_id, values.get("project_id"))
        elif values.get("project_id") is not None:
            _project_of(state, "project", values["project_id"], None)
        return ok(state.annotations.add(values), status=201)

    return idempotent_create(request, create)


async def update_annotation(request: Request) -> Response:
    """``PATCH /analytics/annotations/{id}``: ``date``, ``label``, ``description``, ``kind``."""
    ctx = context(request)
    book = ctx.state.annotations
    annotation_id = request.path_params["id"]
    book.get(annotation_id)
    fields = body_object(ctx.body, ("date", "label", "description", "kind"))
    changes = _values(fields, creating=False)
    if not changes:
        raise bad_body("At least one field is required.")
    return ok(book.update(annotation_id, changes))


async def delete_annotation(request: Request) -> Response:
    """``DELETE /analytics/annotations/{id}``."""
    book = context(request).state.annotations
    annotation_id = request.path_params["id"]
    book.delete(annotation_id)
    return ok({"id": annotation_id, "deleted": True})


def _values(fields: Fields, *, creating: bool) -> dict[str, Any]:
    values = {
        "date": fields.date("date"),
        "label": fields.text("label", max_length=LABEL_MAX, required=creating),
        "description": fields.text("description", max_length=DESCRIPTION_MAX, nullable=True),
        "kind": _kind(fields),
        "entity": fields.choice("entity", ENTITIES),
        "entity_id": fields.uuid("entity_id"),
        "project_id": fields.uuid("project_id"),
    }
    if creating and values["date"] is UNSET:
        raise bad_body("date is required.")
    if isinstance(values["label"], str) and not values["label"].strip():
        raise bad_body("label must not be blank.")
    return {k: v for k, v in values.items() if v is not UNSET}


def _kind(fields: Fields) -> Any:
    if fields.body.get("kind", UNSET) is None:
        return None  # cleared
    return fields.choice("kind", KINDS)


def _project_of(state: ApiState, entity: str, entity_id: str, given: str | None) -> str:
    """The project an entity belongs to (404 when the org has no such entity)."""
    store = state.store
    if resolve(store, entity, entity_id) is None:
        raise not_found(entity, entity_id)
    collection = {
        "creator": store.creators,
        "video": store.videos,
        "campaign": store.campaigns,
        "project": store.projects,
    }[entity]
    project: str = entity_id if entity == "project" else collection[entity_id]["project_id"]
    if given is not None and given != project:
        raise bad_body(f"The {entity} belongs to project {project}, not {given}.")
    return project
