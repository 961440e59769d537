"""The API key: checked once, then kept only inside the object that writes the auth header.

:func:`checked_api_key` is pure: it refuses a key that cannot travel in an HTTP header, with a
message that says where and what is wrong but never shows the key. :class:`BearerAuth` holds
the accepted key privately (no repr, no str, no pickling) and adds it to each request as it is
sent, so the key is not in the client's headers, attributes or any error text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Generator
from typing import NoReturn

import httpx

from creatorsdk import errors

__all__ = ["BearerAuth", "SealedKey", "checked_api_key", "sealed"]

#: What a key may hold: visible ASCII (a bearer token is letters, digits and ``-._~+/=``).
_FIRST_VISIBLE, _LAST_VISIBLE = "\x21", "\x7e"

_RULE = (
    "an API key is visible ASCII only (no spaces, tabs, line breaks, control characters "
    "or non-ASCII characters such as a zero-width or non-breaking space pasted with it)"
)


class SealedKey(str):
    """A key as a ``str`` whose repr is redacted, from the moment it enters the SDK.

    Error trackers that record frame locals (Sentry, ``TracebackException(...,
    capture_locals=True)``) show each local's repr: a constructor that fails on another
    argument must not hand them the key. The text is still the key where a header needs it.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<redacted API key>'"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("an API key cannot be pickled or copied")


def sealed(key: object) -> object:
    """``key`` as a :class:`SealedKey` when it is a string; anything else as it is."""
    return SealedKey(key) if isinstance(key, str) and not isinstance(key, SealedKey) else key


def checked_api_key(key: object, *, name: str = "api_key") -> str:
    """``key`` when it can be sent as a bearer token; else a ``ValueError`` naming ``name``.

    The message gives the position and the kind of the first offending character, never the
    key itself.
    """
    if not isinstance(key, str):
        raise errors.InvalidArgumentError(f"{name} must be a str, got {type(key).__name__}")
    if not key:
        raise errors.InvalidArgumentError(f"{name} is empty")
    for position, char in enumerate(key, start=1):
        if not _FIRST_VISIBLE <= char <= _LAST_VISIBLE:
            raise errors.InvalidArgumentError(
                f"{name} has {_kind_of(char)} at position {position}; {_RULE}; "
                "the key itself is not shown"
            )
    return key


def _kind_of(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char == " ":
        return "a space"
    if char == "\t":
        return "a tab"
    if char in "\r\n":
        return f"a line break ({code})"
    if char < " " or char == "\x7f":
        return f"a control character ({code})"
    # The name of a character that is not ASCII (ZERO WIDTH SPACE, NO-BREAK SPACE) tells the
    # reader which paste artefact to look for; it cannot be part of a real key.
    label = unicodedata.name(char, "")
    return f"a non-ASCII character ({code} {label})" if label else f"a non-ASCII character ({code})"


class BearerAuth(httpx.Auth):
    """Sends ``Authorization: Bearer <key>`` with every request, and shows the key nowhere.

    Its repr and str are redacted and it refuses to be pickled or copied, so neither a
    debugger, an error tracker recording frame locals nor a process pool can carry the key
    off. Build it from a key :func:`checked_api_key` accepted.
    """

    __slots__ = ("__header",)

    def __init__(self, key: str) -> None:
        self.__header = f"Bearer {checked_api_key(key)}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the header to ``request`` (httpx calls this for every request it sends)."""
        request.headers["Authorization"] = self.__header
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"

    __str__ = __repr__

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("BearerAuth holds an API key and cannot be pickled or copied")
