"""Fixture files: export is exactly what --fixtures reads; overlays; every bad file names file, entry and field."""

from __future__ import annotations

import json
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
    path.write_text(content)
    with pytest.raises(FixtureError) as exc:
        emulator(scale=0.01, fixtures=tmp_path)
    assert str(exc.value).startswith(str(path))
    assert expected in str(exc.value)


def test_cli_reports_a_bad_fixture_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ice").mkdir()
    (tmp_path / "ice" / "instances.json").write_text('[{"tenant": "t"}]')
    assert main(["serve", "--fixtures", str(tmp_path), "--scale", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "instances.json: entry 0: field aiAgentId" in err


def test_missing_fixtures_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="fixtures directory or snapshot file not found"):
        emulator(fixtures=tmp_path / "nope")
