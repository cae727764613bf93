"""The app shell: settings from flags and env, health, the control plane's errors, deterministic bytes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from emulator.cli import build_parser
from emulator.core.settings import Settings
from emulator.vendors.ice import data as ice_data

from ..conftest import free_port  # noqa: TID252

ACCOUNT = "1000000000000001"
AK = "LTAI5tEmuDevAccessKey001"


def test_every_setting_is_a_flag_and_an_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    flags = {a.dest for a in serve._actions}
    assert set(Settings.model_fields) <= flags
    monkeypatch.setenv("EMULATOR_SEED", "7")
    monkeypatch.setenv("EMULATOR_AUTH", "off")
    assert Settings().seed == 7 and Settings().auth == "off"
    args = build_parser().parse_args(["serve", "--seed", "9"])
    from emulator.cli import _settings

    settings = _settings(args)
    assert settings.seed == 9 and settings.auth == "off"  # flag wins, env fills the rest


def test_env_vars_are_read_as_pydantic_settings_read_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from emulator.pytest_plugin.server import PluginSettings

    monkeypatch.setenv("emulator_scale", "2.5")  # any case
    monkeypatch.setenv("EMULATOR_AUTH", "presence")
    monkeypatch.setenv("EMULATOR_NOT_A_SETTING", "1")
    settings = Settings(auth="off", other="ignored")
    assert (settings.scale, settings.auth, settings.seed) == (2.5, "off", 20201109)  # a given value wins
    assert settings.model_fields_set == {"scale", "auth"}  # what was set, by a variable or given; not defaults
    monkeypatch.setenv("EMULATOR_PORT", "70000")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == ("port",)
    assert PluginSettings().port == 8000  # the plugin reads no variables


def test_health_answers_once_loaded(client) -> None:
    r = client.get("/_emulator/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["seed"] == 20201109
    assert body["records"]["ice_dialogues"] > 1000


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/_emulator/nope", 404, "NotFound"), ("POST", "/_emulator/health", 405, "MethodNotAllowed")],
)
def test_control_plane_errors_use_its_own_envelope(client, method, path, status, code) -> None:
    r = client.request(method, path)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code
    assert "detail" not in r.json()


def _dialogue_request(session: str) -> dict[str, str]:
    return {
        "Action": "ListAIAgentDialogues",
        "Version": "2020-11-09",
        "AccessKeyId": AK,
        "SessionId": session,
        "StartTime": "0",
        "EndTime": str(2**62),
    }


def test_same_request_same_bytes_different_request_different_id(client) -> None:
    session = ice_data.sessions(20201109, ACCOUNT, 1.0)[0].session_id
    a = client.get("/", params=_dialogue_request(session))
    b = client.get("/", params=_dialogue_request(session))
    c = client.get("/", params={**_dialogue_request(session), "PageNumber": "2"})
    assert a.content == b.content
    assert a.json()["RequestId"] != c.json()["RequestId"]


SCRIPT = """
import hashlib, sys
from fastapi.testclient import TestClient
from emulator.app import create_app
from emulator.core.settings import Settings
client = TestClient(create_app(Settings(auth="presence", seed=int(sys.argv[1]))))
h = hashlib.sha256()
for path, params in __PARAMS__:
    h.update(client.get(path, params=params).content)
print(h.hexdigest())
"""


def _digest_in_subprocess(seed: int, hashseed: str, params: list[tuple[str, dict[str, str]]]) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    code = SCRIPT.replace("__PARAMS__", json.dumps(params))
    out = subprocess.run([sys.executable, "-c", code, str(seed)], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_same_seed_is_byte_identical_across_processes() -> None:
    session = ice_data.sessions(20201109, ACCOUNT, 1.0)[1].session_id
    agent = ice_data.agents(20201109, ACCOUNT)[0]
    params = [
        ("/", _dialogue_request(session)),
        ("/", {"Action": "ListAIAgentInstance", "Version": "2020-11-09", "AccessKeyId": AK, "AIAgentId": agent}),
    ]
    first = _digest_in_subprocess(20201109, "1", params)
    assert first == _digest_in_subprocess(20201109, "2", params)
    other_session = ice_data.sessions(5, ACCOUNT, 1.0)[1].session_id
    other = [("/", _dialogue_request(other_session))] + params[1:]
    assert _digest_in_subprocess(5, "1", other) != first


def test_workers_share_one_store_file_and_answer_identically(tmp_path: Path) -> None:
    """`serve --workers 2 --data-dir`: built once under a lock, read by both workers; same bytes from each."""
    port = free_port()
    env = {**os.environ, "EMULATOR_LOG_LEVEL": "warning"}
    cmd = [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--workers", "2",
           "--data-dir", str(tmp_path), "--scale", "0.2", "--auth", "presence"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/_emulator/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode() if proc.stderr else "no output") from None
                time.sleep(0.2)
        session = ice_data.sessions(20201109, ACCOUNT, 0.2)[0].session_id
        query = urllib.parse.urlencode(_dialogue_request(session))
        digests = set()
        for _ in range(12):  # new connections, so both workers answer some of them
            with urllib.request.urlopen(f"{base}/?{query}", timeout=5) as r:
                digests.add(hashlib.sha256(r.read()).hexdigest())
        assert len(digests) == 1
        assert len(list(tmp_path.glob("store-*.sqlite3"))) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
