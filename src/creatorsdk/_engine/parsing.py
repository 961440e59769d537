"""Response bytes → Python values: strict JSON, the same with or without the speedups extra.

The stdlib parser accepts the non-standard tokens ``NaN``, ``Infinity`` and ``-Infinity`` by
default, which would put a NaN into a view count; a body carrying them is not JSON (RFC 8259),
so they are refused here and the engine raises ``MalformedResponseError`` for it, as for any
body that is not JSON. With the ``speedups`` extra msgspec parses first; whatever it refuses
goes to the stdlib, which decides, so both accept the same bodies and give the same values.
(orjson is not used: it turns integers beyond 64 bits into floats, changing their value.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn

from creatorsdk._engine import speedups

__all__ = ["NotJSONNumber", "parse_json", "parse_json_stdlib", "use_msgspec"]


class NotJSONNumber(ValueError):
    """A body with ``NaN``, ``Infinity`` or ``-Infinity``: served whole, but not JSON."""

    def __init__(self, token: str) -> None:
        self.token = token
        super().__init__(f"{token} is not a JSON value")


def _refuse_constant(name: str) -> NoReturn:
    raise NotJSONNumber(name)


_STRICT = json.JSONDecoder(parse_constant=_refuse_constant)
_fast: Callable[[bytes], Any] | None = None


def parse_json_stdlib(body: bytes) -> Any:
    """``json.loads(body)`` without ``NaN``/``Infinity``: ``ValueError`` for a body that is
    not JSON, ``RecursionError`` for one nested too deep."""
    # What json.loads does with bytes (UTF-8/16/32 detection), with the strict decoder.
    return _STRICT.decode(body.decode(json.detect_encoding(body), "surrogatepass"))


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``; raises like :func:`parse_json_stdlib`."""
    fast = _fast
    if fast is not None:
        try:
            return fast(body)
        except Exception:  # the stdlib decides: the same value or the same error
            pass
    return parse_json_stdlib(body)


_fast_parsers: dict[ModuleType, Callable[[bytes], Any]] = {}


def use_msgspec(msgspec: ModuleType | None) -> None:
    """Parse with ``msgspec`` first (``None``: the stdlib only)."""
    global _fast
    if msgspec is not None and msgspec not in _fast_parsers:
        _fast_parsers[msgspec] = msgspec.json.Decoder().decode
    _fast = None if msgspec is None else _fast_parsers[msgspec]


use_msgspec(speedups.installed())
