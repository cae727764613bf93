"""Response bodies assembled from stored wire documents without re-parsing them.

Records are validated once, when the store is built, and kept as their serialized wire JSON; a page is those
strings spliced into the envelope. Handlers still declare the response model that describes the result (OpenAPI,
and the tests validate every body against it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from json.encoder import encode_basestring as encode_string  # C-accelerated; what dumps uses for ensure_ascii=False
from typing import Any


class Docs(tuple[bytes, ...]):
    """Serialized JSON documents (UTF-8, as the store holds them), read together: a page. The store remembers a
    page between writes, and with it its comma-joined form, so a repeated call splices the page in whole rather
    than joining it again (a page of Fixie conversations is 100 KB)."""

    @cached_property
    def joined(self) -> bytes:
        return b",".join(self)


@dataclass(frozen=True)
class RawArray:
    """A JSON array whose elements are already-serialized JSON documents (UTF-8, as the store holds them)."""

    items: Sequence[bytes]

    def joined(self) -> bytes:
        items = self.items
        return items.joined if type(items) is Docs else b",".join(items)


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
    everything else JSON-encoded (an object of string keys the same way, as `dumps` would). One join builds the
    body."""
    parts: list[bytes] = []
    separator = b"{"
    for key, value in body.items():
        parts += (separator, _key(key))
        separator = b","
        kind = type(value)
        if kind is RawArray:
            parts += (b"[", value.joined(), b"]")
        elif kind is int:
            parts.append(b"%d" % value)
        elif kind is dict and all(type(k) is str for k in value):  # a page's counts: cheaper than an encoder
            parts.append(render(value))
        else:
            parts.append(_scalar(value).encode())
    parts.append(b"}" if parts else b"{}")
    return b"".join(parts)


@lru_cache(maxsize=1024)  # envelopes have a handful of keys
def _key(key: str) -> bytes:
    return (encode_string(key) + ":").encode()
