"""``import creatorsdk.testing`` without the ``testing`` extra says which extra to install.

Each case runs in a fresh interpreter where the dependency is made unimportable
(``sys.modules[name] = None``), as if it were not installed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

MESSAGE = "creatorsdk.testing needs the 'testing' extra: pip install 'creatorsdk[testing]'"


@pytest.mark.parametrize("missing", ["starlette", "uvicorn"])
def test_a_missing_dependency_names_the_extra(missing: str) -> None:
    program = textwrap.dedent(
        f"""
        import sys
        sys.modules[{missing!r}] = None
        try:
            import creatorsdk.testing
        except ImportError as error:
            print(type(error).__name__, error.name, type(error.__cause__).__name__)
            print(error)
        else:
            print("imported")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    kind, message = done.stdout.splitlines()
    # The original error stays reachable as the cause, and ``name`` still says which module.
    assert kind == f"ImportError {missing} ModuleNotFoundError"
    assert message == MESSAGE


def test_the_sdk_itself_imports_without_the_extra() -> None:
    program = textwrap.dedent(
        """
        import sys
        sys.modules["starlette"] = sys.modules["uvicorn"] = None
        import creatorsdk
        from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "ok"
