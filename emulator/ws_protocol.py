"""The WebSocket protocol `emulator serve` gives uvicorn (`emulator.server.denying_websocket` makes it)."""

from __future__ import annotations

from uvicorn._types import ASGISendEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class DenyingWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's default WebSocket protocol, taking an HTTP answer to the upgrade (`websocket.http.response`, how
    the edge refuses every upgrade) as the end of the handshake: uvicorn 0.54 logs an error for it otherwise."""

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body", False):
            self.handshake_complete = True
