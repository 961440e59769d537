"""``tg.creators``: tracked TikTok creators, one at a time or in bulk.

Bulk calls take any number of handles or ids and split them into the API's chunk sizes (50
per bulk create, 100 per bulk remove or re-enable), sent in parallel under the client's
concurrency limit. Each create chunk is one logical create with its own ``Idempotency-Key``
(minted by the engine, or derived from the caller's), reused by every retry of that chunk, so
a retry never adds a creator twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from creatorsdk._engine.client import Reply
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.fan_out import chunked, fan_out
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import (
    UNSET,
    Unset,
    body_of,
    choice_arg,
    date_arg,
    date_range,
    id_list_arg,
    idempotency_key_arg,
    mapping_arg,
    optional,
    text_arg,
    uuid_arg,
)
from creatorsdk._resources.resource import Resource
from creatorsdk.errors import DecodeError
from creatorsdk.trackagoat._arguments import MAX_PAGE_SIZE, handle_arg
from creatorsdk.trackagoat._envelope import ENVELOPE
from creatorsdk.trackagoat.models import (
    BulkReenableResult,
    BulkRemoveResult,
    CreateManyResult,
    Creator,
    CreatorFailure,
    ScrapeJob,
)

__all__ = ["CREATE_CHUNK", "JOB_TYPES", "REMOVE_CHUNK", "TRACKING_MODES", "Creators"]

#: Most creators one bulk-create request may carry.
CREATE_CHUNK: Final = 50
#: Most creator ids one bulk-remove or bulk-reenable request may carry.
REMOVE_CHUNK: Final = 100
TRACKING_MODES: Final = frozenset({"auto", "selective"})
JOB_TYPES: Final = frozenset({"creator_profiles", "video_stats", "discover_videos"})
#: Most characters of a creator's ``description``.
DESCRIPTION_MAX: Final = 5000

#: The PATCH fields the API clears on ``null``.
_CLEARABLE: Final = frozenset({"readme", "tracking_start_date", "tracking_end_date"})


@attrs.frozen
class _BulkCreateItem(Model):
    """One entry of a bulk create's ``data.results``."""

    tiktok_handle: str = ""
    status: str = ""
    creator: Creator | None = None
    error: str | None = None
    code: str | None = None


class Creators(Resource, envelope=ENVELOPE):
    """List, add, rename, remove, scrape and re-enable creators."""

    def list(
        self,
        *,
        project_id: str | None = None,
        search: str | None = None,
        limit: int = MAX_PAGE_SIZE,
        cursor: str | None = None,
    ) -> AsyncPager[Creator]:
        """Every creator of the organization, or of ``project_id``; ``search`` matches
        part of the handle."""
        params = {
            "project_id": optional(uuid_arg, "project_id", project_id),
            "search": optional(text_arg, "search", search),
        }
        return self._list("/creators", Creator, params=params, limit=limit, cursor=cursor)

    async def create(
        self,
        project_id: str,
        handle: str,
        *,
        tracking_mode: str | None = None,
        tracking_start_date: dt.date | str | None = None,
        idempotency_key: str | None = None,
    ) -> Creator:
        """Add one creator to a project, or reactivate it if it was removed.

        ``handle`` may be ``name``, ``@name`` or a ``tiktok.com/@name`` profile URL.
        """
        path = f"/projects/{uuid_arg('project_id', project_id)}/creators"
        fields = {
            "tiktok_handle": handle_arg("handle", handle),
            **_settings(tracking_mode, tracking_start_date),
        }
        return await self._create(path, fields, Creator, idempotency_key=idempotency_key)

    async def create_many(
        self,
        project_id: str,
        handles: Iterable[str],
        *,
        tracking_mode: str | None = None,
        tracking_start_date: dt.date | str | None = None,
        idempotency_key: str | None = None,
    ) -> CreateManyResult:
        """Add any number of creators: chunks of 50, sent in parallel.

        Handles are normalised like :meth:`create` and de-duplicated (case-insensitively).
        Returns which were created, which reactivated and which failed (with the server's
        code). A chunk that fails as a whole raises :class:`~creatorsdk.errors.BatchError`
        carrying the other chunks' results. ``idempotency_key`` is used as is for a single
        chunk and as ``"<key>-<chunk index>"`` for several.
        """
        path = f"/projects/{uuid_arg('project_id', project_id)}/creators"
        settings = _settings(tracking_mode, tracking_start_date)
        chunks = chunked(_handles(handles), CREATE_CHUNK)
        given_key = optional(idempotency_key_arg, "idempotency_key", idempotency_key)
        # Handles are unique, so the chunks are too and can key the mapping. Without a key of
        # the caller's, the engine mints one per chunk request.
        keys = {
            chunk: _chunk_key(given_key, index, len(chunks)) for index, chunk in enumerate(chunks)
        }

        async def create_chunk(chunk: tuple[str, ...]) -> CreateManyResult:
            body = {"creators": [{"tiktok_handle": handle, **settings} for handle in chunk]}
            reply = await self._client.request(
                "POST", path, json=body, create=True, idempotency_key=keys[chunk]
            )
            return _bulk_create_result(reply, chunk)

        results = await fan_out(chunks, create_chunk)
        return sum(results, CreateManyResult())

    async def update(
        self,
        creator_id: str,
        *,
        tiktok_handle: str | None = None,
        display_name: str | None = None,
        description: str | None = None,
        readme: str | Unset | None = UNSET,
        tracking_mode: str | None = None,
        tracking_start_date: dt.date | str | Unset | None = UNSET,
        tracking_end_date: dt.date | str | Unset | None = UNSET,
        metadata: Mapping[str, Any] | None = None,
    ) -> Creator:
        """Change a creator; pass only what changes (``readme=None`` clears the notes).

        A new ``tiktok_handle`` renames the creator; the server answers 409
        (:class:`~creatorsdk.errors.ConflictError`) with code ``handle_taken``,
        ``creator_banned``, ``invalid_handle`` or ``no_change`` when it cannot.
        """
        path = f"/creators/{uuid_arg('creator_id', creator_id)}"
        start, end = date_range(
            "tracking_start_date", tracking_start_date, "tracking_end_date", tracking_end_date
        )
        fields = {
            "tiktok_handle": optional(handle_arg, "tiktok_handle", tiktok_handle),
            "display_name": optional(text_arg, "display_name", display_name),
            "description": optional(
                text_arg, "description", description, max_length=DESCRIPTION_MAX, blank=True
            ),
            "readme": optional(text_arg, "readme", readme, blank=True),
            "tracking_mode": optional(choice_arg, "tracking_mode", tracking_mode, TRACKING_MODES),
            "tracking_start_date": start,
            "tracking_end_date": end,
            "metadata": optional(mapping_arg, "metadata", metadata),
        }
        return await self._update(path, fields, Creator, clearable=_CLEARABLE)

    async def delete(self, creator_id: str) -> None:
        """Remove a creator from tracking (a soft delete: its history is kept, and adding
        the handle again reactivates it)."""
        await self._delete(f"/creators/{uuid_arg('creator_id', creator_id)}")

    async def scrape(self, creator_id: str, *, job_type: str = "creator_profiles") -> ScrapeJob:
        """Queue a manual scrape (``creator_profiles``, ``video_stats`` or ``discover_videos``).

        Each one uses the organization's daily manual-scrape quota; when it is spent the
        server answers :class:`~creatorsdk.errors.LimitReachedError`.
        """
        path = f"/creators/{uuid_arg('creator_id', creator_id)}/scrape"
        body = {"job_type": choice_arg("job_type", job_type, JOB_TYPES)}
        reply = await self._client.request("POST", path, json=body)
        return ENVELOPE.decode(reply, ScrapeJob, empty=ScrapeJob(job_type=job_type))

    async def bulk_remove(self, project_id: str, creator_ids: Iterable[str]) -> BulkRemoveResult:
        """Remove any number of creators (soft delete), 100 per request, in parallel."""
        chunks, path = _bulk_target(project_id, creator_ids, "bulk-remove")

        async def remove(chunk: tuple[str, ...]) -> BulkRemoveResult:
            reply = await self._client.request("POST", path, json={"creator_ids": list(chunk)})
            return ENVELOPE.decode(reply, BulkRemoveResult)

        results = await fan_out(chunks, remove)
        return BulkRemoveResult(
            removed_count=sum(r.removed_count for r in results),
            not_found=tuple(i for r in results for i in r.not_found),
        )

    async def bulk_reenable(
        self, project_id: str, creator_ids: Iterable[str]
    ) -> BulkReenableResult:
        """Re-enable auto- or system-disabled creators, 100 per request, in parallel.

        Counts are summed over the requests; a creator re-enabled less than 24 hours ago is
        counted as skipped.
        """
        chunks, path = _bulk_target(project_id, creator_ids, "bulk-reenable")

        async def reenable(chunk: tuple[str, ...]) -> BulkReenableResult:
            reply = await self._client.request("POST", path, json={"creator_ids": list(chunk)})
            return ENVELOPE.decode(reply, BulkReenableResult)

        results = await fan_out(chunks, reenable)
        return BulkReenableResult(
            ok_count=sum(r.ok_count for r in results),
            skipped_count=sum(r.skipped_count for r in results),
            failed_count=sum(r.failed_count for r in results),
        )


def _bulk_target(
    project_id: str, creator_ids: Iterable[str], action: str
) -> tuple[list[tuple[str, ...]], str]:
    """The id chunks and the path of a bulk-remove or bulk-reenable call."""
    path = f"/projects/{uuid_arg('project_id', project_id)}/creators/{action}"
    return chunked(id_list_arg("creator_ids", creator_ids), REMOVE_CHUNK), path


def _handles(handles: Iterable[str]) -> list[str]:
    """Normalised handles, first spelling kept when the same handle appears twice."""
    if isinstance(handles, str) or not isinstance(handles, Iterable):
        raise ValueError(f"handles must be a list of TikTok handles, got {handles!r}")
    unique: dict[str, str] = {}
    for index, raw in enumerate(handles):
        handle = handle_arg(f"handles[{index}]", raw)
        unique.setdefault(handle.lower(), handle)  # the API compares handles case-insensitively
    if not unique:
        raise ValueError("handles must not be empty")
    return list(unique.values())


def _chunk_key(key: str | None, index: int, chunks: int) -> str | None:
    """The caller's key for one chunk of several (``None``: the engine mints one)."""
    if key is None or chunks == 1:
        return key
    return f"{key}-{index}"


def _settings(
    tracking_mode: str | None, tracking_start_date: dt.date | str | None
) -> dict[str, str]:
    """The optional per-creator create fields, only those the caller set."""
    return body_of(
        {
            "tracking_mode": optional(choice_arg, "tracking_mode", tracking_mode, TRACKING_MODES),
            "tracking_start_date": optional(date_arg, "tracking_start_date", tracking_start_date),
        }
    )


def _bulk_create_result(reply: Reply, sent: tuple[str, ...]) -> CreateManyResult:
    """Sort one chunk's per-handle results into created, reactivated and failed."""
    data = ENVELOPE.unwrap(reply)
    # The contract says {"results": [...]}; a bare list is the other plausible reading.
    entries = data.get("results") if isinstance(data, Mapping) else data
    items: list[_BulkCreateItem] = decode(
        entries, list[_BulkCreateItem], request_id=reply.request_id
    )
    created: list[Creator] = []
    reactivated: list[Creator] = []
    failed: list[CreatorFailure] = []
    for index, item in enumerate(items):
        if item.status in ("created", "reactivated"):
            if item.creator is None:
                raise DecodeError(
                    f"a {item.status} result has no creator",
                    field=f"data.results[{index}].creator",
                    request_id=reply.request_id,
                )
            (created if item.status == "created" else reactivated).append(item.creator)
        else:
            # "failed", or a status this SDK does not know: never silently counted as added.
            code = item.code or (item.status if item.status != "failed" else None)
            # Results come in request order, so a result without its handle can still be named.
            handle = item.tiktok_handle or (sent[index] if index < len(sent) else "")
            failed.append(CreatorFailure(handle=handle, code=code, message=item.error))
    return CreateManyResult(
        created=tuple(created), reactivated=tuple(reactivated), failed=tuple(failed)
    )
