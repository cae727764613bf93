"""MetaStudio's room and dialog-task lifecycle as an SDK user meets it: CreateSmartChatRoom, ShowSmartChatRoom,
UpdateSmartChatRoom, DeleteSmartChatRoom, StartSmartChatJob, StopSmartChatJob, ShowSmartChatJob and
ListSmartChatJob through the official `huaweicloudsdkmetastudio` client over real HTTP, signatures verified.

One live server (auth=verify, scale 0.05: three generated rooms per project) serves the module; every test starts
from `POST /_emulator/reset` with the emulator clock frozen at the wall clock's current second, so every time a
write stamps is known.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
from huaweicloudsdkcore.exceptions.exceptions import (  # type: ignore[import-untyped]
    ClientRequestException,
    ServerResponseException,
)
from huaweicloudsdkmetastudio.v1 import (  # type: ignore[import-untyped]
    BackgroundConfigInfo,
    ChatResourceConfig,
    ChatSubtitleConfig,
    ChatVoiceConfig,
    CreateSmartChatRoomReq,
    CreateSmartChatRoomRequest,
    DeleteSmartChatRoomRequest,
    LayerConfig,
    LayerPositionConfig,
    ListSmartChatJobRequest,
    ListSmartChatRoomsRequest,
    MetaStudioClient,
    ShowSmartChatJobRequest,
    ShowSmartChatRoomRequest,
    SmartChatJobsReq,
    StartSmartChatJobRequest,
    StopSmartChatJobRequest,
    UpdateSmartChatRoomRequest,
    VideoConfig,
    VoiceConfig,
)

PROJECT_A = "0123456789abcdef0123456789abcdef"
PROJECT_B = "fedcba9876543210fedcba9876543210"
AK_A, SK_A = "EMUDEVAKHW0000000001", "emuDevSecretKeyHuawei0000000000000000001"
AK_B, SK_B = "EMUDEVAKHW0000000002", "emuDevSecretKeyHuawei0000000000000000002"
TIMEOUT = 10
ROOM_NOT_FOUND = (400, "MSS.20010045", "roomInfo not found.")
JOB_NOT_FOUND = (400, "MSS.47010065", "对话任务不存在，查询智能交互任务失败")
INVALID_PARAMETER = (400, "MSS.00000003", "Invalid parameter")


@pytest.fixture(scope="module")
def url(module_live_url: str) -> str:
    return module_live_url


@pytest.fixture(autouse=True)
def now(url: str) -> str:
    """Every test starts from the start-up state, the clock frozen at this second; returns it (RFC 3339)."""
    assert requests.post(f"{url}/_emulator/reset", timeout=TIMEOUT).status_code == 200
    second = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    frozen = requests.put(f"{url}/_emulator/clock", json={"frozen_at": second}, timeout=TIMEOUT)
    assert frozen.status_code == 200, frozen.text
    return second


def client_for(url: str, ak: str = AK_A, sk: str = SK_A, project: str = PROJECT_A) -> Any:
    credentials = BasicCredentials(ak, sk, project)
    return MetaStudioClient.new_builder().with_credentials(credentials).with_endpoints([url]).build()


@pytest.fixture
def a(url: str) -> Any:
    return client_for(url)


@pytest.fixture
def b(url: str) -> Any:
    return client_for(url, AK_B, SK_B, PROJECT_B)


def refused(call: Callable[[], Any], expected: tuple[int, str, str]) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as info:
        call()
    exc = info.value
    assert (exc.status_code, exc.error_code, exc.error_msg) == expected
    assert len(exc.request_id) == 32  # read from X-Request-Id, as for every answer
    return exc


def create(client: Any, name: str = "Lobby", **fields: Any) -> str:
    answer = client.create_smart_chat_room(
        CreateSmartChatRoomRequest(body=CreateSmartChatRoomReq(room_name=name, **fields))
    )
    assert answer.status_code == 200 and len(answer.x_request_id) == 32
    room_id: str = answer.room_id
    return room_id


def listing(client: Any, **params: Any) -> Any:
    return client.list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=100, **params))


def show(client: Any, room_id: str) -> Any:
    return client.show_smart_chat_room(ShowSmartChatRoomRequest(room_id=room_id))


def start(client: Any, room_id: str, extend_param: str | None = None) -> Any:
    body = None if extend_param is None else SmartChatJobsReq(extend_param=extend_param)
    return client.start_smart_chat_job(StartSmartChatJobRequest(room_id=room_id, robot_id="robot-1", body=body))


def stop(client: Any, room_id: str, job_id: str) -> Any:
    return client.stop_smart_chat_job(StopSmartChatJobRequest(room_id=room_id, job_id=job_id))


def show_job(client: Any, room_id: str, job_id: str) -> Any:
    return client.show_smart_chat_job(ShowSmartChatJobRequest(room_id=room_id, job_id=job_id))


def jobs(client: Any, room_id: str, **params: Any) -> Any:
    return client.list_smart_chat_job(ListSmartChatJobRequest(room_id=room_id, **params))


def exhausted(running: int, limit: int) -> tuple[int, str, str]:
    message = f"Insufficient dialog resources: {running} of {limit} concurrent dialog tasks are running"
    return 403, "MSS.20010135", message


def totals(page: Any) -> tuple[int, int, int, int]:
    return page.count, page.count_concurrency, page.count_client_nums, page.count_client_nums_token


# -- the whole flow -------------------------------------------------------------------------------------------------


def test_a_room_from_creation_to_deletion(a: Any, now: str) -> None:
    """create -> listed first, count and sums follow -> show -> update -> start a task -> the time filter finds
    the room -> one task too many is refused -> stop -> delete -> the listing is back where it started."""
    before = listing(a)
    room_id = create(a, "Museum guide", concurrency=1, billing_mode="CONCURRENCY", robot_id="robot-1")

    after = listing(a)
    assert after.smart_chat_rooms[0].room_id == room_id
    assert totals(after) == (before.count + 1, before.count_concurrency + 1, *totals(before)[2:])
    created = after.smart_chat_rooms[0]
    assert (created.room_name, created.create_time, created.update_time) == ("Museum guide", now, now)
    assert (created.billing_mode, created.reuse_resource, created.default_language) == ("CONCURRENCY", False, "CN")

    shown = show(a, room_id)
    assert (shown.room_id, shown.room_name, shown.robot_id, shown.concurrency) == (
        room_id,
        "Museum guide",
        "robot-1",
        1,
    )

    updated = a.update_smart_chat_room(
        UpdateSmartChatRoomRequest(
            room_id=room_id, body=CreateSmartChatRoomReq(room_name="Museum guide 2", concurrency=1)
        )
    )
    assert (updated.room_name, updated.robot_id, updated.room_id) == ("Museum guide 2", "robot-1", room_id)

    assert listing(a, start_time=now).count == 0  # no task has started in any room since now
    job = start(a, room_id)
    window = listing(a, start_time=now, end_time=now)
    assert [r.room_id for r in window.smart_chat_rooms] == [room_id] and window.count == 1

    refused(lambda: start(a, room_id), exhausted(1, 1))
    assert stop(a, room_id, job.job_id).status_code == 200
    assert show_job(a, room_id, job.job_id).state == "SUCCEED"
    assert start(a, room_id).job_id != job.job_id  # the channel is free again

    assert a.delete_smart_chat_room(DeleteSmartChatRoomRequest(room_id=room_id)).status_code == 200
    assert totals(listing(a)) == totals(before)
    assert [r.room_id for r in listing(a).smart_chat_rooms] == [r.room_id for r in before.smart_chat_rooms]
    refused(lambda: show(a, room_id), ROOM_NOT_FOUND)
    refused(lambda: jobs(a, room_id), ROOM_NOT_FOUND)


# -- rooms ----------------------------------------------------------------------------------------------------------


def test_created_rooms_are_listed_newest_first_with_every_total(a: Any) -> None:
    """Rooms made in the same second list in the order they were made (newest first); each billing mode counts
    towards its own total."""
    before = listing(a)
    ids = [
        create(a, "Concurrency", concurrency=5),
        create(a, "Client", billing_mode="CLIENT", client_nums=7, concurrency=0),
        create(a, "Tokens", billing_mode="CLIENT_TOKENS", client_nums=11),
    ]
    after = listing(a)
    assert [r.room_id for r in after.smart_chat_rooms[:3]] == ids[::-1]
    count, concurrency, client, tokens = totals(before)
    assert totals(after) == (count + 3, concurrency + 5, client + 7, tokens + 11)
    assert listing(a, room_name="Tokens").count == 1


def test_show_answers_everything_the_room_was_given(a: Any) -> None:
    body = CreateSmartChatRoomReq(
        room_name="Bank lobby",
        room_description="Front desk",
        video_config=VideoConfig(codec="VP8", bitrate=4000, width=1080, height=1920, frame_rate="25"),
        model_asset_id="asset-1",
        voice_config=VoiceConfig(voice_asset_id="voice-1", speed=120, pitch=90, volume=150),
        voice_config_list=[ChatVoiceConfig(voice_asset_id="voice-2", provider="HUAWEI_EI", language="EN")],
        background_config=BackgroundConfigInfo(background_type="COLOR", background_color_config="#00FF00"),
        layer_config=[LayerConfig(layer_type="HUMAN", position=LayerPositionConfig(dx=0, dy=-10, layer_index=1))],
        chat_subtitle_config=ChatSubtitleConfig(dx=10, dy=20, width=800, height=100),
        chat_video_type="MOBILE",
        exit_mute_threshold=30,
        enable_semantic_action=True,
        chat_resource_config=[ChatResourceConfig(resource_id="res-1", count_resource=2)],
    )
    room_id = a.create_smart_chat_room(CreateSmartChatRoomRequest(body=body)).room_id
    shown = show(a, room_id)
    video = VideoConfig(codec="VP8", bitrate=4000, width=1080, height=1920, frame_rate="25")
    assert shown.video_config.to_dict() == video.to_dict()
    assert (shown.model_asset_id, shown.voice_config.speed, shown.voice_config.volume) == ("asset-1", 120, 150)
    voice = shown.voice_config_list[0]  # the documented defaults filled in
    assert (voice.voice_asset_id, voice.speed, voice.pitch, voice.volume, voice.language) == (
        "voice-2",
        100,
        100,
        140,
        "EN",
    )
    assert shown.background_config.background_color_config == "#00FF00"
    assert shown.layer_config[0].position.dy == -10 and shown.layer_config[0].rotation is None
    assert (shown.chat_subtitle_config.width, shown.chat_video_type, shown.exit_mute_threshold) == (800, "MOBILE", 30)
    assert shown.enable_semantic_action is True
    assert (shown.chat_resource_config[0].resource_id, shown.chat_resource_config[0].count_resource) == ("res-1", 2)
    assert (shown.billing_mode, shown.default_language, shown.reuse_resource) == ("CONCURRENCY", "CN", False)
    listed = listing(a, room_name="Bank lobby").smart_chat_rooms[0]
    assert listed.model_infos.model_asset_id == "asset-1"
    assert listed.voice_config_list[0].language_desc == "English"  # the listing's own field, filled in


def test_generated_rooms_answer_show_in_shows_shape(a: Any) -> None:
    listed = listing(a).smart_chat_rooms
    for room in listed:
        shown = show(a, room.room_id)
        assert (shown.room_id, shown.room_name, shown.create_time) == (room.room_id, room.room_name, room.create_time)
        if room.model_infos is not None:
            assert shown.model_asset_id == room.model_infos.model_asset_id


def test_update_replaces_what_it_sends_and_keeps_the_rest(a: Any, url: str) -> None:
    room_id = create(a, "Hotel", concurrency=4, voice_config_list=[ChatVoiceConfig(voice_asset_id="v1")])
    before = listing(a)
    requests.put(f"{url}/_emulator/clock", json={"offset_seconds": 0}, timeout=TIMEOUT)  # the clock runs again
    body = CreateSmartChatRoomReq(room_name="Hotel reception", billing_mode="CLIENT", client_nums=9)
    updated = a.update_smart_chat_room(UpdateSmartChatRoomRequest(room_id=room_id, body=body))
    assert (updated.room_name, updated.billing_mode, updated.client_nums) == ("Hotel reception", "CLIENT", 9)
    assert updated.concurrency == 4 and updated.voice_config_list[0].voice_asset_id == "v1"
    assert updated.update_time >= updated.create_time
    after = listing(a)
    assert after.smart_chat_rooms[0].room_id == room_id  # the place follows create_time, not update_time
    count, concurrency, client, tokens = totals(before)
    assert totals(after) == (count, concurrency, client + 9, tokens)


def test_room_errors_are_the_sdks_exceptions_with_the_vendors_codes(a: Any) -> None:
    refused(lambda: show(a, "no-such-room"), ROOM_NOT_FOUND)
    body = CreateSmartChatRoomReq(room_name="x")
    refused(
        lambda: a.update_smart_chat_room(UpdateSmartChatRoomRequest(room_id="no-such-room", body=body)), ROOM_NOT_FOUND
    )
    refused(lambda: a.delete_smart_chat_room(DeleteSmartChatRoomRequest(room_id="no-such-room")), ROOM_NOT_FOUND)
    before = listing(a)
    bad: list[dict[str, Any]] = [
        {"concurrency": 1025},
        {"exit_mute_threshold": -1},
        {"billing_mode": "MONTHLY"},
        {"robot_id": "r" * 65},
        {"default_language": "fr"},  # a task's language, not a room's
    ]
    for fields in bad:
        refused(lambda fields=fields: create(a, **fields), INVALID_PARAMETER)
    refused(lambda: create(a, ""), INVALID_PARAMETER)
    chinese = CreateSmartChatRoomRequest(x_app_user_id="用户", body=CreateSmartChatRoomReq(room_name="x"))
    refused(lambda: a.create_smart_chat_room(chinese), INVALID_PARAMETER)
    assert totals(listing(a)) == totals(before)  # nothing refused was written


# -- dialog tasks ---------------------------------------------------------------------------------------------------


def test_a_started_task_answers_its_rtc_room_and_addresses(a: Any, now: str) -> None:
    subtitles = ChatSubtitleConfig(dx=1, dy=2, width=3, height=4)
    room_id = create(
        a, "Airport", concurrency=2, chat_video_type="HUB", default_language="EN", chat_subtitle_config=subtitles
    )
    answer = start(a, room_id, '{"client_id": "kiosk-7", "city": "Shenzhen"}')
    assert answer.status_code == 200 and len(answer.job_id) == 32
    assert (answer.language, answer.default_language, answer.region, answer.is_transparent) == (
        "en_US",
        "EN",
        "cn-north-4",
        False,
    )
    assert (answer.video_config.width, answer.video_config.height, answer.chat_video_type) == (1080, 1920, "HUB")
    assert answer.chat_subtitle_config.to_dict() == {"dx": 1, "dy": 2, "width": 3, "height": 4}
    assert answer.chat_access_address.startswith("wss://") and answer.job_id in answer.chat_access_address
    users = {u.user_type: u for u in answer.rtc_room_info.users}
    assert set(users) == {"END_USER", "INFERENCE_USER"} and len(users["END_USER"].signature) == 64

    shown = show_job(a, room_id, answer.job_id)
    assert (shown.job_id, shown.state, shown.start_time, shown.create_time) == (answer.job_id, "PROCESSING", now, now)
    assert (shown.client_id, shown.chat_state, shown.end_time, shown.duration) == ("kiosk-7", 0, None, None)
    assert shown.rtc_room_info.to_dict() == answer.rtc_room_info.to_dict()

    assert stop(a, room_id, answer.job_id).status_code == 200
    ended = show_job(a, room_id, answer.job_id)
    assert (ended.state, ended.end_time, ended.duration, ended.job_finish_reason) == ("SUCCEED", now, 0.0, "NORMAL")
    assert stop(a, room_id, answer.job_id).status_code == 200  # stopping again changes nothing
    assert show_job(a, room_id, answer.job_id).to_json_object() == ended.to_json_object()


def test_task_listing_is_newest_first_paged_and_filtered_by_state(a: Any) -> None:
    room_id = create(a, "Campus", concurrency=3)
    started = [start(a, room_id).job_id for _ in range(3)]
    stop(a, room_id, started[1])
    page = jobs(a, room_id)
    assert page.count == 3 and [j.job_id for j in page.smart_chat_jobs] == started[::-1]
    assert [j.job_id for j in jobs(a, room_id, offset=1, limit=1).smart_chat_jobs] == [started[1]]
    running = jobs(a, room_id, state="PROCESSING,WAITING")
    assert (running.count, [j.job_id for j in running.smart_chat_jobs]) == (2, [started[2], started[0]])
    assert jobs(a, room_id, state="SUCCEED").smart_chat_jobs[0].job_finish_reason == "NORMAL"
    assert jobs(a, room_id, state="FAILED").count == 0
    refused(lambda: jobs(a, room_id, limit=101), INVALID_PARAMETER)


def test_task_errors_are_the_vendors_not_found_and_resource_codes(a: Any) -> None:
    refused(lambda: start(a, "no-such-room"), ROOM_NOT_FOUND)
    refused(lambda: stop(a, "no-such-room", "job"), ROOM_NOT_FOUND)
    room_id, other = create(a, "Expo", concurrency=1), create(a, "Other", concurrency=1)
    refused(lambda: stop(a, room_id, "no-such-job"), JOB_NOT_FOUND)
    refused(lambda: show_job(a, room_id, "no-such-job"), JOB_NOT_FOUND)
    job_id = start(a, other).job_id
    refused(lambda: show_job(a, room_id, job_id), JOB_NOT_FOUND)  # a task of another room
    without = create(a, "No concurrency")  # none by default: no task can start
    refused(lambda: start(a, without), exhausted(0, 0))
    missing_robot = StartSmartChatJobRequest(room_id=room_id)
    refused(lambda: a.start_smart_chat_job(missing_robot), INVALID_PARAMETER)


def test_generated_rooms_list_their_latest_task_ended(a: Any) -> None:
    for room in listing(a).smart_chat_rooms:
        page = jobs(a, room.room_id)
        for job in page.smart_chat_jobs:
            assert job.state == "SUCCEED" and job.job_finish_reason in ("NORMAL", "MUTE_TIMEOUT")
            assert job.end_time >= job.start_time
    assert sum(jobs(a, r.room_id).count for r in listing(a).smart_chat_rooms) > 0


# -- tenants, the control plane ---------------------------------------------------------------------------------------


def test_projects_never_see_each_others_rooms_or_tasks(a: Any, b: Any, url: str) -> None:
    before_b = listing(b)
    room_id = create(a, "Private", concurrency=1)
    job_id = start(a, room_id).job_id
    assert totals(listing(b)) == totals(before_b)
    refused(lambda: show(b, room_id), ROOM_NOT_FOUND)
    refused(lambda: b.delete_smart_chat_room(DeleteSmartChatRoomRequest(room_id=room_id)), ROOM_NOT_FOUND)
    refused(lambda: stop(b, room_id, job_id), ROOM_NOT_FOUND)
    refused(lambda: show_job(b, room_id, job_id), ROOM_NOT_FOUND)
    # B's credentials on A's project path: the service's own project check
    crossed = client_for(url, AK_B, SK_B, PROJECT_A)
    refused(lambda: show(crossed, room_id), (400, "MSS.00010009", "urlTenantId is not equal tokenTenantId"))
    assert show_job(a, room_id, job_id).state == "PROCESSING"


def test_reset_undoes_every_write(a: Any, url: str) -> None:
    before = listing(a)
    first_generated = before.smart_chat_rooms[0].room_id
    room_id = create(a, "Temporary", concurrency=1)
    start(a, room_id)
    a.delete_smart_chat_room(DeleteSmartChatRoomRequest(room_id=first_generated))
    assert requests.post(f"{url}/_emulator/reset", timeout=TIMEOUT).status_code == 200
    after = listing(a)
    assert after.raw_content == before.raw_content
    refused(lambda: show(a, room_id), ROOM_NOT_FOUND)


def test_writes_are_journaled_and_obey_fault_rules(a: Any, url: str) -> None:
    before = listing(a)
    fault = {"vendor": "metastudio", "operation": "CreateSmartChatRoom", "error": "MSS.00000004"}
    rule = requests.post(f"{url}/_emulator/faults", json=fault, timeout=TIMEOUT)
    assert rule.status_code == 201, rule.text
    with pytest.raises(ServerResponseException) as info:
        create(a, "Faulted")
    assert (info.value.status_code, info.value.error_code) == (500, "MSS.00000004")
    assert totals(listing(a)) == totals(before)  # the fault answered before anything was written
    requests.delete(f"{url}/_emulator/faults", timeout=TIMEOUT)
    room_id = create(a, "Journaled", concurrency=1)
    start(a, room_id)
    entries = requests.get(f"{url}/_emulator/requests", params={"vendor": "metastudio"}, timeout=TIMEOUT).json()
    operations = [(e["operation"], e["status"]) for e in entries["requests"]]
    assert ("CreateSmartChatRoom", 500) in operations and ("CreateSmartChatRoom", 200) in operations
    assert ("StartSmartChatJob", 200) in operations


def test_the_same_calls_after_a_reset_answer_the_same_ids(a: Any, url: str, now: str) -> None:
    def run() -> tuple[str, dict[str, Any]]:
        # Times (and what is signed with them) come from the clock, which a reset sets running again: freeze it
        # where the fixture froze it (near the wall clock, so the SDK's signature date stays in the window).
        frozen = {"frozen_at": now}
        assert requests.put(f"{url}/_emulator/clock", json=frozen, timeout=TIMEOUT).status_code == 200
        room_id = create(a, "Deterministic", concurrency=1)
        return room_id, start(a, room_id).to_json_object()

    first = run()
    assert requests.post(f"{url}/_emulator/reset", timeout=TIMEOUT).status_code == 200
    assert run() == first


def test_concurrent_creates_keep_order_count_and_sums(url: str) -> None:
    clients = [client_for(url) for _ in range(4)]
    before = listing(clients[0])
    made: list[str] = []
    lock = threading.Lock()

    def worker(client: Any, n: int) -> None:
        for i in range(5):
            room_id = create(client, f"Parallel {n}-{i}", concurrency=2)
            with lock:
                made.append(room_id)

    threads = [threading.Thread(target=worker, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = listing(clients[0])
    count, concurrency, client_nums, tokens = totals(before)
    assert totals(after) == (count + 20, concurrency + 40, client_nums, tokens)
    listed = [r.room_id for r in after.smart_chat_rooms]
    assert set(listed[:20]) == set(made) and listed[20:] == [r.room_id for r in before.smart_chat_rooms]
    # All made within one (frozen) second: newest first means in the reverse order the writes were made.
    entries = requests.get(
        f"{url}/_emulator/records/metastudio/smart_chat_rooms", params={"tenant": PROJECT_A}, timeout=TIMEOUT
    ).json()["entries"]
    order = {e["record"]["room_id"]: e["createSeq"] for e in entries if "createSeq" in e}
    assert sorted(order) == sorted(made)
    assert [order[room_id] for room_id in listed[:20]] == sorted(order.values(), reverse=True)
