"""ca.creators: listing, writes, account links, the leaderboard and analytics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import respx

from creatorsdk import AsyncCreatorAudit, errors
from creatorsdk.creatoraudit import Creator, CreatorLink

from .conftest import creator_json, ok, page, problem, sent_json, sent_query, uid

LINK_PATH = f"/creators/{uid(200)}/accounts/{uid(1)}"


async def test_list_sorts_by_name_and_filters(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.get("/creators").mock(
        side_effect=[
            ok(page([creator_json(id=uid(201))], next_cursor="k1", total_count=2)),
            ok(page([creator_json(id=uid(202), name="Bo")], total_count=2)),
        ]
    )
    pager = ca.creators.list(
        is_active=True, order_by="name", order_direction="asc", include_total=True
    )
    creators = [c async for c in pager]
    assert [c.id for c in creators] == [uid(201), uid(202)]
    first = sent_query(route.calls[0])
    assert first == {
        "is_active": "true",
        "order_by": "name",
        "order_direction": "asc",
        "include_total": "true",
        "limit": "200",
    }
    assert sent_query(route.calls[1]) == {**first, "cursor": "k1"}


async def test_legacy_sort_is_passed_on(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.get("/creators").mock(return_value=ok(page([])))
    await ca.creators.list(sort="-name").to_list()
    assert sent_query(route.calls[0]) == {"sort": "-name", "limit": "200"}


async def test_get_decodes_the_accounts_summary(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.get(f"/creators/{uid(200)}").mock(return_value=ok({"data": creator_json()}))
    creator = await ca.creators.get(uid(200))
    assert isinstance(creator, Creator)
    assert creator.accounts_summary.total == 2
    assert dict(creator.accounts_summary.platforms) == {"tiktok": 2}
    assert creator.metadata == {"team": "a"}


async def test_create_with_a_key_and_a_retry(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.post("/creators").mock(
        side_effect=[problem(502, "UPSTREAM_ERROR"), ok({"data": creator_json()}, 201)]
    )
    creator = await ca.creators.create("Ada", metadata={"team": "a"}, is_active=True)
    assert creator.name == "Ada"
    assert [sent_json(c) for c in route.calls] == [
        {"name": "Ada", "is_active": True, "metadata": {"team": "a"}}
    ] * 2
    assert len({c.request.headers["Idempotency-Key"] for c in route.calls}) == 1


async def test_update_replaces_metadata(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.patch(f"/creators/{uid(200)}").mock(
        return_value=ok({"data": creator_json(name="Ada L", metadata={})})
    )
    creator = await ca.creators.update(uid(200), name="Ada L", metadata={})
    assert creator.name == "Ada L"
    assert sent_json(route.calls[0]) == {"name": "Ada L", "metadata": {}}


async def test_delete(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.delete(f"/creators/{uid(200)}").mock(return_value=ok(None, 204))
    await ca.creators.delete(uid(200).upper())  # returns None
    assert route.call_count == 1


async def test_link_account_first_time(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    body = {"data": {"creator_id": uid(200), "account_id": uid(1), "linked_at": "2026-06-14"}}
    route = api.put(LINK_PATH).mock(
        return_value=ok(body, 201, {"Location": f"/v2/creators/{uid(200)}/accounts/{uid(1)}"})
    )
    link = await ca.creators.link_account(uid(200), uid(1).upper())
    assert isinstance(link, CreatorLink)
    assert (link.creator_id, link.account_id, link.created) == (uid(200), uid(1), True)
    assert link.extra == {"linked_at": "2026-06-14"}
    assert route.calls[0].request.content == b""


@pytest.mark.parametrize("response", [ok(None, 200), ok({"data": None}, 200), ok({}, 200)])
async def test_link_account_tolerates_an_empty_body(
    ca: AsyncCreatorAudit, api: respx.MockRouter, response: Any
) -> None:
    api.put(LINK_PATH).mock(return_value=response)
    link = await ca.creators.link_account(uid(200), uid(1))
    assert (link.creator_id, link.account_id, link.created) == (uid(200), uid(1), False)


async def test_link_account_owned_by_another_creator(
    ca: AsyncCreatorAudit, api: respx.MockRouter
) -> None:
    api.put(LINK_PATH).mock(return_value=problem(409, "CONFLICT"))
    with pytest.raises(errors.ConflictError):
        await ca.creators.link_account(uid(200), uid(1))


async def test_unlink_account(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.delete(LINK_PATH).mock(return_value=ok(None, 204))
    await ca.creators.unlink_account(uid(200), uid(1))  # returns None
    assert route.call_count == 1


async def test_top_keeps_unknown_item_fields(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    item = {
        "creator_id": uid(200).upper(),
        "name": "Ada",
        "total_views": 9000,
        "total_engagement": 400,
        "accounts": 2,
        "rank": 1,
    }
    route = api.get("/creators/top").mock(return_value=ok({"data": [item], "meta": {}}))
    top = await ca.creators.top(period="30d", limit=25)
    assert sent_query(route.calls[0]) == {"period": "30d", "limit": "25"}
    assert len(top) == 1
    assert top[0].creator_id == uid(200)
    assert top[0].accounts == 2
    assert top[0].extra == {"rank": 1}


async def test_top_defaults(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    route = api.get("/creators/top").mock(return_value=ok({"data": []}))
    assert await ca.creators.top() == []
    assert sent_query(route.calls[0]) == {"limit": "10"}


async def test_analytics_sends_the_date_range(ca: AsyncCreatorAudit, api: respx.MockRouter) -> None:
    data = {
        "creator_id": uid(200),
        "start_date": "2026-06-01",
        "end_date": "2026-06-14",
        "views": 1000,
        "likes": 40,
        "comments": 5,
        "shares": 5,
        "followers": 321,
    }
    route = api.get(f"/creators/{uid(200)}/analytics").mock(return_value=ok({"data": data}))
    analytics = await ca.creators.analytics(uid(200), dt.date(2026, 6, 1), dt.date(2026, 6, 14))
    assert sent_query(route.calls[0]) == {"start_date": "2026-06-01", "end_date": "2026-06-14"}
    assert analytics.start_date == dt.date(2026, 6, 1)
    assert analytics.followers == 321
    assert analytics.engagement_rate == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ca: ca.creators.create(""), "name"),
        (lambda ca: ca.creators.create("x" * 256), "name"),
        (lambda ca: ca.creators.create("Ada", metadata={"k" * 256: 1}), "metadata"),
        (lambda ca: ca.creators.create("Ada", is_active="true"), "is_active"),
        (lambda ca: ca.creators.update(uid(200)), "update needs"),
        (lambda ca: ca.creators.update(uid(200), name=" "), "name"),
        (lambda ca: ca.creators.get("ada"), "creator_id"),
        (lambda ca: ca.creators.link_account(uid(200), "acct"), "account_id"),
        (lambda ca: ca.creators.unlink_account("c", uid(1)), "creator_id"),
        (lambda ca: ca.creators.top(limit=26), "limit"),
        (lambda ca: ca.creators.top(period="custom"), "period"),
        (
            lambda ca: ca.creators.analytics(uid(200), dt.date(2026, 2, 1), dt.date(2026, 1, 1)),
            "start_date",
        ),
        (lambda ca: ca.creators.analytics(uid(200), end_date="01/01/2026"), "end_date"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    ca: AsyncCreatorAudit, api: respx.MockRouter, call: Any, argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        await call(ca)
    assert not api.calls


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"order_by": "added_at"}, "order_by"), ({"sort": "name,-added_at"}, "sort")],
)
async def test_list_rejects_other_sorts(
    ca: AsyncCreatorAudit, api: respx.MockRouter, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=argument):
        ca.creators.list(**kwargs)
    assert not api.calls
