"""The simulated resets benchmark: each row's server writes its reset its own way."""

from __future__ import annotations

from benchmarks import bench_resets


def test_a_quick_run_renders_each_row_against_its_bound_and_target() -> None:
    section = bench_resets.run(quick=True, repeats=1)
    assert section.startswith("## 7b. Resets as servers written from the docs send them")
    for row in bench_resets.ROWS[: bench_resets.QUICK_ROWS]:
        assert section.count(row.title) == 2  # its figures and its target
        assert dict(row.server)  # each row's server writes its reset its own way
