"""`--data-dir`: every acknowledged write survives `kill -9` and a restart, and `--workers N` share one state (a
write acknowledged by one worker is read by the next request on any worker; a replayed nonce is refused whichever
worker sees it). Real server processes on 127.0.0.1, as `emulator serve` runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.contract.signers import IceV3Signer
from emulator.vendors.ice import data as ice_data

from ..conftest import free_port  # noqa: TID252

ACCOUNT = "1000000000000001"
AK, SK = "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
SCALE = 0.05
AGENT = ice_data.agents(20201109, ACCOUNT)[0]
INSTANCE = {
    "tenant": ACCOUNT,
    "aiAgentId": AGENT,
    "instanceId": "persisted-instance-0001",
    "startTime": "2030-01-01T00:00:00Z",
    "record": {"Status": "Executing", "UserData": "{}"},
}


class Server:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "emulator", "serve", "--port", str(self.port), "--data-dir", str(data_dir),
               "--scale", str(SCALE), *extra]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url + "/_emulator/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                self.stop()
                raise AssertionError(f"server did not start: {err}")
            time.sleep(0.1)

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        # A new connection per call, so several workers each get some of them.
        with requests.Session() as session:
            return session.request(method, self.url + path, timeout=10, **kwargs)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def instances(server: Server, key: tuple[str, str] = (AK, SK)) -> requests.Response:
    query = {"Action": "ListAIAgentInstance", "Version": "2020-11-09", "AIAgentId": AGENT}
    return server.call("POST", "/", params=query, auth=IceV3Signer(*key))


def test_acknowledged_writes_survive_kill_9(tmp_path: Path, servers: list[Server]) -> None:
    first = Server(tmp_path)
    servers.append(first)
    assert first.call("PUT", "/_emulator/records/ice/instances", json=[INSTANCE]).json() == {
        "inserted": 1,
        "replaced": 0,
    }
    tenant = first.call("POST", "/_emulator/tenants", json={"vendor": "ice"}).json()
    rule = first.call("POST", "/_emulator/faults", json={"vendor": "fixie", "count": 3}).json()["id"]
    first.call("PUT", "/_emulator/clock", json={"offset_seconds": 120})
    first.kill()  # no shutdown, no flush: only what was committed before each answer

    second = Server(tmp_path)
    servers.append(second)
    listed = instances(second).json()["Instances"]
    assert listed[0] == INSTANCE["record"]  # the newest instance is the one written before the kill
    new_key = tenant["access_keys"][0]
    assert instances(second, (new_key["id"], new_key["secret"])).json()["Instances"] == []
    assert [f["id"] for f in second.call("GET", "/_emulator/faults").json()["faults"]] == [rule]
    assert second.call("GET", "/_emulator/clock").json()["offset_seconds"] == 120


def test_a_reseed_survives_a_restart_and_reset_goes_back_to_the_start_up_seed(
    tmp_path: Path, servers: list[Server]
) -> None:
    first = Server(tmp_path)
    servers.append(first)
    before = first.call("GET", "/_emulator/records/ice/instances?limit=1").json()["entries"]
    assert first.call("POST", "/_emulator/seed", json={"seed": 7}).json()["seed"] == 7
    seeded = first.call("GET", "/_emulator/records/ice/instances?limit=1").json()["entries"]
    assert seeded != before
    first.kill()

    second = Server(tmp_path)
    servers.append(second)
    assert second.call("GET", "/_emulator/health").json()["seed"] == 7
    assert second.call("GET", "/_emulator/records/ice/instances?limit=1").json()["entries"] == seeded
    second.call("POST", "/_emulator/reset")
    assert second.call("GET", "/_emulator/records/ice/instances?limit=1").json()["entries"] == before


def test_restarting_with_other_settings_starts_from_their_dataset(tmp_path: Path, servers: list[Server]) -> None:
    first = Server(tmp_path)
    servers.append(first)
    first.call("PUT", "/_emulator/records/ice/instances", json=[INSTANCE])
    first.stop()
    second = Server(tmp_path, "--seed", "5")
    servers.append(second)
    ids = [e["instanceId"] for e in second.call("GET", "/_emulator/records/ice/instances").json()["entries"]]
    assert INSTANCE["instanceId"] not in ids


def test_two_workers_share_writes_tenants_faults_journal_and_nonces(tmp_path: Path, servers: list[Server]) -> None:
    server = Server(tmp_path, "--workers", "2")
    servers.append(server)
    pids: set[int] = set()
    for _ in range(400):  # new connections: which worker accepts each is the kernel's choice, often lopsided
        pids.add(server.call("GET", "/_emulator/health").json()["worker"])
        if len(pids) == 2:
            break
    assert len(pids) == 2, "both workers answer"

    # A write acknowledged by one worker is what the next request reads, on any worker.
    server.call("PUT", "/_emulator/records/ice/instances", json=[INSTANCE])
    for _ in range(8):
        assert instances(server).json()["Instances"][0] == INSTANCE["record"]
    tenant = server.call("POST", "/_emulator/tenants", json={"vendor": "ice"}).json()
    key = (tenant["access_keys"][0]["id"], tenant["access_keys"][0]["secret"])
    assert all(instances(server, key).status_code == 200 for _ in range(8))

    # A rule fires at most `count` times across all workers.
    server.call("POST", "/_emulator/faults", json={"vendor": "ice", "error": "Throttling", "count": 3})
    codes = [instances(server).json().get("Code") for _ in range(10)]
    assert codes.count("Throttling") == 3
    assert server.call("GET", "/_emulator/faults").json()["faults"][0]["fired"] == 3
    # Every worker's requests are in the one journal.
    assert server.call("GET", "/_emulator/requests/count?code=Throttling").json() == {"count": 3}

    # One signed request replayed on new connections: accepted once, refused as a replay on every worker after.
    signed = requests.Request(
        "POST",
        server.url + "/",
        params={"Action": "ListAIAgentInstance", "Version": "2020-11-09", "AIAgentId": AGENT},
        auth=IceV3Signer(AK, SK),
    ).prepare()
    answers = []
    for _ in range(8):
        with requests.Session() as session:
            answers.append(session.send(signed, timeout=10))
    assert answers[0].status_code == 200
    assert {(r.status_code, r.json()["Code"]) for r in answers[1:]} == {(400, "SignatureNonceUsed")}


def test_several_workers_without_a_data_dir_refuse_to_start() -> None:
    cmd = [sys.executable, "-m", "emulator", "serve", "--port", str(free_port()), "--workers", "2"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "emulator: --workers needs --data-dir (the workers share their state through it)"
