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
        tracking_end_date: dt.date | str | None = None,
        idempotency_key: str | None = None,
    ) -> Creator:
        """Add one creator to a project, or reactivate it if it was removed.

        ``handle`` may be ``name``, ``@name`` or a ``tiktok.com/@name`` profile URL. The
        returned creator's ``reactivated`` is true when the server answered 200 (the handle
        was removed before and is tracked again, history and all) instead of 201.
        """
        path = f"/projects/{uuid_arg('project_id', project_id)}/creators"
        fields = {
            "tiktok_handle": handle_arg("handle", handle),
            **_settings(tracking_mode, tracking_start_date, tracking_end_date),
        }
        reply = await self._client.request(
            "POST",
            path,
            json=fields,
            create=True,
            idempotency_key=optional(idempotency_key_arg, "idempotency_key", idempotency_key),
        )
        creator = self._envelope.decode(reply, Creator)
        return attrs.evolve(creator, reactivated=True) if reply.status == 200 else creator

    async def create_many(
        self,
        project_id: str,
        handles: Iterable[str | Mapping[str, Any]],
        *,
        tracking_mode: str | None = None,
        tracking_start_date: dt.date | str | None = None,
        tracking_end_date: dt.date | str | None = None,
        idempotency_key: str | None = None,
    ) -> CreateManyResult:
        """Add any number of creators: chunks of 50, sent in parallel.

        Each entry is a handle (normalised like :meth:`create`) or, as in the docs' bulk
        example, a mapping with ``tiktok_handle`` and its own ``tracking_mode``,
        ``tracking_start_date`` or ``tracking_end_date``; the keyword arguments are the
        defaults for entries that do not say. Handles are de-duplicated (case-insensitively,
        the first entry wins). Returns which were created, which reactivated and which failed
        (with the server's code). A chunk that fails as a whole raises
        :class:`~creatorsdk.errors.BatchError` carrying the other chunks' results.
        ``idempotency_key`` is used as is for a single chunk and as ``"<key>-<chunk index>"``
        for several.
        """
        path = f"/projects/{uuid_arg('project_id', project_id)}/creators"
        defaults = _settings(tracking_mode, tracking_start_date, tracking_end_date)
        entries = _entries(handles, defaults)
        chunks = chunked(list(entries), CREATE_CHUNK)
        given_key = optional(idempotency_key_arg, "idempotency_key", idempotency_key)
        # Handles are unique, so the chunks are too and can key the mapping. Without a key of
        # the caller's, the engine mints one per chunk request.
        keys = {
            chunk: _chunk_key(given_key, index, len(chunks)) for index, chunk in enumerate(chunks)
        }

        async def create_chunk(chunk: tuple[str, ...]) -> CreateManyResult:
            body = {"creators": [{"tiktok_handle": h, **entries[h]} for h in chunk]}
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


_ENTRY_FIELDS: Final = (
    "tiktok_handle",
    "tracking_mode",
    "tracking_start_date",
    "tracking_end_date",
)


def _entries(
    handles: Iterable[str | Mapping[str, Any]], defaults: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Each normalised handle and the settings sent with it, first entry kept when the same
    handle appears twice."""
    if isinstance(handles, str | Mapping) or not isinstance(handles, Iterable):
        raise ValueError(f"handles must be a list of TikTok handles, got {handles!r}")
    unique: dict[str, tuple[str, dict[str, str]]] = {}
    for index, raw in enumerate(handles):
        name = f"handles[{index}]"
        if isinstance(raw, Mapping):
            handle, settings = _entry(name, raw, defaults)
        else:
            handle, settings = handle_arg(name, raw), defaults
        # The API compares handles case-insensitively.
        unique.setdefault(handle.lower(), (handle, settings))
    if not unique:
        raise ValueError("handles must not be empty")
    return dict(unique.values())


def _entry(
    name: str, raw: Mapping[str, Any], defaults: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """One mapping entry of ``create_many``: its handle and its settings over the defaults."""
    unknown = sorted(str(key) for key in raw if key not in _ENTRY_FIELDS)
    if unknown:
        allowed = ", ".join(_ENTRY_FIELDS)
        raise ValueError(f"{name} has unknown field(s) {', '.join(unknown)}; allowed: {allowed}")
    if "tiktok_handle" not in raw:
        raise ValueError(f"{name} needs a tiktok_handle")
    own = _settings(
        raw.get("tracking_mode"),
        raw.get("tracking_start_date"),
        raw.get("tracking_end_date"),
        prefix=f"{name}.",
    )
    settings = {**defaults, **own}
    start, end = settings.get("tracking_start_date"), settings.get("tracking_end_date")
    if start is not None and end is not None and start > end:
        raise ValueError(f"{name}: tracking_start_date {start} is after tracking_end_date {end}")
    return handle_arg(f"{name}.tiktok_handle", raw["tiktok_handle"]), settings


def _chunk_key(key: str | None, index: int, chunks: int) -> str | None:
    """The caller's key for one chunk of several (``None``: the engine mints one)."""
    if key is None or chunks == 1:
        return key
    return f"{key}-{index}"


def _settings(
    tracking_mode: str | None,
    tracking_start_date: dt.date | str | None,
    tracking_end_date: dt.date | str | None,
    *,
    prefix: str = "",
) -> dict[str, str]:
    """The optional per-creator create fields, only those the caller set."""
    start, end = date_range(
        f"{prefix}tracking_start_date",
        tracking_start_date,
        f"{prefix}tracking_end_date",
        tracking_end_date,
    )
    return body_of(
        {
            "tracking_mode": optional(
                choice_arg, f"{prefix}tracking_mode", tracking_mode, TRACKING_MODES
            ),
            "tracking_start_date": start,
            "tracking_end_date": end,
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
            if item.status == "created":
                created.append(item.creator)
            else:
                reactivated.append(attrs.evolve(item.creator, reactivated=True))
        else:
            # "failed", or a status this SDK does not know: never silently counted as added.
            code = item.code or (item.status if item.status != "failed" else None)
            # Results come in request order, so a result without its handle can still be named.
            handle = item.tiktok_handle or (sent[index] if index < len(sent) else "")
            failed.append(CreatorFailure(handle=handle, code=code, message=item.error))
    return CreateManyResult(
        created=tuple(created), reactivated=tuple(reactivated), failed=tuple(failed)
    )
