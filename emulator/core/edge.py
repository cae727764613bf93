"""The ASGI edge: the one place every request passes, 404s, 405s and 500s included.

It sits outside Starlette's own error middleware, so it sees every answer as the client does. Per request it
- picks up other workers' state changes (`Emulator.sync`);
- buffers the (small) body into the scope, so auth, handlers and error renderers all read it;
- creates the `RequestContext` the pipeline fills in (operation, tenant, auth verdict, fault);
- carries out connection-level faults (a reset or closed connection, no answer) and garbles a malformed answer;
- journals the request with what it answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import struct
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core.http import BODY_KEY, MAX_BODY
from emulator.core.journal_entry import raw_row
from emulator.core.request_context import SCOPE_KEY, RequestContext

if TYPE_CHECKING:
    from emulator.core.context import Emulator

log = logging.getLogger("emulator")
# Control-plane bodies carry whole datasets (record loads, snapshots).
MAX_CONTROL_BODY = 1 << 30


class RequestTap:
    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        emu = self.emu
        emu.sync()
        owner = emu.dialect_for(scope["path"])
        ctx = scope[SCOPE_KEY] = RequestContext(owner=owner.name)
        body = await _read_body(receive, MAX_CONTROL_BODY if owner is emu.control_plane else MAX_BODY)
        if body is None:
            return  # the client went away before sending its request
        scope[BODY_KEY] = body
        answer = Answer(send, ctx)
        try:
            await self.app(scope, _replay(body, receive), answer.send)
        except Exception as exc:
            # The app's internal-error handler (run by Starlette's error middleware, inside this tap) has logged it
            # and answered in the owner's envelope; Starlette re-raises only for the server's sake. If nothing was
            # answered (the handler itself failed), answer here.
            if not answer.started:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
                request = Request(scope)
                await owner.render(owner.internal_error(), request)(scope, receive, answer.send)
        if ctx.connection is not None:
            await drop_connection(send, ctx.connection)
        if owner is not emu.control_plane and emu.journal.enabled:
            duration_ms = round((time.perf_counter() - ctx.started) * 1000, 3)
            row = raw_row(scope, body, ctx, answer.status, answer.headers, int(emu.now() * 1000), duration_ms)
            emu.journal.record(row)


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


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
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
