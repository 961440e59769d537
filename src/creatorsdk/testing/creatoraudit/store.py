"""The fake's data store: the resources as served, plus the history behind every number."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from typing import Any

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._dates import day_of, iso
from creatorsdk.testing._history import FollowerCurve, ViewCurve
from creatorsdk.testing.creatoraudit.record_builders import (
    account_record,
    creator_record,
    video_record,
)

__all__ = ["Store"]

#: Fields a PATCH may change, per collection (the rest of the body is ignored).
PATCHABLE = {
    "accounts": ("is_active", "category", "metadata", "scrape_interval_hours"),
    "videos": ("is_active", "metadata", "scrape_interval_hours"),
    "creators": ("name", "is_active", "metadata"),
}


class Store:
    """Everything the fake knows, readable (and changeable) by tests.

    ``accounts``, ``account_videos``, ``videos`` and ``creators`` map a lowercase UUID to the
    JSON object exactly as the API serves it; soft-deleted resources stay, with
    ``is_active: false``. ``account_videos`` holds the Video objects discovered from tracked
    accounts (``account_id`` set, plus an integer ``internal_id`` for
    ``POST /account-videos/metrics``); ``videos`` holds the individually tracked ones.
    :meth:`deltas` gives the numbers ``POST /videos/deltas`` serves. ``version`` grows with
    every change.
    """

    def __init__(self, clock: Clock, seed: int = 0) -> None:
        self.clock = clock
        self.accounts: dict[str, dict[str, Any]] = {}
        self.account_videos: dict[str, dict[str, Any]] = {}
        self.videos: dict[str, dict[str, Any]] = {}
        self.creators: dict[str, dict[str, Any]] = {}
        self.version = 0
        self.internal_ids: dict[int, str] = {}
        self._curves: dict[str, ViewCurve] = {}
        self._followers: dict[str, FollowerCurve] = {}
        self._account_video_ids: defaultdict[str, list[str]] = defaultdict(list)
        self._handles: dict[tuple[str, str], str] = {}
        self._rng = random.Random(f"store:{seed}")

    # -- time and ids ------------------------------------------------------------------------

    def today(self) -> int:
        """Today's day number on the fake's clock."""
        return day_of(self.clock())

    def new_id(self) -> str:
        """A fresh lowercase UUID, from the seed so runs repeat."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # -- seeding -------------------------------------------------------------------------------

    def add_account(self, record: dict[str, Any], followers: FollowerCurve) -> None:
        """Insert an account with its follower history."""
        self.accounts[record["id"]] = record
        self._followers[record["id"]] = followers
        self._handles[(record["platform"], record["username"].lower())] = record["id"]
        self.version += 1

    def add_account_video(self, record: dict[str, Any], curve: ViewCurve) -> None:
        """Insert a discovered video; it gets the next ``internal_id``."""
        internal_id = len(self.internal_ids) + 1
        record["internal_id"] = internal_id
        self.internal_ids[internal_id] = record["id"]
        self.account_videos[record["id"]] = record
        self._account_video_ids[record["account_id"]].append(record["id"])
        self._curves[record["id"]] = curve
        self.version += 1

    def add_video(self, record: dict[str, Any], curve: ViewCurve) -> None:
        """Insert an individually tracked video with its view history."""
        self.videos[record["id"]] = record
        self._curves[record["id"]] = curve
        self.version += 1

    def add_creator(self, record: dict[str, Any]) -> None:
        """Insert a creator."""
        self.creators[record["id"]] = record
        self.version += 1

    # -- reads -----------------------------------------------------------------------------------

    def find_video(self, video_id: str) -> dict[str, Any] | None:
        """A tracked video or an account-video by id."""
        return self.videos.get(video_id) or self.account_videos.get(video_id)

    def curve(self, video_id: str) -> ViewCurve:
        """The view history of a video of either kind."""
        return self._curves[video_id]

    def followers(self, account_id: str) -> FollowerCurve:
        """The follower history of an account."""
        return self._followers[account_id]

    def videos_of_account(self, account_id: str) -> list[dict[str, Any]]:
        """The account-videos discovered from one account."""
        return [self.account_videos[v] for v in self._account_video_ids.get(account_id, ())]

    def accounts_of_creator(self, creator_id: str) -> list[dict[str, Any]]:
        """The accounts linked to a creator."""
        return [a for a in self.accounts.values() if a["creator_id"] == creator_id]

    def account_by_handle(self, platform: str, username: str) -> dict[str, Any] | None:
        """The account tracked for ``platform`` and ``username`` (case-insensitive), if any."""
        account_id = self._handles.get((platform, username.lower()))
        return self.accounts[account_id] if account_id else None

    def deltas(self, video_id: str, window: int) -> int | None:
        """Views gained by a video over the last ``window`` days, as the deltas endpoint says.

        ``None`` when the video's history is shorter than the window or it was never scraped;
        :class:`KeyError` for an id the store does not have.
        """
        return self._curves[video_id].delta(self.today(), window)

    # -- writes ----------------------------------------------------------------------------------

    def track_account(self, platform: str, username: str, **fields: Any) -> dict[str, Any]:
        """Start tracking an account (not scraped yet: no history, ``last_scrape_time`` null)."""
        record = account_record(
            id=self.new_id(),
            platform=platform,
            username=username,
            added_at=iso(self.clock()),
            **fields,
        )
        self.add_account(record, FollowerCurve(0, 0.0, None))
        if record["creator_id"]:
            self._refresh_summary(record["creator_id"])
        return record

    def track_video(self, platform: str, **fields: Any) -> dict[str, Any]:
        """Start tracking one video (not scraped yet)."""
        now = self.clock()
        record = video_record(id=self.new_id(), platform=platform, added_at=iso(now), **fields)
        curve = ViewCurve(
            publish_day=day_of(now),
            first_day=None,
            last_day=None,
            scale=float(self._rng.randrange(1_000, 200_000)),
            tau=self._rng.uniform(2.0, 12.0),
            save_ratio=0.01 if platform == "instagram" else None,
        )
        self.add_video(record, curve)
        return record

    def create_creator(self, name: str, **fields: Any) -> dict[str, Any]:
        """Create a creator with no accounts."""
        record = creator_record(id=self.new_id(), name=name, created_at=iso(self.clock()), **fields)
        self.add_creator(record)
        return record

    def update(self, collection: str, resource_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply a PATCH to ``accounts``, ``videos`` or ``creators``; returns the record."""
        records: dict[str, dict[str, Any]] = getattr(self, collection)
        record = records[resource_id]
        record.update({k: v for k, v in changes.items() if k in PATCHABLE[collection]})
        if collection == "videos":
            record["updated_at"] = iso(self.clock())
        elif collection == "creators":
            if changes.get("is_active") is False:
                # Archiving a creator pauses all its accounts (the docs' concepts page).
                for account in self.accounts_of_creator(resource_id):
                    account["is_active"] = False
            for account in self.accounts_of_creator(resource_id):
                account["creator_name"] = record["name"]
        self.version += 1
        return record

    def link(self, creator_id: str, account_id: str) -> bool:
        """Link an account to a creator; ``False`` when it already was. The caller checks 409."""
        account = self.accounts[account_id]
        if account["creator_id"] == creator_id:
            return False
        account["creator_id"] = creator_id
        account["creator_name"] = self.creators[creator_id]["name"]
        self._refresh_summary(creator_id)
        self.version += 1
        return True

    def unlink(self, creator_id: str, account_id: str) -> bool:
        """Unlink an account; ``False`` when it was not linked to this creator."""
        account = self.accounts[account_id]
        if account["creator_id"] != creator_id:
            return False
        account["creator_id"] = None
        account["creator_name"] = None
        self._refresh_summary(creator_id)
        self.version += 1
        return True

    def scrape(self, resource_id: str) -> dict[str, Any]:
        """Pretend a refresh just finished for an account or a video; returns its record.

        Sets ``last_scrape_time`` (and ``first_scrape_time`` the first time) to now; a video
        gains a snapshot for today, so its counts appear (its deltas stay ``null`` until the
        history spans the window).
        """
        now, today = self.clock(), self.today()
        record = self.accounts.get(resource_id) or self.find_video(resource_id)
        if record is None:
            raise KeyError(resource_id)
        record["last_scrape_time"] = iso(now)
        record["first_scrape_time"] = record["first_scrape_time"] or iso(now)
        if record["type"] == "video":
            curve = self._curves[resource_id]
            curve.first_day = today if curve.first_day is None else curve.first_day
            curve.last_day = today
            record.update(curve.counts())
        else:
            self._followers[resource_id].last_day = today
        self.version += 1
        return record

    def summarize(self, creator_id: str) -> dict[str, Any]:
        """A creator's ``accounts_summary`` computed from its linked accounts."""
        accounts = self.accounts_of_creator(creator_id)
        platforms: dict[str, int] = {}
        for account in accounts:
            platforms[account["platform"]] = platforms.get(account["platform"], 0) + 1
        return {
            "total": len(accounts),
            "platforms": platforms,
            "total_followers": sum(a["follower_count"] for a in accounts),
        }

    def _refresh_summary(self, creator_id: str) -> None:
        self.creators[creator_id]["accounts_summary"] = self.summarize(creator_id)
