"""trackagoat's own argument checks: its page size, TikTok handles and open-ended words.

They build on the checks both APIs share (:mod:`creatorsdk._resources.arguments`, where the
rules for optional arguments, clearing a PATCH field and dates are written down) and, like
them, raise ``ValueError`` naming the argument before any request.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MAX_PAGE_SIZE", "handle_arg", "token_arg"]

#: The largest ``limit`` every trackagoat list endpoint accepts; also our default page size.
MAX_PAGE_SIZE: Final = 100

# One query-string or body word: no spaces, control characters or commas (a comma would split
# a list parameter).
_TOKEN = re.compile(r"[^\s,\x00-\x1f\x7f]+")
# The documented handle rule: 1–30 letters, digits, dots, underscores or hyphens.
_HANDLE = re.compile(r"[A-Za-z0-9._-]{1,30}")
# A TikTok profile URL (any subdomain, optional scheme, query or fragment); group 1 is the handle.
_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*tiktok\.com/@([^/?#]*)/?(?:[?#].*)?", re.IGNORECASE
)


def handle_arg(name: str, value: object) -> str:
    """A TikTok handle as the API wants it: no ``@``, no profile URL around it.

    Accepts ``name``, ``@name`` and profile URLs such as
    ``https://www.tiktok.com/@name?lang=en``; the result must be 1–30 letters, digits,
    ``.``, ``_`` or ``-``.
    """
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a TikTok handle string, got {value!r}")
    text = value.strip()
    url = _PROFILE_URL.fullmatch(text)
    handle = url.group(1) if url else text.removeprefix("@")
    if not _HANDLE.fullmatch(handle):
        raise ValueError(
            f"{name} is not a valid TikTok handle: {value!r} (expected 1-30 letters, digits, "
            "'.', '_' or '-', optionally with a leading '@' or as a tiktok.com/@handle URL)"
        )
    return handle


def token_arg(name: str, value: object) -> str:
    """A word the server interprets (a metric, a rule type, a period): any non-empty string
    without spaces, control characters or commas. Values this SDK does not know are sent as
    they are, so a value the API adds later works without an SDK release; the server refuses
    what it does not know."""
    if not isinstance(value, str) or not _TOKEN.fullmatch(value):
        raise ValueError(f"{name} must be a non-empty word without spaces, got {value!r}")
    return value
