"""creatorsdk: an asyncio-first SDK for the CreatorAudit v2 and trackagoat v1 APIs."""

from creatorsdk import errors
from creatorsdk._engine.observing import Hooks, configure_logging_from_env
from creatorsdk._engine.pacing import RateLimit
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk._engine.retry import RetryPolicy
from creatorsdk._sync import CreatorAudit, SyncPager, TrackAGoat
from creatorsdk._version import __version__
from creatorsdk.creatoraudit import AsyncCreatorAudit
from creatorsdk.trackagoat import AsyncTrackAGoat

__all__ = [
    "AsyncCreatorAudit",
    "AsyncPager",
    "AsyncTrackAGoat",
    "CreatorAudit",
    "Hooks",
    "Page",
    "RateLimit",
    "RetryPolicy",
    "SyncPager",
    "TrackAGoat",
    "__version__",
    "errors",
]

# CREATORSDK_LOG=info|debug turns the creatorsdk logger on without code.
configure_logging_from_env()
