"""The command line as a developer meets it: `--version`, help naming every flag's choices and default, a bad value
or a busy port refused in one line (exit 2), the start-up summary, one log line per request (text or JSON) naming
its journal entry, and progress while a dataset is built or exported."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator import __version__, logs
from emulator.cli import build_parser
from emulator.core.dataset import BuildStep
from emulator.core.journal import Journal, JournalFilter, connect
from emulator.core.settings import LogFormat, LogLevel, Settings

from ..conftest import free_port  # noqa: TID252

PROJECT = "0123456789abcdef0123456789abcdef"
FIXIE_AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"
TEXT_REQUEST = re.compile(
    r"emulator: (?P<method>\S+) (?P<path>\S+) (?P<status>\S+) (?P<vendor>\S+) (?P<operation>\S+) "
    r"tenant=(?P<tenant>\S+) code=(?P<code>\S+) (?P<duration_ms>\d+\.\d)ms id=(?P<id>\S+)"
)


def emulator(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "emulator", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


class Served:
    """`emulator serve` in a subprocess; its stderr read line by line as it comes (`lines`)."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "emulator", "serve", "--port", str(self.port), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, wanted: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = next((line for line in self.lines if wanted(line)), None)
            if found is not None:
                return found
            if self.proc.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no {what} in stderr: {self.lines}")

    def stop(self) -> list[str]:
        """Stop the server; everything it printed."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=10)
        return self.lines


def healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/_emulator/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def served(*args: str) -> Iterator[Served]:
    server = Served(*args)
    try:
        deadline = time.monotonic() + 60
        while not healthy(server.url):
            assert server.proc.poll() is None and time.monotonic() < deadline, f"not started: {server.lines}"
            time.sleep(0.05)
        yield server
    finally:
        server.stop()


def test_version() -> None:
    result = emulator("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"emulator {__version__}\n", "")


def test_every_flag_says_its_choices_default_and_variable() -> None:
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    actions = {a.dest: a for a in serve._actions}
    for name, field in Settings.model_fields.items():
        action = actions[name]
        assert action.help and f"env EMULATOR_{name.upper()})" in action.help, name
        default = field.default.value if isinstance(field.default, Enum) else field.default
        assert f"(default: {'none' if default in (None, '') else default};" in action.help, name
    assert actions["log_level"].metavar == "{critical,error,warning,info,debug,trace}"
    assert actions["log_format"].metavar == "{text,json}"
    assert actions["auth"].metavar == "{verify,presence,off}"
    assert actions["ice_page_size_over_max"].metavar == "{reject,clamp}"
    text = emulator("serve", "--help").stdout
    assert "--log-level {critical,error,warning,info,debug,trace}" in text
    assert "(default: info; env EMULATOR_LOG_LEVEL)" in " ".join(text.split())


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (["serve", "--log-level", "loud"], {},
         "invalid setting: --log-level: Input should be 'critical', 'error', 'warning', 'info', 'debug' or 'trace'"),
        (["serve", "--auth", "maybe"], {}, "invalid setting: --auth: Input should be 'verify', 'presence' or 'off'"),
        (["serve", "--log-format", "xml"], {}, "invalid setting: --log-format: Input should be 'text' or 'json'"),
        (["serve", "--port", "99999"], {}, "invalid setting: --port: Input should be less than or equal to 65535"),
        (["serve", "--scale", "-1"], {}, "invalid setting: --scale: Input should be greater than 0"),
        (["serve", "--seed", "x"], {},
         "invalid setting: --seed: Input should be a valid integer, unable to parse string as an integer"),
        (["serve"], {"EMULATOR_AUTH": "maybe"},
         "invalid setting: EMULATOR_AUTH: Input should be 'verify', 'presence' or 'off'"),
        (["serve", "--auth", "maybe"], {"EMULATOR_AUTH": "off"},
         "invalid setting: --auth: Input should be 'verify', 'presence' or 'off'"),
        (["fixtures", "export", "--scale", "0", "--out", "x"], {},
         "invalid setting: --scale: Input should be greater than 0"),
        (["serve", "--bogus"], {}, "unrecognized arguments: --bogus (see: emulator --help)"),
        (["serve", "--port"], {}, "argument --port: expected one argument (see: emulator serve --help)"),
        (["fixtures", "export"], {},
         "the following arguments are required: --out (see: emulator fixtures export --help)"),
        ([], {}, "the following arguments are required: command (see: emulator --help)"),
    ],
    ids=["log-level", "auth", "log-format", "port", "scale", "seed", "env", "flag-over-env", "export-scale",
         "unknown-flag", "missing-value", "missing-out", "no-command"],
)  # fmt: skip
def test_a_bad_value_is_one_line_and_exit_2(args: list[str], env: dict[str, str], line: str) -> None:
    result = emulator(*args, env=env)
    assert (result.returncode, result.stderr, result.stdout) == (2, f"emulator: {line}\n", "")


def test_a_busy_port_is_one_line_before_the_store_is_built(tmp_path: Path) -> None:
    """A bad fixture would stop the build: the port's line instead shows it was checked first."""
    (tmp_path / "ice").mkdir()
    (tmp_path / "ice" / "dialogue.json").write_text("[]")  # a misspelt file name: refused when the build starts
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = emulator("serve", "--port", str(port), "--fixtures", str(tmp_path))
    expected = f"emulator: cannot listen on 127.0.0.1:{port}: address already in use\n"
    assert (result.returncode, result.stderr) == (2, expected)


def test_start_up_says_what_it_serves_and_where() -> None:
    with served("--scale", "0.05", "--progress", "off") as server:
        health = httpx.get(server.url + "/_emulator/health", timeout=10).json()
        tenants = httpx.get(server.url + "/_emulator/tenants", timeout=10).json()["tenants"]
        lines = list(server.lines)
    records = health["records"]
    assert lines == [
        f"emulator: agent-api-emulator {__version__}: seed 20201109, scale 0.05, auth verify",
        f"emulator: ice: {len(tenants['ice'])} tenants; {records['ice_instances']:,} instances, "
        f"{records['ice_dialogues']:,} dialogues",
        f"emulator: metastudio: {len(tenants['metastudio'])} tenants; "
        f"{records['metastudio_smart_chat_rooms']:,} smart_chat_rooms, "
        f"{records['metastudio_smart_chat_jobs']:,} smart_chat_jobs",
        f"emulator: fixie: {len(tenants['fixie'])} tenants; {records['fixie_agents']:,} agents, "
        f"{records['fixie_conversations']:,} conversations",
        f"emulator: listening on {server.url} (control plane: /_emulator/; Ctrl+C to quit)",
    ]


def vendor_requests(base: str) -> None:
    """Four vendor requests: two answered 200, two refused with the vendor's code."""
    fixie = {"Authorization": "Bearer fixie-emu-dev-key-001"}
    assert httpx.get(f"{base}/api/v1/agents/{FIXIE_AGENT}/conversations", headers=fixie).status_code == 200
    assert httpx.get(f"{base}/api/v1/agents/{FIXIE_AGENT}/conversations/nope", headers=fixie).status_code == 404
    token = {"X-Auth-Token": "emu-dev-iam-token-0000000001"}
    assert httpx.get(f"{base}/v1/{PROJECT}/smart-chat-rooms", headers=token).status_code == 200
    assert httpx.get(f"{base}/?Action=ListAIAgentInstance&Version=2020-11-09").status_code == 400


def parse_request_line(line: str, fmt: str) -> dict[str, Any] | None:
    if fmt == "json":
        doc = json.loads(line)
        return doc if doc["event"] == "request" else None
    match = TEXT_REQUEST.fullmatch(line)
    if match is None:
        return None
    fields: dict[str, Any] = {k: None if v == "-" else v for k, v in match.groupdict().items()}
    fields["id"], fields["status"] = int(fields["id"]), int(fields["status"])
    fields["duration_ms"] = float(fields["duration_ms"])
    return fields


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_each_vendor_request_is_one_line_naming_its_journal_entry(fmt: str) -> None:
    with served("--scale", "0.05", "--auth", "presence", "--log-format", fmt, "--progress", "off") as server:
        if fmt == "json":
            assert all(json.loads(line)["event"] in ("serving", "vendor", "listening") for line in server.lines)
        vendor_requests(server.url)
        server.wait_for(lambda line: "ListAIAgentInstance" in line, "ICE request line")
        journal = httpx.get(server.url + "/_emulator/requests", timeout=10).json()["requests"]
        lines = server.stop()
    logged = [fields for fields in (parse_request_line(line, fmt) for line in lines) if fields is not None]
    assert [f["id"] for f in logged] == sorted(e["id"] for e in journal)  # one line each, control plane none
    by_id = {e["id"]: e for e in journal}
    keys = ("method", "path", "vendor", "operation", "tenant", "status", "code")
    for fields in logged:
        entry = by_id[fields["id"]]
        assert {k: fields[k] for k in keys} == {k: entry[k] for k in keys}
        assert isinstance(fields["duration_ms"], float)
        if fmt == "json":
            assert fields["request_id"] == entry["request_id"] and fields["level"] == "info"
    assert [(f["vendor"], f["status"]) for f in logged] == [("fixie", 200), ("fixie", 404), ("metastudio", 200),
                                                            ("ice", 400)]  # fmt: skip
    assert logged[1]["code"] == "5" and logged[3]["code"] is not None
    assert logged[2]["tenant"] == PROJECT
    assert not [line for line in lines if "HTTP/1.1" in line]  # no uvicorn access log beside them


def test_log_level_warning_keeps_start_up_and_requests_quiet() -> None:
    with served("--scale", "0.05", "--auth", "presence", "--log-level", "warning") as server:
        vendor_requests(server.url)
        lines = server.stop()
    assert lines == []


def test_the_record_counts_are_read_only_to_be_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.app import create_app

    emu = create_app(Settings()).state.emulator
    counted: list[str] = []
    monkeypatch.setattr(emu.store, "count", lambda coll, tenant=None: counted.append(coll.name) or 0)
    stream = io.StringIO()
    for level, expected in ((LogLevel.WARNING, []), (LogLevel.INFO, [c.collection.name for c in emu.codecs()])):
        counted.clear()
        restore = logs.configure(level, LogFormat.TEXT, stream)
        try:
            logs.announce_dataset(emu)
        finally:
            restore()
        assert counted == expected


def test_journal_ids_are_known_when_recorded_and_never_reused(tmp_path: Path) -> None:
    """The log line names the id the journal entry gets, whether the journal batches (alone) or not (shared)."""
    row = (0, "fixie", None, None, 200, None, "ok", None, "GET", "/", b"", [], b"", 0, None, 1.0)
    for journal in (Journal(connect(None), 10, batch=None), Journal(connect(tmp_path / "runtime.sqlite3"), 10)):
        ids = [journal.record(row) for _ in range(3)]
        assert ids == [1, 2, 3]
        assert [e["id"] for e in journal.query(JournalFilter(), 10)] == [3, 2, 1]
        journal.clear()
        assert journal.record(row) == 4
        assert [e["id"] for e in journal.query(JournalFilter(), 10)] == [4]
    again = Journal(connect(tmp_path / "runtime.sqlite3"), 10, batch=64)  # a restart on the same file
    assert again.record(row) == 5


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@contextmanager
def logged_to(stream: io.StringIO, fmt: LogFormat = LogFormat.TEXT) -> Iterator[None]:
    restore = logs.configure(LogLevel.INFO, fmt, stream)
    try:
        yield
    finally:
        restore()


def build(progress: logs.BuildProgress, clock: FakeClock, seconds_per_tenant: float) -> None:
    """The steps `build_dataset` reports for six tenants of 1,000 records, each taking `seconds_per_tenant`."""
    progress(BuildStep(0, 6, 0, "generating"))
    for done in range(1, 7):
        clock.now += seconds_per_tenant
        progress(BuildStep(done, 6, done * 1000, "generating"))
    clock.now += seconds_per_tenant
    progress(BuildStep(6, 6, 6000, "writing"))
    clock.now += seconds_per_tenant
    progress(BuildStep(6, 6, 6000, "done"))


def test_a_quick_build_shows_no_progress() -> None:
    out, clock = io.StringIO(), FakeClock()
    with logged_to(out):
        build(logs.BuildProgress(Settings(), out, clock), clock, 0.1)
    assert out.getvalue() == ""


def test_a_slow_build_shows_lines_off_a_terminal() -> None:
    """After 1.5 s, a line; then one every 3 s, and one when the records are written and when done."""
    out, clock = io.StringIO(), FakeClock()
    with logged_to(out):
        build(logs.BuildProgress(Settings(), out, clock), clock, 0.8)
    assert out.getvalue().splitlines() == [
        "emulator: building the dataset: 2 of 6 tenants, 2,000 records",
        "emulator: building the dataset: 6 of 6 tenants, 6,000 records",
        "emulator: building the dataset: writing 6,000 records to the store",
        "emulator: built the dataset: 6,000 records in 6.4 s",
    ]


def test_a_slow_build_draws_a_bar_on_a_terminal() -> None:
    out, clock = Terminal(), FakeClock()
    with logged_to(out):
        progress = logs.BuildProgress(Settings(), out, clock)
        build(progress, clock, 0.8)
        progress.close()
    frames = out.getvalue().split("\r\x1b[K")
    assert frames[0] == "" and frames[-1] == "emulator: built the dataset: 6,000 records in 6.4 s\n"
    assert frames[1] == "emulator: building the dataset [########----------------] 2/6 tenants, 2,000 records"
    assert frames[-2] == "emulator: building the dataset [########################] writing 6,000 records"
    assert "\n" not in "".join(frames[:-1])


def test_a_failed_build_ends_the_bar_line() -> None:
    out, clock = Terminal(), FakeClock()
    with logged_to(out):
        progress = logs.BuildProgress(Settings(progress="bar"), out, clock)
        progress(BuildStep(0, 6, 0, "generating"))
        progress.close()
    assert (
        out.getvalue() == "\r\x1b[Kemulator: building the dataset [------------------------] 0/6 tenants, 0 records\n"
    )


def test_progress_in_json_is_lines_of_events() -> None:
    out, clock = Terminal(), FakeClock()
    with logged_to(out, LogFormat.JSON):
        build(logs.BuildProgress(Settings(log_format="json"), out, clock), clock, 0.8)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(e["event"], e["stage"], e["records"]) for e in events] == [
        ("progress", "generating", 2000), ("progress", "generating", 6000), ("progress", "writing", 6000),
        ("progress", "done", 6000),
    ]  # fmt: skip


def test_serve_shows_the_build_from_the_start_with_progress_lines() -> None:
    with served("--scale", "0.2", "--progress", "lines") as server:
        records = sum(httpx.get(server.url + "/_emulator/health", timeout=10).json()["records"].values())
        lines = list(server.lines)
    assert lines[0] == "emulator: building the dataset: 0 of 6 tenants, 0 records"
    summary = lines.index(f"emulator: agent-api-emulator {__version__}: seed 20201109, scale 0.2, auth verify")
    assert lines[summary - 2] == f"emulator: building the dataset: writing {records:,} records to the store"
    assert re.fullmatch(rf"emulator: built the dataset: {records:,} records in \d+\.\d s", lines[summary - 1])


def test_fixtures_export_shows_progress_and_each_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = emulator("fixtures", "export", "--scale", "0.05", "--progress", "lines", "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "emulator: building the dataset: 0 of 6 tenants, 0 records"
    assert lines[3] == f"emulator: wrote {out / 'manifest.json'} (6 tenants)"
    written = [re.fullmatch(r"emulator: wrote (\S+) \(([\d,]+) records\)", line) for line in lines[4:-1]]
    assert all(written), lines
    files = {Path(m.group(1)): int(m.group(2).replace(",", "")) for m in written if m}
    assert set(files) == {p for p in out.rglob("*.json") if p.name != "manifest.json"}
    for path, count in files.items():
        assert len(json.loads(path.read_text())) == count
    total = sum(files.values())
    n = len(files) + 1  # and the manifest
    assert re.fullmatch(rf"emulator: exported {n} files \({total:,} records\) to {re.escape(str(out))} in \d+\.\d s",
                        lines[-1])  # fmt: skip


def test_openapi_export_shows_each_file(tmp_path: Path) -> None:
    result = emulator("openapi", "export", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "emulator: generating the OpenAPI documents"
    names = ["ice", "metastudio", "fixie", "emulator"]
    for line, name in zip(lines[1:-1], names, strict=True):
        paths = len(json.loads((tmp_path / f"{name}.json").read_text())["paths"])
        assert line == f"emulator: wrote {tmp_path / name}.json ({paths} paths)"
    assert re.fullmatch(rf"emulator: exported 4 files to {re.escape(str(tmp_path))} in \d+\.\d s", lines[-1])
