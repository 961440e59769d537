"""creatorsdk: an asyncio-first SDK for the CreatorAudit v2 and trackagoat v1 APIs."""

from creatorsdk import errors
from creatorsdk._engine.pacing import RateLimit
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk._engine.retry import RetryPolicy

__all__ = ["AsyncPager", "Page", "RateLimit", "RetryPolicy", "errors"]
