"""The ASGI edge: the one place every request passes, 404s, 405s and 500s included.

It sits outside Starlette's own error middleware, so it sees every answer as the client does. Per request it
- picks up other workers' state changes (`Emulator.sync`);
- refuses, in the owner's envelope, a request on a connection over the server's limit (busy), one naming a foreign
  Host on loopback (421, `hosts.py`), and a body over the limit (413, never buffered past it);
- buffers the (small) body into the scope, so auth, handlers and error renderers all read it; a body that stalls
  longer than `body_timeout_seconds` between reads gets no answer: the connection is closed;
- answers a WebSocket upgrade with the owner's 404 as a plain HTTP response (the ASGI `websocket.http.response`
  extension), since no vendor path takes WebSockets;
- creates the `RequestContext` the pipeline fills in (operation, tenant, auth verdict, fault);
- carries out connection-level faults (a reset or closed connection, no answer) and garbles a malformed answer;
- journals the request with what it answered, and logs its line (`request_log`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import struct
import time
from enum import Enum
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core.errors import VendorError
from emulator.core.hosts import HostPolicy
from emulator.core.http import BODY_KEY, MAX_BODY, MAX_CONTROL_BODY, OVERLOADED_KEY, URL_TOO_LONG_KEY
from emulator.core.journal_entry import raw_row
from emulator.core.request_context import SCOPE_KEY, RequestContext
from emulator.core.request_log import level_of, log_request

if TYPE_CHECKING:
    from emulator.core.context import Emulator
    from emulator.core.vendor import ErrorDialect

log = logging.getLogger("emulator")


class BodyRead(Enum):
    """Why a request body was not read: the client left, it stalled, or it went over the limit."""

    DISCONNECTED = "disconnected"
    TIMED_OUT = "timed_out"
    TOO_LARGE = "too_large"


class RequestTap:
    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu
        self.hosts = HostPolicy(emu.settings.allowed_hosts, emu.settings.host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        emu = self.emu
        emu.sync()
        owner = emu.dialect_for(scope["path"])
        ctx = scope[SCOPE_KEY] = RequestContext(owner=owner.name)
        answer = Answer(send, ctx)
        limit = MAX_CONTROL_BODY if owner is emu.control_plane else MAX_BODY
        body = b""
        refusal = self.refusal(scope, owner, limit)
        if refusal is None:
            read = await read_body(receive, limit, emu.settings.body_timeout_seconds, expects_body(scope))
            if read is BodyRead.DISCONNECTED:
                return  # the client went away before sending its request
            if read is BodyRead.TIMED_OUT:
                ctx.connection = "close"  # no answer, as nginx does on its body timeout
            elif read is BodyRead.TOO_LARGE:
                refusal = owner.too_large(limit)
            else:
                body = read
        scope[BODY_KEY] = body
        if refusal is not None:
            await answer_error(owner, refusal, scope, receive, answer.send)
        elif ctx.connection is None:
            await self.run_app(owner, scope, _replay(body, receive), answer)
        if ctx.connection is not None:
            await drop_connection(send, ctx.connection)
        self.journal(owner, scope, body, ctx, answer)

    def refusal(self, scope: Scope, owner: ErrorDialect, limit: int) -> VendorError | None:
        """What the edge answers without reading the body or running a route, if anything."""
        overloaded = scope.get(OVERLOADED_KEY)
        if overloaded is not None:
            err = owner.overloaded(int(overloaded))
            err.headers["Connection"] = "close"  # frees the connection slot
            return err
        host = self.hosts.refused_host(scope)
        if host is not None:
            return owner.misdirected(host)
        too_long = scope.get(URL_TOO_LONG_KEY)
        if too_long is not None:
            return owner.uri_too_long(int(too_long))
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        if declared.isdigit() and int(declared) > limit:
            # Refused before reading a byte (and before `100 Continue`); uvicorn discards what the client still sends.
            return owner.too_large(limit)
        return None

    async def run_app(self, owner: ErrorDialect, scope: Scope, receive: Receive, answer: Answer) -> None:
        try:
            await self.app(scope, receive, answer.send)
        except Exception as exc:
            # The app's internal-error handler (run by Starlette's error middleware, inside this tap) has logged it
            # and answered in the owner's envelope; Starlette re-raises only for the server's sake. If nothing was
            # answered (the handler itself failed), answer here.
            if not answer.started:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
                await answer_error(owner, owner.internal_error(), scope, receive, answer.send)

    def journal(self, owner: ErrorDialect, scope: Scope, body: bytes, ctx: RequestContext, answer: Answer) -> None:
        """Journal the request (not the control plane's) and log its line, which names the entry's id."""
        emu = self.emu
        control_plane = owner is emu.control_plane
        journaled = not control_plane and emu.journal.enabled
        level = level_of(control_plane)
        logged = log.isEnabledFor(level)
        if not (journaled or logged):
            return
        duration_ms = round((time.perf_counter() - ctx.started) * 1000, 3)
        entry_id = None
        if journaled:
            row = raw_row(scope, body, ctx, answer.status, answer.headers, int(emu.now() * 1000), duration_ms)
            entry_id = emu.journal.record(row)
        if logged:
            log_request(level, scope, ctx, answer.status, answer.headers, duration_ms, entry_id)

    async def websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """No vendor path takes WebSockets: answer the upgrade with the owner's 404 (or 421 for a foreign Host) as
        an HTTP response where the server supports that, else refuse it (uvicorn then answers an empty 403)."""
        if (await receive())["type"] != "websocket.connect":
            return
        self.emu.sync()
        owner = self.emu.dialect_for(scope["path"])
        # The request as an HTTP GET, for the renderers (request id) and the journal.
        http_scope: dict[str, Any] = {**scope, "type": "http", "method": "GET", BODY_KEY: b""}
        ctx = http_scope[SCOPE_KEY] = RequestContext(owner=owner.name)
        if "websocket.http.response" not in (scope.get("extensions") or {}):
            await send({"type": "websocket.close", "code": 1008})
            return
        host = self.hosts.refused_host(scope)
        err = owner.misdirected(host) if host is not None else owner.not_found(False)
        answer = Answer(_as_denial(send), ctx)
        await answer_error(owner, err, http_scope, receive, answer.send)
        self.journal(owner, http_scope, b"", ctx, answer)


async def answer_error(owner: ErrorDialect, err: VendorError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer `err` in the owner's envelope, outside the app's handlers; the journal learns its code."""
    request = Request(scope, receive)
    ctx = scope[SCOPE_KEY]
    assert isinstance(ctx, RequestContext)
    ctx.code = owner.code_of(err, request)
    await owner.render(err, request)(scope, receive, send)


def _as_denial(send: Send) -> Send:
    """An HTTP response sent as the answer to a WebSocket upgrade (ASGI `websocket.http.response`)."""

    async def denial(message: Message) -> None:
        await send({**message, "type": "websocket." + message["type"]})

    return denial


class Answer:
    """Wraps `send`: remembers status and headers, and garbles the body when a fault asks for it."""

    def __init__(self, send: Send, ctx: RequestContext) -> None:
        self._send = send
        self.ctx = ctx
        self.started = False
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self._held: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = int(message["status"])
            self.headers = list(message.get("headers", []))
            if self.ctx.malformed is not None:
                self._held = message
                return
        elif message["type"] == "http.response.body" and self._held is not None:
            self._chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = garble(b"".join(self._chunks), self.ctx.malformed or "truncated")
            headers = [(k, v) for k, v in self._held.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await self._send({**self._held, "headers": headers})
            await self._send({"type": "http.response.body", "body": body, "more_body": False})
            return
        await self._send(message)


def garble(body: bytes, how: str) -> bytes:
    """A malformed answer: JSON cut off halfway, or the right data in the wrong shape: the first list (else object)
    field sent as a JSON string, as a backend that double-encodes does (the ICE SDK then silently gives body None)."""
    if how == "wrong_shape":
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            key = next((k for k, v in doc.items() if isinstance(v, list)), None)
            key = key or next((k for k, v in doc.items() if isinstance(v, dict)), None)
            if key is not None:
                doc[key] = json.dumps(doc[key], ensure_ascii=False, separators=(",", ":"))
                return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        return b"[]"
    return body[: max(1, len(body) // 2)]


async def drop_connection(send: Send, how: str) -> None:
    """End the connection without an answer: `reset` sends a TCP RST, `close` a FIN.

    uvicorn hands its connection's `send` to the outermost app as a bound method of the request cycle, which holds
    the transport. In-process clients have no connection to break; they get an exception instead.
    """
    transport: Any = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionResetError(f"fault: connection {how} (no transport in-process)")
    if how == "reset":
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    # Let the server notice the lost connection before this request ends, so it does not answer it with a 500.
    for _ in range(3):
        await asyncio.sleep(0)


def expects_body(scope: Scope) -> bool:
    """Whether the request declares a body (a non-zero Content-Length, or any Transfer-Encoding)."""
    for name, value in scope["headers"]:
        if (name == b"content-length" and value.strip() not in (b"0", b"")) or name == b"transfer-encoding":
            return True
    return False


async def read_body(receive: Receive, limit: int, stall_seconds: float, expected: bool = True) -> bytes | BodyRead:
    """The whole body, read until it goes over `limit` (no further) or stalls for `stall_seconds` between reads
    (a short Content-Length, an unterminated chunked body). A request that declares no body has its (empty) body
    message ready at once: it is read without arming a timer, which costs more than the read."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        try:
            if expected:
                async with asyncio.timeout(stall_seconds):
                    message = await receive()
            else:
                message = await receive()
        except TimeoutError:
            return BodyRead.TIMED_OUT
        if message["type"] == "http.disconnect":
            return BodyRead.DISCONNECTED
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return BodyRead.TOO_LARGE
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
