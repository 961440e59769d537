"""``breakdown=video`` on ``GET /analytics``: one series per video of the entity.

The docs: "campaign breakdown returns ``breakdown_series``", up to 10 per-video series, with
anything beyond folded into one entry whose ``entity_ref`` is ``{"id": "__other__", "label":
"Other"}``. The fake ranks the videos by their total over the range (ties by id) and computes
the folded entry over the remaining videos together, so rates stay rates.
"""

from __future__ import annotations

from typing import Any, Final

from creatorsdk.testing.trackagoat.analytics import Query, Subject, bucket_series
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["BREAKDOWNS", "MAX_BREAKDOWN", "OTHER_ID", "breakdown_series"]

BREAKDOWNS: Final = ("video",)
#: Per-video series before the rest is folded into "Other".
MAX_BREAKDOWN: Final = 10
OTHER_ID: Final = "__other__"


def breakdown_series(store: Store, subject: Subject, query: Query) -> list[dict[str, Any]]:
    """The subject's per-video series, the 10 largest first, then "Other" if any is left."""
    per_video = []
    for video_id in subject.videos:
        video = store.videos[video_id]
        one = Subject(video_id, video["title"] or video["tiktok_video_id"], (video_id,), ())
        points = bucket_series(store, one, query)
        total = sum(p["value"] or 0 for p in points)
        per_video.append((-total, video_id, _series(one, points)))
    per_video.sort(key=lambda entry: (entry[0], entry[1]))
    shown = [series for _, _, series in per_video[:MAX_BREAKDOWN]]
    rest = tuple(video_id for _, video_id, _ in per_video[MAX_BREAKDOWN:])
    if rest:
        other = Subject(OTHER_ID, "Other", rest, ())
        shown.append(_series(other, bucket_series(store, other, query)))
    return shown


def _series(subject: Subject, points: list[dict[str, Any]]) -> dict[str, Any]:
    return {"entity_ref": {"id": subject.id, "label": subject.label}, "points": points}
