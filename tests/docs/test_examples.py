"""Every fenced ``python`` block of README.md and docs/ runs, as written, against the fakes.

Each block is one test, named ``<file>:<line>``. It runs as a script (``__name__ ==
"__main__"``) in a fresh namespace and an empty working directory, with the plugin's
``creatoraudit_env`` (and ``trackagoat_env`` when the block names trackagoat): both fakes
served on 127.0.0.1, ``CREATORAUDIT_API_KEY``/``CREATORAUDIT_BASE_URL`` (and the
``TRACKAGOAT_`` pair) pointing at them, and time simulated, so a client built as the reader
builds it reaches a fake and its pacing and retry waits take no real time.

A block whose top level defines ``test_*`` functions is a test module: it runs in a nested
pytest session (strict asyncio mode, as a new project has it) and every test in it must pass.

What a block needs beyond what it shows is declared in an HTML comment just above it, which
the rendered page does not show:

- ``<!-- docs-test: chain NAME -->`` runs the block after the file's earlier blocks of the
  same chain, in one namespace (a page that builds one example over several blocks, perhaps
  interleaved with another example's);
- ``<!-- docs-test: setup ... -->`` runs the code after ``setup`` first, in the same
  namespace (say, the list of handles a snippet receives from its caller).
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*$")
_DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(?P<kind>chain|setup)\b(?P<body>.*?)-->", re.S)


@dataclass(frozen=True)
class Block:
    """One fenced ``python`` block: where it is, its code, and its hidden directives."""

    path: Path
    line: int
    code: str
    setup: str = ""
    chain: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def is_test_module(self) -> bool:
        tree = ast.parse(self.code)
        return any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
            for node in tree.body
        )

    @property
    def needs_trackagoat(self) -> bool:
        return "TrackAGoat" in self.code + self.setup


def blocks_of(path: Path) -> Iterator[Block]:
    """The ``python`` blocks of one Markdown file, with the directive just above each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        indent, lang = len(fence["indent"]), fence["lang"]
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and not lines[index].strip().startswith("```"):
            body.append(lines[index][indent:])
            index += 1
        index += 1
        if lang != "python":
            continue
        above = "\n".join(lines[max(0, start - 40) : start]).rstrip()
        directive = _directive_ending(above)
        yield Block(
            path=path,
            line=start + 1,
            code="\n".join(body) + "\n",
            setup=_dedented(directive["body"])
            if directive and directive["kind"] == "setup"
            else "",
            chain=directive["body"].strip() or None
            if directive and directive["kind"] == "chain"
            else None,
        )


def _directive_ending(text: str) -> re.Match[str] | None:
    """The directive comment that ends ``text`` (blank lines allowed), if any."""
    found = None
    for match in _DIRECTIVE.finditer(text):
        found = match
    if found is None or text[found.end() :].strip():
        return None
    return found


def _dedented(text: str) -> str:
    lines = text.strip("\n").splitlines()
    margin = min((len(s) - len(s.lstrip()) for s in lines if s.strip()), default=0)
    return "\n".join(s[margin:] for s in lines) + "\n"


def documented_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


BLOCKS = [block for path in documented_files() for block in blocks_of(path)]


def test_the_docs_have_examples() -> None:
    paths = {block.path.name for block in BLOCKS}

    assert "README.md" in paths
    assert len(BLOCKS) >= 30
    assert all(block.code.strip() for block in BLOCKS)


def test_blocks_are_found_with_their_directives(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n<!-- docs-test: chain a -->\n```python\nx = 1\n```\n\n"
        "<!-- docs-test: chain a -->\n\n"
        "```python\nprint(x)\n```\n\n<!-- docs-test: setup\n    y = 2\n-->\n"
        "```python\nprint(y)\n```\n\n```bash\nls\n```\n\n- item\n\n    ```python\n"
        "    z = 3\n    ```\n",
        encoding="utf-8",
    )

    found = list(blocks_of(page))

    assert [(b.line, b.code, b.setup, b.chain) for b in found] == [
        (4, "x = 1\n", "", "a"),
        (10, "print(x)\n", "", "a"),
        (17, "print(y)\n", "y = 2\n", None),
        (27, "z = 3\n", "", None),
    ]


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_block_runs(
    block: Block,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if block.is_test_module:
        _run_as_test_module(block, request.getfixturevalue("pytester"))
        return
    request.getfixturevalue("creatoraudit_env")
    if block.needs_trackagoat:
        request.getfixturevalue("trackagoat_env")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    _restore_logging_afterwards(request)
    _close_sync_clients_afterwards(request, monkeypatch)
    namespace = _namespace_for(block)
    if block.setup:
        exec(compile(block.setup, f"{block.name} (setup)", "exec"), namespace)
    exec(compile(block.code, block.name, "exec"), namespace)


def _restore_logging_afterwards(request: pytest.FixtureRequest) -> None:
    """A block may configure logging as a program does; the next test must not inherit it."""
    root, sdk = logging.getLogger(), logging.getLogger("creatorsdk")
    handlers, root_level, sdk_level = list(root.handlers), root.level, sdk.level

    def restore() -> None:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(root_level)
        sdk.setLevel(sdk_level)

    request.addfinalizer(restore)


def _close_sync_clients_afterwards(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Close every ``httpx.Client`` the block opens, once it has run.

    A page's snippet leaves closing to its reader (and a chain's earlier blocks run again
    for each later one), so a client it opened would otherwise hold its connection until the
    garbage collector finds it, in whichever later test that happens to be, whose warnings
    filter may turn the socket's ``ResourceWarning`` into a failure.
    """
    opened: list[httpx.Client] = []
    original = httpx.Client.__init__

    def recording_init(client: httpx.Client, *args: Any, **kwargs: Any) -> None:
        original(client, *args, **kwargs)
        opened.append(client)

    monkeypatch.setattr(httpx.Client, "__init__", recording_init)

    def close_them() -> None:
        for client in opened:
            client.close()

    request.addfinalizer(close_them)


def _namespace_for(block: Block) -> dict[str, Any]:
    """A fresh namespace; for a block of a chain, after running the chain's earlier blocks
    in it again (each test stands alone, whatever ran before it)."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    if block.chain is not None:
        for earlier in BLOCKS:
            if (earlier.path, earlier.chain) == (block.path, block.chain) and (
                earlier.line < block.line
            ):
                exec(compile(earlier.setup + earlier.code, earlier.name, "exec"), namespace)
    return namespace


def _run_as_test_module(block: Block, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"test_docs_example": block.code})
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--strict-markers",
        "-o",
        "asyncio_mode=strict",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "-W",
        "error::pytest.PytestUnraisableExceptionWarning",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert set(outcomes) <= {"passed", "warnings"}, result.stdout.str()
