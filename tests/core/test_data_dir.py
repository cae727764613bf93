"""`--data-dir` at start-up: a directory the emulator cannot use is refused in one line (exit 2); a damaged SQLite
file (truncated, emptied, overwritten) is found and rebuilt instead of served; files no current dataset uses are
pruned; several workers starting together on a damaged dir repair it once. Real `emulator serve` processes."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from ..conftest import free_port  # noqa: TID252

ACCOUNT = "1000000000000001"
AK = "LTAI5tEmuDevAccessKey001"
SCALE = "0.05"
INSTANCE = {
    "tenant": ACCOUNT,
    "aiAgentId": "agent-kept",
    "instanceId": "written-before-the-damage",
    "startTime": "2030-01-01T00:00:00Z",
    "record": {"Status": "Executing"},
}
CAP_DAC_OVERRIDE = 1
PR_CAPBSET_DROP = 24


def emulator(*args: str, preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "emulator", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, preexec_fn=preexec_fn)


class Server:
    """`emulator serve --data-dir <dir>` until stopped; `stderr` holds the warnings it printed."""

    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        cmd = [sys.executable, "-m", "emulator", "serve", "--port", self.url.rsplit(":", 1)[1], "--data-dir",
               str(data_dir), "--scale", SCALE, "--auth", "presence", "--log-level", "warning", *extra]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.stderr = ""
        deadline = time.monotonic() + 60
        while not self._healthy():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise AssertionError(f"server did not start: {self.stderr}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        try:
            return requests.get(self.url + "/_emulator/health", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def get(self, path: str) -> requests.Response:
        with requests.Session() as session:  # a new connection each time: with workers, each answers some
            return session.get(self.url + path, timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def written_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir as a stopped server leaves it, with one record written; each test damages its own copy."""
    data_dir = tmp_path_factory.mktemp("pristine")
    server = Server(data_dir)
    try:
        r = requests.put(server.url + "/_emulator/records/ice/instances", json=[INSTANCE], timeout=10)
        assert r.status_code == 200, r.text
    finally:
        server.stop()
    for path in data_dir.glob("*.sqlite3"):  # fold the WALs in: the damage below hits what is on disk
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    assert sorted(p.name for p in data_dir.iterdir() if not p.name.startswith(".")) == [
        "live.sqlite3", "runtime.sqlite3", next(p.name for p in data_dir.glob("store-*")),
    ]  # fmt: skip
    return data_dir


def template_of(data_dir: Path) -> Path:
    [template] = data_dir.glob("store-*.sqlite3")
    return template


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def empty(path: Path) -> None:
    os.truncate(path, 0)


def overwrite(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size or 4096))


DAMAGES = {"truncated": truncate, "emptied": empty, "random": overwrite}


def instance_ids(server: Server) -> list[str]:
    r = server.get(f"/_emulator/records/ice/instances?tenant={ACCOUNT}&limit=100000")
    assert r.status_code == 200, r.text
    return [e["instanceId"] for e in r.json()["entries"]]


def listed_by_the_vendor(server: Server) -> list[object]:
    """ListAIAgentInstance of the agent INSTANCE belongs to, as a client sees it."""
    query = f"Action=ListAIAgentInstance&Version=2020-11-09&AccessKeyId={AK}&AIAgentId={INSTANCE['aiAgentId']}"
    r = server.get(f"/?{query}")
    assert r.status_code == 200, r.text
    return list(r.json()["Instances"])


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("which", ["template", "live"])
def test_a_damaged_store_file_is_rebuilt_at_start_up(
    written_dir: Path, tmp_path: Path, servers: list[Server], which: str, damage: str
) -> None:
    """The server starts and answers (not 500 forever). A damaged template is rebuilt and the live file, intact,
    keeps its writes; a damaged live file is cloned afresh from the template (its writes were unreadable anyway).
    Either way a reset then serves the start-up dataset."""
    data_dir = tmp_path / "data"
    shutil.copytree(written_dir, data_dir)
    target = template_of(data_dir) if which == "template" else data_dir / "live.sqlite3"
    DAMAGES[damage](target)
    server = Server(data_dir)
    servers.append(server)
    assert len(listed_by_the_vendor(server)) == (1 if which == "template" else 0)
    assert (INSTANCE["instanceId"] in instance_ids(server)) is (which == "template")
    with requests.Session() as session:
        assert session.post(server.url + "/_emulator/reset", timeout=10).status_code == 200
    assert listed_by_the_vendor(server) == []
    assert len(instance_ids(server)) > 1  # the generated ones
    server.stop()
    assert re.fullmatch(rf"emulator: {re.escape(str(target))} was unreadable \([^)]+\); rebuilt it\n", server.stderr)
    assert len(list(data_dir.glob("store-*"))) == 1


def test_a_damaged_runtime_file_is_replaced(written_dir: Path, tmp_path: Path, servers: list[Server]) -> None:
    """The journal and nonce cache start empty; the records (in the live file) are kept."""
    data_dir = tmp_path / "data"
    shutil.copytree(written_dir, data_dir)
    overwrite(data_dir / "runtime.sqlite3")
    server = Server(data_dir)
    servers.append(server)
    assert len(listed_by_the_vendor(server)) == 1
    assert server.get("/_emulator/requests/count").json() == {"count": 1}
    assert INSTANCE["instanceId"] in instance_ids(server)
    server.stop()
    expected = f"emulator: {data_dir / 'runtime.sqlite3'} was unreadable (file is not a database); rebuilt it\n"
    assert server.stderr == expected


def test_workers_starting_together_repair_a_damaged_dir_once(
    written_dir: Path, tmp_path: Path, servers: list[Server]
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(written_dir, data_dir)
    template = template_of(data_dir)
    overwrite(template)
    overwrite(data_dir / "live.sqlite3")
    server = Server(data_dir, "--workers", "3")
    servers.append(server)
    workers: set[int] = set()
    deadline = time.monotonic() + 60  # the server is up once one worker is; wait until another answers too
    while len(workers) < 2 and time.monotonic() < deadline:
        workers.add(server.get("/_emulator/health").json()["worker"])
    assert len(workers) > 1
    answers = {tuple(instance_ids(server)) for _ in range(6)}
    assert len(answers) == 1 and len(next(iter(answers))) > 1
    server.stop()
    assert server.stderr.count(f"emulator: {template} was unreadable (file is not a database); rebuilt it\n") == 1
    assert server.stderr.count(f"emulator: {data_dir / 'live.sqlite3'} was unreadable") == 1


def test_store_files_of_other_versions_settings_or_fixtures_are_pruned(
    written_dir: Path, tmp_path: Path, servers: list[Server]
) -> None:
    """Only the current template stays (beside the live and runtime files, and whatever else the user keeps)."""
    data_dir = tmp_path / "data"
    shutil.copytree(written_dir, data_dir)
    old = template_of(data_dir)
    leftovers = ["store-0123456789abcdef.sqlite3", "store-0123456789abcdef.sqlite3-journal", "store-fedcba.building",
                 "live.sqlite3.building"]  # fmt: skip
    for name in leftovers:
        (data_dir / name).write_bytes(b"from an earlier version")
    (data_dir / "notes.txt").write_text("mine")
    server = Server(data_dir, "--seed", "5")
    servers.append(server)
    assert INSTANCE["instanceId"] not in instance_ids(server)  # another dataset: the live file was replaced
    server.stop()
    names = sorted(p.name for p in data_dir.iterdir() if not p.name.startswith(".") and not p.name.endswith("-shm"))
    names = [name for name in names if not name.endswith("-wal")]
    current = template_of(data_dir)
    assert current != old
    assert names == sorted(["live.sqlite3", "notes.txt", "runtime.sqlite3", current.name])
    assert not [p for p in data_dir.iterdir() if p.name.startswith("store-") and p != current]


def test_a_data_dir_that_is_a_regular_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "a-file"
    path.write_text("")
    result = emulator("serve", "--port", "0", "--data-dir", str(path))
    assert (result.returncode, result.stderr) == (2, f"emulator: --data-dir {path}: not a directory\n")


def _without_dac_override() -> None:
    # As root, permission bits bind only without CAP_DAC_OVERRIDE (dropped from the bounding set before exec).
    if os.geteuid() == 0 and ctypes.CDLL(None, use_errno=True).prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "cannot drop CAP_DAC_OVERRIDE")


@pytest.fixture(scope="module")
def permissions_bind() -> None:
    try:
        subprocess.run(["true"], check=True, preexec_fn=_without_dac_override)
    except subprocess.SubprocessError:
        pytest.skip("running as root without CAP_SETPCAP: no directory is read-only for this process")


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.usefixtures("permissions_bind")
def test_a_read_only_data_dir_exits_2(tmp_path: Path, workers: str) -> None:
    data_dir = tmp_path / "read-only"
    data_dir.mkdir()
    data_dir.chmod(0o555)
    try:
        args = ["serve", "--port", "0", "--workers", workers, "--data-dir", str(data_dir)]
        result = emulator(*args, preexec_fn=_without_dac_override)
        inside = emulator(*args[:-1], str(data_dir / "sub"), preexec_fn=_without_dac_override)
    finally:
        data_dir.chmod(0o755)
    assert (result.returncode, result.stderr) == (
        2,
        f"emulator: --data-dir {data_dir}: not writable (Permission denied)\n",
    )
    expected = f"emulator: --data-dir {data_dir / 'sub'}: cannot be created (Permission denied)\n"
    assert (inside.returncode, inside.stderr) == (2, expected)
    assert list(data_dir.iterdir()) == []


def test_workers_refuse_bad_fixtures_once_instead_of_failing_each(tmp_path: Path) -> None:
    """With --workers the dataset is built once before the workers start: a bad fixture is one line and exit 2 (a
    worker failing on its own would be restarted by uvicorn, forever)."""
    fixtures = tmp_path / "fixtures"
    (fixtures / "ice").mkdir(parents=True)
    path = fixtures / "ice" / "dialogues.json"
    path.write_text('[{"tenant": "1000000000000001", "sessionId": "s", "record": {"DialogueId": "d", "Time": "x"}}]')
    args = ["serve", "--port", str(free_port()), "--workers", "2", "--data-dir", str(tmp_path / "data")]
    result = emulator(*args, "--fixtures", str(fixtures))
    problem = "field record.Time: Input should be a valid integer, unable to parse string as an integer"
    expected = f"emulator: bad fixtures: {path}: entry 0 (d): {problem}\n"
    assert (result.returncode, result.stderr) == (2, expected)
