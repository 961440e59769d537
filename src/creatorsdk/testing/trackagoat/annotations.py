"""Analytics annotations: dated chart notes, org-wide, for a project, or about one entity.

The docs list ``GET``/``POST /analytics/annotations`` and ``PATCH``/``DELETE
/analytics/annotations/:id`` but not their fields; the fake keeps ``{id, org_id, project_id,
entity, entity_id, date, label, description, kind, created_at, updated_at}`` (see
``docs/assumptions-trackagoat.md``) and ``/analytics`` answers with the annotations of its
range: those about the queried entities, and the unattached ones of their projects or org.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from creatorsdk.testing._dates import date_of_day, iso
from creatorsdk.testing.trackagoat.errors import not_found
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["AnnotationBook"]


class AnnotationBook:
    """Every annotation of the organization, by id, in insertion order."""

    def __init__(self, store: Store, org_id: str, seed: int = 0) -> None:
        self.store = store
        self.org_id = org_id
        self.records: dict[str, dict[str, Any]] = {}
        self._rank: dict[str, int] = {}
        self._rng = random.Random(f"annotations:{seed}")

    def rank(self, annotation_id: str) -> int:
        """Insertion rank, the listing order."""
        return self._rank[annotation_id]

    def add(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A new annotation from validated fields."""
        now = iso(self.store.clock())
        record = {
            "id": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "org_id": self.org_id,
            "project_id": None,
            "entity": None,
            "entity_id": None,
            "description": None,
            "kind": None,
            **fields,
            "created_at": now,
            "updated_at": now,
        }
        self.records[record["id"]] = record
        self._rank[record["id"]] = len(self._rank)
        return record

    def get(self, annotation_id: str) -> dict[str, Any]:
        """An annotation by id (404 when there is none)."""
        record = self.records.get(annotation_id)
        if record is None:
            raise not_found("annotation", annotation_id)
        return record

    def update(self, annotation_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Apply validated changes."""
        record = self.get(annotation_id)
        record.update(changes, updated_at=iso(self.store.clock()))
        return record

    def delete(self, annotation_id: str) -> None:
        """Delete an annotation (404 when there is none)."""
        self.get(annotation_id)
        del self.records[annotation_id]

    def in_range(
        self, first: int, last: int, ids: Iterable[str], projects: Iterable[str]
    ) -> list[dict[str, Any]]:
        """The annotations dated in the day range about ``ids``, or unattached to an entity
        and belonging to one of ``projects`` or to the whole organization."""
        start, end = date_of_day(first).isoformat(), date_of_day(last).isoformat()
        about, within = set(ids), set(projects)
        return [
            r
            for r in self.records.values()
            if start <= r["date"] <= end
            and (
                r["entity_id"] in about
                or (
                    r["entity_id"] is None
                    and (r["project_id"] is None or r["project_id"] in within)
                )
            )
        ]

    def for_query(self, entity: str, ids: list[str], first: int, last: int) -> list[dict[str, Any]]:
        """The annotations an ``/analytics`` answer about ``entity``/``ids`` carries."""
        store = self.store
        if entity == "project":
            projects = set(ids)
        else:
            collection = {
                "creator": store.creators,
                "video": store.videos,
                "campaign": store.campaigns,
            }.get(entity, {})
            projects = {collection[i]["project_id"] for i in ids if i in collection}
        return self.in_range(first, last, ids, projects)

    def seed(self) -> None:
        """A kickoff note on each project ten days ago, and a launch on the org five days ago."""
        today = self.store.today()
        for project in self.store.live(self.store.projects):
            self.add(
                {
                    "project_id": project["id"],
                    "date": date_of_day(today - 10).isoformat(),
                    "label": f"{project['name']} kickoff",
                    "kind": "campaign",
                }
            )
        self.add(
            {"date": date_of_day(today - 5).isoformat(), "label": "New brief sent", "kind": "note"}
        )
