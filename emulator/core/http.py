"""Request plumbing shared by every vendor: the raw body (buffered by the edge), the query string parsed once,
and the deterministic request id."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.types import Scope

from emulator.core.ids import digest_uuid
from emulator.core.memo import Memo

BODY_KEY = "emulator.body"
# Set by the server protocol on a request that arrived on a connection beyond `max_connections` (the limit).
OVERLOADED_KEY = "emulator.overloaded"
# Set by the server protocol on a request whose target (path and query) is longer than MAX_URL bytes.
URL_TOO_LONG_KEY = "emulator.url_too_long"
# The longest request target served: what the HTTP parser's URL splitting takes (its offsets are 16 bits).
MAX_URL = 65535
# Request bodies beyond these are refused with 413 in the owner's envelope, never buffered past the limit.
MAX_BODY = 1 << 20
# Control-plane bodies carry whole datasets (record loads, snapshots).
MAX_CONTROL_BODY = 1 << 30
_SLASHES = re.compile(r"/{2,}")
# Query parameters that differ on every signed retry of the same call; left out of the request id digest.
VOLATILE_PARAMS = frozenset({"Signature", "SignatureNonce", "Timestamp"})
# The longest body of a request whose id (and verified signature) is remembered by its bytes.
MAX_REMEMBERED_BODY = 4096


def query_pairs(request: Request) -> list[tuple[str, str]]:
    """The decoded query string ('+' is a space, blank values kept), parsed once per request."""
    pairs: list[tuple[str, str]] | None = request.scope.get("emulator.query_pairs")
    if pairs is None:
        # Raw (unescaped) bytes are read as UTF-8, as clients that skip percent-encoding mean them.
        raw = request.scope["query_string"].decode("utf-8", "replace")
        pairs = request.scope["emulator.query_pairs"] = parse_form(raw)
    return pairs


def parse_form(raw: str) -> list[tuple[str, str]]:
    """`parse_qsl(raw, keep_blank_values=True)`: pairs split on `&`, a missing `=` meaning a blank value, `+` a
    space, percent-escapes decoded. Text with neither `%` nor `+` needs no decoding (most queries: ids, numbers,
    names), and is split directly at a third of parse_qsl's cost."""
    if "%" in raw or "+" in raw:
        return parse_qsl(raw, keep_blank_values=True)
    pairs = []
    for field in raw.split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((name, value))
    return pairs


def header(request: Request, name: str, default: str | None = None) -> str | None:
    """A request header's first value (`name` lowercase), read as Starlette's `request.headers` reads it (latin-1),
    from a map built once per request rather than by scanning the raw list on each look-up."""
    return header_map(request.scope).get(name, default)


def header_map(scope: Scope) -> dict[str, str]:
    """Header name -> its first value, both read as latin-1 (what `header` looks up), built once per request."""
    found: dict[str, str] | None = scope.get("emulator.headers")
    if found is None:
        found = {}
        for key, value in scope["headers"]:
            found.setdefault(key.decode("latin-1"), value.decode("latin-1"))
        scope["emulator.headers"] = found
    return found


def raw_body(request: Request) -> bytes:
    body: bytes = request.scope.get(BODY_KEY, b"")
    return body


def request_id(request: Request) -> uuid.UUID:
    """Stable per logical request: the same call answers with the same id, different calls differ."""
    scope = request.scope
    cached: uuid.UUID | None = scope.get("emulator.request_id")
    if cached is not None:
        return cached
    emu = request.app.state.emulator
    path = scope.get("root_path", "") + scope["path"]
    body = raw_body(request)

    def digest() -> uuid.UUID:
        # From the scope's own values (the query as parsed once per request), not Starlette's URL and QueryParams
        # objects, which would parse the request again.
        query = sorted((k, v) for k, v in query_pairs(request) if k not in VOLATILE_PARAMS)
        return digest_uuid(emu.seed, [scope["method"], path, json.dumps(query), body])

    # The same request bytes give the same id: clients repeat their calls, so the digest is remembered.
    remembered: Memo[tuple[object, ...], uuid.UUID] = emu.request_ids
    if len(body) <= MAX_REMEMBERED_BODY:
        cached = remembered.get_or((emu.seed, scope["method"], path, scope["query_string"], body), digest)
    else:
        cached = digest()
    scope["emulator.request_id"] = cached
    return cached


def routing_key(path: str) -> str:
    """A path as a gateway picks the party that owns it: repeated slashes collapsed, case folded. Only ownership
    (whose envelope an unrouted request gets) reads it; routes still match the exact path."""
    return _SLASHES.sub("/", path).lower()
