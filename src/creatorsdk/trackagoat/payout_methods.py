"""``tg.payout_methods``: the organization's ways of paying creators (section 3.8).

Venmo, Cash App and PayPal are seeded defaults: they cannot be deleted (the server answers
409 ``default_method``, raised as :class:`~creatorsdk.errors.DefaultPayoutMethodError`), only
disabled with ``update(method_id, is_active=False)``. Every method, the defaults included,
counts toward the plan's ``max_payout_methods_per_org`` (402 ``limit_reached``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    boolean_arg,
    mapping_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.payout_models import PayoutMethod

__all__ = ["NAME_MAX", "PayoutMethods"]

#: Most characters of a method's name.
NAME_MAX: Final = 100
#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset({"icon_path", "readme"})


class PayoutMethods(Resource, envelope=ENVELOPE):
    """List, add, change, disable and delete payout methods."""

    def list(
        self,
        *,
        include_disabled: bool = False,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[PayoutMethod]:
        """Every active method; ``include_disabled=True`` adds the disabled ones (org admins)."""
        params = {"include_disabled": boolean_arg("include_disabled", include_disabled) or None}
        return self._list(
            "/payout-methods", PayoutMethod, params=params, limit=limit, cursor=cursor
        )

    async def get(self, method_id: str) -> PayoutMethod:
        """One method."""
        return await self._get(f"/payout-methods/{uuid_arg('method_id', method_id)}", PayoutMethod)

    async def create(
        self,
        name: str,
        *,
        icon_path: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        readme: str | None = None,
        idempotency_key: str | None = None,
    ) -> PayoutMethod:
        """Add a custom method; ``icon_path`` is a storage path from an earlier UI upload."""
        fields = {
            "name": text_arg("name", name, max_length=NAME_MAX),
            "icon_path": optional(text_arg, "icon_path", icon_path),
            "metadata": optional(mapping_arg, "metadata", metadata),
            "readme": optional(text_arg, "readme", readme, blank=True),
        }
        return await self._create(
            "/payout-methods", fields, PayoutMethod, idempotency_key=idempotency_key
        )

    async def update(
        self,
        method_id: str,
        *,
        name: str | None = None,
        is_active: bool | None = None,
        icon_path: str | Unset | None = UNSET,
        metadata: Mapping[str, Any] | None = None,
        readme: str | Unset | None = UNSET,
    ) -> PayoutMethod:
        """Change a method; pass only what changes (``None`` clears ``icon_path``/``readme``).

        ``is_active=False`` disables a method (the way to retire a default one); payments
        already made keep the name they were made with.
        """
        path = f"/payout-methods/{uuid_arg('method_id', method_id)}"
        fields = {
            "name": optional(text_arg, "name", name, max_length=NAME_MAX),
            "is_active": optional(boolean_arg, "is_active", is_active),
            "icon_path": optional(text_arg, "icon_path", icon_path),
            "metadata": optional(mapping_arg, "metadata", metadata),
            "readme": optional(text_arg, "readme", readme, blank=True),
        }
        return await self._update(path, fields, PayoutMethod, clearable=_CLEARABLE)

    async def delete(self, method_id: str) -> None:
        """Delete a custom method. A default one raises
        :class:`~creatorsdk.errors.DefaultPayoutMethodError`: disable it instead."""
        await self._delete(f"/payout-methods/{uuid_arg('method_id', method_id)}")
