"""Developer sessions: tests (on every supported Python), lint, typecheck, docs, build,
examples, bench and chaos. The tools come from pyproject's dependency groups."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.default_venv_backend = "venv"
# CI runs the suite on the Python its machine has and on the others only when present.
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.11", "3.12", "3.13"]
PATHS = [p for p in ("src", "tests", "examples", "benchmarks", "noxfile.py") if Path(p).exists()]
PYPROJECT = nox.project.load_toml("pyproject.toml")
#: Every extra the test suite exercises (the fakes, the examples' libraries, aiohttp).
EXTRAS = ".[examples,aiohttp]"


def install(session: nox.Session, *groups: str, extras: str = EXTRAS) -> None:
    """The project in editable mode with ``extras``, and the tools of ``groups``."""
    session.install("-e", extras, *nox.project.dependency_groups(PYPROJECT, *groups))


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole test suite, on each supported Python that is installed."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", *PATHS)
    session.run("ruff", "format", "--check", *PATHS)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    install(session, "lint", "test")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, strictly: a broken link or an unresolved name fails it."""
    install(session, "docs", extras=".")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """The sdist and the wheel, checked with twine (``dist/``)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "release"))
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("twine", "check", "--strict", *Path("dist").glob("creatorsdk-*"))


@nox.session
def examples(session: nox.Session) -> None:
    """Run the bulk-ingest example against the embedded fake."""
    session.install("-e", ".[examples]")
    session.run("python", "examples/bulk_ingest.py", "--db", ":memory:", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """The side-by-side benchmarks (see benchmarks/README.md); rewrites benchmarks/RESULTS.md."""
    # The decoders compared against ours are benchmark-only, never runtime dependencies.
    install(session, "test")
    session.install("msgspec>=0.18", "pydantic>=2.5", "orjson>=3.9")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def chaos(session: nox.Session) -> None:
    """The chaos ingest at full size: 10 seeds on the fake's default-sized organization."""
    install(session, "test")
    session.run(
        "pytest",
        "tests/reliability/test_chaos.py",
        *session.posargs,
        env={"CREATORSDK_CHAOS": "full"},
    )
