"""Response bodies assembled from stored wire documents without re-parsing them.

Records are validated once, when the store is built, and kept as their serialized wire JSON; a page is those
strings spliced into the envelope. Handlers still declare the response model that describes the result (OpenAPI,
and the tests validate every body against it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RawArray:
    """A JSON array whose elements are already-serialized JSON documents."""

    items: list[str]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(body: dict[str, Any]) -> bytes:
    """Top-level keys in the given order; RawArray values spliced in, everything else JSON-encoded."""
    parts = []
    for key, value in body.items():
        encoded = "[" + ",".join(value.items) + "]" if isinstance(value, RawArray) else dumps(value)
        parts.append(f"{dumps(key)}:{encoded}")
    return ("{" + ",".join(parts) + "}").encode()
