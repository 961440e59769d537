"""What every write shares: create bodies, PATCH bodies and deletes.

A create is a ``POST`` with an ``Idempotency-Key`` the caller chose or that was minted once
for this logical call, so the engine may retry it (on a 500 too) and every attempt carries the
same key. ``201`` and ``200`` are both success. A delete answers ``204`` with no body or
``200`` with ``{data}``; either way there is nothing to return.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from creatorsdk._engine.client import BaseClient
from creatorsdk._engine.decoding import Model
from creatorsdk.creatoraudit._listing import decode_data

__all__ = ["body_of", "patch_body", "send_create", "send_delete"]

M = TypeVar("M", bound=Model)


def body_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that were given (``None`` means "not given" and is left out)."""
    return {name: value for name, value in fields.items() if value is not None}


def patch_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A PATCH body of the given fields; at least one is needed."""
    body = body_of(fields)
    if not body:
        raise ValueError(f"update needs at least one of: {', '.join(fields)}")
    return body


async def send_create(
    client: BaseClient, path: str, fields: Mapping[str, Any], key: str, model: type[M]
) -> M:
    """``POST path`` with ``key`` as ``Idempotency-Key``; the created (or existing) resource."""
    reply = await client.request("POST", path, json=body_of(fields), idempotency_key=key)
    return decode_data(reply, model)


async def send_delete(client: BaseClient, path: str) -> None:
    """``DELETE path``; the body of a ``200``, if any, is not needed."""
    await client.request("DELETE", path)
