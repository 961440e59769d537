"""Creators (the seed page): list, add one or up to 50, rename, remove, scrape, bulk calls."""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import iso
from creatorsdk.testing.trackagoat.context import ApiState, context
from creatorsdk.testing.trackagoat.errors import ApiError, bad_body, limit_reached, not_found
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import (
    UNSET,
    Fields,
    body_object,
    normalise_handle,
    query_uuid,
)
from creatorsdk.testing.trackagoat.responses import ok
from creatorsdk.testing.trackagoat.store import Store

__all__ = [
    "bulk_reenable",
    "bulk_remove",
    "create_creators",
    "delete_creator",
    "list_creators",
    "scrape_creator",
    "update_creator",
]

BULK_CREATE_MAX: Final = 50
BULK_IDS_MAX: Final = 100
REENABLE_COOLDOWN: Final = 24 * 3600.0
MODES: Final = ("auto", "selective")
JOB_TYPES: Final = ("creator_profiles", "video_stats", "discover_videos")
_CREATE_FIELDS: Final = (
    "tiktok_handle",
    "tracking_mode",
    "tracking_start_date",
    "tracking_end_date",
)
_PATCH_FIELDS: Final = (
    "tiktok_handle",
    "display_name",
    "description",
    "readme",
    "tracking_mode",
    "tracking_start_date",
    "tracking_end_date",
    "metadata",
)


async def list_creators(request: Request) -> Response:
    """``GET /creators?project_id=&search=``: removed creators are not listed."""
    store = context(request).state.store
    project_id = query_uuid(request.query_params, "project_id")
    search = (request.query_params.get("search") or "").lower()
    records = [
        r
        for r in store.live(store.creators)
        if (project_id is None or r["project_id"] == project_id)
        and search in r["tiktok_handle"].lower()
    ]
    filters = {"project_id": project_id, "search": search}
    return serve_list(request, "creators", filters, records, lambda r: store.serve_creator(r["id"]))


async def create_creators(request: Request) -> Response:
    """``POST /projects/{id}/creators``: one creator (201, or 200 when reactivated) or a bulk
    ``{"creators": [...]}`` (201 with a result per handle)."""
    ctx = context(request)
    state = ctx.state
    project_id = request.path_params["project_id"]
    if state.store.find(state.store.projects, project_id) is None:
        raise not_found("project", project_id)

    def create() -> Response:
        body = ctx.body
        if isinstance(body, dict) and "creators" in body:
            return _bulk_create(state, project_id, body)
        fields = body_object(body, _CREATE_FIELDS)
        handle = normalise_handle(fields.text("tiktok_handle", required=True))
        if handle is None:
            raise bad_body("tiktok_handle must be 1-30 letters, digits, '.', '_' or '-'.")
        status, code, record = _add(state, project_id, handle, _settings(fields))
        if record is None:
            raise _refusal(state, code or "", handle)
        return ok(state.store.serve_creator(record["id"]), status=status)

    return idempotent_create(request, create)


def _bulk_create(state: ApiState, project_id: str, body: dict[str, Any]) -> Response:
    if set(body) != {"creators"}:
        raise bad_body("A bulk create body has only the 'creators' field.")
    entries = body["creators"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= BULK_CREATE_MAX:
        raise bad_body(f"creators must be a list of 1 to {BULK_CREATE_MAX} objects.")
    parsed = [body_object(entry, _CREATE_FIELDS) for entry in entries]
    settings = [_settings(fields) for fields in parsed]  # all valid before anything is added
    results = []
    for fields, extra in zip(parsed, settings, strict=True):
        raw = fields.body.get("tiktok_handle")
        handle = normalise_handle(raw)
        status, code, record = (
            (0, "invalid_handle", None)
            if handle is None
            else _add(state, project_id, handle, extra)
        )
        results.append(
            {
                "tiktok_handle": handle if handle is not None else raw,
                "status": {201: "created", 200: "reactivated"}.get(status, "failed"),
                "creator": None if record is None else state.store.serve_creator(record["id"]),
                "error": None if code is None else _MESSAGES[code],
                "code": code,
            }
        )
    return ok({"results": results}, status=201)


_MESSAGES: Final = {
    "invalid_handle": "The handle must be 1-30 letters, digits, '.', '_' or '-'.",
    "creator_banned": "This handle is banned on the platform.",
    "duplicate": "This creator is already tracked in the project.",
    "limit_reached": "Limit reached: max_creators_per_org",
}


def _add(
    state: ApiState, project_id: str, handle: str, settings: dict[str, Any]
) -> tuple[int, str | None, dict[str, Any] | None]:
    """Add or reactivate one handle: ``(201 | 200, None, record)`` or ``(0, code, None)``."""
    store = state.store
    if handle.lower() in store.banned:
        return 0, "creator_banned", None
    same = store.creators_with_handle(project_id, handle)
    if any(r["id"] not in store.removed for r in same):
        return 0, "duplicate", None
    cap = state.limit("max_creators_per_org")
    if cap is not None and store.active_creator_count() >= cap:
        return 0, "limit_reached", None
    if same:
        return 200, None, store.reactivate(same[-1]["id"], **settings)
    return 201, None, store.create_creator(project_id, handle, **settings)


def _refusal(state: ApiState, code: str, handle: str) -> ApiError:
    if code == "limit_reached":
        cap = state.limit("max_creators_per_org") or 0
        return limit_reached("max_creators_per_org", state.store.active_creator_count(), cap)
    if code == "creator_banned":
        return ApiError(409, code, f"creator_banned: @{handle} is banned on the platform.")
    return ApiError(409, code, f"@{handle} is already tracked in this project.")


def _settings(fields: Fields) -> dict[str, Any]:
    values = {
        "tracking_mode": fields.choice("tracking_mode", MODES),
        "tracking_start_date": fields.date("tracking_start_date"),
        "tracking_end_date": fields.date("tracking_end_date", nullable=True),
    }
    return {k: v for k, v in values.items() if v is not UNSET}


async def update_creator(request: Request) -> Response:
    """``PATCH /creators/{id}``: at least one field; a new handle is checked for conflicts."""
    ctx = context(request)
    store = ctx.state.store
    record = _live_creator(store, request.path_params["id"])
    fields = body_object(ctx.body, _PATCH_FIELDS)
    if not len(fields):
        raise bad_body("At least one field is required.")
    changes = {
        "display_name": fields.text("display_name", max_length=200),
        "description": fields.text("description"),
        "readme": fields.text("readme", max_length=100_000, nullable=True),
        "tracking_mode": fields.choice("tracking_mode", MODES),
        "tracking_start_date": fields.date("tracking_start_date", nullable=True),
        "tracking_end_date": fields.date("tracking_end_date", nullable=True),
        "metadata": fields.mapping("metadata"),
    }
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    if "tiktok_handle" in fields.body:
        changes["tiktok_handle"] = _rename(store, record, fields.body["tiktok_handle"])
        changes["last_scraped_at"] = iso(store.clock())  # the profile is re-scraped
    return ok(store.serve_creator(store.touch(record, changes)["id"]))


def _rename(store: Store, record: dict[str, Any], raw: object) -> str:
    handle = normalise_handle(raw)
    if handle is None:
        raise ApiError(409, "invalid_handle", f"invalid_handle: {raw!r} is not a valid handle.")
    if handle == record["tiktok_handle"]:
        raise ApiError(409, "no_change", "no_change: the new handle equals the current one.")
    if handle.lower() in store.banned:
        raise ApiError(409, "creator_banned", f"creator_banned: @{handle} is globally banned.")
    taken = store.creators_with_handle(record["project_id"], handle)
    if any(r["is_active"] and r["id"] != record["id"] for r in taken):
        raise ApiError(
            409, "handle_taken", f"handle_taken: another creator in this project is @{handle}."
        )
    return handle


async def delete_creator(request: Request) -> Response:
    """``DELETE /creators/{id}``: a soft delete; repeating it answers the same."""
    store = context(request).state.store
    creator_id = request.path_params["id"]
    if creator_id not in store.creators:
        raise not_found("creator", creator_id)
    if creator_id not in store.removed:
        store.remove(creator_id)
    return ok({"id": creator_id, "is_active": False})


async def scrape_creator(request: Request) -> Response:
    """``POST /creators/{id}/scrape``: 202, using the daily manual-scrape quota."""
    ctx = context(request)
    record = _live_creator(ctx.state.store, request.path_params["id"])
    fields = body_object(ctx.body if ctx.body is not None else {}, ("job_type",))
    job_type = fields.choice("job_type", JOB_TYPES)
    job = take_manual_scrape(ctx.state, "creator_profiles" if job_type is UNSET else job_type)
    ctx.state.store.touch(record, {"last_scraped_at": iso(ctx.state.store.clock())})
    return ok(job, status=202)


def take_manual_scrape(state: ApiState, job_type: str) -> dict[str, Any]:
    """Count one manual scrape against the daily quota (402 when spent); the queued job."""
    cap = state.limit("max_manual_scrape_triggers_per_day")
    if not state.manual_scrapes.take(cap):
        raise limit_reached(
            "max_manual_scrape_triggers_per_day", state.manual_scrapes.current(), cap or 0
        )
    return {"job_id": f"job_{state.store.new_id()}", "job_type": job_type, "status": "queued"}


async def bulk_remove(request: Request) -> Response:
    """``POST /projects/{id}/creators/bulk-remove``: up to 100 ids."""
    ctx = context(request)
    store = ctx.state.store
    project_id = request.path_params["project_id"]
    ids = body_object(ctx.body, ("creator_ids",)).ids("creator_ids", most=BULK_IDS_MAX)
    missing = []
    for creator_id in ids:
        record = store.find(store.creators, creator_id)
        if record is None or record["project_id"] != project_id:
            missing.append(creator_id)
        else:
            store.remove(creator_id)
    return ok({"removed_count": len(ids) - len(missing), "not_found": missing})


async def bulk_reenable(request: Request) -> Response:
    """``POST /projects/{id}/creators/bulk-reenable``: ok, skipped (already enabled, or
    re-enabled less than 24 h ago) and failed (unknown, removed, or over the creator cap)."""
    ctx = context(request)
    state = ctx.state
    store = state.store
    project_id = request.path_params["project_id"]
    ids = body_object(ctx.body, ("creator_ids",)).ids("creator_ids", most=BULK_IDS_MAX)
    counts = {"ok_count": 0, "skipped_count": 0, "failed_count": 0}
    now, cap = store.clock(), state.limit("max_creators_per_org")
    for creator_id in ids:
        record = store.find(store.creators, creator_id)
        if record is None or record["project_id"] != project_id:
            outcome = "failed_count"
        elif (
            record["is_active"]
            or now - store.reenabled_at.get(creator_id, -1e18) < REENABLE_COOLDOWN
        ):
            outcome = "skipped_count"
        elif cap is not None and store.active_creator_count() >= cap:
            outcome = "failed_count"
        else:
            store.reenable(creator_id)
            outcome = "ok_count"
        counts[outcome] += 1
    return ok(counts)


def _live_creator(store: Store, creator_id: str) -> dict[str, Any]:
    record = store.find(store.creators, creator_id)
    if record is None:
        raise not_found("creator", creator_id)
    return record
