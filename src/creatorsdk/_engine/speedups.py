"""The optional ``speedups`` extra: msgspec parses bodies and decodes models when installed.

Both paths give equal models and equal errors (the differential tests hold them to it); the
extra changes only speed. :func:`use` switches it off (or back on) for the whole process.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MIN_MSGSPEC", "installed", "use"]

#: The oldest msgspec the fast paths rely on (``structs.astuple``, ``defstruct(rename=...)``).
MIN_MSGSPEC = (0, 18)


def installed() -> ModuleType | None:
    """msgspec when it is importable and recent enough, else ``None``."""
    try:
        msgspec = importlib.import_module("msgspec")
    except ImportError:
        return None
    try:
        version = tuple(int(part) for part in msgspec.__version__.split(".")[:2])
    except (AttributeError, ValueError):
        return None
    return msgspec if version >= MIN_MSGSPEC else None


def use(enabled: bool = True) -> bool:
    """Use the extra (when installed) or not; ``True`` when it is now in use."""
    # Imported here: both modules import this one to pick their default.
    from creatorsdk._engine import decoding, parsing

    msgspec = installed() if enabled else None
    parsing.use_msgspec(msgspec)
    decoding.use_msgspec(msgspec)
    return msgspec is not None
