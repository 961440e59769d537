"""Builders of the JSON records the fake serves, with every documented field (and a few more).

Each builder starts from the documented defaults and applies the caller's overrides, so a
record created through the API and one generated from the seed have the same keys in the same
order. ``etl_version`` (and ``internal_id`` on account-videos) are not in the docs on purpose:
clients must tolerate fields they do not know.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ETL_VERSION",
    "ORG_MAX_RECENT_POSTS",
    "ORG_POST_LOOKBACK_DAYS",
    "account_record",
    "creator_record",
    "video_record",
]

#: An undocumented field on every resource.
ETL_VERSION = 3
#: The organization's scraping defaults, which the ``effective_*`` account fields fall back to.
ORG_MAX_RECENT_POSTS = 50
ORG_POST_LOOKBACK_DAYS = 90


def account_record(
    *, id: str, platform: str, username: str, added_at: str, **fields: Any
) -> dict[str, Any]:
    """An Account (``type: "account"``) with every field of the contract's section 5.1."""
    record: dict[str, Any] = {
        "id": id,
        "type": "account",
        "platform": platform,
        "username": username,
        "name": username,
        "description": "",
        "profile_pic_url": f"https://cdn.creatoraudit.test/{platform}/{username}.jpg",
        "profile_pic_url_original": f"https://{platform}.example/{username}/avatar.jpg",
        "is_verified": False,
        "is_active": True,
        "is_unavailable": False,
        "link_in_bio": "",
        "creator_id": None,
        "creator_name": None,
        "category": "",
        "metadata": {},
        "added_at": added_at,
        "first_scrape_time": None,
        "last_scrape_time": None,
        "scrape_interval_hours": 24,
        "follower_count": 0,
        "following_count": 0,
        "profile_post_count": 0,
        "total_post_count": 0,
        "view_count": 0,
        "like_count": 0,
        "comment_count": 0,
        "share_count": 0,
        "play_count": 0,
        "saved_count": 0 if platform == "instagram" else None,
        "fb_play_count": None,
        "ig_play_count": None,
        "fb_like_count": None,
        "max_recent_posts_per_account": None,
        "post_lookback_days": None,
        "effective_max_recent_posts_per_account": ORG_MAX_RECENT_POSTS,
        "effective_post_lookback_days": ORG_POST_LOOKBACK_DAYS,
        "etl_version": ETL_VERSION,
    }
    record.update(fields)
    # An override, when set, is what applies; otherwise the organization's default does.
    for field in ("max_recent_posts_per_account", "post_lookback_days"):
        if record[field] is not None:
            record[f"effective_{field}"] = record[field]
    return record


def video_record(*, id: str, platform: str, added_at: str, **fields: Any) -> dict[str, Any]:
    """A Video (``type: "video"``) with every field of the contract's section 5.2."""
    record: dict[str, Any] = {
        "id": id,
        "type": "video",
        "platform": platform,
        "external_id": "",
        "shortcode": None,
        "is_active": True,
        "scrape_interval_hours": 24,
        "metadata": {},
        "added_at": added_at,
        "updated_at": added_at,
        "first_scrape_time": None,
        "last_scrape_time": None,
        "description": "",
        "create_time": None,
        "media_type": "video",
        "duration": None,
        "is_unavailable": False,
        "cover_image_url": "",
        "cover_image_url_original": "",
        "video_url": "",
        "video_url_original": "",
        "view_count": None,
        "like_count": None,
        "comment_count": None,
        "share_count": None,
        "play_count": None,
        "saved_count": None,
        "total_views": None,
        "total_plays": None,
        "account_id": None,
        "account_username": "",
        "platform_account_id": "",
        "platform_data": {},
        "etl_version": ETL_VERSION,
    }
    record.update(fields)
    return record


def creator_record(*, id: str, name: str, created_at: str, **fields: Any) -> dict[str, Any]:
    """A Creator (``type: "creator"``) with every field of the contract's section 5.3."""
    record: dict[str, Any] = {
        "id": id,
        "type": "creator",
        "name": name,
        "is_active": True,
        "metadata": {},
        "accounts_summary": {"total": 0, "platforms": {}, "total_followers": 0},
        "created_at": created_at,
        "etl_version": ETL_VERSION,
    }
    record.update(fields)
    return record
