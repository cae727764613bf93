"""The start-up check of `--data-dir` files above `datadir.FULL_CHECK_BYTES` (a 10^6-record store): structural
instead of SQLite's full `quick_check`, it must still find what tests/core/test_data_dir.py plants (truncated,
emptied, overwritten files), rebuild or re-clone, and pass a sound file, a crashed live file's WAL included. In
process, with the threshold at 0 so the default-scale files take the large-file path."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from emulator.admin.errors import ControlPlaneErrors
from emulator.core import datadir
from emulator.core.context import Emulator
from emulator.core.settings import Settings
from emulator.vendors import VENDOR_TYPES

SCALE = 0.05
PROBE = "CREATE TABLE probe (x)"


@pytest.fixture(autouse=True)
def _large_file_path(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("EMULATOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(datadir, "FULL_CHECK_BYTES", 0)


def start(data_dir: Path) -> Emulator:
    return Emulator(Settings(scale=SCALE, data_dir=data_dir), VENDOR_TYPES, ControlPlaneErrors())


def stopped(data_dir: Path) -> Path:
    """A data dir as a stopped server leaves it, with a table written to the live file."""
    emu = start(data_dir)
    emu.databases.live.execute(PROBE)
    emu.databases.live.close()
    emu.databases.template.close()
    return data_dir


def has_probe(emu: Emulator) -> bool:
    return emu.databases.live.execute("SELECT 1 FROM sqlite_master WHERE name='probe'").fetchone() is not None


DAMAGES: dict[str, Any] = {
    "truncated": lambda p: os.truncate(p, p.stat().st_size // 2),
    "one-page-short": lambda p: os.truncate(p, p.stat().st_size - 4096),
    "emptied": lambda p: os.truncate(p, 0),
    "random": lambda p: p.write_bytes(os.urandom(p.stat().st_size)),
}


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("which", ["template", "live"])
def test_a_damaged_large_file_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, which: str, damage: str
) -> None:
    data_dir = stopped(tmp_path)
    [template] = data_dir.glob("store-*.sqlite3")
    target = template if which == "template" else data_dir / "live.sqlite3"
    DAMAGES[damage](target)
    with caplog.at_level(logging.WARNING, logger="emulator"):
        emu = start(data_dir)
    [message] = [r.getMessage() for r in caplog.records]  # one line, no traceback
    assert message.startswith(f"{target} was unreadable (") and message.endswith("); rebuilt it")
    assert "\n" not in message
    assert has_probe(emu) is (which == "template")  # an intact live file keeps its writes
    assert datadir.damage(emu.databases.template, template) is None
    assert datadir.damage(emu.databases.live, data_dir / "live.sqlite3") is None


def test_sound_large_files_are_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data_dir = stopped(tmp_path)
    with caplog.at_level(logging.WARNING, logger="emulator"):
        emu = start(data_dir)
    assert caplog.records == []
    assert has_probe(emu)


def test_a_crashed_live_file_whose_pages_are_in_its_wal_is_kept(tmp_path: Path) -> None:
    """Killed before a checkpoint: the main file is shorter than the database, the rest is in the WAL. Sound."""
    data_dir = stopped(tmp_path)
    live = data_dir / "live.sqlite3"
    writer = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute('CREATE TABLE grown (x)')\n"
        "c.executemany('INSERT INTO grown VALUES (?)', [(os.urandom(3000),) for _ in range(300)])\n"
        "os._exit(0)\n"  # no checkpoint, no close: as kill -9 leaves it
    )
    subprocess.run([sys.executable, "-c", writer, str(live)], check=True)
    conn = sqlite3.connect(live)
    pages, page_size = conn.execute("PRAGMA page_count").fetchone()[0], conn.execute("PRAGMA page_size").fetchone()[0]
    assert pages * page_size > live.stat().st_size  # the database reaches past the main file: the WAL holds the rest
    assert datadir.damage(conn, live) is None
    conn.close()
    emu = start(data_dir)
    assert emu.databases.live.execute("SELECT count(*) FROM grown").fetchone() == (300,)


def test_small_files_get_the_full_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the threshold every page is read: a page zeroed in the middle is found, header and size intact."""
    data_dir = stopped(tmp_path)
    [template] = data_dir.glob("store-*.sqlite3")
    conn = sqlite3.connect(template)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with template.open("r+b") as file:
        file.seek(template.stat().st_size // 2 // page_size * page_size)
        file.write(bytes(page_size))
    try:
        monkeypatch.setattr(datadir, "FULL_CHECK_BYTES", 64 << 20)
        assert datadir.damage(conn, template) is not None
    finally:
        conn.close()
