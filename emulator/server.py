"""How `emulator serve` runs uvicorn (uvloop + httptools), with what uvicorn's httptools protocol lacks:

- a header timeout: uvicorn arms its keep-alive timer only after a response, so a connection that never sends
  (or never finishes) its request line and headers was held forever. Here the line and headers must arrive within
  `header_timeout_seconds` of the connection opening (or of the first byte of a later request on it), else the
  connection is closed without an answer, as nginx does. Body stalls are the edge's (`edge.py`).
- a connection cap that answers in the owner's envelope: uvicorn's `limit_concurrency` answers a plain-text 503 and
  only counts once headers are complete. Here a connection opened while `max_connections` are open gets, for its
  request, the owning vendor's busy error (`Connection: close`); the edge renders it (`OVERLOADED_KEY`).
"""

from __future__ import annotations

import asyncio
import sys
from asyncio import TimerHandle
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn._types import ASGISendEvent
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from emulator.core.http import OVERLOADED_KEY
from emulator.core.settings import Settings

# uvicorn's exit status when the server could not start (port taken, ...).
STARTUP_FAILURE = 3


@dataclass(frozen=True)
class Limits:
    header_timeout: float
    max_connections: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.header_timeout_seconds, settings.max_connections)


class EmulatorConfig(uvicorn.Config):
    """uvicorn's Config plus the emulator's connection limits; picklable, so worker processes get them too."""

    def __init__(self, app: Any, settings: Settings, **overrides: Any) -> None:
        self.limits = Limits.of(settings)
        options: dict[str, Any] = {
            "host": settings.host,
            "port": settings.port,
            "loop": "uvloop",
            "http": GuardedHttpProtocol,
            "ws": DenyingWebSocketProtocol,
            "log_level": settings.log_level,
            **overrides,
        }
        super().__init__(app, **options)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header timeout and a connection cap (see the module docstring)."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        # A plain uvicorn Config (`uvicorn --http emulator.server:GuardedHttpProtocol`): limits from EMULATOR_*.
        limits = config.limits if isinstance(config, EmulatorConfig) else Limits.of(Settings())
        self.header_timeout = limits.header_timeout
        self.max_connections = limits.max_connections
        self.overflow = False
        self.header_timer: TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # Counted before this one joins: the first `max_connections` are served, later ones answered busy once.
        self.overflow = len(self.connections) >= self.max_connections
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.overflow:
            self.scope[OVERLOADED_KEY] = self.max_connections  # type: ignore[literal-required]
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        if self.header_timer is None:
            self.header_timer = self.loop.call_later(self.header_timeout, self._headers_timed_out)

    def _cancel_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_timed_out(self) -> None:
        self.header_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request is still being answered: let it finish, then close (as uvicorn's shutdown does).
            self.cycle.keep_alive = False
        elif not self.transport.is_closing():
            self.transport.close()


class DenyingWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's default WebSocket protocol, taking an HTTP answer to the upgrade (`websocket.http.response`, how
    the edge refuses every upgrade) as the end of the handshake: uvicorn 0.54 logs an error for it otherwise."""

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body", False):
            self.handshake_complete = True


def exposure_warning(settings: Settings, dev_credentials: list[str]) -> str:
    """What `serve` prints when bound beyond loopback: who can now call it, and with which credentials."""
    mode = {"off": " (any credentials are accepted)", "presence": " (signatures are not checked)"}
    keys = (
        f"these public dev credentials (README) are accepted: {', '.join(dev_credentials)}"
        if dev_credentials
        else "none of the README's public dev credentials are loaded"
    )
    return (
        f"emulator: WARNING: listening on {settings.host}:{settings.port}, reachable from other machines. "
        f"Auth mode '{settings.auth}'{mode.get(settings.auth, '')}; {keys}. "
        "Bind to 127.0.0.1 (the default) unless that is what you want."
    )


def run(app: Any, settings: Settings) -> int:
    """Serve `app` (an app, or an import string of a factory when `settings.workers` > 1)."""
    workers = settings.workers
    config = EmulatorConfig(app, settings, factory=workers > 1, workers=workers)
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
            return 0
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C once it has shut down gracefully (as uvicorn.run, quietly)
        return 0
    if not server.started:
        print("emulator: the server did not start (see the log above)", file=sys.stderr)
        return STARTUP_FAILURE
    return 0
