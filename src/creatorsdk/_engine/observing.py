"""What a client reports about its work: hooks for tracing and metrics, and its log lines.

Every logical call gets a :class:`CallInfo`; each attempt, response, retry and pacer wait is
reported to the client's :class:`Hooks` (plain callables, run inline, so keep them cheap) and
to the ``creatorsdk`` logger: DEBUG per attempt, INFO per retry and per pacer wait over a
second. ``CREATORSDK_LOG=info|debug`` turns that logger on without code.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, Final

import attrs

from creatorsdk._engine.pacing import RateLimit
from creatorsdk.errors import InvalidArgumentError

__all__ = [
    "CallInfo",
    "Hooks",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "WaitEvent",
    "configure_logging_from_env",
]

logger = logging.getLogger("creatorsdk")

#: Pacer waits at least this long are logged at INFO (shorter ones are routine pacing).
LOGGED_WAIT: Final = 1.0

_call_ids = itertools.count(1)


@attrs.frozen
class CallInfo:
    """One logical call (all its attempts): method, path, URL (no query), a process-unique id."""

    method: str
    path: str
    url: str
    id: int = attrs.field(factory=lambda: next(_call_ids))


@attrs.frozen
class RequestEvent:
    """An attempt about to be sent (after the pacer let it go)."""

    call: CallInfo
    attempt: int


@attrs.frozen
class ResponseEvent:
    """An attempt's response, success or error status; ``elapsed`` includes the pacer wait."""

    call: CallInfo
    attempt: int
    status: int
    elapsed: float
    request_id: str | None
    rate_limit: RateLimit | None


@attrs.frozen
class RetryEvent:
    """An attempt failed and the call will try again after ``wait`` seconds."""

    call: CallInfo
    attempt: int
    error: BaseException
    wait: float


@attrs.frozen
class WaitEvent:
    """The pacer held a sender: ``reason`` is ``"rate_limit"`` (after a 429) or ``"pacing"``."""

    call: CallInfo
    seconds: float
    reason: str


def _a_hook(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Refused when built: a hook that is not callable would only fail, logged and ignored,
    # on every call.
    if value is not None and not callable(value):
        raise InvalidArgumentError(f"Hooks.{attribute.name} must be callable, got {value!r}")


@attrs.frozen
class Hooks:
    """Callbacks a client runs as it works; any left ``None`` costs nothing.

    ``on_start`` and ``on_end`` run once per logical call, ``on_end`` with the error the call
    raises (``None`` on success); the others run per attempt, retry and pacer wait.
    A hook that raises is logged and ignored: observing must never break a call.
    """

    on_start: Callable[[CallInfo], None] | None = attrs.field(default=None, validator=_a_hook)
    on_request: Callable[[RequestEvent], None] | None = attrs.field(default=None, validator=_a_hook)
    on_response: Callable[[ResponseEvent], None] | None = attrs.field(
        default=None, validator=_a_hook
    )
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(default=None, validator=_a_hook)
    on_wait: Callable[[WaitEvent], None] | None = attrs.field(default=None, validator=_a_hook)
    on_end: Callable[[CallInfo, BaseException | None], None] | None = attrs.field(
        default=None, validator=_a_hook
    )

    def __or__(self, other: Hooks) -> Hooks:
        """Both sets of hooks, ``self``'s first (e.g. metrics | tracing)."""
        return Hooks(
            **{
                name: _both(getattr(self, name), getattr(other, name))
                for name in attrs.fields_dict(Hooks)
            }
        )


def _both(first: Callable[..., None] | None, second: Callable[..., None] | None) -> Any:
    if first is None or second is None:
        return first or second

    def run_both(*args: object) -> None:
        first(*args)
        second(*args)

    return run_both


def run_hook(hook: Callable[..., None] | None, *args: object) -> None:
    """Run one hook; its failure is logged, never raised into the call."""
    if hook is None:
        return
    try:
        hook(*args)
    except Exception:
        logger.exception("creatorsdk hook %r raised; ignored", hook)


def configure_logging_from_env(environ: dict[str, str] | None = None) -> None:
    """Send the ``creatorsdk`` logger to stderr at the level ``$CREATORSDK_LOG`` names.

    ``info`` or ``debug`` (any case); anything else, or nothing, leaves logging alone.
    Called once at import; a handler already attached by the application is kept.
    """
    level_name = (environ if environ is not None else os.environ).get("CREATORSDK_LOG", "")
    level = {"info": logging.INFO, "debug": logging.DEBUG}.get(level_name.strip().lower())
    if level is None:
        return
    logger.setLevel(level)
    if not any(getattr(h, "_creatorsdk_env", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        handler._creatorsdk_env = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
