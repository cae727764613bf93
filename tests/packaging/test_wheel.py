"""`pip install` of a built wheel, as a user does: into a fresh venv holding the runtime lock only (no test or
contract dependencies), then `emulator --version`, `emulator serve --fixtures examples` answering real requests,
and the contract helpers refusing to import without their extra."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import __version__
from emulator.core import draws, nonces
from emulator.core.signing import canonical_hmac

from ..conftest import free_port  # noqa: TID252
from .conftest import EXAMPLE_DIALOGUE, FIXIE_AGENT, FIXIE_KEY, ROOT, get, ice_example_url, wait_healthy

# Modules a runtime install cannot import by design: the contract helpers (the `contract` extra) and the pytest
# plugin (loaded by pytest, which brings itself).
NOT_RUNTIME = ("emulator.contract", "emulator.pytest_plugin")
# Imports every module of the installed package but those named in argv; prints what failed and which dev-only
# packages came along.
IMPORT_ALL = """
import importlib, json, pkgutil, sys
import emulator
failed = {}
for info in pkgutil.walk_packages(emulator.__path__, "emulator."):
    if info.name == "emulator.__main__" or info.name.startswith(tuple(sys.argv[1:])):  # __main__ would run it
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        failed[info.name] = repr(exc)
dev = sorted(m for m in ("schemathesis", "requests", "pytest", "hypothesis") if m in sys.modules)
print(json.dumps({"file": emulator.__file__, "failed": failed, "dev": dev}))
"""


def run(
    *cmd: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, cwd=cwd, env=env)
    assert result.returncode == 0, f"{cmd} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None) -> Path:
    """`pip wheel --no-deps` of a copy of the checkout's package sources (the tree stays clean of build output)."""
    src = tmp_path_factory.mktemp("checkout")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so")
    shutil.copytree(ROOT / "emulator", src / "emulator", ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", out, src, env=env)
    (found,) = out.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv: the runtime lock, then the wheel without dependencies (the lock must cover them all)."""
    root = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", root)
    pip = (root / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
    run(*pip, "-r", ROOT / "requirements.lock")
    run(*pip, "--no-deps", wheel)
    return root / "bin"


@pytest.fixture
def server(venv: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`emulator serve --fixtures examples` from the venv, run outside the checkout."""
    port = free_port()
    log = tmp_path / "server.log"
    cmd = [venv / "emulator", "serve", "--port", str(port), "--scale", "0.05", "--auth", "presence",
           "--fixtures", "examples"]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=out, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc, log.read_text)
    try:
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_wheel_ships_the_package_its_data_and_its_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = whl.read(info).decode()
        entry_points = whl.read(info.replace("METADATA", "entry_points.txt")).decode()
    for data in ("defaults/manifest.json", "examples/ice/dialogues.json", "examples/metastudio/smart_chat_rooms.json"):
        assert f"emulator/{data}" in names
    assert "emulator/py.typed" in names
    # The C extensions are built where the checkout's own install built them (a compiler, OpenSSL's headers).
    compiled = [n for n in names if n.startswith("emulator/core/signing/_canonical_hmac.") and n.endswith(".so")]
    assert bool(compiled) == canonical_hmac.compiled(), compiled
    compiled = [n for n in names if n.startswith("emulator/core/_draws.") and n.endswith(".so")]
    assert bool(compiled) == draws.compiled(), compiled
    compiled = [n for n in names if n.startswith("emulator/core/_nonces.") and n.endswith(".so")]
    assert bool(compiled) == nonces.compiled(), compiled
    assert not [n for n in names if n.startswith(("tests/", "bench/", "fixtures/"))]
    assert "emulator = emulator.__main__:main" in entry_points
    # schemathesis and requests only with the contract extra.
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    dev = [r for r in requires if "schemathesis" in r or "requests" in r]
    assert dev and all('extra == "contract"' in r for r in dev), requires


def test_the_runtime_lock_covers_the_declared_dependencies(venv: Path) -> None:
    result = run(venv / "python", "-m", "pip", "check")
    assert "No broken requirements found" in result.stdout


def test_every_runtime_module_imports_without_dev_dependencies(venv: Path, tmp_path: Path) -> None:
    report = json.loads(run(venv / "python", "-c", IMPORT_ALL, *NOT_RUNTIME, cwd=tmp_path).stdout)
    assert Path(report["file"]).is_relative_to(venv.parent)  # the installed copy, not the checkout
    assert report["failed"] == {}
    assert report["dev"] == []


def test_version(venv: Path) -> None:
    result = run(venv / "emulator", "--version")
    assert __version__ in result.stdout + result.stderr


def test_contract_helpers_fail_cleanly_without_their_extra(venv: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [venv / "python", "-c", "import emulator.contract.schemathesis_hooks"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: emulator.contract needs schemathesis and requests: "
        "pip install 'agent-api-emulator[contract]'"
    )


def test_serves_the_packaged_examples_and_stops_on_sigterm(server: tuple[str, subprocess.Popen[str]]) -> None:
    base, proc = server
    status, body = get(ice_example_url(base))
    assert status == 200, body
    assert [d["DialogueId"] for d in body["Dialogues"]] == [EXAMPLE_DIALOGUE]
    status, body = get(f"{base}/api/v1/agents/{FIXIE_AGENT}/conversations", {"Authorization": f"Bearer {FIXIE_KEY}"})
    assert status == 200, body
    assert body["conversations"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def test_the_pure_python_wheel_installs_anywhere(tmp_path_factory: pytest.TempPathFactory) -> None:
    pure = build_wheel(tmp_path_factory, env={**os.environ, "EMULATOR_NO_C_EXTENSION": "1"})
    assert pure.name.endswith("-py3-none-any.whl"), pure.name
    with zipfile.ZipFile(pure) as whl:
        assert not [n for n in whl.namelist() if n.endswith((".so", ".pyd"))]
