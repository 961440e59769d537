"""Reliability fixtures: hypothesis profiles and the figures each suite reports.

Every test records what it measured into the session's ``figures`` fixture (and never reads
it back); the terminal summary prints them under "reliability figures", where RELIABILITY.md
quotes them from. Totals are summed when they are printed, so they cover the tests that ran,
in whatever order they ran.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis: a small profile for CI, a larger one with CREATORSDK_HYPOTHESIS_PROFILE=thorough.
PROFILE = os.environ.get("CREATORSDK_HYPOTHESIS_PROFILE", "ci")
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(PROFILE)


def examples(ci: int) -> int:
    """``ci`` examples in CI, 25 times as many under the thorough profile."""
    return ci * 25 if PROFILE == "thorough" else ci


class Figures:
    """What the reliability suites measured: lines of figures and counts summed by name."""

    def __init__(self) -> None:
        self._lines: defaultdict[str, list[str]] = defaultdict(list)
        self._counts: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def line(self, suite: str, text: str) -> None:
        """Record one line of figures for ``suite``."""
        self._lines[suite].append(text)

    def count(self, suite: str, name: str, amount: int = 1) -> None:
        """Add ``amount`` to ``suite``'s count called ``name`` (printed as a session total)."""
        self._counts[suite][name] += amount

    def render(self) -> list[str]:
        """Every suite's lines, then its totals; sorted, so the test order does not show."""
        rendered = []
        for suite in sorted(self._lines.keys() | self._counts.keys()):
            rendered += [f"{suite}: {text}" for text in sorted(self._lines[suite])]
            counts = self._counts[suite]
            if counts:
                totals = ", ".join(f"{name}={counts[name]}" for name in sorted(counts))
                rendered.append(f"{suite}: totals: {totals}")
        return rendered


_FIGURES = pytest.StashKey[Figures]()


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> Figures:
    """The session's figures; record into it, never read from it."""
    return pytestconfig.stash.setdefault(_FIGURES, Figures())


def _passed_per_event_loop(terminalreporter: Any) -> Counter[str]:
    """Reliability tests that passed on each event loop (``on_each_event_loop`` marks them)."""
    passed: Counter[str] = Counter()
    for report in terminalreporter.stats.get("passed", []):
        loop = dict(report.user_properties).get("event_loop")
        if report.when == "call" and loop and "reliability" in Path(report.fspath).parts:
            passed[loop] += 1
    return passed


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    figures = config.stash.get(_FIGURES, Figures())
    lines = figures.render()
    passed = _passed_per_event_loop(terminalreporter)
    if passed:
        lines.append(f"event loops: tests passed: {dict(sorted(passed.items()))}")
    if not lines:
        return
    terminalreporter.section("reliability figures")
    for line in lines:
        terminalreporter.write_line(line)
