"""Request plumbing shared by every vendor: the raw body (buffered by the edge), the query string parsed once,
and the deterministic request id."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qsl

from fastapi import Request

from emulator.core.ids import digest_uuid

BODY_KEY = "emulator.body"
# Set by the server protocol on a request that arrived on a connection beyond `max_connections` (the limit).
OVERLOADED_KEY = "emulator.overloaded"
# Request bodies beyond these are refused with 413 in the owner's envelope, never buffered past the limit.
MAX_BODY = 1 << 20
# Control-plane bodies carry whole datasets (record loads, snapshots).
MAX_CONTROL_BODY = 1 << 30
_SLASHES = re.compile(r"/{2,}")
# Query parameters that differ on every signed retry of the same call; left out of the request id digest.
VOLATILE_PARAMS = frozenset({"Signature", "SignatureNonce", "Timestamp"})


def query_pairs(request: Request) -> list[tuple[str, str]]:
    """The decoded query string ('+' is a space, blank values kept), parsed once per request."""
    pairs: list[tuple[str, str]] | None = request.scope.get("emulator.query_pairs")
    if pairs is None:
        # Raw (unescaped) bytes are read as UTF-8, as clients that skip percent-encoding mean them.
        raw = request.scope["query_string"].decode("utf-8", "replace")
        pairs = request.scope["emulator.query_pairs"] = parse_qsl(raw, keep_blank_values=True)
    return pairs


def raw_body(request: Request) -> bytes:
    body: bytes = request.scope.get(BODY_KEY, b"")
    return body


def request_id(request: Request) -> uuid.UUID:
    """Stable per logical request: the same call answers with the same id, different calls differ."""
    cached: uuid.UUID | None = request.scope.get("emulator.request_id")
    if cached is None:
        seed = request.app.state.emulator.seed
        # From the scope's own values (the query as parsed once per request), not Starlette's URL and QueryParams
        # objects, which would parse the request again.
        scope = request.scope
        query = sorted((k, v) for k, v in query_pairs(request) if k not in VOLATILE_PARAMS)
        path = scope.get("root_path", "") + scope["path"]
        parts: list[str | bytes] = [scope["method"], path, json.dumps(query), raw_body(request)]
        cached = request.scope["emulator.request_id"] = digest_uuid(seed, parts)
    return cached


def routing_key(path: str) -> str:
    """A path as a gateway picks the party that owns it: repeated slashes collapsed, case folded. Only ownership
    (whose envelope an unrouted request gets) reads it; routes still match the exact path."""
    return _SLASHES.sub("/", path).lower()
