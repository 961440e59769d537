"""Bodies as both fakes write them: compact UTF-8 JSON."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dump"]


def dump(payload: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
