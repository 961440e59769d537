"""What a budget store does: the steps every sender on a key takes through it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from creatorsdk._engine.pacing.readings import RateLimit
from creatorsdk.budgets._ledger import Keep, Reading, Rule, Taken

__all__ = ["Budget"]


@runtime_checkable
class Budget(Protocol):
    """A key's shared accounting: every client given the same store shares one budget.

    Each method is one atomic step; ``now`` is the caller's Unix time. (``isinstance`` checks
    that a store has the four methods, so a client refuses anything else as it is built.)
    """

    async def take(self, now: float, rule: Rule, *, force: bool = False) -> Taken:
        """Grant one send now (a sequence number) or say when to ask again."""
        ...

    async def record(
        self,
        seq: int,
        sent_at: float,
        rate_limit: RateLimit | None,
        *,
        guessed: bool,
        now: float,
        refused: bool = False,
    ) -> tuple[bool, Reading | None]:
        """Report send ``seq``'s answer (``refused``: a 429) and reading: whether the reading
        is now the freshest, and the one before."""
        ...

    async def throttle(
        self, now: float, seq: int, sent_at: float, until: float, *, discover: bool
    ) -> None:
        """Send ``seq`` drew a 429: hold every sender until ``until``; ``discover``: cut the
        discovered rate."""
        ...

    async def keep(self, now: float, keep: Keep) -> None:
        """Tell every client of the budget, without a send, that a listing keeps
        ``keep.sends`` spare until ``keep.until`` (``Keep(0, now)``: its last page is back)."""
        ...
