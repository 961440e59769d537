"""Graceful server change: what an API may do within its version must not break the SDK.

New fields, new enum values and missing optional fields decode (the new fields kept in
``extra``); a removed endpoint (410), an unknown error code or an unknown status still maps to
an ``APIError`` subclass carrying its request id. The changes are made to the fakes' live state
where they can be, so the whole path (server, HTTP, engine, decoder) takes part.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import attrs
import httpx
import pytest

import creatorsdk.creatoraudit.models as ca_models
import creatorsdk.trackagoat.models as tg_models
from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk._engine.decoding import Model, decode
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat

from ..conftest import client_on
from .conftest import Figures

NEW_FIELDS = {"brand_safety": {"score": 0.93, "labels": ["ok"]}, "shadowbanned": None}
#: Values the enum-like fields could take tomorrow.
NEW_ENUMS = {
    "platform": "youtube",
    "media_type": "carousel_v2",
    "type": "account_v3",
    "status": "sunsetting",
    "tracking_mode": "hybrid",
    "tracking_status": "throttled",
    "metric": "watch_time",
    "mode": "rolling",
    "granularity": "hour",
    "item_type": "playlist",
    "job_type": "comments",
}
REQUIRED = {"id": str(uuid.UUID(int=42, version=4)), "handle": "ada", "t": "2026-06-14"}
SUITE = "server change"


def models() -> list[type[Model]]:
    found = [getattr(m, n) for m in (ca_models, tg_models) for n in m.__all__]
    return [c for c in found if isinstance(c, type) and issubclass(c, Model) and attrs.has(c)]


@pytest.mark.parametrize("model", models(), ids=lambda m: f"{m.__module__}.{m.__name__}")
def test_every_model_takes_missing_fields_new_fields_and_new_enum_values(
    model: type[Model], figures: Figures
) -> None:
    fields = {f.name for f in attrs.fields(model)} - {"extra"}
    required = {f.name: REQUIRED[f.name] for f in attrs.fields(model) if f.default is attrs.NOTHING}
    bare = decode(required, model)  # every optional field missing
    assert isinstance(bare, model)
    enums = {name: value for name, value in NEW_ENUMS.items() if name in fields}
    grown = decode({**required, **enums, **NEW_FIELDS}, model)
    assert dict(grown.extra) == NEW_FIELDS
    for name, value in enums.items():
        assert getattr(grown, name) == value
    figures.count(SUITE, "models decoded after changes")


async def test_creatoraudit_listings_survive_a_changed_server(figures: Figures) -> None:
    fake = FakeCreatorAudit(0, accounts=8, clock=FakeClock(), rate_limit=None)
    store = fake.store
    account = next(iter(store.accounts.values()))
    account.update(platform="youtube", **NEW_FIELDS)
    for record in store.accounts.values():
        for optional in ("description", "link_in_bio", "saved_count", "profile_pic_url"):
            record.pop(optional, None)
    video = next(iter(store.videos.values()))
    video.update(media_type="carousel_v2", **NEW_FIELDS)
    video.pop("duration")
    creator = next(iter(store.creators.values()))
    creator["accounts_summary"]["platforms"]["youtube"] = 3

    async with client_on(fake) as ca:
        accounts = {a.id: a for a in await ca.accounts.list(limit=3).to_list()}
        videos = {v.id: v for v in await ca.videos.list().to_list()}
        creators = {c.id: c for c in await ca.creators.list().to_list()}

    assert set(accounts) == set(store.accounts)
    changed = accounts[account["id"]]
    assert changed.platform == "youtube"
    assert dict(changed.extra) == {**NEW_FIELDS, "etl_version": account["etl_version"]}
    assert all(a.description is None and a.saved_count is None for a in accounts.values())
    assert videos[video["id"]].media_type == "carousel_v2"
    assert videos[video["id"]].duration is None
    assert videos[video["id"]].extra["brand_safety"] == NEW_FIELDS["brand_safety"]
    assert creators[creator["id"]].accounts_summary.platforms["youtube"] == 3
    figures.count(SUITE, "fake changes survived", 5)


async def test_trackagoat_listings_survive_a_changed_server(figures: Figures) -> None:
    fake = FakeTrackAGoat(3, clock=FakeClock(), rate_limit=None)
    project = next(iter(fake.store.projects))
    changed = next(c for c in fake.store.creators.values() if c["project_id"] == project)
    changed.update(tracking_mode="hybrid", **NEW_FIELDS)
    changed.pop("display_name", None)
    async with client_on(fake, requests_per_minute=60_000) as tg:
        creators = {c.id: c for c in await tg.creators.list(project_id=project).to_list()}
        # A removed endpoint (the old per-entity stats) answers 410 with its replacement.
        with pytest.raises(errors.GoneError) as gone:
            await tg.request("GET", f"/creators/{changed['id']}/stats")
    seen = creators[changed["id"]]
    assert seen.tracking_mode == "hybrid"
    assert seen.display_name is None
    assert seen.extra["brand_safety"] == NEW_FIELDS["brand_safety"]
    assert gone.value.status == 410
    assert gone.value.request_id
    assert "analytics" in str(gone.value)
    figures.count(SUITE, "fake changes survived", 3)


def _answer(status: int, body: Any, headers: dict[str, str]) -> httpx.MockTransport:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.MockTransport(
        lambda request: httpx.Response(status, headers=headers, content=content)
    )


PROBLEM = {"content-type": "application/problem+json", "x-request-id": "req_new"}
ENVELOPE = {"content-type": "application/json", "x-request-id": "req_new"}

CA_ERRORS = [
    (410, {"code": "GONE", "detail": "Use /v3/videos"}, PROBLEM, errors.GoneError, "GONE"),
    (410, b"<html>Gone</html>", {"x-request-id": "req_new"}, errors.GoneError, "GONE"),
    (403, {"code": "ORG_SUSPENDED", "request_id": "req_new"}, {}, errors.PermissionDeniedError,
     "ORG_SUSPENDED"),
    (400, {"code": "SHINY_NEW_CODE"}, PROBLEM, errors.BadRequestError, "SHINY_NEW_CODE"),
    (451, {"code": "LEGAL_HOLD"}, PROBLEM, errors.APIError, "LEGAL_HOLD"),
    (418, b"", {"x-request-id": "req_new"}, errors.APIError, "INTERNAL_ERROR"),
    (599, {"code": "EDGE_MELTDOWN"}, PROBLEM, errors.ServerError, "EDGE_MELTDOWN"),
    (422, {"code": "VALIDATION_ERROR", "errors": [{"field": "x", "message": "y"}, "odd"],
           "request_id": "req_new"}, {}, errors.ValidationError, "VALIDATION_ERROR"),
]  # fmt: skip

TG_ERRORS = [
    (410, {"data": None, "error": "Removed", "meta": {"code": "endpoint_removed"}}, ENVELOPE,
     errors.GoneError, "endpoint_removed"),
    (400, {"data": None, "error": "New rule", "meta": {"code": "brand_new_rule",
                                                         "requestId": "req_new"}}, {},
     errors.BadRequestError, "brand_new_rule"),
    (451, {"data": None, "error": {"message": "Hold", "code": "legal_hold"}}, ENVELOPE,
     errors.APIError, "legal_hold"),
    (503, b"upstream connect error", {"x-request-id": "req_new"}, errors.ServiceUnavailableError,
     None),
]  # fmt: skip


@pytest.mark.parametrize(("status", "body", "headers", "cls", "code"), CA_ERRORS)
async def test_creatoraudit_maps_new_and_removed_errors(
    status: int,
    body: Any,
    headers: dict[str, str],
    cls: type[errors.APIError],
    code: str,
    figures: Figures,
) -> None:
    async with AsyncCreatorAudit(
        api_key="k_" + "9" * 30,
        base_url="https://api.creatoraudit.test/v2",
        transport=_answer(status, body, headers),
        retry=RetryPolicy(max_attempts=1),
    ) as ca:
        with pytest.raises(errors.APIError) as caught:
            await ca.videos.get(REQUIRED["id"])
    assert type(caught.value) is cls
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.request_id == "req_new"
    assert "req_new" in str(caught.value)
    figures.count(SUITE, "error shapes mapped")


@pytest.mark.parametrize(("status", "body", "headers", "cls", "code"), TG_ERRORS)
async def test_trackagoat_maps_new_and_removed_errors(
    status: int,
    body: Any,
    headers: dict[str, str],
    cls: type[errors.APIError],
    code: str | None,
    figures: Figures,
) -> None:
    async with AsyncTrackAGoat(
        api_key="k_" + "9" * 30,
        base_url="https://www.trackagoat.test/api/v1",
        transport=_answer(status, body, headers),
        retry=RetryPolicy(max_attempts=1),
    ) as tg:
        with pytest.raises(errors.APIError) as caught:
            await tg.schema()
    assert type(caught.value) is cls
    assert caught.value.status == status
    if code is not None:
        assert caught.value.code == code
    assert caught.value.request_id == "req_new"
    figures.count(SUITE, "error shapes mapped")


async def test_deltas_take_new_row_keys_and_meta() -> None:
    video = REQUIRED["id"]
    body = {
        "data": {video: {"7d": 12, "30d": None, "trend": "up", "views_7d": 5, "90d": 40}},
        "meta": {"windows": [7, 30], "video_count": 1, "not_found": [], "cache": "hit"},
        "links": {"self": "/v2/videos/deltas"},
    }
    async with AsyncCreatorAudit(
        api_key="k_" + "9" * 30,
        base_url="https://api.creatoraudit.test/v2",
        transport=_answer(200, body, ENVELOPE),
    ) as ca:
        deltas = await ca.videos.deltas([video], windows=[7, 30])
    assert deltas.get(video, 7) == 12
    assert deltas.get(video, 30) is None
    assert deltas.get(video, 90) == 40  # a window nobody asked for is still a window
    assert deltas.extra["cache"] == "hit"
    assert deltas.extra["links"] == body["links"]
