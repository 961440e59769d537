"""Where a key's rate-limit budget is kept: in this process, or shared through Redis.

A client keeps its key's budget in-process (:class:`LocalBudget`) unless given another store
with ``budget=``. Several processes or machines on one key share one budget by giving each
client a :class:`RedisBudget` with the same URL and name::

    from creatorsdk.budgets import RedisBudget

    async with RedisBudget("redis://localhost:6379/0", name="creatoraudit") as budget:
        async with AsyncCreatorAudit(budget=budget) as ca:
            ...

``RedisBudget`` needs the ``creatorsdk[redis]`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from creatorsdk.budgets._ledger import Keep, Rule, Taken
from creatorsdk.budgets._local import LocalBudget
from creatorsdk.budgets._store import Budget

if TYPE_CHECKING:
    from creatorsdk.budgets._redis import RedisBudget

__all__ = ["Budget", "Keep", "LocalBudget", "RedisBudget", "Rule", "Taken"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so the package works without the redis extra installed.
    if name == "RedisBudget":
        from creatorsdk.budgets._redis import RedisBudget

        return RedisBudget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
