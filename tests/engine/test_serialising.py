"""Every model serialises: ``to_dict``/``to_json``, ``from_dict``, ``pickle`` and ``deepcopy``.

The models are the ones the clients return when walked through both fakes (every CreatorAudit
method, and the operations of trackagoat's inventory); each JSON object with an ``id`` gets
unknown members on the way, so ``extra`` takes part, nested too. Model types the walk cannot
reach (a bulk create's failure, a health body) are decoded from bodies written here, and a
test checks that together they cover every public model.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import anyio
import attrs
import httpx
import pytest

import creatorsdk.creatoraudit.models as ca_models
import creatorsdk.trackagoat.aggregate_models as tg_aggregate_models
import creatorsdk.trackagoat.models as tg_models
import creatorsdk.trackagoat.payout_models as tg_payout_models
from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, RetryPolicy
from creatorsdk._engine.decoding import Model, decode
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat

from ..trackagoat.test_inventory import CALLS, World

#: What the server "adds" to every object with an id: new fields the SDK does not know.
ADDED = {"sdk_next_field": {"score": 0.5, "labels": ["a", "b"], "seen": "2026-06-01"}}

MODEL_MODULES = (ca_models, tg_models, tg_aggregate_models, tg_payout_models)


def public_models() -> set[type[Model]]:
    found = (getattr(module, name) for module in MODEL_MODULES for name in module.__all__)
    return {c for c in found if isinstance(c, type) and issubclass(c, Model) and attrs.has(c)}


class GrowingTransport(httpx.AsyncBaseTransport):
    """The fake's transport, with :data:`ADDED` in every JSON object of ``data`` that has an
    id: a server that grew fields within its version."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if "json" not in response.headers.get("content-type", ""):
            return response
        body = json.loads(await response.aread())
        if isinstance(body, dict) and "data" in body:
            body["data"] = _grown(body["data"])
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, json=body)


def _grown(value: Any) -> Any:
    if isinstance(value, list):
        return [_grown(item) for item in value]
    if isinstance(value, dict):
        grown = {key: _grown(item) for key, item in value.items()}
        return {**grown, **ADDED} if isinstance(value.get("id"), str) else grown
    return value


def models_in(value: Any) -> Iterator[Model]:
    """Each model in a returned value, nested ones included."""
    if isinstance(value, Model):
        yield value
        for field in attrs.fields(type(value)):
            if field.name != "extra":
                yield from models_in(getattr(value, field.name))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from models_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from models_in(item)


async def walk_creatoraudit(ca: AsyncCreatorAudit) -> list[Any]:
    """Every CreatorAudit method that returns something, against the fake."""
    accounts = await ca.accounts.list().to_list()
    videos = await ca.videos.list().to_list()
    found = await ca.account_videos.list(limit=50).to_list()
    creators = await ca.creators.list().to_list()
    account, video, creator = accounts[0], videos[0], creators[0]
    internal = [v.internal_id for v in found if v.internal_id is not None and v.platform]
    made = await ca.accounts.create("tiktok", "serialising.new", category="tech")
    return [
        accounts,
        videos,
        found,
        creators,
        made,
        await ca.whoami(),
        await ca.meta(),
        await ca.health(),
        await ca.overview("30d"),
        await ca.search("a"),
        await ca.search(account.username or "e"),
        await ca.accounts.get(account.id),
        await ca.accounts.update(made.id, category="music"),
        await ca.accounts.metrics([a.id for a in accounts[:3]], period="7d"),
        await ca.account_videos.metrics(tiktok_video_ids=internal[:3], instagram_post_ids=[]),
        await ca.videos.get(video.id),
        await ca.videos.create("tiktok", "https://www.tiktok.com/@a/video/7400000000000000001"),
        await ca.videos.update(video.id, metadata={"k": "v"}),
        await ca.videos.deltas([v.id for v in videos[:5]], windows=[1, 7, 30]),
        await ca.videos.metrics([v.id for v in videos[:5]]),
        await ca.creators.get(creator.id),
        await ca.creators.create("Serialising Creator"),
        await ca.creators.update(creator.id, name="Renamed"),
        await ca.creators.link_account(creator.id, made.id),
        await ca.creators.top("30d", limit=5),
        await ca.creators.analytics(creator.id, "2026-01-01", "2026-06-01"),
    ]


def trackagoat_world(fake: FakeTrackAGoat) -> World:
    store = fake.store
    project = next(iter(store.projects))
    creator = next(
        c["id"] for c in store.live(store.creators) if c["project_id"] == project and c["is_active"]
    )
    video = next(
        v["id"]
        for v in store.tracked_videos()
        if v["project_id"] == project and v["tracking_status"] != "excluded"
    )
    campaign = next(c["id"] for c in store.campaigns.values() if c["project_id"] == project)
    return World(project, creator, video, campaign)


async def walk_trackagoat(tg: AsyncTrackAGoat, world: World) -> list[Any]:
    """The inventory's operations, and analytics with every optional part filled."""
    # Deletes return nothing to serialise, and would remove what the other calls share;
    # ending assignments returns a result.
    kept = [
        call
        for (method, path), call in CALLS.items()
        if method != "DELETE" or path.endswith("/assignments")
    ]
    results = [await call(tg, world) for call in kept]
    results.append(
        await tg.analytics.query(
            "creator", world.creator, "views", compare="prior_period", granularity="week"
        )
    )
    results.append(await tg.creators.create(world.project, "serialising.one"))
    return results


#: Bodies of the models no walk returns (each as the server, or the SDK, would fill it).
BUILT: dict[type[Model], dict[str, Any]] = {
    ca_models.Health: {"status": "ok", "version": "2.4.1", **ADDED},
    tg_models.CreatorFailure: {"handle": "taken", "code": "handle_taken", "message": "x"},
    tg_models.CreateManyResult: {
        "created": [{"id": "00000000-0000-4000-8000-000000000001", "tiktok_handle": "a"}],
        "failed": [{"handle": "b", "code": "invalid_handle", **ADDED}],
    },
    tg_models.GoalCompliance: {
        "goal": {
            "id": "00000000-0000-4000-8000-000000000002",
            "metric": "views",
            "period": "weekly",
            "target_value": 10000,
            "start_date": "2026-01-05",
        },
        "target": 10000,
        "actual": 2500.5,
        "status": "behind_pace",
        "advisory": {
            "has_advisory": True,
            "messages": ["period in progress"],
            "period_start": "2026-06-08T00:00:00Z",
            "scrape_freshness": {"age_hours": 3},
            **ADDED,
        },
    },
}


@pytest.fixture(scope="module")
def returned() -> list[Model]:
    """Every model both walks returned, and the built ones."""

    async def both() -> list[Any]:
        clock = FakeClock()
        policy = RetryPolicy(sleep=clock.sleep, clock=clock)
        ca_fake = FakeCreatorAudit(seed=5, accounts=6, tracked_videos=12, clock=clock)
        tg_fake = FakeTrackAGoat(seed=8, clock=clock, rate_limit=None)
        async with (
            AsyncCreatorAudit(
                api_key=ca_fake.api_key,
                base_url=ca_fake.base_url,
                transport=GrowingTransport(ca_fake.transport()),
                retry=policy,
            ) as ca,
            AsyncTrackAGoat(
                api_key=tg_fake.api_key,
                base_url=tg_fake.base_url,
                transport=GrowingTransport(tg_fake.transport()),
                retry=policy,
                requests_per_minute=60_000,
            ) as tg,
        ):
            return [
                await walk_creatoraudit(ca),
                await walk_trackagoat(tg, trackagoat_world(tg_fake)),
            ]

    walked = list(models_in(anyio.run(both)))
    built = [decode(body, model) for model, body in BUILT.items()]
    return walked + [m for b in built for m in models_in(b)]


def samples(models: Iterable[Model]) -> list[Model]:
    """A few instances of each type (the first ones, and any with unknown fields)."""
    kept: dict[type, list[Model]] = {}
    for model in models:
        group = kept.setdefault(type(model), [])
        if len(group) < 3 or (model.extra and not any(m.extra for m in group)):
            group.append(model)
    return [m for group in kept.values() for m in group]


def test_the_walks_and_the_built_bodies_cover_every_public_model(returned: list[Model]) -> None:
    reached = {type(m) for m in returned}
    assert public_models() - reached == set()
    walked_only = reached - set(BUILT)
    assert len(walked_only) > 40  # the built bodies are the exception
    assert any(m.extra == ADDED for m in returned if type(m) not in BUILT)


def test_pickle_round_trips_every_model(returned: list[Model]) -> None:
    for model in samples(returned):
        for protocol in (2, pickle.HIGHEST_PROTOCOL):
            back = pickle.loads(pickle.dumps(model, protocol=protocol))
            assert type(back) is type(model)
            assert back == model, type(model)
            assert back.extra == model.extra
            assert back.to_dict() == model.to_dict()  # nested extras too


def test_deepcopy_and_copy_round_trip_every_model(returned: list[Model]) -> None:
    for model in samples(returned):
        deep = copy.deepcopy(model)
        assert deep == model, type(model)
        assert deep.extra == model.extra
        assert deep.to_dict() == model.to_dict()
        shallow = copy.copy(model)
        assert shallow == model
        assert shallow.to_dict() == model.to_dict()
        for field in attrs.fields(type(model)):
            value = getattr(model, field.name)
            # Read-only mappings stay read-only after the trip.
            assert type(getattr(deep, field.name)) is type(value), (type(model), field.name)
            assert type(getattr(shallow, field.name)) is type(value)


def test_to_json_is_to_dict_as_json(returned: list[Model]) -> None:
    for model in samples(returned):
        for extra in (True, False):
            as_dict = model.to_dict(extra=extra)
            assert json.loads(model.to_json(extra=extra)) == as_dict, type(model)
            # JSON-safe as it is: the strict encoder takes it without help.
            json.dumps(as_dict, allow_nan=False)


def test_from_dict_of_to_dict_gives_an_equal_model(returned: list[Model]) -> None:
    for model in samples(returned):
        back = type(model).from_dict(model.to_dict())
        assert back == model, type(model)
        assert back.extra == model.extra
        assert back.to_dict() == model.to_dict()
        bare = type(model).from_dict(model.to_dict(extra=False))
        assert bare == model
        assert not bare.extra


def test_extra_goes_beside_the_known_fields_or_is_left_out() -> None:
    body = {
        "id": "00000000-0000-4000-8000-0000000000AA",
        "added_at": "2026-06-01T12:00:00Z",
        "metadata": {"team": "growth"},
        **ADDED,
    }
    video = decode(body, ca_models.Video)
    full = video.to_dict()
    assert full["sdk_next_field"] == ADDED["sdk_next_field"]
    assert full["id"] == "00000000-0000-4000-8000-0000000000aa"
    assert full["added_at"] == "2026-06-01T12:00:00+00:00"
    assert full["metadata"] == {"team": "growth"}
    assert "sdk_next_field" not in video.to_dict(extra=False)
    assert "extra" not in full
    assert video.to_json(indent=2).startswith('{\n  "id"')


def test_dates_tuples_and_int_keys_become_json_types() -> None:
    deltas = ca_models.Deltas(
        data=MappingProxyType({"v1": MappingProxyType({7: 120, 30: None})}),
        windows=(7, 30),
        not_found=("v2",),
        extra=MappingProxyType({"generated_at": "2026-06-14"}),
    )
    assert deltas.to_dict() == {
        "data": {"v1": {"7": 120, "30": None}},
        "windows": [7, 30],
        "not_found": ["v2"],
        "video_count": None,
        "generated_at": "2026-06-14",
    }
    back = ca_models.Deltas.from_dict(deltas.to_dict())
    assert back.get("v1", 7) == 120
    assert back.get("v1", 30) is None
    point = tg_models.Point(t=dt.date(2026, 6, 1), value=3.5, partial=True)
    assert point.to_dict() == {"t": "2026-06-01", "value": 3.5, "partial": True}


def test_a_pickled_model_keeps_its_read_only_mappings() -> None:
    merged = ca_models.Deltas.merge(
        [
            ca_models.Deltas(data=MappingProxyType({"a": MappingProxyType({7: 1})})),
            ca_models.Deltas(data=MappingProxyType({"b": MappingProxyType({7: 2})})),
        ]
    )
    back = pickle.loads(pickle.dumps(merged))
    assert back == merged
    assert isinstance(back.data, MappingProxyType)
    assert isinstance(back.data["a"], MappingProxyType)
    with pytest.raises(TypeError):
        back.data["c"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        back.extra["x"] = 1  # type: ignore[index]
    # No unknown fields: the one shared empty mapping again, not a copy per instance.
    assert back.extra is ca_models.Video(id="x").extra
