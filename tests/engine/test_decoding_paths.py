"""Every decoding path agrees: equal models or equal errors, for the fakes' data and for
generated bodies.

Three decoders apply the same rules: cattrs' stock generated functions (the behaviour before
the tuned converter, kept as the reference), the tuned converter (the path without the
``speedups`` extra) and the msgspec path of the extra (compared whenever msgspec is
installed, as it is in CI). Bodies go through JSON bytes and both parsers first, which must
agree too. Generated bodies carry unknown fields, unknown enum values, nulls, missing fields,
zone-less and offset timestamps, integral floats, integers beyond 64 bits and wrong types.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import importlib
import json
import pkgutil
import typing
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creatorsdk.creatoraudit
import creatorsdk.trackagoat
from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, RetryPolicy
from creatorsdk._engine import decoding, speedups
from creatorsdk._engine.client import Reply
from creatorsdk._engine.decoding import Id, Model
from creatorsdk._engine.fast_decoding import FastDecoder
from creatorsdk._engine.parsing import parse_json_stdlib
from creatorsdk._engine.structuring import ENUM_LIKE, optional_inner
from creatorsdk._resources.envelope import Envelope
from creatorsdk.creatoraudit._envelope import ENVELOPE as CA_ENVELOPE
from creatorsdk.errors import DecodeError
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat
from creatorsdk.trackagoat._envelope import ENVELOPE as TG_ENVELOPE

Structure = Callable[[Any, Any], Any]
MSGSPEC = speedups.installed()


def _models() -> list[type[Model]]:
    """Every model of both APIs, the envelopes' private ones included."""
    found: dict[str, type[Model]] = {}
    for package in (creatorsdk.creatoraudit, creatorsdk.trackagoat):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Model) and value is not Model:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


MODELS = _models()


class CountingFallback:
    """The converter behind the msgspec path, counting how often that path gave up."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: Any, cls: Any) -> Any:
        self.calls += 1
        return decoding.converter.structure(data, cls)


def decoders(fallback: CountingFallback) -> dict[str, Structure]:
    paths: dict[str, Structure] = {
        "reference": decoding.reference_converter().structure,
        "default": decoding.converter.structure,
    }
    if MSGSPEC is not None:
        fast = FastDecoder(MSGSPEC, decoding.converter.get_structure_hook, fallback)
        paths["speedups"] = fast.structure
    return paths


FALLBACK = CountingFallback()
#: One set for the whole module, as in a process: the msgspec path learns as it goes.
DECODERS = decoders(FALLBACK)


# -- comparing outcomes --------------------------------------------------------------------------


def snapshot(value: Any) -> Any:
    """``value`` as nested tuples that compare types exactly (1 ≠ 1.0 ≠ True, offsets kept)."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (
            type(value).__qualname__,
            tuple((f.name, snapshot(getattr(value, f.name))) for f in fields),
        )
    if isinstance(value, Mapping):
        # Any read-only or plain mapping: contents only (an empty object may be shared).
        items = sorted(((repr(k), snapshot(v)) for k, v in value.items()), key=repr)
        return ("mapping", tuple(items))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(snapshot(v) for v in value))
    if isinstance(value, dt.datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, dt.date):
        return ("date", value.isoformat())
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def outcome(structure: Structure, data: Any, cls: Any) -> tuple[Any, ...]:
    """What a decoder makes of ``data``: the value, or the DecodeError ``decode`` raises."""
    try:
        return ("value", snapshot(structure(copy.deepcopy(data), cls)))
    except Exception as error:
        problem = decoding._explain(data, cls, error, None)
        return ("error", type(problem).__name__, problem.field, str(problem))


def assert_paths_agree(data: Any, cls: Any) -> tuple[Any, ...]:
    results = {name: outcome(structure, data, cls) for name, structure in DECODERS.items()}
    reference = results.pop("reference")
    for name, result in results.items():
        assert result == reference, f"{name} disagrees with cattrs' stock structuring"
    return reference


def parse_both(body: bytes) -> Any:
    """``body`` parsed by the stdlib and (when installed) msgspec: they must agree."""
    try:
        expected: tuple[Any, ...] = ("value", snapshot(parse_json_stdlib(body)))
    except (ValueError, RecursionError) as error:
        expected = ("error", type(error).__name__)
    if MSGSPEC is not None:
        try:
            fast = MSGSPEC.json.decode(body)
        except Exception:  # refused: the stdlib decides (parse_json falls back to it)
            pass
        else:
            assert ("value", snapshot(fast)) == expected, body[:200]
    return parse_json_stdlib(body) if expected[0] == "value" else None


# -- generated bodies ----------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
wrong = (
    st.integers(-3, 3)
    | st.text(max_size=4)
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
ids = (
    st.uuids().map(str)
    | st.uuids().map(lambda u: str(u).upper())
    | st.text(alphabet="abcDEF0123-_", max_size=8)
)
enum_values = st.sampled_from(
    ["tiktok", "instagram", "youtube", "video", "carousel_v2", "auto", "weekly", "queued", ""]
)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """ISO 8601 as servers write it, and as they should not: zones, precisions, separators."""
    moment = draw(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9998, 12, 30)))
    spec = draw(st.sampled_from(["hours", "minutes", "seconds", "milliseconds", "microseconds"]))
    text = moment.isoformat(timespec=spec)
    if spec == "microseconds":
        text += draw(st.sampled_from(["", "", "9", "123"]))  # nanoseconds, rounding cases
    separator = draw(st.sampled_from(["T", "T", " ", "t"]))
    zone = draw(
        st.sampled_from(["Z", "Z", "", "", "+00:00", "-00:00", "+05:30", "-08:00", "+0530", "z"])
    )
    return text.replace("T", separator, 1) + zone


dates = st.dates().map(dt.date.isoformat) | timestamps()


def values_for(tp: Any, name: str, *, messy: bool = True) -> st.SearchStrategy[Any]:
    """Fitting values for a field of type ``tp``; when ``messy``, nulls and misfits too."""
    inner = optional_inner(tp)
    base = tp if inner is None else inner
    fitting = _fitting(base, name, messy=messy)
    if not messy:
        return fitting | st.none() if inner is not None else fitting
    return st.one_of(fitting, fitting, fitting, fitting, st.none(), wrong)


def _fitting(base: Any, name: str, *, messy: bool) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(base), typing.get_args(base)
    if base is Id:
        return ids
    if base is str:
        return enum_values | st.text(max_size=10) if name in ENUM_LIKE else st.text(max_size=10)
    if base is bool:
        return st.booleans()
    if base is int and not messy:
        return st.integers(-(2**62), 2**62)
    if base is int:
        return st.integers(-(2**70), 2**70) | st.integers(-100, 100).map(float) | st.floats(-9, 9)
    if base is float:
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**70), 2**70)
    if base is dt.datetime:
        return timestamps() | st.text(max_size=12) if messy else timestamps()
    if base is dt.date:
        return dates | st.text(max_size=12) if messy else dates
    if base is Any:
        return json_values
    if origin in (Mapping, dict) and args:
        keys = st.text(max_size=5) if args[0] is str else st.integers(0, 400).map(str)
        return st.dictionaries(keys, values_for(args[1], "", messy=messy), max_size=3)
    if origin in (tuple, list) and args:
        return st.lists(values_for(args[0], "", messy=messy), max_size=3)
    if isinstance(base, type) and attrs.has(base):
        return bodies(base, messy=messy)
    return json_values


@functools.cache
def bodies(model: type, *, messy: bool = True) -> st.SearchStrategy[Any]:
    """Objects shaped like ``model`` with unknown members; when ``messy`` also fields of the
    wrong type, a required field missing, or no object at all; else objects that fit."""
    hints = typing.get_type_hints(model)
    fields = [f for f in attrs.fields(model) if f.name != "extra"]
    strategies = {f.name: values_for(hints[f.name], f.name, messy=messy) for f in fields}
    required = {f.name: strategies[f.name] for f in fields if f.default is attrs.NOTHING}
    optional = {name: s for name, s in strategies.items() if name not in required}
    unknown = st.dictionaries(
        st.sampled_from(["etl_version", "brand_safety", "extra", "type2"]) | st.text(max_size=6),
        json_values,
        max_size=3,
    )
    shaped = st.fixed_dictionaries(required, optional=optional)
    fitting = st.builds(lambda known, more: {**more, **known}, shaped, unknown)
    if not messy:
        return fitting
    loose = st.fixed_dictionaries({}, optional={**required, **optional})  # a required one missing
    objects = st.builds(lambda known, more: {**more, **known}, shaped | shaped | loose, unknown)
    clean = bodies(model, messy=False)
    # One misfit in an otherwise fitting object: the case where only that field decides.
    one_off = st.builds(
        _with_one, clean, st.sampled_from([f.name for f in fields] or ["x"]), wrong | st.none()
    )
    return st.one_of(clean, clean, one_off, one_off, objects, objects, json_values)


def _with_one(body: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    return {**body, name: value}


def model_id(model: type) -> str:
    return f"{model.__module__.split('.')[1]}.{model.__qualname__}"


@pytest.mark.parametrize("model", MODELS, ids=model_id)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_bodies_decode_alike(model: type[Model], data: st.DataObject) -> None:
    one = data.draw(bodies(model), label="body")
    many = data.draw(st.lists(bodies(model), max_size=4), label="page")
    for value, cls in ((one, model), (many, list[model])):  # type: ignore[valid-type]
        parsed = parse_both(json.dumps(value).encode())
        assert_paths_agree(parsed, cls)


#: Values tried in every field of every model, each alone in an otherwise fitting object.
PROBES: list[Any] = [
    None,
    True,
    False,
    0,
    7,
    -1,
    2.0,
    2.5,
    2**64,
    2**70,
    "",
    "x",
    "ABC-Def",
    "tiktok",
    "2026-06-14T09:30:00",
    "2026-06-14T09:30:00.1234567+05:30",
    "2026-06-14",
    [],
    [{}],
    ["a"],
    {},
    {"a": 1},
    {"7": 3, "30": None},
]


def minimal(tp: Any) -> Any:
    """A fitting value for type ``tp``; for a model, an object with its required fields."""
    base = optional_inner(tp) or tp
    samples = {Id: "0f0e0d0c-0000-4000-8000-00000000000A", str: "x", int: 1, float: 1.5}
    samples |= {bool: True, dt.datetime: "2026-06-14T09:30:00Z", dt.date: "2026-06-14"}
    if base in samples:
        return samples[base]
    if isinstance(base, type) and attrs.has(base):
        hints = typing.get_type_hints(base)
        required = [f for f in attrs.fields(base) if f.default is attrs.NOTHING]
        return {f.name: minimal(hints[f.name]) for f in required}
    origin = typing.get_origin(base)
    return [] if origin in (tuple, list) else {} if origin in (Mapping, dict) else None


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_every_field_against_every_probe(model: type[Model]) -> None:
    base = minimal(model)
    outcomes = set()
    for field in attrs.fields(model):
        for probe in PROBES:
            body = parse_both(json.dumps({**base, field.name: probe}).encode())
            outcomes.add(assert_paths_agree(body, model)[0])
            assert_paths_agree([base, body], list[model])  # type: ignore[valid-type]
    assert "value" in outcomes


@pytest.mark.parametrize("model", [m for m in MODELS if m.__name__ == "Video"], ids=model_id)
def test_the_generated_bodies_reach_every_outcome(model: type[Model]) -> None:
    """The strategy is not vacuous: bodies that decode (on the compiled path, when there is
    one) and bodies that do not."""
    seen: set[str] = set()
    compiled = 0

    @settings(max_examples=80, deadline=None, database=None)
    @given(body=bodies(model))
    def probe(body: Any) -> None:
        nonlocal compiled
        before = FALLBACK.calls
        result = assert_paths_agree(body, model)[0]
        seen.add(result)
        compiled += result == "value" and FALLBACK.calls == before

    probe()
    assert seen == {"value", "error"}
    assert compiled > 0 or MSGSPEC is None


# -- JSON parsing -------------------------------------------------------------------------------

big_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: beyond 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),  # any code point, lone surrogates included (escaped by json.dumps)
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def json_bytes(draw: st.DrawFn) -> bytes:
    """JSON texts and near-misses: other encodings, a BOM, NaN tokens, cut or padded bodies."""
    text = json.dumps(draw(big_json), ensure_ascii=draw(st.booleans()))
    mutation = draw(
        st.sampled_from(["none", "none", "nan", "bom", "utf16", "cut", "pad", "exponent"])
    )
    if mutation == "nan":
        token = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
        return f'{{"value": {token}, "rest": {text}}}'.encode()
    if mutation == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if mutation == "utf16":
        return text.encode("utf-16")
    if mutation == "cut":
        raw = text.encode()
        return raw[: draw(st.integers(0, max(len(raw) - 1, 0)))]
    if mutation == "pad":
        return (" \n" + text + draw(st.sampled_from(["", " ", "x", ",", "]"]))).encode()
    if mutation == "exponent":
        return f"[{text}, 1e400, -1e400, 1E-400, 12345678901234567890123]".encode()
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=200, deadline=None)
@given(body=json_bytes())
def test_json_parsers_agree(body: bytes) -> None:
    parse_both(body)


def test_non_json_numbers_are_refused_by_both_parsers() -> None:
    for token in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError, match="not a JSON value"):
            parse_json_stdlib(f'{{"views": {token}}}'.encode())
        if MSGSPEC is not None:
            with pytest.raises(MSGSPEC.DecodeError):
                MSGSPEC.json.decode(f'{{"views": {token}}}'.encode())


# -- listing pages from bytes -------------------------------------------------------------------

#: Each API's envelope with models its listings return.
PAGED = [
    (CA_ENVELOPE, creatorsdk.creatoraudit.models.Video),
    (CA_ENVELOPE, creatorsdk.creatoraudit.models.Account),
    (TG_ENVELOPE, creatorsdk.trackagoat.models.Creator),
    (TG_ENVELOPE, creatorsdk.trackagoat.models.Video),
]


def page_outcome(envelope: Envelope, model: type[Model], body: bytes, *, fast: bool) -> Any:
    """What a listing makes of ``body``: the page, the DecodeError, or the parser's refusal."""
    speedups.use(fast)
    try:
        data = decoding.page_parser(model, envelope.page_members)(body)
        page = envelope.page(Reply(200, httpx.Headers(), data, "", None), model)
    except DecodeError as error:
        return ("error", error.field, str(error))
    except (ValueError, RecursionError) as error:
        return ("not JSON", type(error).__name__)
    finally:
        speedups.use(True)
    return ("page", snapshot(page.items), page.next_cursor, page.has_next, page.total_count)


@st.composite
def page_bodies(draw: st.DrawFn, model: type[Model], members: tuple[str, ...]) -> bytes:
    """Listing pages: fitting and messy items, cursors and misfits in the envelope, unknown
    envelope members, no envelope at all, cut bodies and NaN tokens."""
    items = draw(st.lists(bodies(model), max_size=4) | st.lists(bodies(model, messy=False)))
    page: Any = {"data": items if draw(st.integers(0, 9)) else draw(json_values)}
    for name in members:
        if draw(st.booleans()):
            page[name] = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "next_cursor": st.none() | st.text(max_size=4) | wrong,
                        "nextCursor": st.none() | st.text(max_size=4) | wrong,
                        "has_next": st.booleans() | wrong,
                        "hasMore": st.booleans() | wrong,
                        "total_count": st.integers(0, 9) | wrong,
                    },
                )
                | json_values
            )
    page.update(draw(st.dictionaries(st.sampled_from(["filters", "error", "x"]), json_values)))
    if not draw(st.integers(0, 19)):
        page = draw(json_values)
    text = json.dumps(page).encode()
    mutation = draw(st.sampled_from(["none"] * 8 + ["cut", "nan"]))
    if mutation == "cut":
        return text[: draw(st.integers(0, max(len(text) - 1, 0)))]
    if mutation == "nan":
        return text.replace(b"[", b"[NaN, ", 1)
    return text


@pytest.mark.skipif(MSGSPEC is None, reason="the speedups extra (msgspec) is not installed")
@pytest.mark.parametrize(("envelope", "model"), PAGED, ids=[model_id(m) for _, m in PAGED])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_listing_pages_decoded_from_bytes_equal_the_usual_path(
    envelope: Envelope, model: type[Model], data: st.DataObject
) -> None:
    decoding.decode([], list[model])  # type: ignore[valid-type]  # the plan pages go through
    body = data.draw(page_bodies(model, envelope.page_members), label="body")
    assert page_outcome(envelope, model, body, fast=True) == page_outcome(
        envelope, model, body, fast=False
    )


def test_a_page_with_duplicate_members_decodes_as_the_stdlib_reads_it() -> None:
    model = creatorsdk.creatoraudit.models.Account
    decoding.decode([], list[model])
    for body in (
        b'{"data": [], "data": 5}',
        b'{"data": 5, "data": []}',
        b'{"data": [], "pagination": {"next_cursor": "a"}, "pagination": null}',
        b'{"data": [{"id": "A", "id": 7}]}',
    ):
        fast = page_outcome(CA_ENVELOPE, model, body, fast=True)
        assert fast == page_outcome(CA_ENVELOPE, model, body, fast=False), body


@pytest.mark.skipif(MSGSPEC is None, reason="the speedups extra (msgspec) is not installed")
def test_a_page_with_an_unknown_member_leaves_the_bytes_path_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = creatorsdk.trackagoat.models.Campaign
    record = next(iter(FakeTrackAGoat(seed=5, rate_limit=None).store.campaigns.values()))
    body = json.dumps({"data": [{**record, "brand_new_member": [1, 2]}], "meta": {}}).encode()
    decoder = decoding._fast_decoders[MSGSPEC]
    real = decoder.page
    taken: list[bool] = []

    def counted(body: bytes, cls: Any, members: tuple[str, ...]) -> Any:
        page = real(body, cls, members)
        taken.append(page is not None)
        return page

    # On the decoder itself: ``speedups.use`` (in page_outcome) picks its ``page`` up again.
    monkeypatch.setattr(decoder, "page", counted)
    outcomes = [page_outcome(TG_ENVELOPE, model, body, fast=True) for _ in range(3)]
    assert outcomes[0][0] == "page"
    assert outcomes == [page_outcome(TG_ENVELOPE, model, body, fast=False)] * 3
    kept = ("list", (("int", 1), ("int", 2)))
    assert dict(outcomes[0][1][1][0][1])["extra"] == ("mapping", (("'brand_new_member'", kept),))
    # Learned on the first page (which the usual path decoded): the others from bytes.
    assert taken[1:] == [True, True], taken
    monkeypatch.undo()
    speedups.use(True)  # the module's page decoder back to the real one
    assert decoding._fast_pages == real


@pytest.mark.skipif(MSGSPEC is None, reason="the speedups extra (msgspec) is not installed")
async def test_the_fakes_pages_are_decoded_from_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[bool] = []
    real = decoding._fast_pages
    assert real is not None

    def counted(body: bytes, cls: Any, members: tuple[str, ...]) -> Any:
        page = real(body, cls, members)
        taken.append(page is not None)
        return page

    monkeypatch.setattr(decoding, "_fast_pages", counted)
    fake = FakeCreatorAudit(seed=3, accounts=4, videos_per_account=(5, 5), rate_limit=None)
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport()
    ) as ca:
        videos = await ca.videos.list(limit=3).to_list()
    speedups.use(False)
    try:
        async with AsyncCreatorAudit(
            api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport()
        ) as ca:
            assert await ca.videos.list(limit=3).to_list() == videos
    finally:
        speedups.use(True)
    # Every page but possibly the first (which compiles the plan) came straight from bytes.
    assert len(videos) >= 20
    assert len(taken) >= len(videos) // 3
    assert all(taken[1:]), taken


# -- the fakes' data ----------------------------------------------------------------------------


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Every (data, type) the SDK decodes while the fixture is active."""
    calls: list[tuple[Any, Any]] = []

    def record(data: Any, cls: Any) -> Any:
        calls.append((copy.deepcopy(data), cls))
        return decoding.converter.structure(data, cls)

    monkeypatch.setattr(decoding, "_fast", record)
    monkeypatch.setattr(decoding, "_fast_pages", None)  # pages too go through ``decode``
    return calls


def store_records() -> Iterator[tuple[Any, type[Model]]]:
    ca = FakeCreatorAudit(seed=5, accounts=12, rate_limit=None).store
    tg = FakeTrackAGoat(seed=5, rate_limit=None).store
    ca_models, tg_models = creatorsdk.creatoraudit.models, creatorsdk.trackagoat.models
    tables: list[tuple[Any, type[Model]]] = [
        (ca.accounts, ca_models.Account),
        (ca.videos, ca_models.Video),
        (ca.creators, ca_models.Creator),
        (tg.projects, tg_models.Project),
        (tg.creators, tg_models.Creator),
        (tg.videos, tg_models.Video),
        (tg.campaigns, tg_models.Campaign),
    ]
    for table, model in tables:
        for record in table.values():
            yield record, model
    for goals in tg.goals.values():
        for goal in goals:
            yield goal, tg_models.Goal


def test_the_fakes_records_decode_alike_and_on_the_compiled_path() -> None:
    before = FALLBACK.calls
    records = list(store_records())
    assert len(records) > 100
    by_model: dict[type[Model], list[Any]] = {}
    for record, model in records:
        parsed = parse_both(json.dumps(record).encode())
        assert assert_paths_agree(parsed, model)[0] == "value"
        by_model.setdefault(model, []).append(parsed)
    for model, page in by_model.items():
        assert assert_paths_agree(page, list[model])[0] == "value"  # type: ignore[valid-type]
    assert FALLBACK.calls == before, "the msgspec path gave up on the fakes' own data"


async def test_everything_the_sdk_decodes_from_the_fakes_decodes_alike(
    recorded: list[tuple[Any, Any]],
) -> None:
    clock = FakeClock()  # sleeping advances it: trackagoat paces itself
    policy = RetryPolicy(sleep=clock.sleep, clock=clock)
    ca_fake = FakeCreatorAudit(seed=7, accounts=6, rate_limit=None)
    async with AsyncCreatorAudit(
        api_key=ca_fake.api_key,
        base_url=ca_fake.base_url,
        transport=ca_fake.transport(),
        retry=policy,
    ) as ca:
        await ca.whoami()
        await ca.meta()
        await ca.health()
        await ca.overview(period="30d")
        await ca.search("a")
        accounts = await ca.accounts.list(limit=5).to_list()
        await ca.accounts.get(accounts[0].id)
        await ca.accounts.metrics([a.id for a in accounts])
        videos = await ca.videos.list(limit=7).to_list()
        account_videos = await ca.account_videos.list(account_id=accounts[0].id).to_list()
        await ca.videos.deltas([v.id for v in videos] + [str(uuid.uuid4())], windows=[1, 7])
        await ca.videos.metrics([v.id for v in videos])
        internal = [v.internal_id for v in account_videos if v.internal_id is not None]
        await ca.account_videos.metrics(tiktok_video_ids=internal, instagram_post_ids=internal)
        creators = await ca.creators.list().to_list()
        await ca.creators.get(creators[0].id)
        await ca.creators.top()
        await ca.creators.analytics(creators[0].id)
        added = await ca.accounts.create(platform="tiktok", username="fresh.one", category="tech")
        await ca.creators.link_account(creators[0].id, added.id)
    tg_fake = FakeTrackAGoat(seed=7, rate_limit=None, clock=clock)
    async with AsyncTrackAGoat(
        api_key=tg_fake.api_key,
        base_url=tg_fake.base_url,
        transport=tg_fake.transport(),
        retry=policy,
    ) as tg:
        project = (await tg.projects.list().to_list())[0].id
        tg_creators = await tg.creators.list(project_id=project, limit=5).to_list()
        await tg.videos.list(project_id=project).to_list()
        await tg.campaigns.list().to_list()
        await tg.schema()
        await tg.goal_compliance(project)
        await tg.analytics.query(
            "creator", entity_ids=[c.id for c in tg_creators[:3]], metric="views"
        )
        await tg.analytics.query("project", project, "views", compare="prior_period")
        await tg.creators.create_many(
            project, ["fresh.one", "fresh.two", tg_creators[0].tiktok_handle]
        )
        await tg.creators.bulk_remove(project, [tg_creators[1].id, str(uuid.uuid4())])
        await tg.creators.bulk_reenable(project, [tg_creators[1].id])
        await tg.creators.scrape(tg_creators[2].id)
    kinds = {getattr(cls, "__name__", str(cls)) for _, cls in recorded}
    assert len(recorded) >= 30
    assert len(kinds) >= 15, kinds
    before = FALLBACK.calls
    for data, cls in recorded:
        assert assert_paths_agree(data, cls)[0] == "value"
    assert FALLBACK.calls == before, "the msgspec path gave up on a response of the fakes"
