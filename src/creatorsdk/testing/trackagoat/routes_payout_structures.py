"""``/payout-structures`` and their ``/assignments``: project-scoped earning rules and the
creators they apply to (contract section 3.8; field names in ``docs/assumptions-trackagoat.md``).

A change to a structure's rule makes a new immutable version from the day of the edit (the
structure's ``version`` grows); accruals already made keep theirs. Assignments take and
remove up to 100 creators per request, like the other bulk endpoints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from creatorsdk.testing._dates import day_of, day_of_date
from creatorsdk.testing.trackagoat.context import ApiState, context
from creatorsdk.testing.trackagoat.errors import bad_body, bad_query, limit_reached, not_found
from creatorsdk.testing.trackagoat.idempotency import idempotent_create
from creatorsdk.testing.trackagoat.paging import serve_list
from creatorsdk.testing.trackagoat.params import UNSET, Fields, body_object, query_uuid
from creatorsdk.testing.trackagoat.payout_rules import (
    GOAL_METRICS,
    PERIODS,
    PRORATIONS,
    RULE_FIELDS,
    RULE_TYPES,
)
from creatorsdk.testing.trackagoat.payouts import served
from creatorsdk.testing.trackagoat.responses import ok

__all__ = [
    "add_assignments",
    "create_structure",
    "delete_structure",
    "get_structure",
    "list_assignments",
    "list_structures",
    "remove_assignments",
    "update_structure",
]

ASSIGN_MAX: Final = 100
NAME_MAX: Final = 200
_TEXT_FIELDS: Final = ("name", "readme", "metadata")
_CREATE_FIELDS: Final = ("project_id", *_TEXT_FIELDS, *RULE_FIELDS)
_PATCH_FIELDS: Final = (*_TEXT_FIELDS, *RULE_FIELDS)
_RULE_DEFAULTS: Final[Mapping[str, Any]] = {
    "period": "monthly",
    "proration": "daily",
    "goal_metric": None,
    "goal_target": None,
    "threshold_views": None,
    "cap_cents": None,
}


async def list_structures(request: Request) -> Response:
    """``GET /payout-structures?project_id=&rule_type=``."""
    ledger = context(request).state.payouts
    params = request.query_params
    project_id = query_uuid(params, "project_id")
    rule_type = params.get("rule_type")
    if rule_type is not None and rule_type not in RULE_TYPES:
        raise bad_query(f"rule_type must be one of {', '.join(RULE_TYPES)}")
    records = [
        s
        for s in ledger.live_structures()
        if (project_id is None or s["project_id"] == project_id)
        and (rule_type is None or s["rule_type"] == rule_type)
    ]
    filters = {"project_id": project_id, "rule_type": rule_type}
    return serve_list(request, "payout-structures", filters, records, served, rank=ledger.rank)


async def get_structure(request: Request) -> Response:
    """``GET /payout-structures/{id}``."""
    ledger = context(request).state.payouts
    return ok(served(ledger.structure(request.path_params["id"])))


async def create_structure(request: Request) -> Response:
    """``POST /payout-structures``: 201 with version 1."""
    ctx = context(request)
    state = ctx.state

    def create() -> Response:
        fields = body_object(ctx.body, _CREATE_FIELDS)
        project_id = fields.uuid("project_id", required=True)
        if state.store.find(state.store.projects, project_id) is None:
            raise not_found("project", project_id)
        name = _name(fields, required=True)
        rule = {**_RULE_DEFAULTS, **_rule_fields(fields)}
        for required in ("rule_type", "amount_cents"):
            if required not in rule:
                raise bad_body(f"{required} is required.")
        _check_rule(rule)
        cap = state.limit("max_payout_structures_per_project")
        count = sum(1 for s in state.payouts.live_structures() if s["project_id"] == project_id)
        if cap is not None and count >= cap:
            raise limit_reached("max_payout_structures_per_project", count, cap)
        readme = fields.text("readme", max_length=100_000, nullable=True)
        metadata = fields.mapping("metadata")
        record = state.payouts.add_structure(
            project_id,
            {
                "name": name,
                "readme": None if readme is UNSET else readme,
                "metadata": {} if metadata is UNSET else metadata,
                **rule,
            },
        )
        return ok(served(record), status=201)

    return idempotent_create(request, create)


async def update_structure(request: Request) -> Response:
    """``PATCH /payout-structures/{id}``: a rule change makes a new version."""
    ctx = context(request)
    ledger = ctx.state.payouts
    record = ledger.structure(request.path_params["id"])
    fields = body_object(ctx.body, _PATCH_FIELDS)
    changes: dict[str, Any] = {
        "name": _name(fields, required=False),
        "readme": fields.text("readme", max_length=100_000, nullable=True),
        "metadata": fields.mapping("metadata"),
        **_rule_fields(fields),
    }
    changes = {k: v for k, v in changes.items() if v is not UNSET}
    if not changes:
        raise bad_body("At least one field is required.")
    rule = {**{f: record[f] for f in RULE_FIELDS}, **changes}
    _check_rule(rule)
    changes.update({f: rule[f] for f in RULE_FIELDS if rule[f] != record[f]})
    return ok(served(ledger.update_structure(record["id"], changes)))


async def delete_structure(request: Request) -> Response:
    """``DELETE /payout-structures/{id}``: accrued amounts stay owed."""
    ledger = context(request).state.payouts
    structure_id = request.path_params["id"]
    ledger.accrue()  # what settled before the delete is still earned
    ledger.delete_structure(structure_id)
    return ok({"id": structure_id, "deleted": True})


async def list_assignments(request: Request) -> Response:
    """``GET /payout-structures/{id}/assignments``; ``include_ended=true`` adds past ones."""
    ledger = context(request).state.payouts
    structure = ledger.structure(request.path_params["id"])
    raw = request.query_params.get("include_ended", "false").lower()
    if raw not in ("1", "true", "0", "false"):
        raise bad_query("include_ended must be 1, true, 0 or false")
    ended = raw in ("1", "true")
    records = ledger.assignments_of(structure["id"], ended=ended)
    filters = {"structure": structure["id"], "include_ended": ended}
    return serve_list(request, "assignments", filters, records, served, rank=ledger.rank)


async def add_assignments(request: Request) -> Response:
    """``POST /payout-structures/{id}/assignments`` with ``{"creator_ids", "start_date"?}``:
    201 with ``assigned``, ``already_assigned`` and ``not_found``."""
    ctx = context(request)
    state = ctx.state
    structure = state.payouts.structure(request.path_params["id"])

    def create() -> Response:
        fields = body_object(ctx.body, ("creator_ids", "start_date"))
        ids = fields.ids("creator_ids", most=ASSIGN_MAX)
        start = fields.date("start_date")
        start_day = day_of(state.store.clock()) if start is UNSET else _day(start)
        current = {
            a["creator_id"] for a in state.payouts.assignments_of(structure["id"], ended=False)
        }
        assigned, already, missing = [], [], []
        for creator_id in ids:
            if not _in_project(state, creator_id, structure["project_id"]):
                missing.append(creator_id)
            elif creator_id in current:
                already.append(creator_id)
            else:
                assigned.append(served(state.payouts.assign(structure, creator_id, start_day)))
        body = {"assigned": assigned, "already_assigned": already, "not_found": missing}
        return ok(body, status=201)

    return idempotent_create(request, create)


async def remove_assignments(request: Request) -> Response:
    """``DELETE /payout-structures/{id}/assignments`` with ``{"creator_ids", "end_date"?}``:
    each current assignment ends (default: today); ``removed_count`` and ``not_found``."""
    ctx = context(request)
    state = ctx.state
    ledger = state.payouts
    structure = ledger.structure(request.path_params["id"])
    fields = body_object(ctx.body, ("creator_ids", "end_date"))
    ids = fields.ids("creator_ids", most=ASSIGN_MAX)
    end = fields.date("end_date")
    end_day = day_of(state.store.clock()) if end is UNSET else _day(end)
    current = {a["creator_id"]: a for a in ledger.assignments_of(structure["id"], ended=False)}
    ledger.accrue()  # periods settled so far are accrued under the assignment as it was
    missing = []
    for creator_id in ids:
        if creator_id in current:
            ledger.unassign(current[creator_id], end_day)
        else:
            missing.append(creator_id)
    return ok({"removed_count": len(ids) - len(missing), "not_found": missing})


def _name(fields: Fields, *, required: bool) -> Any:
    name = fields.text("name", max_length=NAME_MAX, required=required)
    if isinstance(name, str) and not name.strip():
        raise bad_body("name must not be blank.")
    return name


def _rule_fields(fields: Fields) -> dict[str, Any]:
    """The rule fields the body carries, each checked on its own."""
    values = {
        "rule_type": fields.choice("rule_type", RULE_TYPES),
        "amount_cents": _integer(fields, "amount_cents", minimum=0),
        "period": fields.choice("period", PERIODS),
        "proration": fields.choice("proration", PRORATIONS),
        "goal_metric": _goal_metric(fields),
        "goal_target": _integer(fields, "goal_target", minimum=1, nullable=True),
        "threshold_views": _integer(fields, "threshold_views", minimum=1, nullable=True),
        "cap_cents": _integer(fields, "cap_cents", minimum=0, nullable=True),
    }
    return {k: v for k, v in values.items() if v is not UNSET}


def _goal_metric(fields: Fields) -> Any:
    if fields.body.get("goal_metric", UNSET) is None:
        return None  # cleared, as when a goals rule becomes another type
    return fields.choice("goal_metric", GOAL_METRICS)


def _check_rule(rule: dict[str, Any]) -> None:
    """The fields each rule type needs, and only those (``goal_metric`` defaults to views)."""
    kind = rule["rule_type"]
    if kind == "goals":
        rule["goal_metric"] = rule["goal_metric"] or "views"
        if rule["goal_target"] is None:
            raise bad_body("goal_target is required for goals rules.")
    elif rule["goal_metric"] is not None or rule["goal_target"] is not None:
        raise bad_body("goal_metric and goal_target apply to goals rules only.")
    if kind == "view_threshold" and rule["threshold_views"] is None:
        raise bad_body("threshold_views is required for view_threshold rules.")
    if kind != "view_threshold" and rule["threshold_views"] is not None:
        raise bad_body("threshold_views applies to view_threshold rules only.")
    if kind != "cpm" and rule["cap_cents"] is not None:
        raise bad_body("cap_cents applies to cpm rules only.")


def _integer(fields: Fields, name: str, *, minimum: int, nullable: bool = False) -> Any:
    value = fields.body.get(name, UNSET)
    if value is UNSET or (value is None and nullable):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise bad_body(f"{name} must be an integer >= {minimum} (amounts are integer cents).")
    return value


def _day(value: str) -> int:
    return day_of_date(dt.date.fromisoformat(value))


def _in_project(state: ApiState, creator_id: str, project_id: str) -> bool:
    creator = state.store.find(state.store.creators, creator_id)
    return creator is not None and creator["project_id"] == project_id
