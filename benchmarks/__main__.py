"""``python -m benchmarks [names...] [--quick] [--repeats N] [--output PATH]``.

Discovers every ``benchmarks/bench_*.py``; each exposes ``run(*, quick, repeats) -> str``
returning its Markdown section (and may set ``ORDER`` to place it; default last). A full run
rewrites ``benchmarks/RESULTS.md``; a run of some benchmarks replaces only their sections
there; ``--quick`` prints to stdout unless ``--output`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import pkgutil
import re
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from benchmarks._harness import machine_lines

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
_SECTION = re.compile(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->\n", re.DOTALL)


def discover() -> dict[str, ModuleType]:
    """Every ``bench_*`` module, by short name (``bench_memory`` → ``memory``), in order."""
    modules = []
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"benchmarks.{info.name}")
            modules.append((getattr(module, "ORDER", 100), info.name, module))
    modules.sort(key=lambda m: (m[0], m[1]))
    return {name.removeprefix("bench_"): module for _, name, module in modules}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and write their sections; the exit code."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds per benchmark")
    parser.add_argument("--repeats", type=int, default=None, help="repeats (default 5, quick 1)")
    parser.add_argument("--output", default=None, help="file to write, or - for stdout")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    benches = discover()
    if args.list:
        print("\n".join(benches))
        return 0
    wanted = [name.removeprefix("bench_") for name in args.names] or list(benches)
    unknown = [name for name in wanted if name not in benches]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; have {', '.join(benches)}")
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 5)
    if repeats < 1:
        parser.error("--repeats must be >= 1")
    output = args.output if args.output is not None else ("-" if args.quick else str(RESULTS))
    command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])

    sections: dict[str, str] = {}
    failed = []
    for name in wanted:
        print(f"== {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            body = benches[name].run(quick=args.quick, repeats=repeats)
        except Exception:
            failed.append(name)
            lines = traceback.format_exc().strip().splitlines()
            body = f"## {name}\n\nThis benchmark failed: `{lines[-1]}`\n"
            traceback.print_exc()
        minutes = (time.perf_counter() - started) / 60
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        sections[name] = (
            f"{body.rstrip()}\n\n_Measured {stamp} with `{command}` ({minutes:.1f} min)._\n"
        )
        print(f"   {minutes:.1f} min", file=sys.stderr, flush=True)
        if output != "-":
            # Written after every benchmark, so a long run that breaks late keeps what it has.
            _write(Path(output), sections, benches, command, keep_others=bool(args.names))

    if output == "-":
        print(render(sections, list(sections), command))
    else:
        print(f"wrote {output}", file=sys.stderr)
    return 1 if failed else 0


def _write(
    path: Path,
    sections: dict[str, str],
    benches: dict[str, ModuleType],
    command: str,
    *,
    keep_others: bool,
) -> None:
    """Write ``sections`` to ``path``, keeping its other sections when ``keep_others``."""
    kept = _existing_sections(path) if keep_others else {}
    merged = {**kept, **sections}
    order = [n for n in benches if n in merged] + [n for n in merged if n not in benches]
    path.write_text(render(merged, order, command), encoding="utf-8")


def render(sections: dict[str, str], order: Sequence[str], command: str) -> str:
    """The whole results file: machine, command, then each section between markers."""
    head = [
        "# Benchmark results",
        "",
        "Regenerate with `nox -s bench` (or `python -m benchmarks`); see "
        "[README.md](README.md) for what each benchmark does.",
        "",
        *machine_lines(),
        f"- Last command: `{command}`",
        "",
        "These numbers were taken on a shared 2-core machine while other jobs (test suites) "
        "ran on it, so absolute times are noisy; ratios come from the same run, repeat by "
        "repeat. Rerun on a quiet machine before quoting absolute numbers.",
        "",
    ]
    body = [f"<!-- bench:{name} -->\n{sections[name]}<!-- /bench:{name} -->\n" for name in order]
    return "\n".join(head) + "\n" + "\n".join(body)


def _existing_sections(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return {m.group(1): m.group(2) for m in _SECTION.finditer(path.read_text(encoding="utf-8"))}


if __name__ == "__main__":
    sys.exit(main())
