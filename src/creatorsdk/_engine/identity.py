"""The ``User-Agent`` every request carries: SDK, Python, platform, and the caller's app."""

from __future__ import annotations

import platform
import re

import httpx

from creatorsdk._version import __version__

__all__ = ["user_agent"]

# RFC 9110 product tokens: "name/version", each a run of tchars (no spaces, no separators).
_PRODUCT = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:/[!#$%&'*+.^_`|~0-9A-Za-z-]+)?")


def user_agent(app_info: str | None = None) -> str:
    """``creatorsdk/<version> (Python <x.y.z>; <system> <machine>) httpx/<v>``, then the app.

    ``app_info`` is one or more product tokens such as ``"ingest-job/2.1"`` naming the
    application, so the API's operators can tell its traffic apart.
    """
    agent = (
        f"creatorsdk/{__version__} (Python {platform.python_version()}; "
        f"{platform.system() or 'unknown'} {platform.machine() or 'unknown'}) "
        f"httpx/{httpx.__version__}"
    )
    if app_info is None:
        return agent
    return f"{app_info_arg(app_info)} {agent}"


def app_info_arg(value: object) -> str:
    """``app_info`` as given, when it is space-separated ``name/version`` product tokens."""
    tokens = value.split(" ") if isinstance(value, str) else None
    if not tokens or not all(_PRODUCT.fullmatch(token) for token in tokens):
        raise ValueError(
            "app_info must be product tokens such as 'my-app/1.2' (letters, digits and "
            f"!#$%&'*+.^_`|~- with an optional /version, separated by spaces), got {value!r}"
        )
    return str(value)
