"""Builders of the JSON records the fake serves, field for field as the seed page and section 4
list them.

Counts that change with time (views, followers) are not stored here: the store fills them in
from the history when it serves a record.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "campaign_record",
    "creator_record",
    "project_record",
    "video_record",
]


def project_record(
    *, id: str, org_id: str, name: str, created_at: str, **fields: Any
) -> dict[str, Any]:
    """A Project."""
    return {
        "id": id,
        "name": name,
        "description": None,
        "org_id": org_id,
        "created_at": created_at,
        "updated_at": created_at,
        **fields,
    }


def creator_record(
    *, id: str, project_id: str, tiktok_handle: str, created_at: str, **fields: Any
) -> dict[str, Any]:
    """A Creator with every field of the seed page (counts are filled in when served)."""
    return {
        "id": id,
        "project_id": project_id,
        "tiktok_handle": tiktok_handle,
        "display_name": None,
        "description": None,
        "readme": None,
        "metadata": {},
        "tracking_mode": "auto",
        "tracking_start_date": created_at[:10],
        "tracking_end_date": None,
        "avatar_url": f"https://p16.tiktokcdn.test/avatar/{tiktok_handle.lower()}.jpeg",
        "follower_count": 0,
        "following_count": 0,
        "total_likes_count": 0,
        "video_count": 0,
        "last_scraped_at": None,
        "is_active": True,
        "disabled_at": None,
        "created_at": created_at,
        "updated_at": created_at,
        **fields,
    }


def video_record(
    *, id: str, project_id: str, tiktok_video_id: str, url: str, created_at: str, **fields: Any
) -> dict[str, Any]:
    """A Video (counts are filled in when served)."""
    return {
        "id": id,
        "project_id": project_id,
        "creator_id": None,
        "tiktok_video_id": tiktok_video_id,
        "url": url,
        "title": None,
        "description": None,
        "readme": None,
        "metadata": {},
        "tracking_status": "direct_add",
        "tracking_enabled": True,
        "view_count": 0,
        "like_count": 0,
        "comment_count": 0,
        "share_count": 0,
        "save_count": 0,
        "posted_at": created_at,
        "created_at": created_at,
        "updated_at": created_at,
        **fields,
    }


def campaign_record(
    *, id: str, project_id: str, name: str, created_at: str, **fields: Any
) -> dict[str, Any]:
    """A Campaign."""
    return {
        "id": id,
        "project_id": project_id,
        "name": name,
        "readme": None,
        "description": None,
        "metadata": {},
        "target_views": None,
        "target_at": None,
        "created_at": created_at,
        "updated_at": created_at,
        **fields,
    }
