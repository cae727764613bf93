"""The emulator as a pytest plugin (registered through the `pytest11` entry point, so installing the package is
enough). It does nothing until a test asks for one of its fixtures:

- `emulator` (per test): the handle (`emulator.pytest_plugin.handle.EmulatorHandle`): `url`, the test's own
  tenants `emulator.ice` / `.metastudio` / `.fixie` with credentials and ready official clients, `load(...)`,
  `faults`, `journal` (with `assert_received`), `admin` (the control-plane client). After the test the server is
  reset, so nothing leaks into the next one.
- `emulator_server` (session): the server of the ini settings (`url`, `settings`, `admin`), for tests that manage
  state themselves.

Settings come from ini options (`emulator_seed`, `emulator_scale`, `emulator_fixtures`, `emulator_auth`,
`emulator_generate`) and, per test, module or class, from `@pytest.mark.emulator(seed=7, fixtures="tests/data")`
(any `emulator serve` setting, by its Python name, plus `generate`). Each distinct set of settings gets one server
for the session. Under pytest-xdist every worker runs its own servers (a session is per worker), so the per-test
reset never touches another worker's tests.

This module imports only pytest: the server, its client and the vendors load when a fixture is first used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.pytest_plugin.handle import EmulatorHandle
    from emulator.pytest_plugin.server import EmulatorServer, ServerPool

INI = {
    "seed": "drives all generated data (default: the emulator's, 20201109)",
    "scale": "multiplies the generated record counts (default 1)",
    "fixtures": "a fixtures directory or snapshot file to serve, relative to the rootdir",
    "auth": "verify (default) | presence | off",
}
GENERATE = "generate"  # not a server setting: whether the test's own tenants get generated data
MARKER = (
    "emulator(**settings): serve this test from an emulator with these settings (seed, scale, fixtures, auth, "
    "any `emulator serve` setting by its Python name) and, with generate=True, give its own tenants generated data"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    for name, text in INI.items():
        parser.addini(f"emulator_{name}", f"agent-api-emulator: {text}", default=None)
    parser.addini(
        "emulator_generate",
        "agent-api-emulator: give each test's own tenants generated data",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


def ini_settings(config: pytest.Config) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in INI:
        value = config.getini(f"emulator_{name}")
        if value not in (None, ""):
            settings[name] = value
    settings[GENERATE] = bool(config.getini("emulator_generate"))
    return settings


def settings_for(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ini settings, overridden by the markers from the farthest (module) to the closest (the test)."""
    settings = ini_settings(request.config)
    for mark in reversed(list(request.node.iter_markers("emulator"))):
        if mark.args:
            raise pytest.UsageError("@pytest.mark.emulator takes settings by name: emulator(seed=7, ...)")
        settings.update(mark.kwargs)
    return settings


def rooted(config: pytest.Config, settings: dict[str, Any]) -> dict[str, Any]:
    """A relative `fixtures` path is the rootdir's, wherever pytest runs (`examples` stays the packaged examples
    unless the rootdir has a directory of that name)."""
    if settings.get("fixtures") is None:
        return settings
    candidate = config.rootpath / Path(settings["fixtures"])
    return {**settings, "fixtures": candidate if candidate.exists() else Path(settings["fixtures"])}


def serve(pool: ServerPool, config: pytest.Config, settings: dict[str, Any]) -> EmulatorServer:
    """The pool's server for these settings; a bad setting or fixture fails the test in one line."""
    from pydantic import ValidationError

    from emulator.core.fixtures import FixtureError

    overrides = {k: v for k, v in rooted(config, settings).items() if k != GENERATE}
    try:
        return pool.get(overrides)
    except FixtureError as exc:
        problem = f"bad fixtures: {exc}"
    except ValidationError as exc:
        problem = "; ".join(
            f"bad setting {'.'.join(map(str, e['loc']))}={e['input']!r}: {e['msg']}" for e in exc.errors()
        )
    pytest.fail(f"emulator: {problem}", pytrace=False)


@pytest.fixture(scope="session")
def emulator_pool() -> Iterator[ServerPool]:
    """The session's servers, one per distinct settings; stopped at the end of the session."""
    from emulator.pytest_plugin.server import ServerPool

    pool = ServerPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def emulator_server(emulator_pool: ServerPool, pytestconfig: pytest.Config) -> EmulatorServer:
    """The server of the ini settings, shared by the session (its state is yours to manage)."""
    return serve(emulator_pool, pytestconfig, ini_settings(pytestconfig))


@pytest.fixture
def emulator(emulator_pool: ServerPool, request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """The per-test handle; the server is reset after the test."""
    from emulator.pytest_plugin.handle import EmulatorHandle

    settings = settings_for(request)
    handle = EmulatorHandle(serve(emulator_pool, request.config, settings), generate=bool(settings.get(GENERATE)))
    yield handle
    handle.close()
