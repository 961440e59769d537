"""The API reference pages name every public class: each client, each of its resources (async
and blocking), the errors, the retry policy, the pagers and the fakes.

mkdocstrings renders every public member of a class it is pointed at, so a class named by a
``:::`` line has all its methods on the site; what could be missed is a class nobody pointed
it at, such as a resource added to a client later.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import creatorsdk
import creatorsdk.testing
from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"
_DIRECTIVE = re.compile(r"^::: (?P<path>[\w.]+)\s*$", re.M)


def _resolve(path: str) -> Any:
    """The object a ``:::`` path names, importing the longest module prefix it has."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            target = getattr(target, name)
        return target
    raise LookupError(path)


def documented() -> list[Any]:
    paths = [
        match["path"]
        for page in sorted(REFERENCE.glob("*.md"))
        for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8"))
    ]
    return [_resolve(path) for path in paths]


def _resources(client: object) -> Iterator[type]:
    """The classes of a client's resources: its public attributes that have public methods."""
    for name in dir(client):
        if name.startswith("_"):
            continue
        value = getattr(client, name)
        if inspect.isclass(value) or inspect.ismethod(value) or callable(value):
            continue
        kind = type(value)
        if kind.__module__.startswith("creatorsdk.") and any(
            not member.startswith("_") and callable(getattr(kind, member)) for member in vars(kind)
        ):
            yield kind


@pytest.mark.parametrize("client_class", [AsyncCreatorAudit, AsyncTrackAGoat])
async def test_every_async_client_and_resource_is_in_the_reference(client_class: type) -> None:
    named = documented()
    async with client_class(api_key="k", base_url="https://api.example.test/v1") as client:
        resources = set(_resources(client))

    assert client_class in named
    assert len(resources) >= 4
    assert resources <= set(named), resources - set(named)


@pytest.mark.parametrize("client_class", [CreatorAudit, TrackAGoat])
def test_every_blocking_client_and_resource_is_in_the_reference(client_class: type) -> None:
    named = documented()
    with client_class(api_key="k", base_url="https://api.example.test/v1") as client:
        resources = set(_resources(client))

    assert client_class in named
    assert len(resources) >= 4
    assert resources <= set(named), resources - set(named)


def test_every_public_name_is_in_the_reference() -> None:
    named = documented()
    public = [getattr(creatorsdk, name) for name in creatorsdk.__all__ if name != "__version__"]
    fakes = [getattr(creatorsdk.testing, name) for name in creatorsdk.testing.__all__]

    missing = [
        thing for thing in public + [f for f in fakes if inspect.isclass(f)] if thing not in named
    ]

    assert missing == []
    assert importlib.import_module("creatorsdk.testing.pytest_plugin") in named
