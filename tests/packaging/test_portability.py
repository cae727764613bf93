"""Runs where uvloop and fcntl do not exist (Windows: simulated here by hiding both modules), stops cleanly on
SIGTERM as a container's PID 1 must, finds the packaged examples, and says which extra the contract helpers need."""

from __future__ import annotations

import importlib
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.core import filelock
from emulator.core.settings import Settings, packaged_examples

from ..conftest import free_port  # noqa: TID252
from .conftest import EXAMPLE_DIALOGUE, FIXIE_AGENT, FIXIE_KEY, ROOT, get, ice_example_url, wait_healthy

# Run `emulator serve` with uvloop and fcntl unimportable, as on Windows, and an `msvcrt` whose `locking` is made of
# fcntl's byte-range locks (taken before fcntl is hidden), so the data dir's build lock takes the Windows path.
WITHOUT_UNIX_MODULES = """
import asyncio, fcntl, subprocess, sys, types  # the stdlib ones first: they take any msvcrt as Windows
msvcrt = types.ModuleType("msvcrt")
msvcrt.LK_UNLCK, msvcrt.LK_NBLCK = 0, 2
def locking(fd, mode, nbytes, lockf=fcntl.lockf, flags=fcntl.LOCK_EX | fcntl.LOCK_NB, unlock=fcntl.LOCK_UN):
    lockf(fd, unlock if mode == msvcrt.LK_UNLCK else flags, nbytes, 0)
    with open(calls, "a") as log:
        log.write(f"locking {mode} {nbytes}\\n")
calls = sys.argv[1]
msvcrt.locking = locking
sys.modules.update(uvloop=None, fcntl=None, msvcrt=msvcrt)
sys.argv = ["emulator", *sys.argv[2:]]
from emulator.cli import main
raise SystemExit(main())
"""


def start(tmp_path: Path, args: list[str], code: str | None = None) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    log = tmp_path / "server.log"
    prefix = ["-c", code, str(tmp_path / "calls.log")] if code is not None else ["-m", "emulator"]
    cmd = [sys.executable, *prefix, "serve", "--port", str(port), "--scale", "0.05", *args]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=out, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc, log.read_text)
    return proc, base


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_stops_the_server_with_status_0(tmp_path: Path) -> None:
    # `docker stop` sends SIGTERM; uvicorn shuts down gracefully, then re-raises the signal, which killed the
    # process (status -15, 143 in a shell) anywhere but as a container's PID 1.
    proc, _ = start(tmp_path, [])
    assert stop(proc) == 0, (tmp_path / "server.log").read_text()


def test_serves_without_uvloop_and_fcntl(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    proc, base = start(tmp_path, ["--data-dir", str(data_dir)], WITHOUT_UNIX_MODULES)
    try:
        status, body = get(
            f"{base}/api/v1/agents/{FIXIE_AGENT}/conversations", {"Authorization": f"Bearer {FIXIE_KEY}"}
        )
        assert status == 200, body
        assert body["conversations"], body
    finally:
        assert stop(proc) == 0, (tmp_path / "server.log").read_text()
    # The data dir was built under the msvcrt lock, which was released.
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert calls[:2] == ["locking 2 1", "locking 0 1"], calls
    assert (data_dir / "live.sqlite3").exists()


class FakeMsvcrt:
    """msvcrt's locking(): LK_NBLCK fails while another process holds the byte; records what it was asked."""

    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self, busy_tries: int) -> None:
        self.busy_tries = busy_tries
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        import os

        self.calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
        if mode == self.LK_NBLCK and self.busy_tries:
            self.busy_tries -= 1
            raise OSError(36, "Resource deadlock avoided")


def test_the_windows_lock_waits_for_the_first_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMsvcrt(busy_tries=3)
    modules: dict[str, Any] = {"fcntl": None, "msvcrt": fake}
    monkeypatch.setattr(filelock, "_module", modules.get)
    monkeypatch.setattr(filelock, "RETRY_SECONDS", 0.001)
    path = tmp_path / ".build.lock"
    path.write_bytes(b"xyz")
    with filelock.exclusive(path):
        assert fake.calls == [(2, 1, 0)] * 4  # retried while held, always the first byte
    assert fake.calls[-1] == (0, 1, 0)
    assert path.read_bytes() == b"xyz"  # the lock file is not truncated


def test_no_lock_at_all_is_an_error_not_a_silent_race(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filelock, "_module", lambda name: None)
    with pytest.raises(OSError, match="no file locking on this platform"), filelock.exclusive(tmp_path / "lock"):
        pass


def test_fixtures_examples_names_the_packaged_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings(fixtures="examples").fixtures == packaged_examples()
    assert sorted(p.relative_to(packaged_examples()).as_posix() for p in packaged_examples().rglob("*.json")) == [
        "ice/dialogues.json",
        "ice/instances.json",
        "metastudio/smart_chat_rooms.json",
    ]
    (tmp_path / "examples").mkdir()  # a directory of that name where the emulator runs wins
    assert Settings(fixtures="examples").fixtures == Path("examples")
    monkeypatch.setenv("EMULATOR_FIXTURES", "examples")
    monkeypatch.chdir(ROOT)
    assert Settings().fixtures == packaged_examples()
    assert (ROOT / "fixtures").resolve() == packaged_examples()  # the repository's documented path


def test_serve_fixtures_examples(tmp_path: Path) -> None:
    proc, base = start(tmp_path, ["--fixtures", "examples", "--auth", "presence"])
    try:
        status, body = get(ice_example_url(base))
        assert status == 200, body
        assert [d["DialogueId"] for d in body["Dialogues"]] == [EXAMPLE_DIALOGUE]
    finally:
        stop(proc)


def test_contract_helpers_name_their_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "schemathesis", None)
    for name in [m for m in sys.modules if m.startswith("emulator.contract")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ModuleNotFoundError) as caught:
        importlib.import_module("emulator.contract.schemathesis_hooks")
    assert str(caught.value) == "emulator.contract needs schemathesis: pip install 'agent-api-emulator[contract]'"
