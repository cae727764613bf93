"""Response bodies assembled from stored wire documents without re-parsing them.

Records are validated once, when the store is built, and kept as their serialized wire JSON; a page is those
strings spliced into the envelope. Handlers still declare the response model that describes the result (OpenAPI,
and the tests validate every body against it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from json.encoder import encode_basestring as encode_string  # C-accelerated; what dumps uses for ensure_ascii=False
from typing import Any


@dataclass(frozen=True)
class RawArray:
    """A JSON array whose elements are already-serialized JSON documents (UTF-8, as the store holds them)."""

    items: list[bytes]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _scalar(value: Any) -> str:
    """A top-level value as JSON: the common scalars directly (a page's counts and ids), the rest by `dumps`."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return encode_string(value)
    if kind is bool:
        return "true" if value else "false"
    return dumps(value)


def render(body: dict[str, Any]) -> bytes:
    """Top-level keys in the given order; RawArray values spliced in as bytes (never decoded and encoded again),
    everything else JSON-encoded. One join builds the body."""
    parts: list[bytes] = []
    for key, value in body.items():
        parts.append((encode_string(key) + ":").encode())
        if isinstance(value, RawArray):
            parts += (b"[", b",".join(value.items), b"]")
        else:
            parts.append(_scalar(value).encode())
        parts.append(b",")
    if parts:
        parts.pop()  # the last comma
    return b"".join((b"{", *parts, b"}"))
