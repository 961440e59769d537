"""The cattrs converter: strict types, extras kept, misfits named; strict JSON parsing."""

from __future__ import annotations

import datetime as dt
import json
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk._engine import decoding, parsing, speedups, structuring
from creatorsdk._engine.decoding import Id, Model, decode
from creatorsdk._engine.parsing import parse_json, parse_json_stdlib
from creatorsdk.creatoraudit.models import Video

from ..conftest import API_KEY, BASE_URL

#: Every test runs on the default path and, when the extra is installed, on the msgspec path.
PATHS = ["default"] + (["speedups"] if speedups.installed() is not None else [])


@pytest.fixture(autouse=True, params=PATHS)
def decoding_path(request: pytest.FixtureRequest) -> Iterator[str]:
    speedups.use(request.param == "speedups")
    yield request.param
    speedups.use(True)


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


# -- the generated structuring functions ----------------------------------------------------------


def test_decoded_models_are_ordinary_frozen_instances() -> None:
    body = {"id": "A", "name": "x", "count": 2, "inner": {"views": 1}, "items": [{}]}
    thing = decode(body, Thing)
    assert type(thing) is Thing
    assert type(thing.inner) is Inner
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        thing.name = "y"  # type: ignore[misc]
    built = Thing(id=Id("a"), name="x", count=2, inner=Inner(views=1), items=(Inner(),))
    assert thing == built
    assert hash(thing.inner) == hash(Inner(views=1))
    assert repr(thing) == repr(built)
    assert attrs.evolve(thing, name="y") == attrs.evolve(built, name="y")
    # Every field the body left out holds the model's own default.
    assert (thing.tags, thing.added_at, thing.active) == ({}, None, True)


def test_a_class_with_an_init_of_its_own_keeps_cattrs_structuring() -> None:
    @attrs.frozen
    class Checked(Model):
        count: int = attrs.field(default=0, validator=attrs.validators.ge(0))

    @attrs.frozen(cache_hash=True)
    class Hashed(Model):
        count: int = 0

    assert decode({"count": 3}, Checked) == Checked(count=3)
    with pytest.raises(errors.DecodeError):
        decode({"count": -1}, Checked)  # the validator still runs
    assert hash(decode({"count": 2}, Hashed)) == hash(Hashed(count=2))  # its hidden slot set


def test_enum_like_strings_are_interned_and_objects_stay_dicts() -> None:
    first = decode({"id": "a", "platform": "".join(["tik", "tok"]), "tags": {}}, Thing)
    second = decode({"id": "b", "platform": "".join(["tik", "tok"])}, Thing)
    assert first.platform is second.platform
    # Objects stay fresh dicts, as cattrs builds them: callers serialize them (json.dumps
    # refuses a read-only mapping) and may change their own copy.
    video = decode({"id": "v", "metadata": {}, "platform_data": {}}, Video)
    assert type(video.metadata) is dict
    assert video.metadata == {}
    assert video.metadata is not video.platform_data
    assert json.dumps(attrs.asdict(video, filter=lambda a, _: a.name != "extra"))
    assert type(first.tags) is dict


def test_identical_unknown_scalars_share_one_extra_and_keep_their_type() -> None:
    one = decode({"id": "a", "etl_version": 3}, Thing)
    two = decode({"id": "b", "etl_version": 3}, Thing)
    flag = decode({"id": "c", "etl_version": True}, Thing)
    assert one.extra is two.extra
    assert flag.extra == {"etl_version": True}
    assert flag.extra["etl_version"] is True  # never the shared {"etl_version": 3}
    assert decode({"id": "d", "etl_version": [1]}, Thing).extra == {"etl_version": [1]}
    # Objects of one listing with different unknown names each keep their own.
    mixed = decode([{"id": "e", "x": 1}, {"id": "f", "y": 2}, {"id": "g", "x": 1}], list[Thing])
    assert [dict(t.extra) for t in mixed] == [{"x": 1}, {"y": 2}, {"x": 1}]


def test_timestamp_cache_is_bounded_and_never_changes_a_value() -> None:
    stamps = [f"2026-06-14T09:{m:02d}:{s:02d}Z" for m in range(60) for s in range(60)]
    stamps += [f"2026-06-15T09:{m:02d}:{s:02d}+02:00" for m in range(60) for s in range(30)]
    decoded = decode([{"id": str(i), "added_at": s} for i, s in enumerate(stamps)], list[Thing])
    expected = [dt.datetime.fromisoformat(s) for s in stamps]
    assert [t.added_at for t in decoded] == expected
    assert [t.added_at.utcoffset() for t in decoded if t.added_at] == [
        e.utcoffset() for e in expected
    ]
    assert len(structuring.datetime_cache) <= structuring._CACHE_LIMIT
    again = decode({"id": "x", "added_at": stamps[-1]}, Thing)
    assert again.added_at is decoded[-1].added_at  # one object per distinct string


# -- JSON parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity"])
@pytest.mark.parametrize("fast", [False, True], ids=["stdlib", "speedups"])
def test_non_json_number_tokens_are_refused(token: bytes, fast: bool) -> None:
    switched = speedups.use(fast)
    try:
        assert switched == (fast and speedups.installed() is not None)
        with pytest.raises(ValueError, match="is not a JSON value"):
            parse_json_stdlib(b'{"view_count": ' + token + b"}")
        with pytest.raises(ValueError, match="is not a JSON value"):
            parse_json(b'{"data": {"id": "a", "view_count": ' + token + b"}}")
        # The same characters inside a string are just text.
        assert parse_json(b'{"t": "' + token + b'"}') == {"t": token.decode()}
    finally:
        speedups.use(True)


async def test_a_body_with_nan_is_a_decode_error_not_retried() -> None:
    body = b'{"data": {"id": "a", "type": "video", "view_count": NaN}}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=body, headers={"content-type": "application/json", "x-request-id": "r1"}
        )

    async with AsyncCreatorAudit(
        api_key=API_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(handler),
    ) as ca:
        # Served whole but not JSON: asking again gets the same body, so not retried.
        with pytest.raises(errors.DecodeError) as caught:
            await ca.videos.get(str(uuid.UUID(int=1, version=4)))
        assert ca.stats.requests == 1
    assert not isinstance(caught.value, errors.MalformedResponseError)
    assert caught.value.request_id == "r1"
    assert isinstance(caught.value, errors.DecodeError)


def test_json_parsing_matches_json_loads_on_bytes() -> None:
    samples = [
        b'{"a": [1, 2.5, -0.0, 1e400, "\\ud800", null, true]}',
        "\ufeff{}".encode(),
        '{"é": "ü"}'.encode("utf-16"),
        b"123456789012345678901234567890",
        b'{"a": 1, "a": 2}',
    ]
    for sample in samples:
        assert repr(parse_json(sample)) == repr(json.loads(sample))
    for bad in (b"", b"{", b"[1,]", b'{"a": 1} x', b"\xff"):
        with pytest.raises(ValueError, match=r"\w"):
            parse_json(bad)


# -- without the speedups extra ---------------------------------------------------------------


def test_everything_works_when_the_extra_cannot_be_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec → ImportError
    try:
        assert speedups.installed() is None
        assert speedups.use(True) is False
        assert decoding._fast is None
        assert parsing._fast is None
        body = b'{"data": [{"id": "A", "etl_version": 3, "added_at": "2026-06-14T09:30:00"}]}'
        things = decode(parse_json(body)["data"], list[Thing])
        utc = dt.datetime(2026, 6, 14, 9, 30, tzinfo=dt.UTC)
        assert things == [Thing(id=Id("a"), added_at=utc)]
        assert things[0].extra == {"etl_version": 3}
        with pytest.raises(errors.DecodeError) as caught:
            decode({"id": "a", "count": "x"}, Thing)
        assert caught.value.field == "$.count"
        with pytest.raises(ValueError, match="NaN is not a JSON value"):
            parse_json(b"[NaN]")
    finally:
        monkeypatch.undo()
        speedups.use(True)
    assert (decoding._fast is not None) == (speedups.installed() is not None)
