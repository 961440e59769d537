"""The number checks the engine, the pacer, the budget stores and the resources share."""

from __future__ import annotations

import math

import pytest

from creatorsdk._engine.checks import int_arg, non_negative_arg, positive_arg
from creatorsdk._resources import arguments


@pytest.mark.parametrize(
    ("value", "message"),
    [(True, "from 1 to 5"), (0, "from 1 to 5"), (6, "from 1 to 5"), ("3", "from 1 to 5")],
)
def test_int_arg_refuses_bools_strings_and_out_of_range(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=f"n must be an integer {message}"):
        int_arg("n", value, low=1, high=5)
    assert int_arg("n", 5, low=1, high=5) == 5
    assert int_arg("n", 10**9, low=0) == 10**9


@pytest.mark.parametrize("value", [0, -1.5, math.nan, True, "2", None])
def test_positive_arg_refuses_what_is_not_a_number_above_zero(value: object) -> None:
    with pytest.raises(ValueError, match=r"x must be a number of seconds > 0, got "):
        positive_arg("x", value, what="a number of seconds")


def test_positive_arg_takes_infinity_unless_told_finite() -> None:
    assert positive_arg("x", math.inf) == math.inf
    assert positive_arg("x", 0.25, finite=True) == 0.25
    with pytest.raises(ValueError, match="x must be a number > 0, got inf"):
        positive_arg("x", math.inf, finite=True)


@pytest.mark.parametrize("value", [-0.001, math.nan, False, "0", None])
def test_non_negative_arg_refuses_what_is_not_a_number_from_zero(value: object) -> None:
    with pytest.raises(ValueError, match=r"x must be a number >= 0, got "):
        non_negative_arg("x", value)
    assert non_negative_arg("x", 0) == 0
    assert non_negative_arg("x", 2.5) == 2.5


def test_the_resources_refuse_with_the_engine_s_checks() -> None:
    # One set of words for a bad number, whichever layer checks it.
    assert arguments.int_arg is int_arg
    assert arguments.positive_arg is positive_arg
