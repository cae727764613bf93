"""What every Fixie answer carries: JSON, and the CORS headers browser apps (`useFixie`, `fixie-web`) need, since
they call the API cross-origin. CORS lives here and in the router's preflight route, not in app-wide middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import Request, Response

from emulator.core.errors import error
from emulator.core.wirejson import PartsResponse, raw_headers, render_parts
from emulator.vendors.fixie import errors as E

CONTENT_TYPE = "application/json"
# A handler body holding only this key is one stored wire document, served byte for byte as it is stored.
DOCUMENT = "$document"

# No cookies are involved (the client sends a Bearer header), so "*" suffices even for requests with a key.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # Start Conversation answers with it; the 1.x/2.x clients and the voice demo read it from the browser.
    "Access-Control-Expose-Headers": "X-Fixie-Conversation-Id",
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    # The methods the Fixie API uses, so a browser sees the emulator's own 405 rather than a CORS failure.
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
}


# Every success answer's own headers, encoded once.
SUCCESS_HEAD = raw_headers(CORS_HEADERS)


def respond(request: Request, body: dict[str, Any]) -> Response:
    # A page of conversations is sent as its remembered buffer between the envelope's parts, not copied into one.
    parts = [body[DOCUMENT].encode()] if DOCUMENT in body else render_parts(body)
    return PartsResponse(parts, SUCCESS_HEAD, CONTENT_TYPE)


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers=PREFLIGHT_HEADERS)


def refuse(methods: Iterable[str]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint for every other method on a path: 405 with `Allow` naming the path's own methods."""
    allow = ", ".join([*sorted(set(methods)), "OPTIONS"])

    async def refused(request: Request) -> Response:
        raise error(E.METHOD_NOT_ALLOWED, headers={"Allow": allow})

    return refused
