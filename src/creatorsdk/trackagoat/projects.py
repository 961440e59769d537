"""``tg.projects``: the organization's projects."""

from __future__ import annotations

from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.models import Project

__all__ = ["Projects"]


class Projects(Resource, envelope=ENVELOPE):
    """``GET /projects``."""

    def list(self, *, limit: int = MAX_PAGE_SIZE, cursor: str | None = None) -> AsyncPager[Project]:
        """Every project of the key's organization, ``limit`` per page (1-100)."""
        return self._list("/projects", Project, limit=limit, cursor=cursor)
