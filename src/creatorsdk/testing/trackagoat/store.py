"""The fake's data store: projects, creators, videos, campaigns, goals, and the history behind
every number it serves.

Records are the JSON objects as served, keyed by lowercase UUID. Soft-deleted creators and
deleted videos stay (their ids are in :attr:`Store.removed`) so a removed handle can come back
with its history. Each video's views are a seeded curve over days (see
:mod:`creatorsdk.testing._history`), known from the day tracking began: that first
day is a baseline, so series count only what was gained while tracked.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Final

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._dates import DAY, day_of, day_of_date, iso
from creatorsdk.testing._history import FollowerCurve, ViewCurve
from creatorsdk.testing.trackagoat.record_builders import creator_record, video_record

__all__ = ["COUNTED", "LIVE", "Store"]

#: ``last_day`` of a curve still being scraped: its value keeps following the clock.
LIVE: Final = 10**7
#: The tracking statuses that count in stats and goals.
COUNTED: Final = frozenset({"auto_tracked", "included", "direct_add"})


class Store:
    """Everything the fake knows, readable (and changeable) by tests.

    ``projects``, ``creators``, ``videos`` and ``campaigns`` map ids to records; ``items``
    maps a campaign id to its member records, ``goals`` a creator id to its goals;
    ``banned`` holds the lowercase handles banned on the platform. ``version`` grows with
    every change.
    """

    def __init__(self, clock: Clock, seed: int = 0) -> None:
        self.clock = clock
        self.projects: dict[str, dict[str, Any]] = {}
        self.creators: dict[str, dict[str, Any]] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        self.goals: dict[str, list[dict[str, Any]]] = {}
        self.banned: set[str] = set()
        self.removed: set[str] = set()
        self.reenabled_at: dict[str, float] = {}
        self.version = 0
        self._order: dict[str, int] = {}
        self._curves: dict[str, ViewCurve] = {}
        self._followers: dict[str, FollowerCurve] = {}
        self._rng = random.Random(f"store:{seed}")

    # -- time, ids, order ----------------------------------------------------------------------

    def today(self) -> int:
        """Today's UTC day number on the fake's clock."""
        return day_of(self.clock())

    def new_id(self) -> str:
        """A fresh lowercase UUID, from the seed so runs repeat."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def order(self, resource_id: str) -> int:
        """Insertion rank: listings are served in this order, so new items come last."""
        return self._order[resource_id]

    def _insert(self, collection: dict[str, dict[str, Any]], record: dict[str, Any]) -> None:
        collection[record["id"]] = record
        self._order[record["id"]] = len(self._order)
        self.version += 1

    # -- seeding -------------------------------------------------------------------------------

    def add_project(self, record: dict[str, Any]) -> None:
        """Insert a project."""
        self._insert(self.projects, record)

    def add_creator(self, record: dict[str, Any], followers: FollowerCurve) -> None:
        """Insert a creator with its follower history."""
        self._insert(self.creators, record)
        self._followers[record["id"]] = followers

    def add_video(self, record: dict[str, Any], curve: ViewCurve) -> None:
        """Insert a video with its view history."""
        self._insert(self.videos, record)
        self._curves[record["id"]] = curve

    def add_campaign(self, record: dict[str, Any]) -> None:
        """Insert a campaign with no items."""
        self._insert(self.campaigns, record)
        self.items[record["id"]] = []

    # -- reads ---------------------------------------------------------------------------------

    def curve(self, video_id: str) -> ViewCurve:
        """A video's view history."""
        return self._curves[video_id]

    def followers_on(self, creator_id: str, day: int) -> int:
        """A creator's followers on ``day`` (0 before tracking began)."""
        record = self.creators[creator_id]
        start = day_of_date(dt.date.fromisoformat(record["tracking_start_date"]))
        return 0 if day < start else self._followers[creator_id].on(day)

    def live(self, collection: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The records of ``collection`` not removed."""
        return (r for r in collection.values() if r["id"] not in self.removed)

    def tracked_videos(self) -> Iterator[dict[str, Any]]:
        """Live videos whose creator (if any) is not removed: what the API lists and counts."""
        return (
            v
            for v in self.live(self.videos)
            if v["creator_id"] is None or v["creator_id"] not in self.removed
        )

    def active_creator_count(self) -> int:
        """Creators that count against ``max_creators_per_org``."""
        return sum(1 for r in self.live(self.creators) if r["is_active"])

    def creators_with_handle(self, project_id: str, handle: str) -> list[dict[str, Any]]:
        """The project's creators with ``handle`` (any case), removed ones included."""
        wanted = handle.lower()
        return [
            r
            for r in self.creators.values()
            if r["project_id"] == project_id and r["tiktok_handle"].lower() == wanted
        ]

    def find(
        self, collection: dict[str, dict[str, Any]], resource_id: str
    ) -> dict[str, Any] | None:
        """A live record of ``collection`` by id."""
        record = collection.get(resource_id)
        return None if record is None or resource_id in self.removed else record

    def videos_of(self, creator_id: str) -> list[dict[str, Any]]:
        """A creator's live videos."""
        return [v for v in self.live(self.videos) if v["creator_id"] == creator_id]

    def counted(self, videos: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The videos whose numbers count in stats: tracked statuses, tracking not disabled."""
        return [v for v in videos if v["tracking_status"] in COUNTED and v["tracking_enabled"]]

    def serve_video(self, video_id: str) -> dict[str, Any]:
        """A video as served: counts as of now."""
        record = self.videos[video_id]
        views = self._curves[video_id].snapshot(self.today())
        curve = self._curves[video_id]
        return {
            **record,
            "view_count": views,
            "like_count": round(views * curve.like_ratio),
            "comment_count": round(views * curve.comment_ratio),
            "share_count": round(views * curve.share_ratio),
            "save_count": round(views * (curve.save_ratio or 0.0)),
        }

    def serve_creator(self, creator_id: str) -> dict[str, Any]:
        """A creator as served: followers, likes and video count as of now."""
        record = self.creators[creator_id]
        videos = [self.serve_video(v["id"]) for v in self.videos_of(creator_id)]
        return {
            **record,
            "follower_count": self.followers_on(creator_id, self.today()),
            "total_likes_count": sum(v["like_count"] for v in videos),
            "video_count": len(videos),
        }

    # -- creator lifecycle ---------------------------------------------------------------------

    def create_creator(self, project_id: str, handle: str, **fields: Any) -> dict[str, Any]:
        """Start tracking ``handle``: its profile and recent videos are scraped at once, and
        today's snapshot is their baseline."""
        now = self.clock()
        record = creator_record(
            id=self.new_id(),
            project_id=project_id,
            tiktok_handle=handle,
            created_at=iso(now),
            display_name=handle.replace("_", " ").replace(".", " ").title(),
            following_count=self._rng.randrange(20, 2_000),
            last_scraped_at=iso(now),
            **fields,
        )
        followers = FollowerCurve(int(self._rng.lognormvariate(9.0, 1.5)), 0.0, self.today())
        self.add_creator(record, followers)
        for _ in range(self._rng.randint(2, 6)):
            self.discover_video(record, first_day=self.today())
        return record

    def discover_video(
        self,
        creator: dict[str, Any],
        *,
        first_day: int,
        publish_day: int | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """A video of ``creator`` found by discovery, tracked from ``first_day`` (or from
        ``publish_day`` when it was posted later)."""
        rng, today = self._rng, self.today()
        if publish_day is None:
            publish_day = first_day - rng.randrange(1, 30)
        tiktok_id = str(rng.randrange(7 * 10**18, 8 * 10**18))
        if status is None:
            status = "auto_tracked" if creator["tracking_mode"] == "auto" else "pending_review"
        record = video_record(
            id=self.new_id(),
            project_id=creator["project_id"],
            creator_id=creator["id"],
            tiktok_video_id=tiktok_id,
            url=f"https://www.tiktok.com/@{creator['tiktok_handle']}/video/{tiktok_id}",
            created_at=iso(first_day * DAY + rng.uniform(0, DAY / 2)),
            title=f"{creator['tiktok_handle']} #{rng.randrange(1, 999)}",
            tracking_status=status,
            posted_at=iso(publish_day * DAY + rng.uniform(0, DAY)),
        )
        tracked_from = min(max(first_day, publish_day), today)
        self.add_video(record, self._live_curve(publish_day, tracked_from))
        return record

    def reactivate(self, creator_id: str, **fields: Any) -> dict[str, Any]:
        """Bring a removed creator back, history and all."""
        record = self.creators[creator_id]
        self.removed.discard(creator_id)
        record.update(fields, is_active=True, disabled_at=None, updated_at=iso(self.clock()))
        self.version += 1
        return record

    def remove(self, resource_id: str) -> None:
        """Soft-delete a creator or a video."""
        self.removed.add(resource_id)
        record = self.creators.get(resource_id)
        if record is not None:
            record.update(is_active=False, updated_at=iso(self.clock()))
        self.version += 1

    def disable(self, creator_id: str) -> None:
        """Auto-disable a creator, as the platform does (e.g. the account went private)."""
        now = iso(self.clock())
        self.creators[creator_id].update(is_active=False, disabled_at=now, updated_at=now)
        self.version += 1

    def reenable(self, creator_id: str) -> None:
        """Re-enable an auto-disabled creator; the 24 h cooldown starts now."""
        self.creators[creator_id].update(
            is_active=True, disabled_at=None, updated_at=iso(self.clock())
        )
        self.reenabled_at[creator_id] = self.clock()
        self.version += 1

    def touch(self, record: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        """Apply validated changes to a record and stamp ``updated_at``."""
        record.update(changes, updated_at=iso(self.clock()))
        self.version += 1
        return record

    # -- campaigns -----------------------------------------------------------------------------

    def add_item(self, campaign_id: str, item_type: str, item_id: str) -> dict[str, Any]:
        """Add a member to a campaign (the caller has checked it is allowed)."""
        item = {
            "id": self.new_id(),
            "campaign_id": campaign_id,
            "item_type": item_type,
            "item_id": item_id,
            "created_at": iso(self.clock()),
        }
        self.items[campaign_id].append(item)
        self.version += 1
        return item

    def contains(self, campaign_id: str, target: str) -> bool:
        """Whether campaign ``target`` is ``campaign_id`` or nested anywhere inside it."""
        if campaign_id == target:
            return True
        return any(
            item["item_type"] == "campaign" and self.contains(item["item_id"], target)
            for item in self.items.get(campaign_id, ())
        )

    def campaign_videos(self, campaign_id: str, seen: set[str] | None = None) -> set[str]:
        """Ids of the videos a campaign counts: its creators' and videos, and sub-campaigns'."""
        seen = set() if seen is None else seen
        if campaign_id in seen:
            return set()
        seen.add(campaign_id)
        found: set[str] = set()
        for item in self.items.get(campaign_id, ()):
            kind, target = item["item_type"], item["item_id"]
            if kind == "creator":
                found.update(v["id"] for v in self.videos_of(target))
            elif kind == "video" and target not in self.removed:
                found.add(target)
            elif kind == "campaign":
                found |= self.campaign_videos(target, seen)
        return found

    # -- videos by URL -------------------------------------------------------------------------

    def add_video_by_url(self, project_id: str, url: str, tiktok_id: str) -> dict[str, Any]:
        """Track one video by URL (``direct_add``); today is its baseline."""
        now, today = self.clock(), self.today()
        rng = self._rng
        publish_day = today - rng.randrange(0, 10)
        record = video_record(
            id=self.new_id(),
            project_id=project_id,
            tiktok_video_id=tiktok_id,
            url=url,
            created_at=iso(now),
            posted_at=iso(publish_day * DAY + rng.uniform(0, DAY / 2)),
        )
        self.add_video(record, self._live_curve(publish_day, today))
        return record

    def _live_curve(self, publish_day: int, first_day: int) -> ViewCurve:
        """A seeded view curve, tracked from ``first_day`` and still being scraped."""
        return ViewCurve(
            publish_day=publish_day,
            first_day=first_day,
            last_day=LIVE,
            scale=self._rng.lognormvariate(10.0, 1.2),
            tau=self._rng.uniform(2.0, 12.0),
            save_ratio=0.008,
        )
