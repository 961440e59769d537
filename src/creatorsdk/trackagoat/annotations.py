"""``tg.annotations``: dated notes on the analytics charts (``/analytics/annotations``).

The docs list the four endpoints but not their fields; this project's reading (see
``docs/assumptions-trackagoat.md``): an annotation has a ``date``, a ``label``, an optional
``description`` and ``kind``, and is either org-wide or about one entity (``entity`` and
``entity_id``, as in ``/analytics``). ``/analytics`` answers carry the annotations of their
range and entities.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    date_arg,
    date_range,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE, token_arg
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.aggregate_models import Annotation

__all__ = ["DESCRIPTION_MAX", "LABEL_MAX", "Annotations"]

#: Most characters of a label (a chart marker's text).
LABEL_MAX: Final = 200
#: Most characters of a description.
DESCRIPTION_MAX: Final = 5_000
#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset({"description", "kind"})


class Annotations(Resource, envelope=ENVELOPE):
    """List, add, change and delete chart annotations."""

    def list(
        self,
        *,
        project_id: str | None = None,
        entity: str | None = None,
        entity_id: str | None = None,
        from_: dt.date | str | None = None,
        to: dt.date | str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[Annotation]:
        """Annotations, optionally of one project, entity or date range."""
        start, end = date_range("from_", from_, "to", to)
        params = {
            "project_id": optional(uuid_arg, "project_id", project_id),
            "entity": optional(token_arg, "entity", entity),
            "entity_id": optional(uuid_arg, "entity_id", entity_id),
            "from": start,
            "to": end,
        }
        return self._list(
            "/analytics/annotations", Annotation, params=params, limit=limit, cursor=cursor
        )

    async def create(
        self,
        date: dt.date | str,
        label: str,
        *,
        entity: str | None = None,
        entity_id: str | None = None,
        project_id: str | None = None,
        kind: str | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Annotation:
        """Mark ``date`` on the charts with ``label``: org-wide, for a project, or for one
        ``entity`` (creator, video, campaign, project) and its ``entity_id``."""
        if (entity is None) != (entity_id is None):
            raise ValueError("entity and entity_id go together: pass both or neither")
        fields = {
            "date": date_arg("date", date),
            "label": text_arg("label", label, max_length=LABEL_MAX),
            "entity": optional(token_arg, "entity", entity),
            "entity_id": optional(uuid_arg, "entity_id", entity_id),
            "project_id": optional(uuid_arg, "project_id", project_id),
            "kind": optional(token_arg, "kind", kind),
            "description": optional(
                text_arg, "description", description, max_length=DESCRIPTION_MAX, blank=True
            ),
        }
        return await self._create(
            "/analytics/annotations", fields, Annotation, idempotency_key=idempotency_key
        )

    async def update(
        self,
        annotation_id: str,
        *,
        date: dt.date | str | None = None,
        label: str | None = None,
        kind: str | Unset | None = UNSET,
        description: str | Unset | None = UNSET,
    ) -> Annotation:
        """Change an annotation; pass only what changes (``None`` clears kind or description)."""
        fields = {
            "date": optional(date_arg, "date", date),
            "label": optional(text_arg, "label", label, max_length=LABEL_MAX),
            "kind": optional(token_arg, "kind", kind),
            "description": optional(
                text_arg, "description", description, max_length=DESCRIPTION_MAX, blank=True
            ),
        }
        return await self._update(_path(annotation_id), fields, Annotation, clearable=_CLEARABLE)

    async def delete(self, annotation_id: str) -> None:
        """Delete an annotation."""
        await self._delete(_path(annotation_id))


def _path(annotation_id: str) -> str:
    return f"/analytics/annotations/{uuid_arg('annotation_id', annotation_id)}"
