"""``tg.campaigns``: campaigns and their (nestable) members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from creatorsdk._engine.client import mint_idempotency_key
from creatorsdk._engine.decoding import decode
from creatorsdk._engine.paging import AsyncPager
from creatorsdk.trackagoat._arguments import (
    MAX_PAGE_SIZE,
    UNSET,
    Unset,
    choice,
    datetime_arg,
    idempotency_key_arg,
    maybe_uuid,
    note_arg,
    patch_body,
    text_arg,
    unless_unset,
    uuid_arg,
)
from creatorsdk.trackagoat._listing import Resource, decode_data, pager, unwrap
from creatorsdk.trackagoat.models import Campaign, CampaignItem

__all__ = ["ITEM_TYPES", "NAME_MAX", "Campaigns"]

ITEM_TYPES: Final = frozenset({"creator", "video", "campaign"})
#: Most characters of a campaign name.
NAME_MAX: Final = 200


def _name(name: str, value: object) -> str:
    return text_arg(name, value, max_length=NAME_MAX)


def _target_views(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer or None, got {value!r}")
    return value


class Campaigns(Resource):
    """List, create, change and delete campaigns; add and remove their items."""

    def list(
        self,
        *,
        project_id: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[Campaign]:
        """Every campaign of the organization, or of ``project_id``."""
        params = {"project_id": maybe_uuid("project_id", project_id)}
        return pager(
            self._client, "/campaigns", Campaign, params=params, limit=limit, cursor=cursor
        )

    async def create(
        self,
        project_id: str,
        name: str,
        *,
        readme: str | None = None,
        target_views: int | None = None,
        target_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Campaign:
        """Create a campaign in a project; the optional fields are sent only when given."""
        path = f"/projects/{uuid_arg('project_id', project_id)}/campaigns"
        body: dict[str, Any] = {"name": _name("name", name)}
        if readme is not None:
            body["readme"] = note_arg("readme", readme)
        if target_views is not None:
            body["target_views"] = _target_views("target_views", target_views)
        if target_at is not None:
            body["target_at"] = datetime_arg("target_at", target_at)
        reply = await self._client.request(
            "POST",
            path,
            json=body,
            idempotency_key=idempotency_key_arg(idempotency_key) or mint_idempotency_key(),
        )
        return decode_data(reply, Campaign)

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | Unset = UNSET,
        readme: str | Unset | None = UNSET,
        target_views: int | Unset | None = UNSET,
        target_at: dt.datetime | Unset | None = UNSET,
    ) -> Campaign:
        """Change a campaign; pass only what changes (``None`` clears a nullable field)."""
        path = f"/campaigns/{uuid_arg('campaign_id', campaign_id)}"
        body = patch_body(
            "update",
            {
                "name": unless_unset(_name, "name", name),
                "readme": unless_unset(note_arg, "readme", readme, nullable=True),
                "target_views": unless_unset(
                    _target_views, "target_views", target_views, nullable=True
                ),
                "target_at": unless_unset(datetime_arg, "target_at", target_at, nullable=True),
            },
        )
        return decode_data(await self._client.request("PATCH", path, json=body), Campaign)

    async def delete(self, campaign_id: str) -> None:
        """Delete a campaign and all its item memberships."""
        await self._client.request("DELETE", f"/campaigns/{uuid_arg('campaign_id', campaign_id)}")

    async def add_item(self, campaign_id: str, item_type: str, item_id: str) -> CampaignItem:
        """Add a creator, video or sub-campaign (``item_type``) to a campaign."""
        campaign, body = _item(campaign_id, item_type, item_id)
        reply = await self._client.request("POST", f"/campaigns/{campaign}/items", json=body)
        data = unwrap(reply)
        # The reply's shape is not documented: take what it says over what was asked.
        known = {"campaign_id": campaign, **body}
        merged = {**known, **data} if isinstance(data, Mapping) else known
        return decode(merged, CampaignItem, request_id=reply.request_id)

    async def remove_item(self, campaign_id: str, item_type: str, item_id: str) -> None:
        """Remove a creator, video or sub-campaign from a campaign."""
        campaign, body = _item(campaign_id, item_type, item_id)
        await self._client.request("DELETE", f"/campaigns/{campaign}/items", json=body)


def _item(campaign_id: str, item_type: str, item_id: str) -> tuple[str, dict[str, str]]:
    campaign = uuid_arg("campaign_id", campaign_id)
    body = {
        "item_type": choice("item_type", item_type, ITEM_TYPES),
        "item_id": uuid_arg("item_id", item_id),
    }
    if body["item_type"] == "campaign" and body["item_id"] == campaign:
        raise ValueError("item_id: a campaign cannot contain itself")
    return campaign, body
