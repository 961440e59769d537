"""``tg.campaigns``: campaigns and their (nestable) members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from creatorsdk._engine.decoding import decode
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    choice_arg,
    datetime_arg,
    int_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.models import Campaign, CampaignItem

__all__ = ["ITEM_TYPES", "NAME_MAX", "Campaigns"]

ITEM_TYPES: Final = frozenset({"creator", "video", "campaign"})
#: Most characters of a campaign name.
NAME_MAX: Final = 200
#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset({"readme", "target_views", "target_at"})


class Campaigns(Resource, envelope=ENVELOPE):
    """List, create, change and delete campaigns; add and remove their items."""

    def list(
        self,
        *,
        project_id: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[Campaign]:
        """Every campaign of the organization, or of ``project_id``."""
        params = {"project_id": optional(uuid_arg, "project_id", project_id)}
        return self._list("/campaigns", Campaign, params=params, limit=limit, cursor=cursor)

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
        fields = {
            "name": text_arg("name", name, max_length=NAME_MAX),
            "readme": optional(text_arg, "readme", readme, blank=True),
            "target_views": optional(int_arg, "target_views", target_views, low=0),
            "target_at": optional(datetime_arg, "target_at", target_at),
        }
        return await self._create(path, fields, Campaign, idempotency_key=idempotency_key)

    async def update(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        readme: str | Unset | None = UNSET,
        target_views: int | Unset | None = UNSET,
        target_at: dt.datetime | Unset | None = UNSET,
    ) -> Campaign:
        """Change a campaign; pass only what changes (``None`` clears a nullable field)."""
        path = f"/campaigns/{uuid_arg('campaign_id', campaign_id)}"
        fields = {
            "name": optional(text_arg, "name", name, max_length=NAME_MAX),
            "readme": optional(text_arg, "readme", readme, blank=True),
            "target_views": optional(int_arg, "target_views", target_views, low=0),
            "target_at": optional(datetime_arg, "target_at", target_at),
        }
        return await self._update(path, fields, Campaign, clearable=_CLEARABLE)

    async def delete(self, campaign_id: str) -> None:
        """Delete a campaign and all its item memberships."""
        await self._delete(f"/campaigns/{uuid_arg('campaign_id', campaign_id)}")

    async def add_item(self, campaign_id: str, item_type: str, item_id: str) -> CampaignItem:
        """Add a creator, video or sub-campaign (``item_type``) to a campaign."""
        campaign, body = _item(campaign_id, item_type, item_id)
        reply = await self._client.request("POST", f"/campaigns/{campaign}/items", json=body)
        data = ENVELOPE.unwrap(reply)
        # The reply's shape is not documented: take what it says over what was asked.
        known = {"campaign_id": campaign, **body}
        merged = {**known, **data} if isinstance(data, Mapping) else known
        return decode(merged, CampaignItem, request_id=reply.request_id)

    async def remove_item(self, campaign_id: str, item_type: str, item_id: str) -> None:
        """Remove a creator, video or sub-campaign from a campaign."""
        campaign, body = _item(campaign_id, item_type, item_id)
        await self._delete(f"/campaigns/{campaign}/items", json=body)


def _item(campaign_id: str, item_type: str, item_id: str) -> tuple[str, dict[str, str]]:
    campaign = uuid_arg("campaign_id", campaign_id)
    body = {
        "item_type": choice_arg("item_type", item_type, ITEM_TYPES),
        "item_id": uuid_arg("item_id", item_id),
    }
    if body["item_type"] == "campaign" and body["item_id"] == campaign:
        raise ValueError("item_id: a campaign cannot contain itself")
    return campaign, body
