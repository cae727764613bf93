"""The dataset: determinism, scale, tenant separation, and the fixture format (load, validate, export)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.fixtures import FixtureError, export_entries
from emulator.core.settings import Settings
from emulator.vendors.metastudio.records import ROOM_CODEC, ROOMS, RoomEntry

PROJECT_A = "0123456789abcdef0123456789abcdef"
PROJECT_B = "fedcba9876543210fedcba9876543210"
TOKENS = {PROJECT_A: "emu-dev-iam-token-0000000001", PROJECT_B: "emu-dev-iam-token-0000000002"}
# The vendor page's example room (shared/seeds/002_48c979cc72d059c7.txt), exactly as printed there.
PAGE_EXAMPLE: dict[str, Any] = {
    "room_id": "26f06524-4f75-4b3a-a853-b649a21aaf66",
    "room_name": "Exhibition hall with Sara",
    "room_description": "Sara",
    "create_time": "2022-11-30T06:59:55Z",
    "update_time": "2022-12-05T12:30:37Z",
}


def listing(client: TestClient, project: str = PROJECT_A, query: str = "limit=100") -> Any:
    return client.get(f"/v1/{project}/smart-chat-rooms?{query}", headers={"X-Auth-Token": TOKENS[project]})


def build(**settings: Any) -> TestClient:
    return TestClient(create_app(Settings(auth="presence", **settings)), raise_server_exceptions=False)


def room(room_id: str, create_time: str, **fields: Any) -> dict[str, Any]:
    return {"room_id": room_id, "room_name": f"Room {room_id[:4]}", "create_time": create_time, **fields}


def write_fixtures(root: Path, entries: list[dict[str, Any]] | str, generate: bool = False) -> Path:
    (root / "metastudio").mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({"generate": generate}), encoding="utf-8")
    text = entries if isinstance(entries, str) else json.dumps(entries, ensure_ascii=False)
    (root / "metastudio" / "smart_chat_rooms.json").write_text(text, encoding="utf-8")
    return root


# --- determinism and scale -----------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_from_separately_built_apps() -> None:
    first, second = build(), build()
    for query in ("limit=100", "offset=5&limit=7&room_name=with%20a", "start_time=2025-01-01T00:00:00Z", "limit=0"):
        for project in (PROJECT_A, PROJECT_B):
            one, two = listing(first, project, query), listing(second, project, query)
            assert one.content == two.content
            assert one.headers["x-request-id"] == two.headers["x-request-id"]


def test_another_seed_gives_other_rooms() -> None:
    default, other = listing(build()), listing(build(seed=7))
    assert default.json()["count"] == other.json()["count"] == 57
    assert default.content != other.content
    ids = {r["room_id"] for r in default.json()["smart_chat_rooms"]}
    assert ids.isdisjoint(r["room_id"] for r in other.json()["smart_chat_rooms"])


@pytest.mark.parametrize(("scale", "count"), [(0.01, 1), (0.5, 28), (2, 114)])
def test_scale_multiplies_the_rooms_per_project(scale: float, count: int) -> None:
    client = build(scale=scale)
    assert listing(client).json()["count"] == listing(client, PROJECT_B).json()["count"] == count


def test_each_project_sees_only_its_own_rooms(api: Any) -> None:
    a_rooms, _ = api.walk(100, PROJECT_A)
    b_rooms, _ = api.walk(100, PROJECT_B)
    a_ids, b_ids = {r["room_id"] for r in a_rooms}, {r["room_id"] for r in b_rooms}
    assert len(a_ids) == len(b_ids) == 57 and a_ids.isdisjoint(b_ids)
    assert b_ids == {e.record.room_id for e in api.entries(PROJECT_B)}
    covers = [r["cover_url"] for r in b_rooms if "cover_url" in r]
    assert covers and all(PROJECT_B in url and "cn-east-3" in url for url in covers)


# --- fixtures ------------------------------------------------------------------------------------------


def test_vendor_page_example_validates_as_a_record() -> None:
    entry = RoomEntry.model_validate({"tenant": PROJECT_A, "lastJobStartTime": None, "record": PAGE_EXAMPLE})
    assert json.loads(ROOM_CODEC.record(entry).doc) == PAGE_EXAMPLE


def test_fixture_rooms_are_served_as_written(tmp_path: Path) -> None:
    entries = [
        {"tenant": PROJECT_A, "lastJobStartTime": None, "record": PAGE_EXAMPLE},
        {
            "tenant": PROJECT_A,
            "lastJobStartTime": "2023-03-01T10:00:00+08:00",
            "record": room("bbbb0000", "2023-01-01T00:00:00Z", billing_mode="CLIENT", client_nums=4, concurrency=2),
        },
        {
            "tenant": PROJECT_A,
            "lastJobStartTime": "2023-03-01T02:00:00Z",
            "record": room("aaaa0000", "2023-01-01T00:00:00Z", billing_mode="CLIENT_TOKENS", client_nums=3),
        },
        {"tenant": PROJECT_B, "record": room("cccc0000", "2024-01-01T00:00:00Z")},
    ]
    client = build(fixtures=write_fixtures(tmp_path, entries))
    body = listing(client).json()
    # Equal create_time: room_id ascending; the page example last (oldest), byte for byte as the page shows it.
    assert [r["room_id"] for r in body["smart_chat_rooms"]] == ["aaaa0000", "bbbb0000", PAGE_EXAMPLE["room_id"]]
    assert body["smart_chat_rooms"][2] == PAGE_EXAMPLE
    assert list(body["smart_chat_rooms"][2]) == list(PAGE_EXAMPLE)
    assert {k: v for k, v in body.items() if k != "smart_chat_rooms"} == {
        "count": 3, "count_concurrency": 2, "count_client_nums": 4, "count_client_nums_token": 3
    }  # fmt: skip
    # Both jobs started at 02:00Z; the example room never ran one.
    window = listing(client, query="start_time=2023-03-01T02:00:00Z&end_time=2023-03-01T02:00:00Z").json()
    assert window["count"] == 2
    assert listing(client, query="room_name=sara").json()["count"] == 1
    assert [r["room_id"] for r in listing(client, PROJECT_B).json()["smart_chat_rooms"]] == ["cccc0000"]


def test_fixtures_overlay_generated_rooms(tmp_path: Path) -> None:
    entries = [{"tenant": PROJECT_A, "record": PAGE_EXAMPLE}]
    client = build(fixtures=write_fixtures(tmp_path, entries, generate=True))
    assert listing(client).json()["count"] == 58


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (room("x", "2024-01-01T00:00:00Z", billing_mode="MONTHLY"), "billing_mode"),
        (room("x", "2024-01-01T00:00:00Z", roomName="camel"), "roomName"),
        (room("x", "2024-01-01 00:00:00"), "create_time"),
        (room("x", "2024-01-01T00:00:00Z", concurrency=2000), "concurrency"),
        (room("x", "2024-01-01T00:00:00Z", model_infos=[{"asset_name": "list"}]), "model_infos"),
        ({"room_name": "no id", "create_time": "2024-01-01T00:00:00Z"}, "room_id"),
    ],
)
def test_a_bad_fixture_entry_stops_start_up_naming_the_field(tmp_path: Path, record: Any, field: str) -> None:
    path = write_fixtures(tmp_path, [{"tenant": PROJECT_A, "record": record}])
    with pytest.raises(FixtureError, match=rf"smart_chat_rooms\.json: entry 0.*field record\.{field}"):
        create_app(Settings(fixtures=path))


def test_exported_fixtures_serve_the_same_bytes(tmp_path: Path) -> None:
    generated = build()
    emu = generated.app.state.emulator  # type: ignore[attr-defined]
    text = export_entries(ROOM_CODEC, emu.store.dump(ROOMS))
    first = json.loads(text.splitlines()[1].rstrip(","))
    assert list(first) == ["tenant", "lastJobStartTime", "record"]
    reloaded = build(fixtures=write_fixtures(tmp_path, text))
    for project in (PROJECT_A, PROJECT_B):
        for query in ("limit=100", "start_time=2025-03-01T00:00:00Z&limit=100", "model_name=a"):
            assert listing(reloaded, project, query).content == listing(generated, project, query).content
