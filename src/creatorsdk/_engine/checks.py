"""Number checks for the settings the engine, its pacer and the budget stores take.

They live below both the engine and the resources: the resources' argument checks
(:mod:`creatorsdk._resources.arguments`) re-export them, so both layers refuse a bad number
with the same words. Each raises ``InvalidArgumentError`` (a ``ValueError``) naming the
argument, and each refuses a ``bool``: ``True`` is an ``int`` to Python but never what was
meant.
"""

from __future__ import annotations

import math

from creatorsdk.errors import InvalidArgumentError

__all__ = ["int_arg", "non_negative_arg", "positive_arg"]


def int_arg(name: str, value: object, *, low: int, high: int | None = None) -> int:
    """An integer from ``low`` to ``high`` (no upper bound when ``high`` is ``None``)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f">= {low}" if high is None else f"from {low} to {high}"
        raise InvalidArgumentError(f"{name} must be an integer {bounds}, got {value!r}")
    return value


def positive_arg(
    name: str, value: object, *, what: str = "a number", finite: bool = False
) -> float:
    """A number above zero (and below infinity if ``finite``); NaN is refused."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not value > 0
        or (finite and math.isinf(value))
    ):
        raise InvalidArgumentError(f"{name} must be {what} > 0, got {value!r}")
    return value


def non_negative_arg(name: str, value: object, *, what: str = "a number") -> float:
    """A number of zero or more; NaN is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise InvalidArgumentError(f"{name} must be {what} >= 0, got {value!r}")
    return value
