"""Room and dialog-task writes in process: what the create/update body accepts and refuses (the SDK's documented
ranges, enums, lengths and JSON types), the defaults a room stores, and what the writes leave in the store (the
fixture entries the admin API, exports and snapshots see; cascades; persistence with --data-dir)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from emulator.app import create_app
from emulator.core.settings import Settings

from .conftest import PROJECT_A, PROJECT_B, TOKENS

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
ROOMS = f"/v1/{PROJECT_A}/smart-chat-rooms"
RECORDS = "/_emulator/records/metastudio"
H = {"X-Auth-Token": TOKENS[PROJECT_A]}


def jobs_path(room_id: str, project: str = PROJECT_A) -> str:
    return f"/v1/{project}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs"


def error_of(response: Response) -> tuple[int, str]:
    return response.status_code, response.json()["error_code"]


def create(client: TestClient, **fields: Any) -> str:
    response = client.post(ROOMS, headers=H, json={"room_name": "Room", **fields})
    assert response.status_code == 200, response.text
    room_id: str = response.json()["room_id"]
    return room_id


def entry(client: TestClient, collection: str, id_: str) -> dict[str, Any]:
    listed = client.get(f"{RECORDS}/{collection}", params={"tenant": PROJECT_A, "limit": 100_000}).json()["entries"]
    key = "room_id" if collection == "smart_chat_rooms" else "job_id"
    found: dict[str, Any] = next(e for e in listed if e["record"][key] == id_)
    return found


@pytest.fixture
def client(reset_client: TestClient) -> TestClient:
    return reset_client


# -- the body ---------------------------------------------------------------------------------------------------------

INVALID_BODY = "MSS.00000002"
INVALID_PARAMETER = "MSS.00000003"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", INVALID_BODY),
        (b"room_name=x", INVALID_BODY),
        (b"[]", INVALID_BODY),
        (b'"Room"', INVALID_BODY),
        (b'{"room_name": "x\\ud800"}', INVALID_BODY),  # half a surrogate pair: no string can hold it
        (b"{}", INVALID_PARAMETER),
        (b'{"room_name": ""}', INVALID_PARAMETER),
        (b'{"room_name": null}', INVALID_PARAMETER),
    ],
)
def test_bodies_that_are_not_a_room_are_refused(client: TestClient, body: bytes, code: str) -> None:
    assert error_of(client.post(ROOMS, headers=H, content=body)) == (400, code)


@pytest.mark.parametrize(
    "fields",
    [
        {"room_name": "r" * 257},
        {"room_description": "d" * 1025},
        {"model_asset_id": "m" * 65},
        {"robot_id": ""},
        {"concurrency": -1},
        {"concurrency": 1025},
        {"concurrency": "1"},  # JSON types are strict
        {"concurrency": True},
        {"concurrency": 1.5},
        {"client_nums": 1025},
        {"exit_mute_threshold": 1441},
        {"reuse_resource": "true"},
        {"reuse_resource": 1},
        {"billing_mode": "MONTHLY"},
        {"default_language": "fr"},
        {"chat_video_type": "TV"},
        {"enable_semantic_action": "yes"},
        {"voice_config": {"voice_asset_id": "v", "speed": 49}},
        {"voice_config": {"voice_asset_id": "v", "volume": 241}},
        {"voice_config": {"voice_asset_id": "", "speed": 100}},
        {"voice_config_list": [{"voice_asset_id": "v", "provider": "ACME"}]},
        {"voice_config_list": [{"voice_asset_id": "v", "pitch": 201}]},
        {"voice_config_list": {"voice_asset_id": "v"}},  # a list, not one object
        {"video_config": {"width": 1080, "height": 1920}},  # bitrate is required
        {"video_config": {"bitrate": 39, "width": 1080, "height": 1920}},
        {"video_config": {"bitrate": 4000, "width": 3841, "height": 1920}},
        {"video_config": {"bitrate": 4000, "width": 1080, "height": 1920, "codec": "AV1"}},
        {"video_config": {"bitrate": 4000, "width": 1, "height": 1, "subtitle_config": {"opacity": 1.5}}},
        {"video_config": {"bitrate": 4000, "width": 1, "height": 1, "subtitle_config": {"font_color": "red"}}},
        {"background_config": {"background_color_config": "#00FF00"}},  # background_type is required
        {"background_config": {"background_type": "COLOR", "background_color_config": "green"}},
        {
            "background_config": {
                "background_type": "IMAGE",
                "background_image_config": {"dx": 1, "dy": 0, "width": 1, "height": 1},
            }
        },
        {"layer_config": [{"layer_type": "HUMAN", "position": {"dx": 0, "dy": 0, "layer_index": 0}}]},
        {"layer_config": [{"layer_type": "AUDIO"}]},
        {"layer_config": [{"layer_type": "VIDEO", "video_config": {"loop_count": -2}}]},
        {"layer_config": [{"layer_type": "IMAGE", "rotation": {"angle": 361}}]},
        {"chat_subtitle_config": {"dx": 1921}},
        {"chat_subtitle_config": {"width": 0}},
        {"chat_resource_config": [{"resource_id": "r", "count_resource": 10001}]},
        {"review_config": {"no_need_review": "true"}},
        {"unknown_field": 1},
    ],
)
def test_fields_out_of_their_documented_ranges_are_invalid_parameters(client: TestClient, fields: Any) -> None:
    before = client.get(ROOMS, headers=H).json()["count"]
    body = {"room_name": "Room", **fields}
    assert error_of(client.post(ROOMS, headers=H, json=body)) == (400, INVALID_PARAMETER)
    assert client.get(ROOMS, headers=H).json()["count"] == before


@pytest.mark.parametrize(
    "fields",
    [
        {"room_name": "r" * 256, "room_description": "d" * 1024, "model_asset_id": "", "robot_id": "r" * 64},
        {"concurrency": 0, "client_nums": 1024, "exit_mute_threshold": 1440},
        {"concurrency": 1024, "exit_mute_threshold": 0, "reuse_resource": True},
        {"concurrency": 3.0},  # an integral JSON number is an integer
        {"voice_config": {"voice_asset_id": "v" * 256, "speed": 50, "pitch": 200, "volume": 90}},
        {"voice_config_list": [{"speed": 200, "pitch": 50, "volume": 240, "provider": "MOBVOI", "language": "Thai"}]},
        {"video_config": {"bitrate": 30000, "width": 0, "height": 3840, "dx": -1920, "dy": 3840, "frame_rate": "30"}},
        {
            "background_config": {
                "background_type": "IMAGE",
                "background_image_config": {"dx": -5760, "dy": 0, "width": 7680, "height": 1},
            }
        },
        {"layer_config": [{"layer_type": "TEXT", "text_config": {"text_context": "5rWL6K+V", "font_size": 120}}]},
        {"room_description": None, "concurrency": None},  # null: not given
    ],
)
def test_values_on_the_documented_bounds_are_accepted(client: TestClient, fields: Any) -> None:
    room_id = create(client, **fields)
    assert client.get(f"{ROOMS}/{room_id}", headers=H).status_code == 200


def test_a_created_room_stores_the_documented_defaults(client: TestClient) -> None:
    room_id = create(
        client,
        voice_config_list=[{"voice_asset_id": "v1"}],
        video_config={"bitrate": 4000, "width": 1920, "height": 1080, "subtitle_config": {}},
        layer_config=[{"layer_type": "VIDEO", "rotation": {}, "video_config": {}}],
        room_description=None,
    )
    shown = client.get(f"{ROOMS}/{room_id}", headers=H).json()
    assert (shown["billing_mode"], shown["reuse_resource"], shown["default_language"]) == ("CONCURRENCY", False, "CN")
    voice = {"voice_asset_id": "v1", "speed": 100, "pitch": 100, "volume": 140, "language": "CN"}
    assert shown["voice_config_list"] == [voice]
    assert shown["video_config"]["codec"] == "H264" and shown["video_config"]["subtitle_config"] == {"opacity": 1}
    layer = shown["layer_config"][0]
    assert layer["rotation"] == {"angle": 0}
    assert layer["video_config"] == {"video_sound": 0, "is_play_the_entire_video": False}
    assert "room_description" not in shown and "concurrency" not in shown  # no default: not given, not stored


def test_an_update_changes_only_what_it_sends(client: TestClient) -> None:
    room_id = create(client, billing_mode="CLIENT", client_nums=5, room_description="kept", concurrency=2)
    body = {"room_name": "Renamed", "room_description": None, "voice_config_list": [{"voice_asset_id": "v2"}]}
    updated = client.put(f"{ROOMS}/{room_id}", headers=H, json=body)
    assert updated.status_code == 200, updated.text
    room = updated.json()
    assert (room["room_name"], room["room_description"], room["billing_mode"]) == ("Renamed", "kept", "CLIENT")
    assert (room["client_nums"], room["concurrency"], room["default_language"]) == (5, 2, "CN")
    assert room["voice_config_list"][0]["speed"] == 100  # a sent object is whole, its defaults included
    assert client.get(f"{ROOMS}/{room_id}", headers=H).json() == room
    assert error_of(client.put(f"{ROOMS}/{room_id}", headers=H, json={"concurrency": 1})) == (400, INVALID_PARAMETER)


def test_task_requests_check_their_query_and_body(client: TestClient) -> None:
    room_id = create(client, concurrency=5)
    path = jobs_path(room_id)
    assert error_of(client.post(path, headers=H)) == (400, INVALID_PARAMETER)  # robot_id is required
    assert error_of(client.post(path + "?robot_id=" + "r" * 65, headers=H)) == (400, INVALID_PARAMETER)
    body = {"extend_param": "x" * 1025}
    assert error_of(client.post(path + "?robot_id=r", headers=H, json=body)) == (400, INVALID_PARAMETER)
    assert error_of(client.post(path + "?robot_id=r", headers=H, content=b"[1]")) == (400, INVALID_BODY)
    not_json = client.post(path + "?robot_id=r", headers=H, json={"extend_param": "city=Xi'an"})
    assert not_json.status_code == 200  # carried without effect
    long_client = json.dumps({"client_id": "c" * 65})
    started = client.post(path + "?robot_id=r", headers=H, json={"extend_param": long_client}).json()
    state = client.get(f"{path}/{started['job_id']}/state", headers=H).json()
    assert "client_id" not in state  # longer than a task's client_id may be
    for query in ("limit=0", "limit=101", "offset=-1", "offset=x", "state=" + "S" * 1025):
        assert error_of(client.get(f"{path}?{query}", headers=H)) == (400, INVALID_PARAMETER), query
    assert client.get(f"{path}?limit=&offset=", headers=H).json()["count"] == 2


def test_a_chinese_app_user_id_is_refused_by_every_operation(client: TestClient) -> None:
    room_id = create(client, concurrency=1)
    job_id = client.post(jobs_path(room_id) + "?robot_id=r", headers=H).json()["job_id"]
    chinese: dict[str, Any] = {**H, "X-App-UserId": "用户".encode()}  # raw UTF-8, as the SDK sends it
    calls = [
        client.post(ROOMS, headers=chinese, json={"room_name": "x"}),
        client.get(f"{ROOMS}/{room_id}", headers=chinese),
        client.put(f"{ROOMS}/{room_id}", headers=chinese, json={"room_name": "x"}),
        client.delete(f"{ROOMS}/{room_id}", headers=chinese),
        client.post(jobs_path(room_id) + "?robot_id=r", headers=chinese),
        client.get(jobs_path(room_id), headers=chinese),
        client.get(f"{jobs_path(room_id)}/{job_id}/state", headers=chinese),
        client.post(f"{jobs_path(room_id)}/{job_id}/stop", headers=chinese),
    ]
    assert [error_of(r) for r in calls] == [(400, INVALID_PARAMETER)] * len(calls)


# -- the store --------------------------------------------------------------------------------------------------------


def test_created_rooms_carry_their_order_and_details_and_no_other_entry_changes(client: TestClient) -> None:
    before = client.get(f"{RECORDS}/smart_chat_rooms").json()["entries"]
    room_id = create(client, chat_video_type="HUB", concurrency=1)
    after = client.get(f"{RECORDS}/smart_chat_rooms").json()["entries"]
    created = entry(client, "smart_chat_rooms", room_id)
    assert [e for e in after if e["record"]["room_id"] != room_id] == before
    assert list(created) == ["tenant", "lastJobStartTime", "createSeq", "details", "record"]
    assert created["details"] == {"chat_video_type": "HUB"} and created["lastJobStartTime"] is None
    assert all("createSeq" not in e and "details" not in e for e in before)


def test_a_started_task_sets_the_rooms_latest_start_and_is_stored_under_it(client: TestClient) -> None:
    frozen = client.put("/_emulator/clock", json={"frozen_at": "2031-02-03T04:05:06Z"})
    assert frozen.status_code == 200
    room_id = create(client, concurrency=1)
    job_id = client.post(jobs_path(room_id) + "?robot_id=r", headers=H).json()["job_id"]
    assert entry(client, "smart_chat_rooms", room_id)["lastJobStartTime"] == "2031-02-03T04:05:06Z"
    job = entry(client, "smart_chat_jobs", job_id)
    record = job["record"]
    assert (job["roomId"], record["state"], record["start_time"]) == (room_id, "PROCESSING", "2031-02-03T04:05:06Z")
    shown_only = {"rtc_room_info", "chat_state", "language", "chat_access_address", "chat_access_rest_address"}
    assert set(job["details"]) == shown_only
    window = {"start_time": "2031-02-03T04:05:06Z", "end_time": "2031-02-03T04:05:06Z"}
    listed = client.get(ROOMS, headers=H, params=window).json()
    assert [r["room_id"] for r in listed["smart_chat_rooms"]] == [room_id]


def test_deleting_a_room_deletes_its_tasks(client: TestClient) -> None:
    room_id = create(client, concurrency=2)
    for _ in range(2):
        client.post(jobs_path(room_id) + "?robot_id=r", headers=H)
    tasks = client.get(f"{RECORDS}/smart_chat_jobs", params={"tenant": PROJECT_A}).json()["total"]
    assert client.delete(f"{ROOMS}/{room_id}", headers=H).json() == {}
    assert client.get(f"{RECORDS}/smart_chat_jobs", params={"tenant": PROJECT_A}).json()["total"] == tasks - 2
    # the admin API's deletes cascade the same way
    other = create(client, concurrency=1)
    client.post(jobs_path(other) + "?robot_id=r", headers=H)
    assert client.delete(f"{RECORDS}/smart_chat_rooms/{other}").status_code == 204
    assert client.get(f"{RECORDS}/smart_chat_jobs", params={"tenant": PROJECT_A}).json()["total"] == tasks - 2


def test_a_task_entry_must_belong_to_a_room_of_its_project(client: TestClient) -> None:
    room_id = create(client, concurrency=1)
    job_id = client.post(jobs_path(room_id) + "?robot_id=r", headers=H).json()["job_id"]
    stored = entry(client, "smart_chat_jobs", job_id)
    orphan = {**stored, "roomId": "no-such-room", "record": {**stored["record"], "job_id": "orphan"}}
    answer = client.put(f"{RECORDS}/smart_chat_jobs", json=[orphan])
    assert answer.status_code == 409, answer.text
    assert 'room "no-such-room"' in answer.json()["error"]["message"]
    elsewhere = {**orphan, "tenant": PROJECT_B, "roomId": room_id}  # A's room, B's entry
    assert client.put(f"{RECORDS}/smart_chat_jobs", json=[elsewhere]).status_code == 409


def test_a_snapshot_brings_created_rooms_and_tasks_back(client: TestClient) -> None:
    room_id = create(client, concurrency=1, chat_video_type="MOBILE")
    job_id = client.post(jobs_path(room_id) + "?robot_id=r", headers=H).json()["job_id"]
    shown = client.get(f"{ROOMS}/{room_id}", headers=H).json()
    state = client.get(f"{jobs_path(room_id)}/{job_id}/state", headers=H).json()
    snapshot = client.get("/_emulator/snapshot").json()
    assert client.post("/_emulator/reset").status_code == 200
    assert client.get(f"{ROOMS}/{room_id}", headers=H).status_code == 400
    assert client.post("/_emulator/snapshot", json=snapshot).status_code == 200
    assert client.get(f"{ROOMS}/{room_id}", headers=H).json() == shown
    assert client.get(f"{jobs_path(room_id)}/{job_id}/state", headers=H).json() == state
    started = client.post(jobs_path(room_id) + "?robot_id=r", headers=H)
    assert error_of(started) == (403, "MSS.20010135")  # the restored task still holds the channel


def test_client_billed_rooms_run_as_many_tasks_as_terminals(client: TestClient) -> None:
    room_id = create(client, billing_mode="CLIENT_TOKENS", client_nums=2, concurrency=0)
    path = jobs_path(room_id) + "?robot_id=r"
    assert [client.post(path, headers=H).status_code for _ in range(3)] == [200, 200, 403]


def test_the_vendor_pages_example_room_answers_show(client_factory: Any) -> None:
    client = client_factory(auth="presence", fixtures=FIXTURES)
    example = json.loads((FIXTURES / "metastudio" / "smart_chat_rooms.json").read_text())[0]["record"]
    shown = client.get(f"{ROOMS}/{example['room_id']}", headers=H)
    assert shown.status_code == 200 and shown.json() == example  # its five fields are all Show's too
    assert client.get(jobs_path(example["room_id"]), headers=H).json() == {"count": 0, "smart_chat_jobs": []}


def test_data_dir_keeps_writes_across_a_restart(tmp_path: Path) -> None:
    settings = Settings(auth="presence", scale=0.05, data_dir=tmp_path)
    first = TestClient(create_app(settings))
    room_id = create(first, concurrency=1)
    job_id = first.post(jobs_path(room_id) + "?robot_id=r", headers=H).json()["job_id"]
    listing = first.get(ROOMS, headers=H).content
    second = TestClient(create_app(settings))  # a new process would open the same files
    assert second.get(ROOMS, headers=H).content == listing
    assert second.get(f"{jobs_path(room_id)}/{job_id}/state", headers=H).json()["state"] == "PROCESSING"
    assert error_of(second.post(jobs_path(room_id) + "?robot_id=r", headers=H)) == (403, "MSS.20010135")
