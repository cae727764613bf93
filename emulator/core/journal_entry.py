"""Journal entries: what a request brought and what it got, stored raw by the edge and built here when read, with
secrets and signatures cut to their first characters.

Access key ids stay whole (they name the caller and are not secret); signatures, tokens and API keys keep enough to
recognise them. Bodies are kept up to `BODY_CAP` bytes; form bodies are redacted like query strings.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import Scope

from emulator.core.clock import rfc3339
from emulator.core.request_context import RequestContext

BODY_CAP = 4096
KEEP = 6  # characters of a secret left visible
SECRET_HEADERS = frozenset({"x-auth-token", "x-security-token", "x-acs-security-token", "cookie"})
SECRET_PARAMS = frozenset({"Signature", "SecurityToken", "AccessKeySecret", "BearerToken"})
# Request-id headers the vendors answer with: the journal shows the id the client saw.
REQUEST_ID_HEADERS = (b"x-acs-request-id", b"x-request-id")
FORM = "application/x-www-form-urlencoded"
_SIGNATURE = re.compile(r"(Signature=)([^,\s]*)")


def raw_row(
    scope: Scope,
    body: bytes,
    ctx: RequestContext,
    status: int | None,
    response_headers: list[tuple[bytes, bytes]],
    ms: int,
    duration_ms: float,
) -> tuple[Any, ...]:
    """The journal row of one request, in `Journal.COLUMNS` order: as little work as possible per request. The
    headers stay the server's list (nothing changes it after the request) until the row is written
    (`header_blob`): a row that falls out of the window unread is never joined at all."""
    headers = scope["headers"]
    request_id = next((v.decode("latin-1") for k, v in response_headers if k.lower() in REQUEST_ID_HEADERS), None)
    return (
        ms, ctx.owner, ctx.operation, ctx.tenant, status, ctx.code, ctx.auth, ctx.fault, scope["method"],
        scope["path"], scope["query_string"], headers, body[:BODY_CAP], len(body), request_id, duration_ms,
    )  # fmt: skip


def header_blob(headers: list[tuple[bytes, bytes]]) -> bytes:
    """How a row's request headers are stored: `name:value` lines."""
    return b"\n".join(name + b":" + value for name, value in headers)


def entry(id_: int, row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as the journal answers it."""
    headers: dict[str, str] = {}
    for line in bytes(row["headers"]).split(b"\n") if row["headers"] else []:
        raw_name, _, raw_value = line.partition(b":")
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("utf-8", "replace")
        if name == "authorization":
            value = redact_authorization(value)
        elif name in SECRET_HEADERS:
            value = redact(value)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query = redact_pairs(parse_qsl(bytes(row["query"]).decode("utf-8", "replace"), keep_blank_values=True))
    text = bytes(row["body"]).decode("utf-8", "replace")
    if headers.get("content-type", "").split(";")[0].strip().lower() == FORM:
        text = urlencode(redact_pairs(parse_qsl(text, keep_blank_values=True)))
    return {
        "id": id_,
        "time": rfc3339(row["ms"] / 1000),
        "ms": row["ms"],
        "method": row["method"],
        "path": row["path"],
        "query": dict(query),
        "headers": headers,
        "body": text,
        "body_size": row["body_size"],
        "vendor": row["vendor"],
        "operation": row["operation"],
        "tenant": row["tenant"],
        "status": row["status"],
        "code": row["code"],
        "auth": row["auth"],
        "fault": row["fault"],
        "request_id": row["request_id"],
        "duration_ms": row["duration_ms"],
    }


def redact(value: str) -> str:
    return value if len(value) <= KEEP else value[:KEEP] + "..."


def redact_authorization(value: str) -> str:
    """Signed schemes keep their credential and signed headers, not the signature; token schemes keep a prefix."""
    if "Signature=" in value:
        return _SIGNATURE.sub(lambda m: m.group(1) + redact(m.group(2)), value)
    scheme, _, token = value.partition(" ")
    return f"{scheme} {redact(token)}" if token else redact(scheme)


def redact_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, redact(v) if k in SECRET_PARAMS else v) for k, v in pairs]
