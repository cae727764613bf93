"""A database file copied whole, in the kernel or (where the kernel cannot) through the process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emulator.core import filecopy


@pytest.mark.parametrize("kernel", [True, False], ids=["copy_file_range", "read-write"])
def test_a_file_is_copied_whole(kernel: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecopy, "COPY_CHUNK", 4096)  # several chunks
    if not kernel:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    data = os.urandom(3 * 4096 + 123)
    (tmp_path / "a").write_bytes(data)
    source = os.open(tmp_path / "a", os.O_RDONLY)
    target = os.open(tmp_path / "b", os.O_RDWR | os.O_CREAT)
    try:
        filecopy.copy_file(source, target)
    finally:
        os.close(source)
        os.close(target)
    filecopy.fsync(tmp_path / "b")
    assert (tmp_path / "b").read_bytes() == data
