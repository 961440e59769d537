"""What every example shares: the real API when a key is set, else an embedded fake."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

from creatorsdk import AsyncCreatorAudit

#: A realistic small organization: a few hundred accounts, ~10,000 account-videos.
DEMO_ORG: dict[str, Any] = {
    "accounts": 300,
    "videos_per_account": 33,
    "tracked_videos": 300,
    "latency": 0.02,
    "latency_jitter": 0.02,
    "rate_limit": 300,
    "rate_window": 10.0,
}


@contextlib.asynccontextmanager
async def open_creatoraudit(
    *,
    base_url: str | None = None,
    max_concurrency: int = 8,
    seed: int = 1,
    **fake_options: Any,
) -> AsyncIterator[tuple[AsyncCreatorAudit, str]]:
    """Yield a client and a line saying what it talks to.

    With ``CREATORAUDIT_API_KEY`` set it is the real API (or ``base_url``); without it, a
    seeded :class:`~creatorsdk.testing.FakeCreatorAudit` served on 127.0.0.1.
    """
    if os.environ.get("CREATORAUDIT_API_KEY"):
        async with AsyncCreatorAudit(base_url=base_url, max_concurrency=max_concurrency) as ca:
            yield ca, f"CreatorAudit at {ca.base_url}"
        return
    from creatorsdk.testing import FakeCreatorAudit

    fake = FakeCreatorAudit(seed=seed, **{**DEMO_ORG, **fake_options})
    async with (
        fake.serve() as served_url,
        AsyncCreatorAudit(
            api_key=fake.api_key, base_url=served_url, max_concurrency=max_concurrency
        ) as ca,
    ):
        yield ca, f"embedded FakeCreatorAudit at {served_url} (CREATORAUDIT_API_KEY is not set)"
