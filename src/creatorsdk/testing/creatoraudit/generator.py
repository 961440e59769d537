"""Seeded, deterministic demo data: creators, accounts, their videos, tracked videos.

Everything is derived from one ``random.Random(seed)`` and the clock's "now", so the same seed
on the same day gives the same organization. Histories are curves (see
:mod:`creatorsdk.testing._history`), so a large organization costs one small object per video,
not hundreds of snapshots.

A few shapes are guaranteed whenever there is room for them, so tests can rely on finding
them: both platforms among accounts, an account never scraped, a tracked video never scraped,
and a tracked video added yesterday (with a one-day history).
"""

from __future__ import annotations

import random
from typing import Any

from creatorsdk.testing._dates import DAY, day_of, iso
from creatorsdk.testing._history import FollowerCurve, ViewCurve
from creatorsdk.testing.creatoraudit.record_builders import (
    account_record,
    creator_record,
    video_record,
)
from creatorsdk.testing.creatoraudit.store import Store

__all__ = ["VideosPerAccount", "populate"]

#: How many videos each account has: an average, or an inclusive ``(min, max)`` range.
VideosPerAccount = int | tuple[int, int]

# fmt: off
_WORDS = (
    "sunset", "coffee", "recipe", "workout", "travel", "coding", "makeup", "dance", "comedy",
    "gaming", "vlog", "tutorial", "review", "unboxing", "hack", "challenge", "routine", "outfit",
    "music", "street", "garden", "budget", "skincare", "pixel", "lofi", "vintage", "ocean", "desk",
    "studio",
)
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "zen", "tor", "vi", "sa", "nu", "pe", "lu", "xo", "jo", "fi", "mo",
    "da", "ri", "ne", "ta", "bo",
)
_FIRST = (
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Omar", "Iris", "Leo", "Nina", "Ezra", "Luna", "Kai",
    "Mila", "Theo", "Sana", "Ravi",
)
_LAST = (
    "Reyes", "Chen", "Novak", "Okafor", "Silva", "Haddad", "Kim", "Moreau", "Patel", "Larsen",
    "Ito", "Brandt",
)
_CATEGORIES = (
    "tech", "beauty", "fitness", "food", "travel", "gaming", "music", "comedy", "fashion",
    "education",
)
_TAGS = (
    "#fyp", "#viral", "#tutorial", "#dayinmylife", "#howto", "#trending", "#behindthescenes",
    "#ad",
)
# fmt: on


def populate(
    store: Store,
    *,
    seed: int,
    accounts: int,
    videos_per_account: VideosPerAccount,
    tracked_videos: int,
    creators: int,
    history_days: int,
) -> None:
    """Fill an empty ``store`` with a seeded organization as of the store's clock."""
    low, high = _video_range(videos_per_account)
    for name, value in (("accounts", accounts), ("tracked_videos", tracked_videos)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if creators < 0 or history_days < 1:
        raise ValueError("creators must be >= 0 and history_days >= 1")
    gen = _Generator(store, random.Random(seed), history_days)
    creator_ids = [gen.creator(i, creators) for i in range(creators)]
    for index in range(accounts):
        account = gen.account(index, creator_ids)
        if account["last_scrape_time"] is not None:
            for _ in range(gen.rng.randint(low, high)):
                gen.account_video(account)
            gen.total_up(account)
    scraped = [a for a in store.accounts.values() if a["last_scrape_time"] is not None]
    for index in range(tracked_videos):
        gen.tracked_video(index, scraped)
    for creator_id in creator_ids:
        store.creators[creator_id]["accounts_summary"] = store.summarize(creator_id)


def _video_range(spec: VideosPerAccount) -> tuple[int, int]:
    if isinstance(spec, int):
        if spec < 0:
            raise ValueError(f"videos_per_account must be >= 0, got {spec}")
        return spec - spec // 2, spec + spec // 2
    low, high = spec
    if not 0 <= low <= high:
        raise ValueError(f"videos_per_account range must have 0 <= min <= max, got {spec}")
    return low, high


class _Generator:
    def __init__(self, store: Store, rng: random.Random, history_days: int) -> None:
        self.store = store
        self.rng = rng
        self.now = store.clock()
        self.history_days = history_days
        self.oldest = self.now - history_days * DAY
        self.usernames: set[str] = set()
        # Per account: (added, last scrape or None, platform-side author id), as numbers.
        self.facts: dict[str, tuple[float, float | None, str]] = {}

    def creator(self, index: int, count: int) -> str:
        rng = self.rng
        name = f"{_FIRST[index % len(_FIRST)]} {_LAST[(index * 5 + index // 16) % len(_LAST)]}"
        record = creator_record(
            id=self.store.new_id(),
            name=name,
            created_at=iso(self.oldest + rng.uniform(0, self.history_days * DAY / 2)),
            # One archived creator when there are several, so is_active filters mean something.
            is_active=not (count >= 3 and index == count - 1),
            metadata={"tier": rng.choice(("gold", "silver", "bronze"))},
        )
        self.store.add_creator(record)
        return str(record["id"])

    def account(self, index: int, creator_ids: list[str]) -> dict[str, Any]:
        rng = self.rng
        platform = ("instagram", "tiktok")[index % 2] if index < 2 else _platform(rng)
        username = self._username()
        # Account 3 was added a day and a half ago, so its history is only a day deep.
        added = self.now - (
            1.5 * DAY if index == 3 else rng.uniform(2 * DAY, self.history_days * DAY)
        )
        never_scraped = index == 2 or rng.random() < 0.04
        last_scrape = None if never_scraped else max(self.now - rng.uniform(600, 20 * 3600), added)
        followers = int(rng.lognormvariate(9.5, 1.5))
        creator_id = rng.choice(creator_ids) if creator_ids and rng.random() < 0.6 else None
        creator = self.store.creators[creator_id] if creator_id else None
        override = rng.random() < 0.15
        record = account_record(
            id=self.store.new_id(),
            platform=platform,
            username=username,
            added_at=iso(added),
            name=username.replace(".", " ").title(),
            description=f"{rng.choice(_WORDS)} and {rng.choice(_WORDS)} every week",
            is_verified=rng.random() < 0.1,
            # An archived creator's accounts are paused, as the API does when archiving.
            is_active=rng.random() > 0.08 and (creator is None or creator["is_active"]),
            link_in_bio=f"https://links.example/{username}",
            creator_id=creator_id,
            creator_name=creator["name"] if creator else None,
            category=rng.choice(_CATEGORIES),
            metadata={"region": rng.choice(("us", "eu", "apac"))} if rng.random() < 0.3 else {},
            first_scrape_time=(
                None if last_scrape is None else iso(min(added + rng.uniform(5, 300), last_scrape))
            ),
            last_scrape_time=None if last_scrape is None else iso(last_scrape),
            follower_count=0 if last_scrape is None else followers,
            following_count=0 if last_scrape is None else rng.randrange(20, 3000),
            max_recent_posts_per_account=30 if override else None,
            post_lookback_days=180 if override else None,
            fb_play_count=rng.randrange(0, 50_000) if platform == "instagram" else None,
        )
        self.facts[record["id"]] = (added, last_scrape, str(rng.randrange(10**11, 10**12)))
        self.store.add_account(
            record,
            FollowerCurve(
                record["follower_count"],
                rng.uniform(0.0, 0.3),
                None if last_scrape is None else day_of(last_scrape),
            ),
        )
        return record

    def account_video(self, account: dict[str, Any]) -> None:
        rng = self.rng
        account_added, last_scrape, author_id = self.facts[account["id"]]
        if last_scrape is None:
            return  # nothing is discovered before an account's first scrape
        created = last_scrape - (rng.random() ** 2) * (self.history_days + 200) * DAY - 600
        added = min(max(account_added, created + rng.uniform(60, 7200)), last_scrape)
        scraped = rng.random() > 0.02
        record, curve = self._video(account["platform"], created, added, last_scrape, scraped)
        record.update(
            account_id=account["id"],
            account_username=account["username"],
            platform_account_id=author_id,
        )
        self.store.add_account_video(record, curve)

    def total_up(self, account: dict[str, Any]) -> None:
        videos = self.store.videos_of_account(account["id"])
        for field in ("view_count", "like_count", "comment_count", "share_count", "play_count"):
            account[field] = sum(v[field] or 0 for v in videos)
        if account["platform"] == "instagram":
            account["saved_count"] = sum(v["saved_count"] or 0 for v in videos)
            account["ig_play_count"] = account["play_count"]
        account["profile_post_count"] = len(videos) + self.rng.randrange(0, 40)
        account["total_post_count"] = len(videos)

    def tracked_video(self, index: int, scraped_accounts: list[dict[str, Any]]) -> None:
        rng = self.rng
        platform = _platform(rng)
        if index == 1:  # added yesterday: only the 1-day window has history
            created, added = self.now - 1.4 * DAY, self.now - 1.0 * DAY
        else:
            created = self.now - (rng.random() ** 1.5) * (self.history_days + 100) * DAY - 3600
            added = min(created + rng.uniform(0, 30 * DAY), self.now - 2 * DAY)
            added = max(added, created)
        last_scrape = self.now - rng.uniform(300, 12 * 3600)
        record, curve = self._video(platform, created, added, last_scrape, index != 0)
        owner = rng.choice(scraped_accounts) if scraped_accounts and rng.random() < 0.3 else None
        if owner is not None and owner["platform"] == platform:
            record.update(
                account_id=owner["id"],
                account_username=owner["username"],
                platform_account_id=self.facts[owner["id"]][2],
            )
        else:
            record["account_username"] = self._username()
            record["platform_account_id"] = str(rng.randrange(10**11, 10**12))
        record["metadata"] = {"campaign": rng.choice(("spring", "launch", "evergreen"))}
        self.store.add_video(record, curve)

    def _video(
        self, platform: str, created: float, added: float, last_scrape: float, scraped: bool
    ) -> tuple[dict[str, Any], ViewCurve]:
        rng = self.rng
        is_ig = platform == "instagram"
        first_day = max(day_of(added), day_of(self.oldest))
        last_day = max(day_of(last_scrape), first_day)
        scale = rng.lognormvariate(9.0, 1.6)
        breakout = rng.random() < 0.08 and last_day - day_of(created) > 10
        curve = ViewCurve(
            publish_day=day_of(created),
            first_day=first_day if scraped else None,
            last_day=last_day if scraped else None,
            scale=scale,
            tau=rng.uniform(1.5, 25.0),
            tail=rng.uniform(0.0, 0.3),
            breakout_day=rng.randint(day_of(created) + 5, last_day) if breakout else 0,
            breakout_scale=scale * rng.uniform(0.5, 3.0) if breakout else 0.0,
            like_ratio=rng.uniform(0.02, 0.12),
            comment_ratio=rng.uniform(0.001, 0.01),
            share_ratio=rng.uniform(0.001, 0.02),
            save_ratio=rng.uniform(0.002, 0.03) if is_ig else None,
            play_ratio=rng.uniform(1.0, 1.3) if is_ig else 1.0,
        )
        external_id = str(rng.randrange(10**18, 10**19))
        shortcode = "".join(rng.choices(_SHORTCODE_ALPHABET, k=11)) if is_ig else None
        caption = " ".join((*rng.sample(_WORDS, 3), rng.choice(_TAGS)))
        media = rng.choice(("reel", "reel", "image", "carousel")) if is_ig else "video"
        slug = f"p/{shortcode}" if is_ig else f"video/{external_id}"
        record = video_record(
            id=self.store.new_id(),
            platform=platform,
            added_at=iso(added),
            updated_at=iso(last_scrape if scraped else added),
            external_id=external_id,
            shortcode=shortcode,
            is_active=rng.random() > 0.05,
            scrape_interval_hours=rng.choice((24, 24, 24, 12, 6)),
            first_scrape_time=iso(min(added + 120, last_scrape)) if scraped else None,
            last_scrape_time=iso(last_scrape) if scraped else None,
            description=caption,
            create_time=iso(created),
            media_type=media,
            duration=None if media == "image" else round(rng.uniform(5, 180), 1),
            cover_image_url=f"https://cdn.creatoraudit.test/covers/{external_id}.jpg",
            cover_image_url_original=f"https://{platform}.example/cover/{external_id}.jpg",
            video_url=f"https://cdn.creatoraudit.test/media/{external_id}.mp4",
            video_url_original=f"https://{platform}.example/{slug}",
            platform_data={"region": "US"} if rng.random() < 0.2 else {},
            **curve.counts(),
        )
        return record, curve

    def _username(self) -> str:
        rng = self.rng
        while True:
            name = (
                f"{rng.choice(_WORDS)}.{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}"
                f"{rng.randrange(100)}"
            )
            if name not in self.usernames:
                self.usernames.add(name)
                return name


_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _platform(rng: random.Random) -> str:
    return "instagram" if rng.random() < 0.5 else "tiktok"
