"""The plugin's servers: the emulator in this process, uvicorn on a background thread on a free 127.0.0.1 port (as
`emulator serve` configures it), one per distinct settings, for the whole session.

In-process rather than a subprocess: it starts in the time the store takes to build (the interpreter and imports
are already paid for by pytest), a bad setting or fixture fails the test with its own message rather than a child's
exit status, and nothing can outlive the session. The server thread's event loop is its own, so tests that run
asyncio loops of their own (pytest-asyncio) do not share it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import uvicorn
from pydantic import ConfigDict

from emulator.app import create_app
from emulator.client import EmulatorClient
from emulator.core.settings import Settings
from emulator.server import EmulatorConfig

START_TIMEOUT = 60.0


class PluginSettings(Settings):
    """Settings from the ini options and markers only: an `EMULATOR_*` variable meant for `emulator serve` (a port,
    a data directory) must not change what a test run serves; and a misspelt setting is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def environment(cls) -> dict[str, Any]:
        return {}


class EmulatorServer:
    """One running emulator: `url`, its `settings` and an admin client (`admin`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        app = create_app(settings)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))  # bound here and handed over: no race for the port
        port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        # log_config=None: leave the test process's logging alone; uvicorn's warnings reach pytest's capture.
        config = EmulatorConfig(app, settings, host="127.0.0.1", port=port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name=f"emulator-{port}", daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.sock.close()
                raise RuntimeError(f"the emulator did not start on {self.url}")
            time.sleep(0.005)
        self.admin = EmulatorClient(self.url)

    def stop(self) -> None:
        self.admin.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


class ServerPool:
    """Servers by settings, started on first use and stopped at the end of the session."""

    def __init__(self) -> None:
        self.servers: dict[tuple[tuple[str, str], ...], EmulatorServer] = {}

    def get(self, overrides: Mapping[str, Any]) -> EmulatorServer:
        settings = PluginSettings(**overrides)
        # Keyed by the validated settings, so `seed=7` and `seed="7"` share one server.
        key = tuple(sorted((k, repr(v)) for k, v in settings.model_dump().items()))
        if key not in self.servers:
            self.servers[key] = EmulatorServer(settings)
        return self.servers[key]

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.servers.clear()
