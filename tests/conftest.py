"""Shared fixtures: a fresh app per test (never a shared global), and live uvicorn servers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.server import EmulatorConfig

SEED = 20201109


def make_app(**overrides: Any) -> FastAPI:
    return create_app(Settings(**overrides))


@pytest.fixture
def app_factory() -> Callable[..., FastAPI]:
    return make_app


@pytest.fixture
def client_factory() -> Callable[..., TestClient]:
    def build(**overrides: Any) -> TestClient:
        return TestClient(make_app(**overrides), raise_server_exceptions=False)

    return build


@pytest.fixture
def client(client_factory: Callable[..., TestClient]) -> TestClient:
    """In-process client, signatures not checked (auth=presence): tests of behaviour, not of signing."""
    return client_factory(auth="presence")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` under uvicorn as `emulator serve` configures it (uvloop, httptools with its header timeout and
    connection cap) on a free 127.0.0.1 port; yields the base URL."""
    port = free_port()
    config = EmulatorConfig(app, app.state.emulator.settings, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    """One live server with the default settings (auth=verify), shared by the fidelity tests."""
    with serve(make_app()) as url:
        yield url


@pytest.fixture(scope="module")
def module_live_url() -> Iterator[str]:
    """A live server of one test module's own (auth=verify, scale 0.05), for tests that change its state: they
    reset it (POST /_emulator/reset) as they need."""
    with serve(make_app(scale=0.05)) as url:
        yield url


@pytest.fixture(scope="module")
def module_client() -> TestClient:
    """An in-process app of one test module's own (auth=presence, scale 0.05): building one per test would
    dominate the time."""
    return TestClient(make_app(auth="presence", scale=0.05), raise_server_exceptions=False)


@pytest.fixture
def reset_client(module_client: TestClient) -> TestClient:
    """The module's in-process app, with the start-up dataset back (and journal, faults, clock, tenants cleared)."""
    assert module_client.post("/_emulator/reset").status_code == 200
    return module_client


@pytest.fixture
def live_factory() -> Iterator[Callable[..., str]]:
    """Start a live server with other settings for one test: `url = live_factory(auth="off")`."""
    stack: list[Any] = []

    def start(**overrides: Any) -> str:
        cm = serve(make_app(**overrides))
        stack.append(cm)
        return cm.__enter__()

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


FIXIE_JS = Path(__file__).resolve().parent / "js"
FIXIE_NPM_CI = "npm ci --prefix tests/js --ignore-scripts --no-audit --no-fund"


@pytest.fixture(scope="session")
def fixie_node() -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """Run a tests/js script driving the official `fixie` client with a JSON plan; it reports one JSON document.
    Skips when node or the pinned client is not installed (`./dev test` installs both)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the official Fixie client is a JavaScript package")
    if not (FIXIE_JS / "node_modules" / "fixie" / "package.json").exists():
        pytest.skip(f"tests/js/node_modules is missing: install the official client with `{FIXIE_NPM_CI}`")

    def run(script: str, plan: dict[str, Any]) -> dict[str, Any]:
        done = subprocess.run(
            [node, str(FIXIE_JS / script), json.dumps(plan)],
            cwd=FIXIE_JS,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    return run
