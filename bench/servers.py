"""The servers of the HTTP section, each its own process pinned to CPU 0 (`taskset`), and the OpenAPI document
whose examples Prism serves.

- ours: `emulator serve` (uvicorn, uvloop + httptools, one worker), once with `--auth verify`, once with `--auth
  off`; `--log-level warning` (no line per request), as Prism runs with `-v silent`;
- a bare Starlette app and a bare FastAPI route (`bench/bare.py`) under uvicorn with the same loop and parser;
- Stoplight Prism (pinned in bench/package.json) mocking a document whose one example is the captured body.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.bare import Captured, keep_headers
from bench.calls import Call, fetch, wait_for_200

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "bench" / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
SERVER_CPU = "0"
CLIENT_CPU = "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinned(cmd: list[str], cpu: str = SERVER_CPU) -> list[str]:
    return ["taskset", "-c", cpu, *cmd]


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    started: float  # time.monotonic() at Popen

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_ready(self, call: Call, timeout: float = 300.0) -> float:
        """Seconds from the process start to the first 200 answer to `call`."""
        try:
            return wait_for_200(self.port, call, time.monotonic() + timeout, self.alive) - self.started
        except (TimeoutError, RuntimeError) as exc:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.name}: {exc}\n{tail}") from exc

    def rss_kib(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the server process, KiB."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name] = value.strip()
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:  # its own process group (start_new_session): whatever it forked goes too
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass


def start(
    name: str, cmd: list[str], logs: Path, env: dict[str, str] | None = None, cpu: str | None = SERVER_CPU
) -> Server:
    """`cmd` started on `cpu` (None: on every core, as a user runs it)."""
    port = free_port()
    cmd = [part.replace("{port}", str(port)) for part in cmd]
    log = logs / f"{name}-{port}.log"
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd if cpu is None else pinned(cmd, cpu),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    return Server(name, port, proc, log, started)


def ours_cmd(auth: str = "verify", *extra: str) -> list[str]:
    return [sys.executable, "-m", "emulator", "serve", "--port", "{port}", "--auth", auth,
            "--log-level", "warning", *extra]  # fmt: skip


def bare_cmd(factory: str) -> list[str]:
    """`starlette_app` or `fastapi_app` of bench/bare.py under uvicorn, as the emulator runs it."""
    return [sys.executable, "-m", "uvicorn", f"bench.bare:{factory}", "--factory", "--host", "127.0.0.1",
            "--port", "{port}", "--loop", "uvloop", "--http", "httptools", "--workers", "1",
            "--log-level", "warning", "--no-access-log"]  # fmt: skip


def prism_cmd(document: Path) -> list[str]:
    return ["node", str(PRISM), "mock", "-h", "127.0.0.1", "-p", "{port}", "-v", "silent", str(document)]


def prism_document(captured: list[Captured]) -> dict[str, Any]:
    """An OpenAPI 3.0 document with one operation per captured call, whose only example is the captured body (and
    the captured headers as response headers with examples). No security scheme, no parameters: Prism checks
    nothing, it looks up the operation and answers the example."""
    paths: dict[str, dict[str, Any]] = {}
    for n, c in enumerate(captured):
        media = c.headers.get("content-type", "application/json")
        headers = {
            name: {"schema": {"type": "string"}, "example": value}
            for name, value in c.headers.items()
            if name != "content-type" and not name.startswith("access-control-")  # Prism's --cors sets those
        }
        paths.setdefault(urlsplit(c.path).path, {})[c.method.lower()] = {
            "operationId": f"call{n}",
            "responses": {
                "200": {
                    "description": "the emulator's captured answer",
                    "headers": headers,
                    "content": {media: {"schema": {"type": "object"}, "example": json.loads(c.body)}},
                }
            },
        }
    return {"openapi": "3.0.3", "info": {"title": "captured emulator answers", "version": "1"}, "paths": paths}


def capture(port: int, targets: list[Call]) -> list[Captured]:
    """The server's answer to each call (signed now), which must be a 200: body bytes and headers to replay."""
    captured = []
    for call in targets:
        answer = fetch(port, call)
        if answer.status != 200:
            raise RuntimeError(f"{call.label}: {answer.status} {answer.body[:300]!r}")
        captured.append(Captured(call.method, urlsplit(call.target).path, keep_headers(answer.headers), answer.body))
    return captured
