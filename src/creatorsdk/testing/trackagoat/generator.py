"""Seeded, deterministic demo data for :class:`~creatorsdk.testing.FakeTrackAGoat`.

Everything comes from one ``random.Random(seed)`` and the clock's "today", so the same seed on
the same day gives the same organization. Besides active creators with weeks of history, the
first project always has a few removed creators (adding their handle again reactivates them),
one auto-disabled creator (for bulk re-enable), a ``selective`` creator with videos in every
inbox state, videos added by URL, nested campaigns and weekly goals; a few handles are banned
on the platform.
"""

from __future__ import annotations

import random
from typing import Any, Final

from creatorsdk.testing._dates import DAY, date_of_day, iso
from creatorsdk.testing._history import FollowerCurve
from creatorsdk.testing.trackagoat.record_builders import (
    campaign_record,
    creator_record,
    project_record,
)
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["BANNED_HANDLES", "handle_for", "populate"]

#: Handles banned on the platform in every fake (adding or renaming to one fails).
BANNED_HANDLES: Final = ("banned.account", "spam_bot_9000", "fake.giveaways")
#: Removed creators seeded in the first project.
REMOVED_CREATORS: Final = 4

# fmt: off
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "zen", "tor", "vi", "sa", "nu", "pe", "lu", "xo", "jo", "fi", "mo",
    "da", "ri", "ne", "ta", "bo",
)
_WORDS = (
    "cooks", "dance", "daily", "fit", "travels", "codes", "glow", "vibes", "studio", "eats",
    "style", "plays", "beats", "makes", "talks",
)
_PROJECTS = ("Spring Launch", "Creator Fund", "Always-on UGC", "Holiday Push", "Campus Crew")
# fmt: on


def handle_for(rng: random.Random) -> str:
    """A plausible TikTok handle, e.g. ``mira.cooks`` or ``zenlo_fit42``."""
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    joiner = rng.choice((".", "_", ""))
    suffix = str(rng.randrange(10, 99)) if rng.random() < 0.3 else ""
    return f"{name}{joiner}{rng.choice(_WORDS)}{suffix}"


def populate(
    store: Store,
    *,
    seed: int,
    org_id: str,
    projects: int,
    creators: int,
    videos_per_creator: tuple[int, int],
    campaigns: int,
    history_days: int,
) -> None:
    """Fill an empty ``store`` with a seeded organization as of the store's clock."""
    low, high = videos_per_creator
    if projects < 1 or creators < 0 or campaigns < 0 or not 0 <= low <= high:
        raise ValueError("need projects >= 1, creators >= 0, campaigns >= 0, 0 <= min <= max")
    if history_days < 7:
        raise ValueError(f"history_days must be >= 7, got {history_days}")
    rng = random.Random(seed)
    today = store.today()
    store.banned.update(BANNED_HANDLES)
    used: set[str] = set(BANNED_HANDLES)

    def fresh_handle() -> str:
        while (handle := handle_for(rng)) in used:
            pass
        used.add(handle)
        return handle

    def creator(project_id: str, start_day: int, mode: str = "auto") -> dict[str, Any]:
        created = start_day * DAY + rng.uniform(0, DAY / 2)
        handle = fresh_handle()
        record = creator_record(
            id=store.new_id(),
            project_id=project_id,
            tiktok_handle=handle,
            created_at=iso(created),
            display_name=handle.split(".")[0].split("_")[0].title(),
            tracking_mode=mode,
            tracking_start_date=date_of_day(start_day).isoformat(),
            following_count=rng.randrange(20, 2_000),
            last_scraped_at=iso(store.clock() - rng.uniform(600, 20 * 3600)),
            metadata={"tier": rng.choice(("gold", "silver", "bronze"))},
        )
        curve = FollowerCurve(int(rng.lognormvariate(10.5, 1.4)), rng.uniform(0.05, 0.6), today)
        store.add_creator(record, curve)
        for _ in range(rng.randint(low, high)):
            publish = rng.randint(start_day - 20, today - 1)
            status = None
            if mode == "selective":
                status = rng.choice(("pending_review", "included", "excluded"))
            store.discover_video(record, first_day=start_day, publish_day=publish, status=status)
        return record

    project_ids = []
    for index in range(projects):
        record = project_record(
            id=store.new_id(),
            org_id=org_id,
            name=_PROJECTS[index % len(_PROJECTS)]
            + ("" if index < len(_PROJECTS) else f" {index}"),
            created_at=iso(store.clock() - (history_days + 5) * DAY + index * 3600),
            description="Seeded by FakeTrackAGoat; track weekly views per creator.",
        )
        store.add_project(record)
        project_ids.append(record["id"])

    def start_day() -> int:
        return today - rng.randint(14, history_days)

    made = [
        creator(project_ids[i % projects], start_day(), "selective" if i == 1 else "auto")
        for i in range(creators)
    ]
    first = project_ids[0]
    for _ in range(REMOVED_CREATORS):
        store.remove(creator(first, start_day())["id"])
    if creators >= 3:
        store.disable(made[2]["id"])
    for project_id in project_ids:
        for _ in range(2):
            _direct_video(store, rng, project_id, today - rng.randint(3, 20))
    for index in range(campaigns):
        project_id = project_ids[index % projects]
        members = [c for c in made if c["project_id"] == project_id]
        _campaign(store, rng, project_id, index, members)
    for record in made:
        if record["is_active"]:
            _goals(store, rng, record, today)


def _direct_video(store: Store, rng: random.Random, project_id: str, day: int) -> None:
    tiktok_id = str(rng.randrange(7 * 10**18, 8 * 10**18))
    record = store.add_video_by_url(
        project_id, f"https://www.tiktok.com/@guest/video/{tiktok_id}", tiktok_id
    )
    curve = store.curve(record["id"])
    curve.first_day = day
    curve.publish_day = min(curve.publish_day, day)
    record["created_at"] = iso(day * DAY + 3600)


def _campaign(
    store: Store,
    rng: random.Random,
    project_id: str,
    index: int,
    members: list[dict[str, Any]],
) -> None:
    record = campaign_record(
        id=store.new_id(),
        project_id=project_id,
        name=f"Campaign {index + 1}: {rng.choice(('Summer', 'Launch', 'Evergreen', 'Drop'))}",
        created_at=iso(store.clock() - rng.uniform(5, 40) * DAY),
        target_views=rng.choice((250_000, 1_000_000, 5_000_000)),
    )
    store.add_campaign(record)
    for creator in members[:3]:
        store.add_item(record["id"], "creator", creator["id"])
    earlier = [c for c in store.campaigns.values() if c["project_id"] == project_id]
    if len(earlier) > 1:
        # The project's first campaign contains the later ones: a nested tree.
        store.add_item(earlier[0]["id"], "campaign", record["id"])


def _goals(store: Store, rng: random.Random, creator: dict[str, Any], today: int) -> None:
    goals = []
    for metric, period, target in (
        ("views", "weekly", rng.choice((20_000, 50_000, 100_000))),
        ("posts", "weekly", rng.choice((2, 3, 5))),
        ("views", "monthly", rng.choice((100_000, 250_000))),
    ):
        goals.append(
            {
                "id": store.new_id(),
                "creator_id": creator["id"],
                "project_id": creator["project_id"],
                "metric": metric,
                "period": period,
                "target_value": target,
                "start_date": date_of_day(today - 60).isoformat(),
                "end_date": None,
                "is_active": True,
            }
        )
    store.goals[creator["id"]] = goals
