"""The server's deprecation signals: ``Deprecation`` and ``Sunset`` response headers.

``Deprecation`` (RFC 9745) is a structured date, ``@<unix seconds>``; older servers send
``true`` or an HTTP date. ``Sunset`` (RFC 8594) is an HTTP date. Parsing is pure so it can be
tested on tables of real header values; the client turns a reading into one
:class:`~creatorsdk.errors.APIDeprecationWarning` per endpoint.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["Deprecation", "endpoint_of", "parse_deprecation"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")


@attrs.frozen
class Deprecation:
    """What the server said: deprecated (since when, if it said) and when it goes away."""

    since: dt.datetime | None
    sunset: dt.datetime | None
    link: str | None


def parse_deprecation(headers: Mapping[str, str]) -> Deprecation | None:
    """A :class:`Deprecation` when the headers announce one, else ``None``.

    A ``Sunset`` alone counts (the endpoint is going away); ``Deprecation: false`` or values
    that cannot be read as either form do not.
    """
    raw = headers.get("deprecation")
    sunset = _http_date(headers.get("sunset"))
    deprecated, since = _deprecation_value(raw)
    if not deprecated and sunset is None:
        return None
    return Deprecation(since=since, sunset=sunset, link=_deprecation_link(headers.get("link")))


def endpoint_of(method: str, path: str) -> str:
    """``GET /videos/{id}``: the path with ids replaced, so one endpoint warns once."""
    return f"{method} {_NUMBER.sub('{id}', _UUID.sub('{id}', path))}"


def _deprecation_value(raw: str | None) -> tuple[bool, dt.datetime | None]:
    if raw is None:
        return False, None
    text = raw.strip()
    if text.startswith("@"):
        try:
            return True, dt.datetime.fromtimestamp(int(text[1:]), dt.UTC)
        except (ValueError, OverflowError, OSError):
            return False, None
    if text.lower() == "true":
        return True, None
    since = _http_date(text)
    return since is not None, since


def _http_date(raw: str | None) -> dt.datetime | None:
    if raw is None or not raw.strip():
        return None
    try:
        when = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else None


def _deprecation_link(raw: str | None) -> str | None:
    """The target of a ``Link: <...>; rel="deprecation"`` (or ``sunset``), if any."""
    if not raw:
        return None
    for part in raw.split(","):
        target, _, params = part.partition(";")
        rels = re.findall(r'rel="?([^";]+)"?', params)
        if any(rel in {"deprecation", "sunset"} for r in rels for rel in r.split()):
            return target.strip().strip("<>") or None
    return None
