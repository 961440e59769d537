"""``FakeTrackAGoat``: a stateful, seeded fake of the trackagoat v1 API."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import ClassVar

from creatorsdk.testing._clock import Clock
from creatorsdk.testing._faults import FaultPlan
from creatorsdk.testing._harness import FakeServer
from creatorsdk.testing.trackagoat.annotations import AnnotationBook
from creatorsdk.testing.trackagoat.app import PREFIX, build_app
from creatorsdk.testing.trackagoat.context import ApiKey, ApiState
from creatorsdk.testing.trackagoat.generator import populate
from creatorsdk.testing.trackagoat.idempotency import idempotency_cache
from creatorsdk.testing.trackagoat.payout_seed import seed_payouts
from creatorsdk.testing.trackagoat.payouts import PayoutLedger
from creatorsdk.testing.trackagoat.plans import DailyCounter, SlidingWindow, plan_limits
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["FakeTrackAGoat"]


class FakeTrackAGoat(FakeServer):
    """The trackagoat v1 API in memory, as the contract (and its section 11) describes it.

    Reach it in-process with ``httpx.AsyncClient(transport=fake.transport(),
    base_url=fake.base_url)`` or over loopback HTTP with ``async with fake.serve() as url``.

    Knobs: ``seed`` drives all data and ids; ``projects``, ``creators`` (spread over the
    projects), ``videos_per_creator`` (an inclusive range), ``campaigns`` and
    ``history_days`` shape the organization; ``plan`` (free, starter or ultra) sets the limits
    of section 1.7, and ``limits`` overrides any of them (``None`` = unlimited); ``rate_limit``
    requests per rolling ``rate_window`` seconds per key (``None`` turns it off); ``latency``,
    ``latency_jitter``, ``faults`` and ``clock`` as for every fake.

    :attr:`api_key` reads and writes, :attr:`read_only_api_key` only reads; :attr:`store` is
    the live state, :attr:`payouts` the payout ledger (methods, structures, assignments,
    accruals, payments), :attr:`annotations` the chart annotations and :attr:`limits` the plan
    limits in force (change them mid-test).
    """

    api_prefix: ClassVar[str] = PREFIX

    def __init__(
        self,
        seed: int = 0,
        *,
        projects: int = 2,
        creators: int = 12,
        videos_per_creator: tuple[int, int] = (3, 8),
        campaigns: int = 3,
        history_days: int = 90,
        plan: str = "ultra",
        limits: Mapping[str, int | None] | None = None,
        rate_limit: int | None = 60,
        rate_window: float = 60.0,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
        faults: FaultPlan | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            seed=seed, clock=clock, faults=faults, latency=latency, latency_jitter=latency_jitter
        )
        self.plan = plan.lower()
        self.limits = plan_limits(plan, limits)
        max_projects = self.limits["max_projects_per_org"]
        if max_projects is not None and projects > max_projects:
            raise ValueError(f"the {plan} plan allows {max_projects} projects, not {projects}")
        secrets = random.Random(f"keys:{seed}")
        self.api_key = f"tga_{secrets.getrandbits(256):064x}"
        self.read_only_api_key = f"tga_{secrets.getrandbits(256):064x}"
        org_id = str(uuid.UUID(int=secrets.getrandbits(128), version=4))
        self.store = Store(self.clock, seed)
        populate(
            self.store,
            seed=seed,
            org_id=org_id,
            projects=projects,
            creators=creators,
            videos_per_creator=videos_per_creator,
            campaigns=campaigns,
            history_days=history_days,
        )
        self.payouts = PayoutLedger(self.store, org_id, seed)
        seed_payouts(self.payouts, self.store, seed=seed)
        self.annotations = AnnotationBook(self.store, org_id, seed)
        self.annotations.seed()
        self._state = ApiState(
            store=self.store,
            org_id=org_id,
            plan=self.plan,
            limits=self.limits,
            keys={
                self.api_key: ApiKey(self.api_key, "Fake key", ("read", "write")),
                self.read_only_api_key: ApiKey(self.read_only_api_key, "Read-only", ("read",)),
            },
            window=None
            if rate_limit is None
            else SlidingWindow(rate_limit, rate_window, self.clock),
            api_requests=DailyCounter(self.clock),
            manual_scrapes=DailyCounter(self.clock),
            idempotency=idempotency_cache(self.clock),
            payouts=self.payouts,
            annotations=self.annotations,
        )
        self._mount(build_app(self._state))

    def __repr__(self) -> str:
        store = self.store
        return (
            f"FakeTrackAGoat(seed={self.seed}, plan={self.plan!r}, "
            f"projects={len(store.projects)}, creators={len(store.creators)}, "
            f"videos={len(store.videos)}, campaigns={len(store.campaigns)})"
        )

    @property
    def org_id(self) -> str:
        """The organization every key belongs to."""
        return self._state.org_id

    @property
    def idempotent_replays(self) -> int:
        """How many creates were answered from the ``Idempotency-Key`` cache."""
        return self._state.idempotency.replays

    def revoke_key(self, key: str) -> None:
        """Revoke a key: its requests get 401 ``invalid_api_key`` from now on."""
        self._state.keys[key].revoked = True
