"""Enum-like arguments are ``Literal`` types: a type checker refuses ``platform="youtube"``.

Where the SDK itself refuses unknown values, the type is the ``Literal`` alone; where it sends
them for the server to judge (trackagoat's analytics words, leaderboard orders, payout rules)
the type is ``Literal[...] | str`` and a new value still type-checks. The run-time checks are
built from the same types, so a value the checker accepts is never refused at run time.
"""

from __future__ import annotations

import inspect
import textwrap
import typing
from pathlib import Path
from typing import Any, Literal

import pytest
from mypy import api

from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, errors
from creatorsdk._resources.arguments import literal_values
from creatorsdk._resources.resource import Resource
from creatorsdk.creatoraudit import literals as ca_literals
from creatorsdk.trackagoat import literals as tg_literals

#: Parameter names that take one of a few words.
ENUM_LIKE = frozenset(
    {
        "base_metric",
        "breakdown",
        "compare",
        "entity",
        "goal_metric",
        "granularity",
        "item_type",
        "job_type",
        "kind",
        "metric",
        "mode",
        "order",
        "order_by",
        "order_direction",
        "period",
        "platform",
        "proration",
        "rule_type",
        "sort",
        "status",
        "tracking_mode",
    }
)

PROGRAM = textwrap.dedent(
    """
    from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat
    from creatorsdk.creatoraudit.literals import Platform

    async def main(ca: AsyncCreatorAudit, tg: AsyncTrackAGoat, chosen: Platform) -> None:
        ca.accounts.list(platform="tiktok", order_by="view_count", sort="-follower_count")
        ca.videos.list(platform=chosen, order_direction="desc")
        await ca.overview("90d")
        ca.accounts.list(platform="youtube")  # expect: arg-type
        ca.videos.list(order_by="username")  # expect: arg-type
        await ca.accounts.create("youtube", "name")  # expect: arg-type
        await ca.videos.metrics(["id"], period="1y")  # expect: arg-type
        await ca.overview("custom")  # expect: arg-type
        await tg.analytics.query("creator", "id", "views", granularity="week")
        # Words the server may add: sent as they are, so they type-check.
        await tg.analytics.query("creator", "id", "watch_time", granularity="hour")
        tg.aggregate.creator_leaderboard("p", order="reposts")
        await tg.creators.create("p", "handle", tracking_mode="auto")
        await tg.creators.create("p", "handle", tracking_mode="manual")  # expect: arg-type
        await tg.campaigns.add_item("c", "playlist", "i")  # expect: arg-type
        await tg.creators.scrape("c", job_type="comments")  # expect: arg-type

    def blocking(ca: CreatorAudit, tg: TrackAGoat) -> None:
        ca.accounts.list(platform="instagram")
        ca.accounts.list(platform="youtube")  # expect: arg-type
        tg.goal_compliance("p", period="weekly")
        tg.goal_compliance("p", period="yearly")  # expect: arg-type
    """
)


def test_the_type_checker_refuses_unknown_words_and_takes_open_ones(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(PROGRAM)
    out, err, status = api.run(
        [
            "--strict",
            "--python-version",
            "3.11",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            str(program),
        ]
    )
    assert err == ""
    assert status == 1, out
    found: dict[int, str] = {}
    for line in out.splitlines():
        _, number, severity, message = line.split(":", 3)
        assert severity.strip() == "error", line
        found[int(number)] = message.strip()
    expected = {
        number: line.split("# expect: ")[1]
        for number, line in enumerate(PROGRAM.splitlines(), start=1)
        if "# expect: " in line
    }
    assert sorted(found) == sorted(expected), out
    for number, code in expected.items():
        assert found[number].endswith(f"[{code}]"), found[number]
    assert "Literal['instagram', 'tiktok']" in found[min(expected)]


def _public_methods() -> list[tuple[str, Any]]:
    resources = [
        cls
        for cls in Resource.__subclasses__()
        if cls.__module__.startswith(("creatorsdk.creatoraudit", "creatorsdk.trackagoat"))
    ]
    methods = []
    for cls in [*resources, AsyncCreatorAudit, AsyncTrackAGoat]:
        for name, member in vars(cls).items():
            if not name.startswith("_") and inspect.isfunction(member):
                methods.append((f"{cls.__name__}.{name}", member))
    return methods


def _literals_in(hint: Any) -> list[Any]:
    if typing.get_origin(hint) is Literal:
        return [hint]
    return [found for arg in typing.get_args(hint) for found in _literals_in(arg)]


def test_every_enum_like_argument_of_every_public_method_is_a_literal() -> None:
    methods = _public_methods()
    assert len(methods) > 80  # both clients' resources were found
    checked = []
    for where, method in methods:
        hints = typing.get_type_hints(method)
        for name in inspect.signature(method).parameters:
            if name in ENUM_LIKE:
                assert _literals_in(hints[name]), f"{where}({name}=...) is typed {hints[name]}"
                checked.append(f"{where}.{name}")
    assert len(checked) > 40


@pytest.mark.parametrize(
    ("alias", "values"),
    [
        (ca_literals.Platform, {"instagram", "tiktok"}),
        (tg_literals.Metric, {"views", "growth_rate_pop", "engagement_rate_by_views"}),
    ],
)
def test_literal_values_reads_closed_and_open_aliases(alias: Any, values: set[str]) -> None:
    assert values <= literal_values(alias)


def test_each_value_a_closed_literal_allows_passes_the_run_time_check() -> None:
    """The checker and the SDK agree: every value of ``Platform`` and ``MetricPeriod`` is
    accepted at run time, and one outside them refused."""
    from creatorsdk.creatoraudit._arguments import PLATFORMS, period_body

    assert literal_values(ca_literals.Platform) == PLATFORMS
    for period in literal_values(ca_literals.MetricPeriod) - {"custom"}:
        assert period_body(period, None, None) == {"period": period}
    with pytest.raises(errors.InvalidArgumentError):
        period_body("1y", None, None)
