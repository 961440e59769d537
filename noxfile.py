"""Developer sessions: tests, lint, typecheck, bench, examples."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"

PATHS = [p for p in ("src", "tests", "examples", "benchmarks", "noxfile.py") if Path(p).exists()]


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", *PATHS)
    session.run("ruff", "format", "--check", *PATHS)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def examples(session: nox.Session) -> None:
    """Run the bulk-ingest example against the embedded fake."""
    session.install("-e", ".[examples]")
    session.run("python", "examples/bulk_ingest.py", "--db", ":memory:", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """The side-by-side benchmarks (see benchmarks/README.md); rewrites benchmarks/RESULTS.md."""
    # The decoders compared against ours are benchmark-only, never runtime dependencies.
    session.install("-e", ".[dev]", "msgspec>=0.18", "pydantic>=2.5", "orjson>=3.9")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def chaos(session: nox.Session) -> None:
    """The chaos ingest at full size: 10 seeds on the fake's default-sized organization."""
    session.install("-e", ".[dev]")
    session.run(
        "pytest",
        "tests/reliability/test_chaos.py",
        *session.posargs,
        env={"CREATORSDK_CHAOS": "full"},
    )
