"""The replies of the read-only batch endpoints, deltas and windowed metrics, and their fetch.

Each chunk is one ``POST`` marked idempotent (the endpoints are documented read-only, so a
retry after a 500 or a dropped connection is safe). Chunks run through the engine's fan-out
under the client's concurrency limit; a failed chunk raises
:class:`~creatorsdk.errors.BatchError` whose ``results`` are the other chunks' results, which
``Deltas.merge`` / ``Metrics.merge`` combine.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from creatorsdk._engine.client import BaseClient, Reply
from creatorsdk._engine.decoding import Id, Model, decode
from creatorsdk._engine.fan_out import fan_out
from creatorsdk.creatoraudit._envelope import envelope
from creatorsdk.creatoraudit.models import Deltas, Metrics, MetricValues
from creatorsdk.errors import DecodeError

__all__ = ["CHUNK", "fetch_metrics", "parse_deltas", "parse_metrics"]

#: Most ids one batch request may carry.
CHUNK: Final = 200

_WINDOW_KEY = re.compile(r"([0-9]+)d")


@attrs.frozen
class _DeltasMeta(Model):
    windows: tuple[int, ...] = ()
    video_count: int | None = None
    not_found: tuple[Id, ...] = ()


@attrs.frozen
class _DeltasBody(Model):
    data: Mapping[Id, Mapping[str, Any] | None] = attrs.field(factory=dict)
    meta: _DeltasMeta = attrs.field(factory=_DeltasMeta)


def parse_deltas(reply: Reply) -> Deltas:
    """One deltas response as :class:`Deltas`.

    Row keys of the form ``"<n>d"`` become integer windows; a value there must be an integer
    or ``null``. Other row keys are ignored, and a ``null`` row reads as an empty one; unknown
    ``meta`` and top-level members go to ``extra``.
    """
    body: _DeltasBody = decode(envelope(reply), _DeltasBody, request_id=reply.request_id)
    rows: dict[str, Mapping[int, int | None]] = {}
    for video_id, raw in body.data.items():
        row: dict[int, int | None] = {}
        for key, value in (raw or {}).items():
            match = _WINDOW_KEY.fullmatch(key)
            if match is None:
                continue
            row[int(match.group(1))] = _delta(value, video_id, key, reply.request_id)
        rows[video_id] = MappingProxyType(row)
    return Deltas(
        data=MappingProxyType(rows),
        windows=body.meta.windows,
        not_found=tuple(dict.fromkeys(body.meta.not_found)),
        video_count=body.meta.video_count,
        extra=MappingProxyType({**body.extra, **body.meta.extra}),
    )


def _delta(value: object, video_id: str, key: str, request_id: str | None) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise DecodeError(
        f"response does not fit Deltas: expected an integer or null, got {value!r}",
        field=f"$.data[{video_id!r}][{key!r}]",
        request_id=request_id,
    )


@attrs.frozen
class _MetricsMeta(Model):
    period: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    days: int | None = None
    not_found: tuple[Any, ...] = ()


@attrs.frozen
class _MetricsBody(Model):
    data: Mapping[Id, MetricValues] = attrs.field(factory=dict)
    meta: _MetricsMeta = attrs.field(factory=_MetricsMeta)


def parse_metrics(reply: Reply) -> Metrics:
    """One metrics response as :class:`Metrics`; ``not_found`` may hold uuids or integer ids."""
    body: _MetricsBody = decode(envelope(reply), _MetricsBody, request_id=reply.request_id)
    meta = body.meta
    not_found: list[str] = []
    for index, value in enumerate(meta.not_found):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise DecodeError(
                f"response does not fit Metrics: expected an id, got {value!r}",
                field=f"$.meta.not_found[{index}]",
                request_id=reply.request_id,
            )
        not_found.append(str(value).lower())
    return Metrics(
        data=MappingProxyType({str(k): v for k, v in body.data.items()}),
        not_found=tuple(dict.fromkeys(not_found)),
        period=meta.period,
        start_date=meta.start_date,
        end_date=meta.end_date,
        days=meta.days,
        extra=MappingProxyType({**body.extra, **meta.extra}),
    )


async def fetch_metrics(
    client: BaseClient,
    path: str,
    chunks: Sequence[tuple[str, ...]],
    body_of: Callable[[tuple[str, ...]], dict[str, Any]],
) -> Metrics:
    """``POST path`` once per chunk in parallel and merge the answers into one result."""

    async def one(chunk: tuple[str, ...]) -> Metrics:
        reply = await client.request("POST", path, json=body_of(chunk), idempotent=True)
        return parse_metrics(reply)

    return Metrics.merge(await fan_out(chunks, one))
