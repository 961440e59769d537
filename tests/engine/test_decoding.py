"""The cattrs converter: strict types, extras kept, misfits named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from creatorsdk import errors
from creatorsdk._engine.decoding import Id, Model, decode


@attrs.frozen
class Inner(Model):
    views: int | None = None


@attrs.frozen
class Thing(Model):
    id: Id
    name: str = ""
    platform: str = ""
    count: int = 0
    ratio: float | None = None
    active: bool = True
    added_at: dt.datetime | None = None
    day: dt.date | None = None
    tags: dict[str, Any] = attrs.field(factory=dict)
    inner: Inner | None = None
    items: tuple[Inner, ...] = ()


def test_decodes_types_and_lowercases_ids() -> None:
    thing = decode(
        {
            "id": "ABCDEF00-0000-4000-8000-000000000001",
            "name": "x",
            "count": 3,
            "ratio": 1,
            "active": False,
            "added_at": "2026-06-14T09:30:00Z",
            "day": "2026-06-14",
            "tags": {"a": [1]},
            "inner": {"views": 5},
            "items": [{"views": None}],
        },
        Thing,
    )
    assert thing.id == "abcdef00-0000-4000-8000-000000000001"
    assert thing.ratio == 1.0
    assert isinstance(thing.ratio, float)
    assert thing.added_at == dt.datetime(2026, 6, 14, 9, 30, tzinfo=dt.UTC)
    assert thing.day == dt.date(2026, 6, 14)
    assert thing.inner == Inner(views=5)
    assert thing.items == (Inner(views=None),)


def test_naive_datetimes_are_utc() -> None:
    thing = decode({"id": "a", "added_at": "2026-06-14T09:30:00"}, Thing)
    assert thing.added_at is not None
    assert thing.added_at.tzinfo is dt.UTC


def test_unknown_fields_kept_and_read_only() -> None:
    thing = decode({"id": "a", "etl_version": 3, "inner": {"views": 1, "new": "x"}}, Thing)
    assert dict(thing.extra) == {"etl_version": 3}
    assert thing.inner is not None
    assert dict(thing.inner.extra) == {"new": "x"}
    with pytest.raises(TypeError):
        thing.extra["x"] = 1  # type: ignore[index]
    assert decode({"id": "b"}, Thing).extra == {}


def test_unknown_enum_values_are_strings() -> None:
    assert decode({"id": "a", "platform": "youtube"}, Thing).platform == "youtube"


def test_missing_optional_fields_take_defaults() -> None:
    assert decode({"id": "a"}, Thing) == Thing(id=Id("a"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "a", "count": "lots"}, "count"),
        ({"id": "a", "count": True}, "count"),
        ({"id": "a", "count": 1.5}, "count"),
        ({"id": 7}, "id"),
        ({"id": None}, "id"),
        ({"name": "no id"}, "id"),
        ({"id": "a", "active": "yes"}, "active"),
        ({"id": "a", "added_at": "yesterday"}, "added_at"),
        ({"id": "a", "inner": {"views": "x"}}, "inner.views"),
        ({"id": "a", "items": [{"views": 1}, {"views": []}]}, "items[1].views"),
        ({"id": "a", "inner": []}, "inner"),
    ],
)
def test_misfits_raise_decode_error_naming_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(errors.DecodeError) as caught:
        decode(body, Thing, request_id="req_1")
    assert caught.value.field is not None
    assert caught.value.field.endswith(field)
    assert "req_1" in str(caught.value)


@pytest.mark.parametrize("body", [None, [], "x", 3])
def test_non_objects_raise_decode_error(body: Any) -> None:
    with pytest.raises(errors.DecodeError):
        decode(body, Thing)
