"""Response bodies assembled from stored wire documents without re-parsing them.

Records are validated once, when the store is built, and kept as their serialized wire JSON; a page is those
strings spliced into the envelope. Handlers still declare the response model that describes the result (OpenAPI,
and the tests validate every body against it).

A large page need not even be copied into its body: `render_parts` keeps it apart from the envelope around it, and
`PartsResponse` sends the parts one after another under one Content-Length. The server gathers a response's
writes into one vectored socket write (`emulator.coalesce`), so the client sees the same bytes in the same packets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from json.encoder import encode_basestring as encode_string  # C-accelerated; what dumps uses for ensure_ascii=False
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

# A spliced array at least this large is its own part of the body (`render_parts`): below it, copying it into the
# body costs less than sending one more part.
SPLICE_AT = 32 * 1024


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
    return b"".join(_pieces(body)[0])


def render_parts(body: dict[str, Any]) -> list[bytes]:
    """`render(body)` in consecutive parts: a spliced array of `SPLICE_AT` bytes or more is its own part, the
    remembered buffer itself (not copied), and what lies before, between and after such arrays is joined."""
    pieces, large = _pieces(body)
    parts: list[bytes] = []
    start = 0
    for at in large:  # never the first or last piece: a bracket is on either side
        parts += (b"".join(pieces[start:at]), pieces[at])
        start = at + 1
    parts.append(b"".join(pieces[start:]))
    return parts


def _pieces(body: dict[str, Any]) -> tuple[list[bytes], list[int]]:
    """The body's pieces in order, and where the spliced arrays of `SPLICE_AT` bytes or more are among them."""
    pieces: list[bytes] = []
    large: list[int] = []
    separator = b"{"
    for key, value in body.items():
        pieces += (separator, _key(key))
        separator = b","
        kind = type(value)
        if kind is RawArray:
            joined = value.joined()
            if len(joined) >= SPLICE_AT:
                large.append(len(pieces) + 1)
            pieces += (b"[", joined, b"]")
        elif kind is int:
            pieces.append(b"%d" % value)
        elif kind is dict:  # a page's counts: cheaper than an encoder
            try:
                pieces.append(render(value))
            except TypeError:  # a key that is no string (dumps writes it as one)
                pieces.append(dumps(value).encode())
        else:
            pieces.append(_scalar(value).encode())
    pieces.append(b"}" if pieces else b"{}")
    return pieces, large


@lru_cache(maxsize=1024)  # envelopes have a handful of keys
def _key(key: str) -> bytes:
    return (encode_string(key) + ":").encode()


def raw_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as Starlette's `Response` encodes them (names lowercased, latin-1), to be made once and reused."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class PartsResponse(Response):
    """A 200 whose body is `parts` (`render_parts`), each sent as it is, in one ASGI body message after another.
    Head and bytes are the ones `Response(b"".join(parts), 200, headers, media_type=...)` sends for a JSON media
    type: `head` (from `raw_headers`), then Content-Length and Content-Type."""

    def __init__(self, parts: list[bytes], head: list[tuple[bytes, bytes]], media_type: str) -> None:
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.parts = parts or [b""]
        length = b"%d" % sum(map(len, parts))
        self.raw_headers = [*head, (b"content-length", length), (b"content-type", media_type.encode("latin-1"))]

    @property
    def body(self) -> bytes:  # type: ignore[override]  # read-only: what the parts add up to (tests, debugging)
        return b"".join(self.parts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        last = len(self.parts) - 1
        for n, part in enumerate(self.parts):
            await send({"type": "http.response.body", "body": part, "more_body": n < last})
