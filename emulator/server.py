"""How `emulator serve` runs uvicorn (httptools, on uvloop where installed: not on Windows), with what uvicorn's
httptools protocol lacks:

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
import gc
import os
import signal
import socket
import sys
import threading
from asyncio import TimerHandle
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from emulator.coalesce import CoalescingTransport
from emulator.core.http import MAX_URL, OVERLOADED_KEY, URL_TOO_LONG_KEY
from emulator.core.settings import Settings
from emulator.logs import announce_listening, uvicorn_level
from emulator.logs import configure as configure_logs

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
    """uvicorn's Config plus the emulator's connection limits and, with `logs`, the CLI's logging (`emulator.logs`,
    set up again in each worker process); picklable, so worker processes get them too. uvicorn's access log is
    off: the edge logs each request (`request_log`)."""

    def __init__(self, app: Any, settings: Settings, *, logs: bool = False, **overrides: Any) -> None:
        self.limits = Limits.of(settings)
        self.emulator_logs = (settings.log_level, settings.log_format) if logs else None
        options: dict[str, Any] = {
            "host": settings.host,
            "port": settings.port,
            "loop": "auto",  # uvloop where it is installed (uvicorn[standard] leaves it out on Windows), else asyncio
            "http": GuardedHttpProtocol,
            "ws": denying_websocket,
            "log_level": uvicorn_level(settings.log_level),
            "access_log": False,
            **({"log_config": None} if logs else {}),
            **overrides,
        }
        super().__init__(app, **options)

    def configure_logging(self) -> None:
        super().configure_logging()
        if self.emulator_logs is not None:
            configure_logs(*self.emulator_logs)


class EmulatorServer(uvicorn.Server):
    """uvicorn's Server, saying where it listens in the emulator's log (uvicorn's own line shows at `debug`)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and sockets is None:  # with sockets: a worker, and the supervisor has said it
            port = self.servers[0].sockets[0].getsockname()[1] if self.servers else self.config.port
            announce_listening(self.config.host, port, 1)


def listen_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on `host`:`port`, found by binding there as uvicorn will, or None. Checked
    before the dataset is built: a busy port is then one line at once, not a failure after a minute's build."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"emulator: cannot listen on {where}: {_lower(exc.strerror or str(exc))}"
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            if os.name != "nt":  # as asyncio binds (a port in TIME_WAIT is free); on Windows it would share a port
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                return f"emulator: cannot listen on {where}: {_lower(exc.strerror or str(exc))}"
    return None


def _lower(reason: str) -> str:
    return reason[:1].lower() + reason[1:]


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
        self.headers_pending = False
        self.url_too_long = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # Counted before this one joins: the first `max_connections` are served, later ones answered busy once.
        self.overflow = len(self.connections) >= self.max_connections
        super().connection_made(CoalescingTransport(transport, self.loop))
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Nearly every request arrives whole in one read: the timer is armed only for headers left incomplete.
        if self.headers_pending and not self.transport.is_closing():
            self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.overflow:
            self.scope[OVERLOADED_KEY] = self.max_connections  # type: ignore[literal-required]
        self.headers_pending = True
        self.url_too_long = False

    def on_url(self, url: bytes) -> None:
        # uvicorn cannot split a target over MAX_URL bytes and would answer its own plain-text 400: the target is
        # cut to its path (what says who owns the request), and the edge answers the owner's 414.
        if self.url_too_long:
            return
        if len(self.url) + len(url) > MAX_URL:
            self.url_too_long = True
            self.url = (self.url + url).partition(b"?")[0][:MAX_URL]
            return
        super().on_url(url)

    def on_headers_complete(self) -> None:
        self.headers_pending = False
        self._cancel_header_timer()
        if self.url_too_long:
            self.scope[URL_TOO_LONG_KEY] = MAX_URL  # type: ignore[literal-required]
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


def denying_websocket(**options: Any) -> asyncio.Protocol:
    """uvicorn's WebSocket protocol (`ws`), made at an upgrade: the edge refuses every one, so the protocol and the
    websockets library are imported at the first upgrade rather than at start."""
    from emulator.ws_protocol import DenyingWebSocketProtocol

    return DenyingWebSocketProtocol(**options)


def exposure_warning(settings: Settings, dev_credentials: list[str]) -> str:
    """What `serve` logs (as a warning) when bound beyond loopback: who can now call it, with which credentials."""
    mode = {"off": " (any credentials are accepted)", "presence": " (signatures are not checked)"}
    keys = (
        f"these public dev credentials (README) are accepted: {', '.join(dev_credentials)}"
        if dev_credentials
        else "none of the README's public dev credentials are loaded"
    )
    return (
        f"WARNING: listening on {settings.host}:{settings.port}, reachable from other machines. "
        f"Auth mode '{settings.auth}'{mode.get(settings.auth, '')}; {keys}. "
        "Bind to 127.0.0.1 (the default) unless that is what you want."
    )


def run(app: Any, settings: Settings) -> int:
    """Serve `app` (an app, or an import string of a factory when `settings.workers` > 1)."""
    workers = settings.workers
    config = EmulatorConfig(app, settings, logs=True, factory=workers > 1, workers=workers)
    server = EmulatorServer(config)
    # uvicorn re-raises SIGTERM once it has shut down gracefully, which kills the process (status 143) unless it is
    # a container's PID 1: `docker stop` and a test harness alike should see a clean stop, status 0.
    main_thread = threading.current_thread() is threading.main_thread()  # where signal handlers can be set
    previous = signal.signal(signal.SIGTERM, _exit_cleanly) if main_thread else None
    try:
        if workers > 1:
            sock = config.bind_socket()
            announce_listening(settings.host, sock.getsockname()[1], workers)
            Multiprocess(config, sockets=[sock]).run()
            return 0
        settle()
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C once it has shut down gracefully (as uvicorn.run, quietly)
        return 0
    except SystemExit as exc:
        if exc.code != 0:
            raise
        return 0
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    if not server.started:
        print("emulator: the server did not start (see the log above)", file=sys.stderr)
        return STARTUP_FAILURE
    return 0


def settle() -> None:
    """Once the app is built, before serving: what exists now (modules, models, routes, caches) lives as long as
    the process, so the garbage collector leaves it out of its full passes, which would otherwise walk it all
    every so often between requests. (No collection first: it would cost start-up more than the little garbage
    frozen with it costs memory.)"""
    gc.freeze()


def _exit_cleanly(signum: int, frame: object) -> None:
    """SIGTERM outside uvicorn's own handler (before it starts serving, or its re-raise after the shutdown)."""
    raise SystemExit(0)
