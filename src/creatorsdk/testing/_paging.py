"""What both fakes' cursor pagination shares: opaque cursors bound to the listing they were
issued for, and when the ``empty_page`` fault empties a page.

A cursor is base64url (unpadded) of a small JSON object; each API decides its fields. The
fingerprint of a listing (its endpoint, filters and sort) goes in the cursor, so a cursor used
with other filters is refused instead of silently skipping or repeating items.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from creatorsdk.testing._faults import FaultTicket

__all__ = ["decode_cursor", "empties_page", "encode_cursor", "listing_fingerprint"]


def listing_fingerprint(*parts: Any, digest_size: int) -> str:
    """A short hex digest of ``parts`` (JSON-able, dict keys in any order)."""
    canonical = json.dumps(list(parts), sort_keys=True)
    return hashlib.blake2b(canonical.encode(), digest_size=digest_size).hexdigest()


def encode_cursor(payload: Mapping[str, Any]) -> str:
    """An opaque cursor carrying ``payload``."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The payload of a cursor from :func:`encode_cursor`; :class:`ValueError` when it is not
    base64url JSON (checking its fields is the caller's job)."""
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def empties_page(fault: FaultTicket | None, *, was_emptied: bool) -> bool:
    """Whether this page is served empty by the ``empty_page`` fault (which is then counted).

    A page asked for with the cursor of an emptied page is always served, so a listing always
    advances.
    """
    if fault is None or fault.kind != "empty_page" or was_emptied:
        return False
    fault.applied()
    return True
