"""Fixture files: export is exactly what --fixtures reads; overlays; every bad file names file, entry and field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emulator.admin.errors import ControlPlaneErrors
from emulator.app import create_app
from emulator.cli import main
from emulator.core.context import Emulator
from emulator.core.fixtures import FixtureError
from emulator.core.settings import Settings
from emulator.vendors import VENDOR_TYPES
from emulator.vendors.fixie.records import CONVERSATION_CODEC
from emulator.vendors.ice.records import DIALOGUE_CODEC

ACCOUNT = "1000000000000001"
AK = "LTAI5tEmuDevAccessKey001"


def emulator(**overrides: object) -> Emulator:
    return Emulator(Settings(**overrides), VENDOR_TYPES, ControlPlaneErrors())


def dumps(emu: Emulator) -> dict[str, list[tuple[object, ...]]]:
    return {c.collection.name: list(emu.store.dump(c.collection)) for c in emu.codecs()}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    assert main(["fixtures", "export", "--scale", "0.2", "--out", str(out)]) == 0
    return out


def test_export_writes_manifest_and_one_file_per_collection(exported: Path) -> None:
    manifest = json.loads((exported / "manifest.json").read_text())
    assert manifest["generate"] is False
    assert manifest["tenants"]["ice"][0]["access_keys"][0]["id"] == AK
    for vendor in emulator(scale=0.01).vendors:
        for codec in vendor.codecs:
            entries = json.loads((exported / vendor.name / codec.file).read_text())
            assert isinstance(entries, list) and entries, codec.file


def test_serving_an_export_serves_identical_data(exported: Path) -> None:
    generated = emulator(scale=0.2)
    loaded = emulator(scale=0.2, fixtures=exported)
    assert dumps(loaded) == dumps(generated)
    # and the export of an export is byte-identical
    again = exported.parent / "again"
    assert main(["fixtures", "export", "--fixtures", str(exported), "--out", str(again)]) == 0
    for path in exported.rglob("*.json"):
        assert (again / path.relative_to(exported)).read_bytes() == path.read_bytes(), path


def test_fixture_records_overlay_generated_ones(tmp_path: Path) -> None:
    base = emulator(scale=0.1)
    first = next(base.store.dump(DIALOGUE_CODEC.collection))  # the oldest dialogue of some session
    replaced = json.loads(first[4])
    replaced["Text"] = "replaced by a fixture"
    added = {"DialogueId": "fixture-dialogue-1", "Time": 1700000000000, "Text": "only in the fixture"}
    (tmp_path / "ice").mkdir()
    entries = [
        {"tenant": first[0], "sessionId": first[1], "record": replaced},
        {"tenant": ACCOUNT, "sessionId": "fixture-session", "record": added},
    ]
    (tmp_path / "ice" / "dialogues.json").write_text(json.dumps(entries))
    client = TestClient(create_app(Settings(scale=0.1, fixtures=tmp_path, auth="presence")))
    params = {"Action": "ListAIAgentDialogues", "Version": "2020-11-09", "AccessKeyId": AK, "StartTime": 0}
    body = client.get("/", params={**params, "SessionId": "fixture-session", "EndTime": 2**62}).json()
    assert body["Dialogues"] == [added]
    body = client.get("/", params={**params, "SessionId": first[1], "EndTime": 2**62, "Order": "ASC"}).json()
    texts = [d["Text"] for d in body["Dialogues"] if d["DialogueId"] == replaced["DialogueId"]]
    assert texts == ["replaced by a fixture"]


def test_manifest_without_generation_serves_only_fixtures(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"generate": False}))
    emu = emulator(fixtures=tmp_path)
    assert all(emu.store.count(c.collection) == 0 for c in emu.codecs())
    # tenants not named in the fixture manifest stay the defaults
    assert emu.vendors[0].tenants_manifest()[0]["account_id"] == ACCOUNT


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[{]", "cannot be read as JSON"),
        ('{"a": 1}', "expected a JSON array"),
        ('[{"tenant": "t", "sessionId": "s", "record": {"DialogueId": "d1", "Time": 1}},'
         ' {"tenant": "t", "sessionId": "s", "record": {"DialogueId": "d2", "Time": "soon"}}]',
         "entry 1 (d2): field record.Time"),
        ('[{"tenant": "t", "sessionId": "s", "record": {"DialogueId": "d3", "Time": 1, "Txet": "typo"}}]',
         "entry 0 (d3): field record.Txet: Extra inputs are not permitted"),
        ('[{"tenant": "t", "record": {"DialogueId": "d4", "Time": 1}}]', "entry 0 (d4): field sessionId"),
        ('[{"tenant": "t", "sessionId": "s", "record": {"DialogueId": "d5", "Time": 1, "Producer": "robot"}}]',
         "entry 0 (d5): field record.Producer"),
    ],
)  # fmt: skip
def test_a_bad_fixture_file_stops_startup_naming_file_entry_and_field(tmp_path: Path, content, expected) -> None:
    (tmp_path / "ice").mkdir()
    path = tmp_path / "ice" / "dialogues.json"
    path.write_text(content.replace('"tenant": "t"', f'"tenant": "{ACCOUNT}"'))  # a served tenant
    with pytest.raises(FixtureError) as exc:
        emulator(scale=0.01, fixtures=tmp_path)
    assert str(exc.value).startswith(str(path))
    assert expected in str(exc.value)


def test_cli_reports_a_bad_fixture_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ice").mkdir()
    (tmp_path / "ice" / "instances.json").write_text(json.dumps([{"tenant": ACCOUNT}]))
    assert main(["serve", "--port", "0", "--fixtures", str(tmp_path), "--scale", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "instances.json: entry 0: field aiAgentId" in err


def test_missing_fixtures_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="fixtures directory or snapshot file not found"):
        emulator(fixtures=tmp_path / "nope")


# -- refusals: every broken fixture stops `emulator` with exit 2 and one line naming file, entry and field --

OWNER_1 = "emu-dev-user-001"
AGENT_1 = "07ed3b18-5949-465a-af56-31bb2ff14c82"  # a generated agent of owner 1 (default seed)
AGENT_OF_OWNER_2 = "452b21e4-a9cc-4cf4-907e-40a9335faafd"
COLLECTIONS = (
    "fixie/agents, fixie/conversations, ice/dialogues, ice/instances, metastudio/smart_chat_jobs, "
    "metastudio/smart_chat_rooms"
)
ICE_TENANT = {"account_id": "1", "access_keys": [{"id": "k", "secret": "s"}]}


def dialogue(dialogue_id: str, time: int = 1, tenant: str = ACCOUNT) -> dict[str, object]:
    return {"tenant": tenant, "sessionId": "s", "record": {"DialogueId": dialogue_id, "Time": time}}


def instance(instance_id: str) -> dict[str, object]:
    return {"tenant": ACCOUNT, "aiAgentId": "a", "instanceId": instance_id, "startTime": "2024-01-01T00:00:00Z",
            "record": {"Status": "Finished"}}  # fmt: skip


def conversation(agent: str, metadata: object = None) -> dict[str, object]:
    turn = {"id": "t1", "timestamp": "2024-03-07T22:56:08.578Z", "role": "user", "state": "done",
            "messages": [{"kind": "text", "content": "hi", "metadata": metadata}]}  # fmt: skip
    return {"tenant": OWNER_1, "agentId": agent, "record": {"id": "c1", "turns": [turn]}}


def nested(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


def put(root: Path, rel: str, content: object) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True, timeout=120)


def int_digits_error() -> str:
    try:
        int("1" * 5000)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("Python converts 5000 digits")


def _duplicate(root: Path) -> str:
    path = put(root, "ice/dialogues.json", [dialogue("d1"), dialogue("d2"), dialogue("d1", 3)])
    return f"{path}: entry 2 (d1): field record.DialogueId: the same id as entry 0 (ids are unique per tenant)"


def _duplicate_instance(root: Path) -> str:
    path = put(root, "ice/instances.json", [instance("i1"), instance("i1")])
    return f"{path}: entry 1 (i1): field instanceId: the same id as entry 0 (ids are unique per tenant)"


def _symlink_loop(root: Path) -> str:
    (root / "ice").mkdir()
    os.symlink("dialogues.json", root / "ice" / "dialogues.json")
    return f"{root / 'ice' / 'dialogues.json'}: cannot be read: Too many levels of symbolic links"


def _vendor_dir_loop(root: Path) -> str:
    os.symlink("ice", root / "ice")
    return f"{root / 'ice'}: cannot be read: Too many levels of symbolic links"


def _misspelt_file(root: Path) -> str:
    path = put(root, "ice/dialogue.json", [dialogue("d1")])
    return f"{path}: not a collection of this emulator (known: {COLLECTIONS})"


def _unknown_tenant(root: Path) -> str:
    path = put(root, "ice/dialogues.json", [dialogue("d1", tenant="999")])
    return f'{path}: entry 0 (d1): field tenant: ice has no tenant "999"'


def _orphan_conversation(root: Path) -> str:
    path = put(root, "fixie/conversations.json", [conversation("no-such-agent")])
    return f'{path}: entry 0 (c1): field agentId: agent "no-such-agent" of "{OWNER_1}" does not exist'


def _conversation_of_another_owners_agent(root: Path) -> str:
    path = put(root, "fixie/conversations.json", [conversation(AGENT_OF_OWNER_2)])
    return f'{path}: entry 0 (c1): field agentId: agent "{AGENT_OF_OWNER_2}" of "{OWNER_1}" does not exist'


def _generate_maybe(root: Path) -> str:
    path = put(root, "manifest.json", {"generate": "maybe"})
    return f"{path}: field generate: Input should be a valid boolean"


def _unknown_manifest_key(root: Path) -> str:
    path = put(root, "manifest.json", {"generate": False, "tenant": {}})
    return f"{path}: field tenant: Extra inputs are not permitted"


def _tenants_not_an_object(root: Path) -> str:
    path = put(root, "manifest.json", {"tenants": [ICE_TENANT]})
    return f"{path}: field tenants: Input should be a valid dictionary"


def _tenants_of_no_vendor(root: Path) -> str:
    path = put(root, "manifest.json", {"tenants": {"aws": []}})
    return f"{path}: field tenants.aws: not a vendor of this emulator (known: fixie, ice, metastudio)"


def _bad_tenant(root: Path) -> str:
    path = put(root, "manifest.json", {"tenants": {"ice": [{"account_id": "1"}]}})
    return f"{path}: tenants.ice: entry 0 (1): field access_keys: Field required"


def _tenant_twice(root: Path) -> str:
    path = put(root, "manifest.json", {"tenants": {"ice": [ICE_TENANT, ICE_TENANT]}})
    return f"{path}: tenants.ice: entry 1 (1): field account_id: the same id as entry 0"


def _integer_beyond_64_bits(root: Path) -> str:
    path = put(root, "ice/dialogues.json", [dialogue("d1", 10**30)])
    return f"{path}: entry 0 (d1): field record.Time: Input should be less than or equal to 9223372036854775807"


def _integer_of_5000_digits(root: Path) -> str:
    text = json.dumps([dialogue("d1", 7)]).replace('"Time": 7', f'"Time": {"1" * 5000}')
    path = put(root, "ice/dialogues.json", text)
    return f"{path}: cannot be read as JSON: {int_digits_error()}"


def _json_thousands_deep(root: Path) -> str:
    path = put(root, "ice/dialogues.json", "[" * 100_000 + "]" * 100_000)
    return f"{path}: cannot be read as JSON: nested too deeply"


def _record_field_hundreds_deep(root: Path) -> str:
    path = put(root, "fixie/conversations.json", [conversation(AGENT_1, {"a": nested(400)})])
    return f"{path}: entry 0 (c1): field record.turns.0.messages.0.metadata.a.0...: nested too deeply"


@pytest.mark.parametrize(
    "case",
    [
        _duplicate, _duplicate_instance, _symlink_loop, _vendor_dir_loop, _misspelt_file, _unknown_tenant,
        _orphan_conversation, _conversation_of_another_owners_agent, _generate_maybe, _unknown_manifest_key,
        _tenants_not_an_object, _tenants_of_no_vendor, _bad_tenant, _tenant_twice, _integer_beyond_64_bits,
        _integer_of_5000_digits, _json_thousands_deep, _record_field_hundreds_deep,
    ],
    ids=lambda case: case.__name__.strip("_"),
)  # fmt: skip
def test_a_broken_fixtures_directory_exits_2_with_one_line(tmp_path: Path, case: Callable[[Path], str]) -> None:
    root = tmp_path / "fixtures"
    root.mkdir()
    expected = case(root)
    result = run_cli("fixtures", "export", "--scale", "0.01", "--fixtures", str(root), "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (2, f"emulator: bad fixtures: {expected}\n")


def snapshot(records: dict[str, object], **extra: object) -> dict[str, object]:
    manifest = {"generate": False, "tenants": {"ice": [{**ICE_TENANT, "account_id": ACCOUNT}]}}
    return {"format": "agent-api-emulator/snapshot", "version": 1, "manifest": manifest, "records": records, **extra}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (snapshot({"ice/dialogues": [dialogue("d1"), dialogue("d1")]}),
         "ice/dialogues: entry 1 (d1): field record.DialogueId: the same id as entry 0 (ids are unique per tenant)"),
        (snapshot({"ice/dialogues": [dialogue("d1", tenant="999")]}),
         'ice/dialogues: entry 0 (d1): field tenant: ice has no tenant "999"'),
        (snapshot({"ice/dialogs": []}), f"ice/dialogs: not a collection of this emulator (known: {COLLECTIONS})"),
        (snapshot({}, extra=1), "field extra: Extra inputs are not permitted"),
        ({**snapshot({}), "manifest": {"generate": "maybe"}},
         "manifest: field generate: Input should be a valid boolean"),
        (snapshot({}, seed="7"), "field seed: Input should be a valid integer"),
        (snapshot({}, seed=None), "field seed: Value error, an integer, or no seed at all"),
        ({**snapshot({}), "manifest": {"generate": None, "tenants": {}}},
         "manifest: field generate: Value error, true, false, or no key at all"),
        ({**snapshot({}), "manifest": {"generate": False}}, "manifest: field tenants: Field required"),
        (snapshot({"ice/dialogues": None}), "field records.ice/dialogues: Input should be a valid list"),
    ],
    ids=["duplicate-id", "unknown-tenant", "unknown-collection", "unknown-key", "generate-maybe", "seed-not-int",
         "seed-null", "generate-null", "no-tenants", "collection-null"],
)  # fmt: skip
def test_a_broken_snapshot_file_exits_2_with_one_line(tmp_path: Path, body: object, expected: str) -> None:
    path = put(tmp_path, "snapshot.json", body)
    result = run_cli("serve", "--port", "0", "--fixtures", str(path))
    assert (result.returncode, result.stderr) == (2, f"emulator: bad fixtures: {path}: {expected}\n")


def test_what_the_rules_allow_still_loads(tmp_path: Path) -> None:
    """The same id under two tenants, a symlinked vendor directory, a conversation of a generated agent, the
    largest Java long: all served."""
    elsewhere = tmp_path / "elsewhere"
    put(elsewhere, "dialogues.json", [dialogue("d1", 2**63 - 1), dialogue("d1", tenant="1000000000000002")])
    root = tmp_path / "fixtures"
    root.mkdir()
    os.symlink(elsewhere, root / "ice")
    put(root, "fixie/conversations.json", [conversation(AGENT_1)])
    emu = emulator(scale=0.01, fixtures=root)
    dialogues = {(row[0], row[2]): json.loads(row[4]) for row in emu.store.dump(DIALOGUE_CODEC.collection)}
    assert dialogues[(ACCOUNT, "d1")]["Time"] == 2**63 - 1
    assert (("1000000000000002", "d1")) in dialogues
    conversations = [row for row in emu.store.dump(CONVERSATION_CODEC.collection) if row[2] == "c1"]
    assert [(row[0], row[1]) for row in conversations] == [(OWNER_1, AGENT_1)]


# -- the same rules through the control plane (records and snapshots: 409 EntryRejected for a rule break) --


def test_put_with_one_id_twice_is_409_and_writes_nothing(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory(scale=0.01, auth="presence")
    r = client.put("/_emulator/records/ice/dialogues", json=[dialogue("d1", 1), dialogue("d1", 2)])
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "EntryRejected"
    assert r.json()["error"]["message"] == (
        "ice/dialogues: entry 1 (d1): field record.DialogueId: the same id as entry 0 (ids are unique per tenant)"
    )
    listed = client.get("/_emulator/records/ice/dialogues", params={"tenant": ACCOUNT, "limit": 100_000}).json()
    assert "d1" not in {e["record"]["DialogueId"] for e in listed["entries"]}


@pytest.mark.parametrize(
    ("collection", "entry", "message"),
    [
        ("ice/dialogues", dialogue("d1", 10**30),
         "entry 0 (d1): field record.Time: Input should be less than or equal to 9223372036854775807"),
        ("fixie/conversations", conversation(AGENT_1, {"a": nested(400)}),
         "entry 0 (c1): field record.turns.0.messages.0.metadata.a.0...: nested too deeply"),
    ],
    ids=["beyond-64-bits", "nested-too-deeply"],
)  # fmt: skip
def test_put_of_an_entry_too_big_or_too_deep_is_400_naming_the_field(
    client_factory: Callable[..., TestClient], collection: str, entry: dict[str, object], message: str
) -> None:
    client = client_factory(scale=0.01, auth="presence")
    r = client.put(f"/_emulator/records/{collection}", json=[entry])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "InvalidEntry"), r.text
    assert r.json()["error"]["message"] == f"{collection}: {message}"


def test_posted_snapshot_with_one_id_twice_is_409(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory(scale=0.01, auth="presence")
    r = client.post("/_emulator/snapshot", json=snapshot({"ice/dialogues": [dialogue("d1"), dialogue("d1")]}))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "EntryRejected"), r.text
    assert r.json()["error"]["message"] == (
        "snapshot: ice/dialogues: entry 1 (d1): field record.DialogueId: the same id as entry 0 (ids are unique per "
        "tenant)"
    )
