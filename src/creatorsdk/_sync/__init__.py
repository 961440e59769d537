"""Blocking twins of the async clients, generated from them (never a second implementation).

Each sync client owns one event-loop thread (an anyio blocking portal) on which its async
client lives; sync methods submit the async call there and wait for it.
"""

from creatorsdk._sync._wrap import SyncPager
from creatorsdk._sync.creatoraudit import CreatorAudit
from creatorsdk._sync.trackagoat import TrackAGoat

__all__ = ["CreatorAudit", "SyncPager", "TrackAGoat"]
