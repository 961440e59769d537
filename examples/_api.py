"""What every CreatorAudit example shares: where the API is, and how its failures read."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any

from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, errors

if TYPE_CHECKING:
    from creatorsdk.testing import FakeCreatorAudit

#: A realistic small organization: 300 accounts, ~10,000 account-videos (10,108 with the
#: default seed), 300 tracked videos, 20–40 ms per request and 300 requests per 10 s.
DEMO_ORG: dict[str, Any] = {
    "accounts": 300,
    "videos_per_account": 35,
    "tracked_videos": 300,
    "latency": 0.02,
    "latency_jitter": 0.02,
    "rate_limit": 300,
    "rate_window": 10.0,
}

#: How an example gets its client: ``connect(base_url=..., max_concurrency=..., seed=...)``
#: yields the client and one line saying what it talks to. Tests pass their own.
Connect = Callable[..., AbstractAsyncContextManager[tuple[AsyncCreatorAudit, str]]]

#: The same for the blocking client (``CreatorAudit``): a plain context manager.
ConnectSync = Callable[..., AbstractContextManager[tuple[CreatorAudit, str]]]


class DemoClock:
    """Real time, starting from today's 00:00 UTC once :meth:`start` is called.

    The fake generates its organization from its seed "as of now"; anchoring now to the
    start of the day makes every run on one day see the same organization, so a rerun of an
    example against the embedded fake changes nothing, as it would against a quiet real one.
    """

    def __init__(self) -> None:
        now = time.time()
        self.anchor = now - now % 86_400
        self.started: float | None = None

    def __call__(self) -> float:
        if self.started is None:
            return self.anchor
        return self.anchor + (time.monotonic() - self.started)

    def start(self) -> None:
        """Let time run (after the fake has generated its data)."""
        self.started = time.monotonic()


class _QuietCancellation(logging.Filter):
    """Drop the embedded server's reports of requests cancelled by our own Ctrl-C."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


_QUIET_CANCELLATION = _QuietCancellation()


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
    seeded :class:`~creatorsdk.testing.FakeCreatorAudit` served on 127.0.0.1, and a
    ``base_url`` is refused with :class:`ValueError` rather than silently ignored.
    """
    if os.environ.get("CREATORAUDIT_API_KEY"):
        async with AsyncCreatorAudit(base_url=base_url, max_concurrency=max_concurrency) as ca:
            yield ca, f"CreatorAudit at {ca.base_url}"
        return
    fake = _demo_fake(base_url, seed, fake_options)
    # Ctrl-C cancels the requests the fake is still serving (as late as the event loop's
    # shutdown); that is the user's wish, not a server error worth a traceback.
    logging.getLogger("uvicorn.error").addFilter(_QUIET_CANCELLATION)
    async with (
        fake.serve() as served_url,
        AsyncCreatorAudit(
            api_key=fake.api_key, base_url=served_url, max_concurrency=max_concurrency
        ) as ca,
    ):
        yield ca, f"embedded FakeCreatorAudit at {served_url} (CREATORAUDIT_API_KEY is not set)"


@contextlib.contextmanager
def open_creatoraudit_sync(
    *,
    base_url: str | None = None,
    max_concurrency: int = 8,
    seed: int = 1,
    **fake_options: Any,
) -> Iterator[tuple[CreatorAudit, str]]:
    """:func:`open_creatoraudit` for the blocking client.

    The embedded fake is reached in-process: it runs on the client's own event-loop thread,
    so a synchronous program needs no server and no event loop of its own.
    """
    if os.environ.get("CREATORAUDIT_API_KEY"):
        with CreatorAudit(base_url=base_url, max_concurrency=max_concurrency) as ca:
            yield ca, f"CreatorAudit at {ca.base_url}"
        return
    fake = _demo_fake(base_url, seed, fake_options)
    with CreatorAudit(
        api_key=fake.api_key,
        base_url=fake.base_url,
        transport=fake.transport(),
        max_concurrency=max_concurrency,
    ) as ca:
        yield ca, "embedded FakeCreatorAudit, in-process (CREATORAUDIT_API_KEY is not set)"


def _demo_fake(base_url: str | None, seed: int, options: dict[str, Any]) -> FakeCreatorAudit:
    """The seeded demo organization, with time running from today's 00:00 UTC."""
    if base_url is not None:
        raise ValueError("--base-url needs CREATORAUDIT_API_KEY set (the key for that server)")
    from creatorsdk.testing import FakeCreatorAudit

    clock = DemoClock()
    fake = FakeCreatorAudit(seed=seed, clock=clock, **{**DEMO_ORG, **options})
    clock.start()
    return fake


def leaves(error: BaseException) -> Iterator[BaseException]:
    """The exceptions inside ``error``: itself, or every one its exception groups hold."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from leaves(inner)
    else:
        yield error


def sdk_failure(error: BaseException) -> errors.CreatorSDKError | None:
    """The SDK error behind ``error`` when that is all it is, else ``None``.

    Task groups wrap what their tasks raise in exception groups; a group made only of SDK
    errors is an API failure (reported by its first error), anything else is a bug to show.
    """
    found = list(leaves(error))
    if found and all(isinstance(e, errors.CreatorSDKError) for e in found):
        first = found[0]
        assert isinstance(first, errors.CreatorSDKError)
        return first
    return None


def request_id_of(error: BaseException) -> str | None:
    """The upstream request id an SDK error carries, looking inside batch failures."""
    if isinstance(error, errors.BatchError):
        for failure in error.failures:
            if (found := request_id_of(failure.error)) is not None:
                return found
        return None
    request_id = getattr(error, "request_id", None)
    return request_id if isinstance(request_id, str) else None


def one_line(error: errors.CreatorSDKError) -> str:
    """An SDK error on one line, naming its request id (the first failed chunk's for a batch)."""
    text = " ".join(str(error).split())
    request_id = request_id_of(error)
    if request_id is not None and request_id not in text:
        text += f" [request_id={request_id}]"
    return text


#: The trackagoat demo organization: two projects, 24 creators, 10–20 ms per request, and a
#: per-key window of 600 requests a minute (the real API allows 60) so a demo run takes
#: seconds; the client is paced to the same figure.
TRACKAGOAT_DEMO: dict[str, Any] = {
    "creators": 24,
    "latency": 0.01,
    "latency_jitter": 0.01,
    "rate_limit": 600,
}


@contextlib.asynccontextmanager
async def open_trackagoat(
    *,
    base_url: str | None = None,
    max_concurrency: int = 8,
    requests_per_minute: float | None = None,
    seed: int = 1,
    **fake_options: Any,
) -> AsyncIterator[tuple[AsyncTrackAGoat, str]]:
    """Yield a trackagoat client and a line saying what it talks to.

    With ``TRACKAGOAT_API_KEY`` set it is the real API (or ``base_url``), paced at
    ``requests_per_minute`` (default: the documented 60); without it, a seeded
    :class:`~creatorsdk.testing.FakeTrackAGoat` served on 127.0.0.1, whose window is the
    pace asked for (default 600 a minute). A ``base_url`` without a key is a ValueError.
    """
    if os.environ.get("TRACKAGOAT_API_KEY"):
        async with AsyncTrackAGoat(
            base_url=base_url,
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute,
        ) as tg:
            yield tg, f"trackagoat at {tg.base_url}"
        return
    if base_url is not None:
        raise ValueError("--base-url needs TRACKAGOAT_API_KEY set (the key for that server)")
    from creatorsdk.testing import FakeTrackAGoat

    options = {**TRACKAGOAT_DEMO, **fake_options}
    if requests_per_minute is not None:
        options["rate_limit"] = max(int(requests_per_minute), 1)
    clock = DemoClock()
    fake = FakeTrackAGoat(seed=seed, clock=clock, **options)
    clock.start()
    logging.getLogger("uvicorn.error").addFilter(_QUIET_CANCELLATION)
    async with (
        fake.serve() as served_url,
        AsyncTrackAGoat(
            api_key=fake.api_key,
            base_url=served_url,
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute or options["rate_limit"],
        ) as tg,
    ):
        yield tg, f"embedded FakeTrackAGoat at {served_url} (TRACKAGOAT_API_KEY is not set)"
