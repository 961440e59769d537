"""The response models: extras kept, unknown enum values decoded, misfits named, merges."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

import attrs
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk._engine.decoding import decode
from creatorsdk.creatoraudit import (
    Account,
    Creator,
    CreatorAnalytics,
    Deltas,
    Metrics,
    MetricValues,
    Video,
)

from .conftest import REQUEST_ID, account_json, creator_json, ok, page, uid, video_json


def test_unknown_fields_are_kept_in_extra() -> None:
    account: Account = decode(account_json(etl_version=3, shadow_ban={"score": 0.1}), Account)
    assert account.extra == {"etl_version": 3, "shadow_ban": {"score": 0.1}}
    assert isinstance(account.extra, MappingProxyType)
    assert "etl_version" not in attrs.asdict(account)


def test_unknown_enum_values_decode_as_strings() -> None:
    video: Video = decode(
        video_json(platform="youtube", media_type="hologram", type="video_v3"), Video
    )
    assert (video.platform, video.media_type, video.type) == ("youtube", "hologram", "video_v3")


def test_missing_optional_fields_get_defaults() -> None:
    account: Account = decode({"id": uid(1).upper()}, Account)
    assert account.id == uid(1)
    assert account.is_active is True
    assert account.follower_count == 0
    assert account.scrape_interval_hours == 24
    assert account.saved_count is None
    assert account.metadata == {}
    video: Video = decode({"id": uid(2)}, Video)
    assert video.view_count is None
    assert video.internal_id is None
    assert video.platform_data == {}
    creator: Creator = decode({"id": uid(3)}, Creator)
    assert creator.accounts_summary.total == 0


def test_datetimes_are_timezone_aware() -> None:
    video: Video = decode(
        video_json(added_at="2026-06-14T09:30:00", updated_at="2026-06-14T11:30:00+02:00"), Video
    )
    assert video.added_at == dt.datetime(2026, 6, 14, 9, 30, tzinfo=dt.UTC)
    assert video.updated_at is not None
    assert video.updated_at.utcoffset() is not None
    assert video.updated_at == dt.datetime(2026, 6, 14, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (account_json(view_count="lots"), "view_count"),
        (account_json(is_active="yes"), "is_active"),
        (account_json(added_at=12), "added_at"),
        (creator_json(accounts_summary={"total": "two"}), "accounts_summary"),
    ],
)
def test_a_misfit_body_names_the_field(body: dict[str, Any], field: str) -> None:
    model = Creator if body.get("type") == "creator" else Account
    with pytest.raises(errors.DecodeError) as caught:
        decode(body, model)
    assert caught.value.field is not None
    assert field in caught.value.field


async def test_a_misfit_listing_names_the_field_and_request_id(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get("/accounts").mock(
        return_value=ok(page([account_json(), account_json(view_count="lots")]))
    )
    with pytest.raises(errors.DecodeError) as caught:
        await ca.accounts.list().to_list()
    assert caught.value.field is not None
    assert "view_count" in caught.value.field
    assert caught.value.request_id == REQUEST_ID


async def test_a_body_without_data_is_a_decode_error(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get(f"/accounts/{uid(1)}").mock(return_value=ok(account_json()))
    with pytest.raises(errors.DecodeError) as caught:
        await ca.accounts.get(uid(1))
    assert caught.value.field == "$.data"


async def test_has_next_without_pagination_has_next_uses_the_cursor(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get("/videos").mock(
        side_effect=[
            ok({"data": [video_json(id=uid(1))], "pagination": {"next_cursor": "x"}}),
            ok({"data": [video_json(id=uid(2))]}),
        ]
    )
    assert [v.id for v in await ca.videos.list().to_list()] == [uid(1), uid(2)]


def _deltas(rows: dict[str, dict[int, int | None]], **kwargs: Any) -> Deltas:
    return Deltas(
        data=MappingProxyType({k: MappingProxyType(v) for k, v in rows.items()}), **kwargs
    )


@pytest.mark.parametrize(
    ("video_id", "window"),
    [(uid(1), 30), (uid(2), 7), (None, 7), (uid(1), "7"), (uid(1), True), (uid(1), 7.0), (7, 7)],
)
def test_deltas_get_never_raises(video_id: Any, window: Any) -> None:
    deltas = _deltas({uid(1): {7: 5, 30: None}})
    assert deltas.get(video_id, window) is None


def test_deltas_merge() -> None:
    first = _deltas({uid(1): {7: 1}}, windows=(7,), not_found=(uid(9),), video_count=2)
    second = _deltas({uid(2): {7: -3}}, windows=(7,), not_found=(uid(9), uid(8)), video_count=3)
    merged = Deltas.merge([first, second])
    assert merged.ids == (uid(1), uid(2))
    assert merged.get(uid(2).upper(), 7) == -3
    assert merged.not_found == (uid(9), uid(8))
    assert merged.windows == (7,)
    assert merged.video_count == 5
    assert list(merged) == [uid(1), uid(2)]
    assert len(merged) == 2
    assert Deltas.merge([]) == Deltas()
    assert Deltas.merge([first, Deltas()]).video_count is None


def test_metrics_merge_and_lookup() -> None:
    first = Metrics(
        data=MappingProxyType({uid(1): MetricValues(views=1)}),
        not_found=("17",),
        period="30d",
        days=30,
    )
    second = Metrics(data=MappingProxyType({"17": MetricValues(views=2)}), not_found=("17",))
    merged = Metrics.merge([first, second])
    assert merged.period == "30d"
    assert merged.days == 30
    assert merged.not_found == ("17",)
    assert merged.get(uid(1).upper()) == MetricValues(views=1)
    assert merged.get(17) == MetricValues(views=2)
    assert merged.get(None) is None  # type: ignore[arg-type]
    assert Metrics.merge([]) == Metrics()


def test_creator_analytics_engagement_rate() -> None:
    assert CreatorAnalytics(views=200, likes=10, comments=5, shares=5).engagement_rate == 10.0
    assert CreatorAnalytics(views=0, likes=1, comments=0, shares=0).engagement_rate is None
    assert CreatorAnalytics(views=10, likes=None, comments=0, shares=0).engagement_rate is None


def test_models_are_frozen() -> None:
    account: Account = decode(account_json(), Account)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        account.username = "other"  # type: ignore[misc]
