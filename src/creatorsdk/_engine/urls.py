"""What a URL can carry: a query too long for it is refused as the SDK's error, not httpx's.

httpx raises a bare ``httpx.InvalidURL`` for a URL component over 65,536 characters. The
engine checks the query first, so a caller's over-long argument is a ``ValueError`` naming the
parameter, before the network; the pager turns it into a ``DecodeError`` when it was the
server's cursor that made the query too long.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

__all__ = ["QUERY_MAX_CHARS", "QueryTooLongError", "checked_query"]

#: The longest query httpx sends (its limit on any one URL component).
QUERY_MAX_CHARS = 65_536

#: Percent-encoding turns one character into at most 12 (4 UTF-8 bytes, 3 characters each):
#: a query whose raw text is shorter than this cannot be too long once encoded.
_SURELY_SHORT = QUERY_MAX_CHARS // 12


class QueryTooLongError(ValueError):
    """A query string longer than a URL can carry; ``parameter`` is its longest parameter."""

    def __init__(self, length: int, parameter: str, parameter_length: int) -> None:
        self.length = length
        self.parameter = parameter
        super().__init__(
            f"{parameter} is too long: the query string would be {length:,} characters, "
            f"more than the {QUERY_MAX_CHARS:,} a URL can carry ({parameter} alone is "
            f"{parameter_length:,})"
        )


def checked_query(query: Mapping[str, Any]) -> Mapping[str, Any]:
    """``query`` when its encoded form fits in a URL, else :class:`QueryTooLongError`."""
    sizes = {name: len(name) + _raw_length(value) for name, value in query.items()}
    if sum(sizes.values()) <= _SURELY_SHORT:
        return query
    length = len(str(httpx.QueryParams(query)))
    if length <= QUERY_MAX_CHARS:
        return query
    longest = max(sizes, key=sizes.__getitem__)
    raise QueryTooLongError(length, longest, sizes[longest] - len(longest))


def _raw_length(value: object) -> int:
    if isinstance(value, list | tuple):
        return sum(len(str(item)) + 1 for item in value)
    return len(str(value))
