"""Seeded fault injection shared by every fake.

A :class:`FaultPlan` gives each fault kind a probability per request. One
:class:`FaultInjector` per fake draws at most one kind per eligible request, from an RNG seeded by
the plan, in arrival order, so a run with the same requests in the same order meets the same
faults. The transport-level kinds (``slow``, ``html_502``, ``truncated_body`` and the drops) are
applied by the harness middleware; the API-level kinds (the problem responses and
``empty_page``) are handed to the API's app in the ASGI scope under :data:`FAULT_SCOPE_KEY`,
because only the API knows its error format and its list endpoints.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import random
from collections import Counter
from collections.abc import Collection

__all__ = [
    "FAULT_KINDS",
    "FAULT_SCOPE_KEY",
    "ConnectionDropped",
    "FaultInjector",
    "FaultPlan",
    "FaultTicket",
]

#: Every kind a plan can inject, in the order their probability ranges are laid out.
FAULT_KINDS: tuple[str, ...] = (
    "error_503",
    "error_429",
    "error_500",
    "error_502",
    "html_502",
    "truncated_body",
    "drop_before_commit",
    "drop_after_commit",
    "empty_page",
    "slow",
)

#: The ASGI scope key under which the API's app finds the request's :class:`FaultTicket`.
FAULT_SCOPE_KEY = "creatorsdk.fault"

#: What a reverse proxy sends when the app behind it fails: HTML, not the API's error format.
HTML_502_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


class ConnectionDropped(Exception):
    """Raised inside the app stack to make the serving layer drop the connection."""


@dataclasses.dataclass(frozen=True)
class FaultPlan:
    """Per-request fault probabilities, drawn from an RNG seeded with ``seed``.

    The kinds are exclusive: one uniform draw per eligible request picks at most one, so the
    probabilities must sum to at most 1. Eligible requests are the authenticated API endpoints
    (never health or meta), further narrowed by ``paths``: shell-style patterns matched against
    the path after the API prefix, e.g. ``{"/videos/deltas", "/accounts*"}``.

    - ``error_503`` / ``error_500`` / ``error_502``: the API's problem response with that status
      (``SERVICE_UNAVAILABLE`` / ``INTERNAL_ERROR`` / ``UPSTREAM_ERROR``); nothing is applied.
    - ``error_429``: ``RATE_LIMITED`` with ``Retry-After: retry_after``; nothing is applied.
    - ``html_502``: a proxy's ``text/html`` 502 without the API's headers; nothing is applied.
    - ``truncated_body``: the real response with its body cut in half (and a matching
      ``Content-Length``), so the JSON does not parse; a write is applied.
    - ``drop_before_commit``: the connection drops and the request is not applied.
    - ``drop_after_commit``: the request is applied, then the connection drops unanswered.
    - ``empty_page``: a list page comes back with ``data: []``, ``has_next: true`` and a cursor
      to the same position; that cursor's page is never emptied again, so nothing is lost.
    - ``slow``: the response waits ``slow_seconds`` first.
    """

    seed: int = 0
    error_503: float = 0.0
    error_429: float = 0.0
    html_502: float = 0.0
    truncated_body: float = 0.0
    drop_before_commit: float = 0.0
    drop_after_commit: float = 0.0
    empty_page: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 1.0
    paths: Collection[str] | None = None
    error_500: float = 0.0
    error_502: float = 0.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        for kind in FAULT_KINDS:
            probability = getattr(self, kind)
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"{kind} must be a probability in [0, 1], got {probability!r}")
        total = sum(getattr(self, kind) for kind in FAULT_KINDS)
        if total > 1.0 + 1e-9:
            raise ValueError(f"fault probabilities sum to {total:g}; they must sum to at most 1")
        if self.slow_seconds < 0:
            raise ValueError(f"slow_seconds must be >= 0, got {self.slow_seconds!r}")
        if self.retry_after < 1:
            raise ValueError(f"retry_after must be >= 1, got {self.retry_after!r}")
        if self.paths is not None:
            # A bare string would match character by character; it is one pattern.
            patterns = (self.paths,) if isinstance(self.paths, str) else tuple(self.paths)
            object.__setattr__(self, "paths", patterns)


class FaultTicket:
    """The fault drawn for one request; whoever applies it calls :meth:`applied` once."""

    __slots__ = ("_counted", "_counter", "kind", "plan")

    def __init__(self, kind: str, plan: FaultPlan, counter: Counter[str]) -> None:
        self.kind = kind
        self.plan = plan
        self._counter = counter
        self._counted = False

    def __repr__(self) -> str:
        return f"FaultTicket({self.kind!r})"

    def applied(self) -> None:
        """Count this fault as injected (a kind that did not fit the request is never counted)."""
        if not self._counted:
            self._counted = True
            self._counter[self.kind] += 1


class FaultInjector:
    """Draws faults for one fake from its plan and counts those injected, by kind."""

    def __init__(self, plan: FaultPlan) -> None:
        self.injected: Counter[str] = Counter()
        self.use(plan)

    def use(self, plan: FaultPlan) -> None:
        """Draw from ``plan`` from now on, from its seed's start (the counts are kept)."""
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._ranges: list[tuple[float, str]] = []
        upper = 0.0
        for kind in FAULT_KINDS:
            probability: float = getattr(plan, kind)
            if probability > 0:
                upper += probability
                self._ranges.append((upper, kind))

    def draw(self, api_path: str) -> FaultTicket | None:
        """The fault for the next eligible request (``api_path`` is after the prefix), if any."""
        if not self._ranges or not self._covers(api_path):
            return None
        roll = self._rng.random()
        for upper, kind in self._ranges:
            if roll < upper:
                return FaultTicket(kind, self.plan, self.injected)
        return None

    def _covers(self, api_path: str) -> bool:
        patterns = self.plan.paths
        return patterns is None or any(fnmatch.fnmatchcase(api_path, p) for p in patterns)
