"""One journal entry: what a client sent and what it got, with secrets and signatures cut to their first characters.

Access key ids stay whole (they name the caller and are not secret); signatures, tokens and API keys keep enough to
recognise them. Bodies are kept up to `BODY_CAP` bytes; form bodies are redacted like query strings.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import Scope

from emulator.core.request_context import RequestContext

BODY_CAP = 4096
KEEP = 6  # characters of a secret left visible
SECRET_HEADERS = frozenset({"x-auth-token", "x-security-token", "x-acs-security-token", "cookie"})
SECRET_PARAMS = frozenset({"Signature", "SecurityToken", "AccessKeySecret", "BearerToken"})
# Request-id headers the vendors answer with: the journal shows the id the client saw.
REQUEST_ID_HEADERS = (b"x-acs-request-id", b"x-request-id")
_SIGNATURE = re.compile(r"(Signature=)([^,\s]*)")


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


def journal_entry(
    scope: Scope,
    body: bytes,
    ctx: RequestContext,
    status: int | None,
    response_headers: list[tuple[bytes, bytes]],
    time: str,
) -> dict[str, Any]:
    headers: dict[str, str] = {}
    content_type = ""
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("utf-8", "replace")
        if name == "content-type":
            content_type = value
        if name == "authorization":
            value = redact_authorization(value)
        elif name in SECRET_HEADERS:
            value = redact(value)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query = redact_pairs(parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True))
    text = body[:BODY_CAP].decode("utf-8", "replace")
    if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        text = urlencode(redact_pairs(parse_qsl(text, keep_blank_values=True)))
    request_id = next((v.decode("latin-1") for k, v in response_headers if k.lower() in REQUEST_ID_HEADERS), None)
    return {
        "time": time,
        "method": scope["method"],
        "path": scope["path"],
        "query": dict(query),
        "headers": headers,
        "body": text,
        "body_size": len(body),
        "vendor": ctx.owner,
        "operation": ctx.operation,
        "tenant": ctx.tenant,
        "status": status,
        "code": ctx.code,
        "auth": ctx.auth,
        "fault": ctx.fault,
        "request_id": request_id,
    }
