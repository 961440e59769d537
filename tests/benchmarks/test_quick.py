"""The benchmark harness cannot rot: its pure pieces, the runner, and one tiny benchmark.

The real benchmarks are not run in CI (``nox -s bench``); this runs in a few seconds and needs
none of the benchmark-only dependencies.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks import __main__ as runner
from benchmarks import _harness, bench_decoding, bench_memory

interleave, ratio, span = _harness.interleave, _harness.ratio, _harness.span
summarize, table, verdict = _harness.summarize, _harness.table, _harness.verdict


def test_summaries_ratios_and_spans() -> None:
    summary = summarize([3.0, 1.0, 2.0, 10.0, 4.0])
    assert (summary.median, summary.low, summary.high, summary.count) == (3.0, 1.0, 10.0, 5)
    assert span(summary, 1) == "3.0 (1.0–10.0)"
    assert span(summarize([1234.5]), 0) == "1,234"
    assert span(summarize([0.5, 0.25]), 1, 100) == "37.5 (25.0–50.0)"
    # Ratios pair repeat with repeat, never medians with medians.
    assert ratio([2.0, 9.0, 4.0], [1.0, 3.0, 4.0]).median == 2.0
    with pytest.raises(ValueError, match="paired"):
        ratio([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="no samples"):
        summarize([])
    assert verdict(True) == "met"
    assert verdict(False) == "**missed**"


def test_tables_render_markdown() -> None:
    rendered = table(["client", "wall s"], [["a|b", "1.0"], ["c", "2.0"]])
    assert rendered.splitlines() == [
        "| client | wall s |",
        "| --- | ---: |",
        "| a\\|b | 1.0 |",
        "| c | 2.0 |",
    ]
    with pytest.raises(ValueError, match="cells"):
        table(["one"], [["1", "2"]])


def test_interleave_rotates_the_order_and_runs_between() -> None:
    order: list[str] = []
    pauses = []
    results = interleave(
        {name: (lambda name=name: order.append(name) or len(order)) for name in "abc"},
        3,
        between=lambda: pauses.append(1),
    )
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert len(pauses) == len(order) - 1
    assert results["a"] == [1, 6, 8]


def test_runner_discovers_every_bench_module() -> None:
    benches = runner.discover()
    assert list(benches)[:5] == ["ratelimit", "latency", "cpu", "decoding", "memory"]
    assert all(callable(module.run) for module in benches.values())
    assert any(line.startswith("- Python: ") for line in _harness.machine_lines())


def test_runner_writes_and_merges_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake(name: str) -> SimpleNamespace:
        def run(*, quick: bool, repeats: int) -> str:
            calls.append((name, quick, repeats))
            return f"## {name}\n\n{name} ran {repeats} times"

        return SimpleNamespace(run=run)

    monkeypatch.setattr(runner, "discover", lambda: {"one": fake("one"), "two": fake("two")})
    results = tmp_path / "RESULTS.md"
    assert runner.main(["--repeats", "2", "--output", str(results)]) == 0
    assert calls == [("one", False, 2), ("two", False, 2)]
    # Rerunning one benchmark replaces its section and keeps the other.
    assert runner.main(["two", "--repeats", "3", "--output", str(results)]) == 0
    text = results.read_text(encoding="utf-8")
    assert "one ran 2 times" in text
    assert "two ran 3 times" in text
    assert "two ran 2 times" not in text
    assert text.index("## one") < text.index("## two")
    assert "- Last command: `python -m benchmarks two --repeats 3" in text


def test_a_failing_benchmark_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*, quick: bool, repeats: int) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(runner, "discover", lambda: {"bad": SimpleNamespace(run=broken)})
    results = tmp_path / "out.md"
    assert runner.main(["--quick", "--output", str(results)]) == 1
    assert "This benchmark failed: `RuntimeError: boom`" in results.read_text(encoding="utf-8")


async def test_tiny_memory_benchmark_through_the_sdk() -> None:
    # page_bytes runs its own event loop, so it goes to a thread here.
    video = json.loads(await asyncio.to_thread(bench_decoding.page_bytes))["data"][0]
    streamed = await bench_memory.stream(600, video)
    assert streamed["growth"] < 50
    assert streamed["seconds"] > 0
    kept = await bench_memory.retain(400, video)
    assert 300 < kept["per_video"] < 10_000
    assert kept["bytes_instance"] > 0


def test_decoding_section_without_the_optional_decoders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_decoding, "optional_module", lambda name: None)
    section = bench_decoding.run(quick=True, repeats=1)
    assert section.startswith("## 4. Decoding")
    assert "creatorsdk (json + cattrs)" in section
    assert "Not installed here: msgspec, pydantic" in section
