"""``FakeCreatorAudit``: a stateful, seeded fake of the CreatorAudit v2 API."""

from __future__ import annotations

import random
import uuid
from typing import ClassVar

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._faults import FaultPlan
from creatorsdk.testing._harness import FakeServer
from creatorsdk.testing._limiters import LIMITER_KINDS, make_limiter
from creatorsdk.testing.creatoraudit.app import PREFIX, build_app
from creatorsdk.testing.creatoraudit.generator import VideosPerAccount, populate
from creatorsdk.testing.creatoraudit.idempotency import IdempotencyCache
from creatorsdk.testing.creatoraudit.paging import Lister
from creatorsdk.testing.creatoraudit.state import ApiKey, ApiState
from creatorsdk.testing.creatoraudit.store import Store

__all__ = ["FakeCreatorAudit"]


class FakeCreatorAudit(FakeServer):
    """The CreatorAudit v2 API in memory, as the contract (and its section 12) describes it.

    Reach it in-process with ``httpx.AsyncClient(transport=fake.transport(),
    base_url=fake.base_url)`` or over loopback HTTP with ``async with fake.serve() as url``.

    Knobs: ``seed`` drives all data, ids, jitter; ``accounts``, ``videos_per_account`` (an
    average or a ``(min, max)`` range), ``tracked_videos``, ``creators`` and ``history_days``
    shape the organization; ``rate_limit`` requests per ``rate_window`` seconds per key
    (``None``: no limit and no rate-limit headers) by the algorithm ``limiter`` names, with the
    headers a real server of that kind sends: ``"fixed-first"`` (a window opened by the key's
    first request, the default), ``"fixed-epoch"``, ``"moving"``, ``"sliding"``,
    ``"token-bucket"`` or ``"headerless"`` (see ``creatorsdk.testing._limiters``);
    ``latency`` plus up to ``latency_jitter`` seconds of real waiting per request; ``faults``
    (a :class:`FaultPlan`); ``clock`` (epoch seconds, e.g. a :class:`FakeClock`) for rate
    windows, idempotency expiry, timestamps of new resources and "today"; ``account_quota``
    caps active tracked accounts (403 ``QUOTA_EXCEEDED``), also settable later as an attribute.

    :attr:`store` is the live state (see :class:`Store`); :attr:`requests` what arrived.
    """

    api_prefix: ClassVar[str] = PREFIX
    unfaulted_paths: ClassVar[frozenset[str]] = frozenset({"/health", "/meta"})

    def __init__(
        self,
        seed: int = 0,
        *,
        accounts: int = 40,
        videos_per_account: VideosPerAccount = (4, 20),
        tracked_videos: int = 30,
        creators: int = 8,
        history_days: int = 400,
        rate_limit: int | None = 600,
        rate_window: float = 60.0,
        limiter: str = "fixed-first",
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        faults: FaultPlan | None = None,
        clock: Clock | None = None,
        account_quota: int | None = None,
    ) -> None:
        if limiter not in LIMITER_KINDS:
            raise ValueError(f"limiter must be one of {', '.join(LIMITER_KINDS)}; got {limiter!r}")
        super().__init__(
            seed=seed, clock=clock, faults=faults, latency=latency, latency_jitter=latency_jitter
        )
        secrets = random.Random(f"keys:{seed}")
        self.api_key = f"ca_fake_{secrets.getrandbits(160):040x}"
        self.read_only_api_key = f"ca_fake_ro_{secrets.getrandbits(160):040x}"
        self.store = Store(self.clock, seed)
        populate(
            self.store,
            seed=seed,
            accounts=accounts,
            videos_per_account=videos_per_account,
            tracked_videos=tracked_videos,
            creators=creators,
            history_days=history_days,
        )
        rate_limiter = None
        if rate_limit is not None:
            rate_limiter = make_limiter(limiter, rate_limit, rate_window, self.clock)
        self._state = ApiState(
            store=self.store,
            organization_id=str(uuid.UUID(int=secrets.getrandbits(128), version=4)),
            keys={
                self.api_key: ApiKey(self.api_key, "Fake write key", frozenset(_ALL_SCOPES)),
                self.read_only_api_key: ApiKey(
                    self.read_only_api_key, "Fake read-only key", frozenset({"read"})
                ),
            },
            limiter=rate_limiter,
            idempotency=IdempotencyCache(self.clock),
            lister=Lister(self.store),
            account_quota=account_quota,
        )
        self._mount(build_app(self._state))

    def __repr__(self) -> str:
        store = self.store
        return (
            f"FakeCreatorAudit(seed={self.seed}, accounts={len(store.accounts)}, "
            f"account_videos={len(store.account_videos)}, videos={len(store.videos)}, "
            f"creators={len(store.creators)})"
        )

    @property
    def organization_id(self) -> str:
        """The organization every key belongs to (as ``/whoami`` says)."""
        return self._state.organization_id

    @property
    def account_quota(self) -> int | None:
        """The cap on active tracked accounts, or ``None`` for no cap."""
        return self._state.account_quota

    @account_quota.setter
    def account_quota(self, value: int | None) -> None:
        self._state.account_quota = value

    def disable_key(self, key: str) -> None:
        """Disable a key: its requests get ``403 FORBIDDEN`` until :meth:`enable_key`."""
        self._state.keys[key].enabled = False

    def enable_key(self, key: str) -> None:
        """Re-enable a disabled key."""
        self._state.keys[key].enabled = True


_ALL_SCOPES = ("read", "write", "admin")
