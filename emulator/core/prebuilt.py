"""The default dataset, shipped built: `emulator serve` with the default settings opens it instead of generating it
(half a second of Faker and SQLite at every start).

`defaults/store.sqlite3.gz` is exactly what a build of the default dataset writes (then VACUUMed), gzip-compressed
(7 MB of SQLite pages are 1.2 MB in git and in the wheel; decompressing costs ~16 ms at start), and
`defaults/store.json` says which dataset it is: its dataset key (settings, version, store format, tenants, tables),
the Faker version its text came from, and the SHA-256 of the database file (the decompressed bytes). It is used only
when all three match; anything else (another seed, scale, manifest or fixtures, a new version, a damaged or edited
file) builds as before.

Regenerate it after a change to generated data: `python -m emulator.core.prebuilt` (tests/core/test_prebuilt.py
builds it afresh and checks the shipped one holds the same rows).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import sqlite3
import tempfile
import zlib
from contextlib import ExitStack
from importlib import metadata, resources
from pathlib import Path
from typing import Any

log = logging.getLogger("emulator")

STORE = "store.sqlite3.gz"
INFO = "store.json"


def _defaults() -> Any:
    return resources.files("emulator").joinpath("defaults")


def info() -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads(_defaults().joinpath(INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found


def faker_version() -> str | None:
    try:
        return metadata.version("faker")
    except metadata.PackageNotFoundError:
        return None


def describes(key: str) -> dict[str, Any] | None:
    """The shipped store's description if it is the dataset `key` (made with this Faker), without reading it."""
    found = info()
    if found is None or found.get("key") != key or found.get("faker") != faker_version():
        return None
    return found


def load(key: str) -> bytes | None:
    """The shipped store's bytes if it is the dataset `key` and intact, else None (then the caller builds)."""
    found = describes(key)
    if found is None:
        return None
    try:
        packed = _defaults().joinpath(STORE).read_bytes()
    except OSError:
        return None
    try:
        data = _gunzip(packed)
    except zlib.error:  # not gzip, or cut short
        data = b""
    if hashlib.sha256(data).hexdigest() != found.get("sha256"):
        log.warning("the shipped default dataset does not match its digest; building it instead")
        return None
    return data


def _gunzip(packed: bytes) -> bytes:
    """One gzip member, header and CRC checked by zlib, into a buffer of the size its trailer gives: a quarter
    faster than `gzip.decompress`, which grows its output as it goes."""
    size = int.from_bytes(packed[-4:], "little")  # ISIZE: the length mod 2^32; a wrong one only costs speed
    return zlib.decompress(packed, wbits=31, bufsize=max(1, min(size, 64 * len(packed))))


def write(out_dir: Path) -> dict[str, Any]:
    """Build the default dataset and write `store.sqlite3.gz` and `store.json` into `out_dir`."""
    from emulator.admin.errors import ControlPlaneErrors
    from emulator.core.context import Emulator
    from emulator.core.databases import connect
    from emulator.core.settings import Settings
    from emulator.vendors import VENDOR_TYPES

    emu = Emulator(Settings(), VENDOR_TYPES, ControlPlaneErrors())
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        built = connect(work / "built.sqlite3")
        stack.callback(built.close)
        emu.build(built, emu.startup)  # generated here, whatever this process loaded at start
        built.execute("VACUUM INTO ?", (str(work / "store.sqlite3"),))  # compact, pages in table order
        data = (work / "store.sqlite3").read_bytes()
        (work / STORE).write_bytes(gzip.compress(data, mtime=0))  # mtime 0: the same bytes at every build
        shutil.move(work / STORE, out_dir / STORE)
    found = {"key": emu.startup.key, "faker": faker_version(), "sha256": hashlib.sha256(data).hexdigest()}
    (out_dir / INFO).write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    return found


def rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every table's schema and rows, in a fixed order: what two builds of one dataset agree on."""
    out: list[tuple[Any, ...]] = []
    tables = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    out += tables
    for kind, name, _ in tables:
        if kind == "table":
            out += sorted(((name, *row) for row in conn.execute(f"SELECT * FROM {name}")), key=repr)
    return out


if __name__ == "__main__":
    where = Path(str(_defaults()))
    print(json.dumps(write(where), indent=2))
