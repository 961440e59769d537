"""``tg.payout_structures``: project-scoped earning rules, and the creators assigned to them.

A structure's rule (``rule_type``, ``amount_cents``, ``period``, ``proration`` and the
type's own fields) is versioned: an edit makes a new immutable version that applies from the
day of the edit, so accruals already made keep the rules they were computed with. The plan
limit ``max_payout_structures_per_project`` answers 402 ``limit_reached``.

Assignments take any number of creator ids, split into requests of 100 (the size of the
API's other bulk calls; the docs give none for assignments) sent in parallel; adding is a
create, so each request carries its own ``Idempotency-Key``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from creatorsdk._engine.fan_out import chunked, fan_out
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    boolean_arg,
    date_arg,
    id_list_arg,
    idempotency_key_arg,
    int_arg,
    mapping_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE, token_arg
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.payout_models import (
    AssignResult,
    PayoutAssignment,
    PayoutStructure,
    UnassignResult,
)

__all__ = ["ASSIGN_CHUNK", "NAME_MAX", "RULE_TYPES", "PayoutStructures"]

#: The rule types the payouts guide names; others are sent as they are, for the server to judge.
RULE_TYPES: Final = frozenset({"recurring", "goals", "cpm", "view_threshold"})
#: Creator ids per assignment request.
ASSIGN_CHUNK: Final = 100
#: Most characters of a structure's name.
NAME_MAX: Final = 200
#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset(
    {"readme", "goal_metric", "goal_target", "threshold_views", "cap_cents"}
)
#: Which fields belong to which known rule type (``None``: every other type).
_OWN_FIELDS: Final = {
    "goal_metric": "goals",
    "goal_target": "goals",
    "threshold_views": "view_threshold",
    "cap_cents": "cpm",
}


class PayoutStructures(Resource, envelope=ENVELOPE):
    """List, create, version, delete payout structures; assign and unassign creators."""

    def list(
        self,
        *,
        project_id: str | None = None,
        rule_type: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[PayoutStructure]:
        """Every structure of the organization, or of ``project_id``, or of one ``rule_type``."""
        params = {
            "project_id": optional(uuid_arg, "project_id", project_id),
            "rule_type": optional(token_arg, "rule_type", rule_type),
        }
        return self._list(
            "/payout-structures", PayoutStructure, params=params, limit=limit, cursor=cursor
        )

    async def get(self, structure_id: str) -> PayoutStructure:
        """One structure, at its current version."""
        return await self._get(_path(structure_id), PayoutStructure)

    async def create(
        self,
        project_id: str,
        name: str,
        *,
        rule_type: str,
        amount_cents: int,
        period: str | None = None,
        proration: str | None = None,
        goal_metric: str | None = None,
        goal_target: int | None = None,
        threshold_views: int | None = None,
        cap_cents: int | None = None,
        readme: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> PayoutStructure:
        """Create a structure (version 1) in a project.

        ``rule_type`` recurring pays ``amount_cents`` every ``period`` (daily, weekly,
        monthly); goals pays it when ``goal_metric`` (views or posts) reaches
        ``goal_target`` in the period, evaluated 48 hours after it closes; cpm pays
        ``amount_cents`` per 1,000 views, at most ``cap_cents`` a period; view_threshold pays
        it when the period's views reach ``threshold_views``. ``proration`` (daily, full,
        none) decides what a partial period earns. Amounts are integer cents.
        """
        fields = {
            "project_id": uuid_arg("project_id", project_id),
            "name": text_arg("name", name, max_length=NAME_MAX),
            **_rule(
                rule_type=rule_type,
                amount_cents=amount_cents,
                period=period,
                proration=proration,
                goal_metric=goal_metric,
                goal_target=goal_target,
                threshold_views=threshold_views,
                cap_cents=cap_cents,
            ),
            "readme": optional(text_arg, "readme", readme, blank=True),
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        _check_rule_fields(fields)
        return await self._create(
            "/payout-structures", fields, PayoutStructure, idempotency_key=idempotency_key
        )

    async def update(
        self,
        structure_id: str,
        *,
        name: str | None = None,
        rule_type: str | None = None,
        amount_cents: int | None = None,
        period: str | None = None,
        proration: str | None = None,
        goal_metric: str | Unset | None = UNSET,
        goal_target: int | Unset | None = UNSET,
        threshold_views: int | Unset | None = UNSET,
        cap_cents: int | Unset | None = UNSET,
        readme: str | Unset | None = UNSET,
        metadata: Mapping[str, Any] | None = None,
    ) -> PayoutStructure:
        """Change a structure; pass only what changes (``None`` clears a nullable field).

        A change to the rule makes a new version (``version`` grows, ``effective_from`` is
        the day of the edit); name, notes and metadata change in place.
        """
        fields = {
            "name": optional(text_arg, "name", name, max_length=NAME_MAX),
            **_rule(
                rule_type=rule_type,
                amount_cents=amount_cents,
                period=period,
                proration=proration,
                goal_metric=goal_metric,
                goal_target=goal_target,
                threshold_views=threshold_views,
                cap_cents=cap_cents,
            ),
            "readme": optional(text_arg, "readme", readme, blank=True),
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        if fields["rule_type"] is not None:
            _check_rule_fields(fields)
        return await self._update(
            _path(structure_id), fields, PayoutStructure, clearable=_CLEARABLE
        )

    async def delete(self, structure_id: str) -> None:
        """Delete a structure: nothing accrues for periods closing later, and what already
        accrued stays owed."""
        await self._delete(_path(structure_id))

    def list_assignments(
        self,
        structure_id: str,
        *,
        include_ended: bool = False,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[PayoutAssignment]:
        """The creators on a structure; ``include_ended=True`` adds past assignments."""
        params = {"include_ended": boolean_arg("include_ended", include_ended) or None}
        path = f"{_path(structure_id)}/assignments"
        return self._list(path, PayoutAssignment, params=params, limit=limit, cursor=cursor)

    async def assign(
        self,
        structure_id: str,
        creator_ids: Iterable[str],
        *,
        start_date: dt.date | str | None = None,
        idempotency_key: str | None = None,
    ) -> AssignResult:
        """Put creators of the structure's project on it from ``start_date`` (default: today,
        UTC; an earlier day backfills what they earned since).

        Any number of ids, 100 per request in parallel. Returns the new assignments, the ids
        already assigned and the ids that are not creators of the project. ``idempotency_key``
        is used as is for one request and as ``"<key>-<index>"`` for several.
        """
        path = f"{_path(structure_id)}/assignments"
        chunks = chunked(id_list_arg("creator_ids", creator_ids), ASSIGN_CHUNK)
        start = optional(date_arg, "start_date", start_date)
        given = optional(idempotency_key_arg, "idempotency_key", idempotency_key)
        keys = {chunk: _chunk_key(given, i, len(chunks)) for i, chunk in enumerate(chunks)}

        async def assign_chunk(chunk: tuple[str, ...]) -> AssignResult:
            body = {"creator_ids": list(chunk), **({"start_date": start} if start else {})}
            reply = await self._client.request(
                "POST", path, json=body, create=True, idempotency_key=keys[chunk]
            )
            return self._envelope.decode(reply, AssignResult)

        return sum(await fan_out(chunks, assign_chunk), AssignResult())

    async def unassign(
        self,
        structure_id: str,
        creator_ids: Iterable[str],
        *,
        end_date: dt.date | str | None = None,
    ) -> UnassignResult:
        """End creators' assignments after ``end_date`` (default: today, UTC); what they
        earned until then stays. Any number of ids, 100 per request in parallel."""
        path = f"{_path(structure_id)}/assignments"
        chunks = chunked(id_list_arg("creator_ids", creator_ids), ASSIGN_CHUNK)
        end = optional(date_arg, "end_date", end_date)

        async def unassign_chunk(chunk: tuple[str, ...]) -> UnassignResult:
            body = {"creator_ids": list(chunk), **({"end_date": end} if end else {})}
            reply = await self._client.request("DELETE", path, json=body)
            return self._envelope.decode(reply, UnassignResult, empty=UnassignResult())

        return sum(await fan_out(chunks, unassign_chunk), UnassignResult())


def _path(structure_id: str) -> str:
    return f"/payout-structures/{uuid_arg('structure_id', structure_id)}"


def _rule(**given: Any) -> dict[str, Any]:
    """The rule fields, each checked on its own (``None``/``UNSET``: not given)."""
    return {
        "rule_type": optional(token_arg, "rule_type", given["rule_type"]),
        "amount_cents": optional(int_arg, "amount_cents", given["amount_cents"], low=0),
        "period": optional(token_arg, "period", given["period"]),
        "proration": optional(token_arg, "proration", given["proration"]),
        "goal_metric": optional(token_arg, "goal_metric", given["goal_metric"]),
        "goal_target": optional(int_arg, "goal_target", given["goal_target"], low=1),
        "threshold_views": optional(int_arg, "threshold_views", given["threshold_views"], low=1),
        "cap_cents": optional(int_arg, "cap_cents", given["cap_cents"], low=0),
    }


def _check_rule_fields(fields: Mapping[str, Any]) -> None:
    """For a rule type the docs name: its required fields are there, others' are not."""
    kind = fields["rule_type"]
    if kind not in RULE_TYPES:
        return  # a type this SDK does not know: the server decides
    if kind == "goals" and fields["goal_target"] in (None, UNSET):
        raise ValueError("goal_target is required when rule_type is 'goals'")
    if kind == "view_threshold" and fields["threshold_views"] in (None, UNSET):
        raise ValueError("threshold_views is required when rule_type is 'view_threshold'")
    for field, owner in _OWN_FIELDS.items():
        if owner != kind and fields[field] not in (None, UNSET):
            raise ValueError(f"{field} applies only when rule_type is {owner!r}")


def _chunk_key(key: str | None, index: int, chunks: int) -> str | None:
    """The caller's key for one chunk of several (``None``: the engine mints one)."""
    if key is None or chunks == 1:
        return key
    return f"{key}-{index}"
