"""Fixtures shared by the ICE tests: the generated dataset as an oracle, an RPC caller, the error-envelope check
and a fixtures directory with hand-written records (reserved and non-ASCII SessionIds, the §2.3 example key).

Helpers are fixtures rather than an importable module: tests run with --import-mode=importlib and no packages.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.context import default_manifest
from emulator.core.fixtures import wire
from emulator.core.settings import Settings
from emulator.vendors.ice import IceVendor
from emulator.vendors.ice.records import DialogueEntry, InstanceEntry

SEED = 20201109
VERSION = "2020-11-09"
ACCOUNT_1 = "1000000000000001"
AK_1 = "LTAI5tEmuDevAccessKey001"
ENVELOPE_KEYS = {"RequestId", "HostId", "Code", "Message", "Recommend"}
REQUEST_ID_RE = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")

# The worked example of shared/vendors/alibaba-ice.md §2.3, added as a third account in the fixtures manifest.
EXAMPLE_ACCOUNT = "1000000000000009"
EXAMPLE_AK = "LTAI5tExampleAKID"
EXAMPLE_SECRET = "ExampleSecretKey123"
# SessionIds that exercise query encoding: space, reserved characters, non-ASCII.
SPECIAL_SESSIONS = ("sess 1/ü~*", "a+b c", "中文会话", "k&v=w", "tilde~star*slash/")
SPECIAL_TIMES = (1_700_000_000_000, 1_700_000_001_000)


@dataclass(frozen=True)
class IceOracle:
    """The generated dataset read straight from the vendor's generator, bypassing store, filters and paging."""

    # (account, SessionId) -> dialogue wire dicts, oldest first
    dialogues: dict[tuple[str, str], list[dict[str, Any]]]
    # (account, AIAgentId) -> (start time, instance wire dict), newest first
    instances: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]

    def window(self, account: str, session: str, start: int, end: int) -> list[dict[str, Any]]:
        return [d for d in self.dialogues.get((account, session), []) if start <= d["Time"] <= end]


@pytest.fixture(scope="session")
def ice_oracle() -> IceOracle:
    vendor = IceVendor(default_manifest()["tenants"]["ice"])
    dialogues: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    instances: dict[tuple[str, str], list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for _, entry in vendor.generate(SEED, 1.0):
        if isinstance(entry, DialogueEntry):
            dialogues[(entry.tenant, entry.session_id)].append(json.loads(wire(entry.record)))
        elif isinstance(entry, InstanceEntry):
            instances[(entry.tenant, entry.ai_agent_id)].append(
                (entry.start_time, entry.instance_id, json.loads(wire(entry.record)))
            )
    for rows in dialogues.values():
        rows.sort(key=lambda d: (d["Time"], d["DialogueId"]))
    newest_first = {
        key: [(start, doc) for start, _, doc in sorted(rows, key=lambda r: (r[0], r[1]), reverse=True)]
        for key, rows in instances.items()
    }
    return IceOracle(dict(dialogues), newest_first)


@pytest.fixture(scope="module")
def shared_client() -> TestClient:
    """One auth=presence app per module, for tests that only read: building an app generates the whole dataset,
    which would dominate the suite's time if every read-only test paid for it."""
    return TestClient(create_app(Settings(auth="presence")), raise_server_exceptions=False)


@pytest.fixture
def ice_call() -> Callable[..., httpx.Response]:
    """POST (or `method`) `/` with Action, Version and a known AccessKeyId (for auth=presence) in the query."""

    def call(
        client: TestClient, action: str, *, method: str = "POST", access_key: str = AK_1, **params: Any
    ) -> httpx.Response:
        query = {"Action": action, "Version": VERSION, "AccessKeyId": access_key, **params}
        return client.request(method, "/", params=query)

    return call


@pytest.fixture
def ice_error() -> Callable[..., dict[str, Any]]:
    """Assert an ICE error: status, Code, exact Message, and the full POP envelope with its headers."""

    def check(resp: httpx.Response, status: int, code: str, message: str) -> dict[str, Any]:
        assert resp.status_code == status, resp.text
        assert resp.headers["content-type"] == "application/json;charset=utf-8"
        body: dict[str, Any] = resp.json()
        assert set(body) == ENVELOPE_KEYS, body
        assert (body["Code"], body["Message"]) == (code, message)
        rid = body["RequestId"]
        assert REQUEST_ID_RE.fullmatch(rid), rid
        assert body["HostId"] == "ice.cn-shanghai.aliyuncs.com"
        assert body["Recommend"] == f"https://api.aliyun.com/troubleshoot?q={code}&product=ICE&requestId={rid}"
        assert resp.headers["x-acs-request-id"] == rid
        return body

    return check


def _special_dialogues() -> list[dict[str, Any]]:
    entries = []
    for n, session in enumerate(SPECIAL_SESSIONS):
        for i, (producer, ms) in enumerate(zip(("user", "agent"), SPECIAL_TIMES, strict=True)):
            record = {
                "DialogueId": f"special-{n}-{i}",
                "RoundId": f"special-round-{n}",
                "Producer": producer,
                "Text": f"{producer} line for {session}",
                "ReasoningText": "",
                "AttachedFileList": [],
                "Time": ms,
                "Type": "normal",
                "Source": "chat",
                "NodeId": "",
                "Extend": "",
            }
            entries.append({"tenant": ACCOUNT_1, "sessionId": session, "record": record})
    return entries


@pytest.fixture(scope="session")
def ice_fixtures_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No generated data (fast start); default ICE tenants plus the example key; a few special sessions."""
    root = tmp_path_factory.mktemp("ice-fixtures")
    tenants = default_manifest()["tenants"]
    example = {
        "account_id": EXAMPLE_ACCOUNT,
        "region": "cn-shanghai",
        "access_keys": [{"id": EXAMPLE_AK, "secret": EXAMPLE_SECRET}],
    }
    manifest = {"generate": False, "tenants": {**tenants, "ice": [*tenants["ice"], example]}}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (root / "ice").mkdir()
    (root / "ice" / "dialogues.json").write_text(json.dumps(_special_dialogues(), ensure_ascii=False), "utf-8")
    return root
