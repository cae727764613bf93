"""The default dataset shipped built (`emulator/defaults/store.sqlite3.gz`): it holds exactly what a build writes, it
is used only for its own dataset key and Faker version and when its digest matches, and anything else builds. Also the
private scratch databases a process without --data-dir keeps its data in."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest

from emulator.admin.errors import ControlPlaneErrors
from emulator.core import databases, prebuilt
from emulator.core.context import Emulator
from emulator.core.settings import Settings
from emulator.vendors import VENDOR_TYPES


@pytest.fixture(autouse=True)
def _default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("EMULATOR_"):
            monkeypatch.delenv(name)


def emulator(**settings: Any) -> Emulator:
    return Emulator(Settings(**settings), VENDOR_TYPES, ControlPlaneErrors())


def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped files copied to a directory the module reads instead (so a test can spoil them)."""
    here = tmp_path / "defaults"
    here.mkdir()
    for name in (prebuilt.STORE, prebuilt.INFO):
        (here / name).write_bytes(Path(str(prebuilt._defaults()), name).read_bytes())
    monkeypatch.setattr(prebuilt, "_defaults", lambda: here)
    return here


def shipped_bytes() -> bytes:
    return gzip.decompress(Path(str(prebuilt._defaults()), prebuilt.STORE).read_bytes())


def open_bytes(data: bytes, where: Path) -> sqlite3.Connection:
    where.write_bytes(data)
    return sqlite3.connect(where)


def test_the_shipped_store_is_what_a_build_writes(tmp_path: Path) -> None:
    """Fails after a change to generated data or to the dataset key: run `python -m emulator.core.prebuilt`."""
    info = prebuilt.info()
    assert info is not None
    emu = emulator()
    assert info["key"] == emu.startup.key, "the default dataset changed: regenerate the shipped store"
    assert info["faker"] == prebuilt.faker_version()
    fresh = prebuilt.write(tmp_path)
    assert fresh["key"] == info["key"]
    shipped = open_bytes(shipped_bytes(), tmp_path / "shipped.sqlite3")
    built = open_bytes(gzip.decompress((tmp_path / prebuilt.STORE).read_bytes()), tmp_path / "built.sqlite3")
    try:
        assert prebuilt.rows(built) == prebuilt.rows(shipped)
    finally:
        shipped.close()
        built.close()


def test_the_default_settings_serve_the_shipped_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_build(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("built although the shipped store matches")

    monkeypatch.setattr("emulator.core.context.build_dataset", no_build)
    emu = emulator()
    assert emu.store.count(emu.vendors[0].codecs[0].collection) > 0


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda d: (d / prebuilt.STORE).write_bytes(b"SQLite format 3\x00" + b"\x00" * 4080), id="not-gzip"
        ),
        pytest.param(lambda d: _rewrite(d, lambda data: data[:-4096] + bytes(4096)), id="digest"),
        pytest.param(lambda d: _truncate(d / prebuilt.STORE), id="cut-short"),
        pytest.param(lambda d: _edit_info(d, faker="0.0.1"), id="faker-version"),
        pytest.param(lambda d: _edit_info(d, key="0123456789abcdef"), id="dataset-key"),
        pytest.param(lambda d: (d / prebuilt.INFO).unlink(), id="no-info"),
    ],
)
def test_a_shipped_store_that_does_not_match_is_built_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: Any
) -> None:
    good = prebuilt.rows(emulator().databases.live)
    spoil(shipped_copy(tmp_path, monkeypatch))
    emu = emulator()
    assert prebuilt.load(emu.startup.key) is None
    assert prebuilt.rows(emu.databases.live) == good


def _rewrite(where: Path, change: Any) -> None:
    path = where / prebuilt.STORE
    path.write_bytes(gzip.compress(change(gzip.decompress(path.read_bytes())), mtime=0))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit_info(where: Path, **changes: str) -> None:
    info = json.loads((where / prebuilt.INFO).read_text())
    (where / prebuilt.INFO).write_text(json.dumps({**info, **changes}))


def test_other_settings_build_their_own_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = shipped_copy(tmp_path, monkeypatch)
    digest = hashlib.sha256(gzip.decompress((here / prebuilt.STORE).read_bytes())).hexdigest()
    assert json.loads((here / prebuilt.INFO).read_text())["sha256"] == digest
    default, other = emulator(), emulator(seed=7)
    assert prebuilt.load(default.startup.key) is not None
    assert prebuilt.load(other.startup.key) is None
    assert prebuilt.rows(other.databases.live) != prebuilt.rows(default.databases.live)


def test_a_data_dir_template_starts_from_the_shipped_store(tmp_path: Path) -> None:
    emu = emulator(data_dir=tmp_path)
    template = tmp_path / f"store-{emu.startup.key}.sqlite3"
    assert prebuilt.rows(emu.databases.live) == prebuilt.rows(emulator().databases.live)
    assert template.read_bytes() == shipped_bytes()


def page_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_size").fetchone()[0])


def records(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """`prebuilt.rows` but the meta table (which names the start-up dataset a reseed goes back to)."""
    return [row for row in prebuilt.rows(conn) if row[0] != "emu_meta"]


def test_a_data_dir_started_from_the_shipped_store_reseeds_in_its_page_size(tmp_path: Path) -> None:
    """The shipped store keeps SQLite's 4 KiB pages while new stores get `PAGE_SIZE`; SQLite refuses a backup
    into a WAL file of another page size, so a reseed builds aside in the live file's."""
    emu = emulator(data_dir=tmp_path)
    assert page_size(emu.databases.live) == 4096 != databases.PAGE_SIZE
    emu.reseed(7, 0.05)
    assert page_size(emu.databases.live) == 4096
    assert records(emu.databases.live) == records(emulator(seed=7, scale=0.05).databases.live)
    emu.reset()
    assert prebuilt.rows(emu.databases.live) == prebuilt.rows(emulator().databases.live)


def test_new_stores_get_large_pages_and_clone_into_the_shipped_ones(tmp_path: Path) -> None:
    built = emulator(seed=7, scale=0.05)
    assert page_size(built.databases.live) == page_size(built.databases.template) == databases.PAGE_SIZE
    shipped = emulator()
    shipped.reseed(7, 0.05)
    assert records(shipped.databases.live) == records(built.databases.live)


def test_the_shipped_store_is_compressed_reproducibly() -> None:
    """gzip without a timestamp: rebuilding the file gives the same bytes (no churn in git)."""
    packed = Path(str(prebuilt._defaults()), prebuilt.STORE).read_bytes()
    assert packed[:2] == b"\x1f\x8b" and packed[4:8] == bytes(4)  # gzip magic, MTIME 0
    assert len(packed) < len(gzip.decompress(packed)) // 3


def test_scratch_databases_leave_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    emu = emulator(scale=0.05)
    emu.databases.live.execute("CREATE TABLE probe (x)")
    emu.reset()
    assert list(tmp_path.iterdir()) == []
    assert emu.databases.live.execute("SELECT name FROM sqlite_master WHERE name='probe'").fetchone() is None


def test_without_a_writable_temp_dir_the_data_stays_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    expected = prebuilt.rows(emulator().databases.live)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    in_memory(emulator(), expected)


def test_where_an_open_file_cannot_be_deleted_the_data_stays_in_memory_and_no_file_is_left(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As on Windows, where SQLite's open file cannot be unlinked: the file goes once closed, the data to memory."""
    expected = prebuilt.rows(emulator().databases.live)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    real_unlink = os.unlink
    refused: list[str] = []

    def unlink_once_closed(path: Any, *args: Any, **kwargs: Any) -> None:
        name = os.fspath(path)
        if name.startswith(str(tmp_path)) and name not in refused:
            refused.append(name)
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink_once_closed)
    in_memory(emulator(), expected)
    assert refused and list(tmp_path.iterdir()) == []


def in_memory(emu: Emulator, expected: list[Any]) -> None:
    # SQLite names a file database by its absolute path; one in memory (or deserialized into memory) has none.
    for conn in (emu.databases.live, emu.databases.template):
        assert not os.path.isabs(conn.execute("PRAGMA database_list").fetchone()[2])
    assert prebuilt.rows(emu.databases.live) == expected
    emu.reset()
    assert prebuilt.rows(emu.databases.live) == expected
