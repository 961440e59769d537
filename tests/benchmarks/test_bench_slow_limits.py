"""The simulated slow-limits benchmark: its bound, and a quick run that renders."""

from __future__ import annotations

import pytest
from benchmarks.bench_slow_limits import Row, bound

from benchmarks import bench_slow_limits


def test_the_bound_keeps_the_cap_in_flight_and_waits_for_each_window() -> None:
    # Sixteen requests a window can take at once: two flights of 8, each a round trip.
    assert bound(Row("", "fixed-first", 100, 60.0, 16)) == pytest.approx(0.08, abs=1e-3)
    # 250 of 100 a minute, opened by the first: the third window opens two minutes on.
    assert 120.0 < bound(Row("", "fixed-first", 100, 60.0, 250)) < 121.0
    # A leaky bucket of one a second after its burst: one more a second.
    burst = bound(Row("", "headerless", 60, 60.0, 7))
    assert bound(Row("", "headerless", 60, 60.0, 17)) == pytest.approx(burst + 10.0, abs=0.05)


def test_a_quick_run_renders_each_row_against_its_bound_and_target() -> None:
    section = bench_slow_limits.run(quick=True, repeats=1)
    assert section.startswith("## 7. Slow limits: a few a second, a minute, an hour (simulated)")
    for row in bench_slow_limits.ROWS[: bench_slow_limits.QUICK_ROWS]:
        assert section.count(row.title) == 2  # its figures and its target
    assert "429s ≤ 0.5 %" in section
