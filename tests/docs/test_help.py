"""``help()`` tells the truth: each client's docstring names its resources and explains every
constructor argument with its default, and no docstring cites a contract section the package
does not ship."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import creatorsdk
from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat

SRC = Path(creatorsdk.__file__).resolve().parent

CLIENTS = [AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat]


def _resource_names(client: object) -> list[str]:
    """The client's public attributes that are resources (they have public methods)."""
    names = []
    for name in dir(client):
        value = getattr(client, name)
        if name.startswith("_") or callable(value):
            continue
        kind = type(value)
        if kind.__module__.startswith("creatorsdk.") and any(
            not member.startswith("_") and callable(getattr(kind, member)) for member in vars(kind)
        ):
            names.append(name)
    return names


@pytest.mark.parametrize("client_class", CLIENTS, ids=lambda c: c.__name__)
def test_the_class_docstring_names_every_argument_and_resource(client_class: type) -> None:
    doc = inspect.getdoc(client_class) or ""
    parameters = inspect.signature(client_class).parameters
    client = client_class(api_key="k", base_url="https://api.example.test/v1")
    try:
        resources = _resource_names(client)
    finally:
        if isinstance(client, CreatorAudit | TrackAGoat):
            client.close()

    assert {"api_key", "timeout", "max_concurrency", "requests_per_minute"} <= set(parameters)
    assert [name for name in parameters if f"``{name}``" not in doc] == []
    assert len(resources) >= 4
    assert [name for name in resources if f"``{name}``" not in doc] == []
    assert "``30.0``" in doc  # the timeout's default
    assert "``8``" in doc  # max_concurrency's default


def test_the_constructor_docstring_explains_every_argument() -> None:
    doc = inspect.getdoc(AsyncCreatorAudit.__init__) or ""

    for name in inspect.signature(AsyncCreatorAudit).parameters:
        assert f"- ``{name}``:" in doc
    assert inspect.getdoc(CreatorAudit.__init__) == doc  # the sync twin shows the same


def test_no_docstring_cites_an_unshipped_contract_section() -> None:
    citing = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if "§" in path.read_text(encoding="utf-8")
    ]

    assert citing == []
