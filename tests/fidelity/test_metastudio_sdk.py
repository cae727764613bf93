"""The official Huawei Cloud SDK (huaweicloudsdkmetastudio) against a live emulator (uvicorn on 127.0.0.1,
auth=verify): every request below is signed by the SDK itself and verified by the emulator."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException  # type: ignore[import-untyped]
from huaweicloudsdkmetastudio.v1 import (  # type: ignore[import-untyped]
    ListSmartChatRoomsRequest,
    MetaStudioClient,
)
from huaweicloudsdkmetastudio.v1.model.model_info import ModelInfo  # type: ignore[import-untyped]
from huaweicloudsdkmetastudio.v1.region.metastudio_region import MetaStudioRegion  # type: ignore[import-untyped]

PROJECT_A = "0123456789abcdef0123456789abcdef"
PROJECT_B = "fedcba9876543210fedcba9876543210"
AK_A, SK_A = "EMUDEVAKHW0000000001", "emuDevSecretKeyHuawei0000000000000000001"
AK_B, SK_B = "EMUDEVAKHW0000000002", "emuDevSecretKeyHuawei0000000000000000002"
AK_STS, SK_STS = "EMUDEVSTSHW000000001", "emuDevStsSecretKeyHuawei00000000000000001"
STS_TOKEN = "emuDevHuaweiSecurityToken0000000001"
IAM = "Incorrect IAM authentication information: "


def client_for(url: str, credentials: Any) -> Any:
    return MetaStudioClient.new_builder().with_credentials(credentials).with_endpoints([url]).build()


def raised(call: Callable[[], Any]) -> Any:
    with pytest.raises(ClientRequestException) as info:
        call()
    return info.value


def same_request_id(url: str, exc: Any, path_and_query: str) -> None:
    """The SDK takes request_id from the X-Request-Id header only; the emulator's id is a function of the call."""
    assert re.fullmatch(r"[0-9a-f]{32}", exc.request_id)
    raw = requests.get(url + path_and_query, timeout=10)
    assert raw.headers["X-Request-Id"] == exc.request_id


def test_sdk_walks_every_page_and_gets_exactly_count_rooms(live_url: str) -> None:
    client = client_for(live_url, BasicCredentials(AK_A, SK_A, PROJECT_A))
    first = client.list_smart_chat_rooms(ListSmartChatRoomsRequest())
    assert first.count == 57 and len(first.smart_chat_rooms) == 10
    assert re.fullmatch(r"[0-9a-f]{32}", first.x_request_id)
    rooms: list[Any] = []
    offset = 0
    while True:
        page = client.list_smart_chat_rooms(ListSmartChatRoomsRequest(offset=offset, limit=8))
        assert page.count == first.count
        assert page.count_concurrency == first.count_concurrency
        rooms.extend(page.smart_chat_rooms)
        if not page.smart_chat_rooms:
            break
        offset += 8
    assert len(rooms) == len({r.room_id for r in rooms}) == first.count
    assert [r.create_time for r in rooms] == sorted((r.create_time for r in rooms), reverse=True)
    room = rooms[0]
    assert isinstance(room.model_infos, ModelInfo) and room.model_infos.asset_name
    assert isinstance(room.reuse_resource, bool) and isinstance(room.concurrency, int)
    assert room.voice_config_list[0].provider in {"XIMALAYA", "HUAWEI_EI", "MOBVOI"}
    client_billed = sum(r.client_nums for r in rooms if r.billing_mode == "CLIENT")
    assert first.count_client_nums == client_billed


def test_sdk_filters_with_non_ascii_and_times(live_url: str) -> None:
    client = client_for(live_url, BasicCredentials(AK_A, SK_A, PROJECT_A))
    request = ListSmartChatRoomsRequest(room_name="展厅", limit=100)
    found = client.list_smart_chat_rooms(request)
    assert found.count == len(found.smart_chat_rooms) > 0
    assert all("展厅" in r.room_name for r in found.smart_chat_rooms)
    window = ListSmartChatRoomsRequest(start_time="2025-03-01T08:00:00+08:00", end_time="2025-06-01T00:00:00Z")
    assert 0 < client.list_smart_chat_rooms(window).count < 57


def test_wrong_secret_key_raises_the_sdks_own_401(live_url: str) -> None:
    client = client_for(live_url, BasicCredentials(AK_A, SK_B, PROJECT_A))
    exc = raised(lambda: client.list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=10)))
    assert (exc.status_code, exc.error_code) == (401, "APIGW.0301")
    path = f"/v1/{PROJECT_A}/smart-chat-rooms"
    assert exc.error_msg.startswith(f"{IAM}verify aksk signature fail, canonicalRequest:GET|{path}/|limit=10|")
    same_request_id(live_url, exc, f"{path}?limit=10")


def test_skewed_server_clock_raises_signature_expired(live_factory: Callable[..., str]) -> None:
    url = live_factory(clock_offset_seconds=3600)
    client = client_for(url, BasicCredentials(AK_A, SK_A, PROJECT_A))
    exc = raised(lambda: client.list_smart_chat_rooms(ListSmartChatRoomsRequest()))
    assert (exc.status_code, exc.error_code) == (401, "APIGW.0301")
    assert exc.error_msg.startswith(f"{IAM}calc aksk signature fail:signature expired, signature time:")
    same_request_id(url, exc, f"/v1/{PROJECT_A}/smart-chat-rooms")


def test_out_of_range_limit_raises_invalid_parameter(live_url: str) -> None:
    client = client_for(live_url, BasicCredentials(AK_A, SK_A, PROJECT_A))
    exc = raised(lambda: client.list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=1000)))
    assert (exc.status_code, exc.error_code, exc.error_msg) == (400, "MSS.00000003", "Invalid parameter")
    same_request_id(live_url, exc, f"/v1/{PROJECT_A}/smart-chat-rooms?limit=1000")


def test_app_user_id_with_chinese_characters_raises_invalid_parameter(live_url: str) -> None:
    """The SDK sends X-App-UserId as UTF-8 (and signs it); the docs forbid Chinese characters in it."""
    client = client_for(live_url, BasicCredentials(AK_A, SK_A, PROJECT_A))
    exc = raised(lambda: client.list_smart_chat_rooms(ListSmartChatRoomsRequest(x_app_user_id="用户-1")))
    assert (exc.status_code, exc.error_code, exc.error_msg) == (400, "MSS.00000003", "Invalid parameter")
    assert re.fullmatch(r"[0-9a-f]{32}", exc.request_id)
    assert client.list_smart_chat_rooms(ListSmartChatRoomsRequest(x_app_user_id="user-ü-1")).count == 57


def test_sdk_reads_sparse_rooms_as_none(live_url: str) -> None:
    """Optional fields the service leaves out come back as None: code must guard them, as against the cloud."""
    client = client_for(live_url, BasicCredentials(AK_A, SK_A, PROJECT_A))
    rooms = client.list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=100)).smart_chat_rooms
    bare = [r for r in rooms if r.model_infos is None and r.voice_config_list is None and r.billing_mode is None]
    assert bare and all(r.room_id and r.room_name and r.create_time and r.update_time for r in bare)
    assert any(r.voice_config is not None for r in rooms) and any(r.voice_config is None for r in rooms)


def test_unknown_ak_and_foreign_project(live_url: str) -> None:
    unknown = client_for(live_url, BasicCredentials("NOSUCHAK000000000000", SK_A, PROJECT_A))
    exc = raised(lambda: unknown.list_smart_chat_rooms(ListSmartChatRoomsRequest()))
    assert (exc.status_code, exc.error_msg) == (401, f"{IAM}ak NOSUCHAK000000000000 not exist")
    foreign = client_for(live_url, BasicCredentials(AK_A, SK_A, PROJECT_B))
    exc = raised(lambda: foreign.list_smart_chat_rooms(ListSmartChatRoomsRequest()))
    assert (exc.status_code, exc.error_code) == (400, "MSS.00010009")
    assert exc.error_msg == "urlTenantId is not equal tokenTenantId"


def test_security_token_credentials(live_url: str) -> None:
    credentials = BasicCredentials(AK_STS, SK_STS, PROJECT_A).with_security_token(STS_TOKEN)
    page = client_for(live_url, credentials).list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=3))
    assert page.count == 57 and len(page.smart_chat_rooms) == 3
    wrong = BasicCredentials(AK_STS, SK_STS, PROJECT_A).with_security_token("expired-token")
    exc = raised(lambda: client_for(live_url, wrong).list_smart_chat_rooms(ListSmartChatRoomsRequest()))
    assert (exc.status_code, exc.error_msg) == (401, f"{IAM}decrypt token fail")


def test_region_only_configuration_discovers_the_project_through_iam(
    live_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BasicCredentials, "_CACHE", {})  # the SDK caches discovered ids per AK and region
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_METASTUDIO_CN_NORTH_4", live_url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", live_url)
    credentials = BasicCredentials(AK_A, SK_A)
    client = MetaStudioClient.new_builder().with_credentials(credentials)
    client = client.with_region(MetaStudioRegion.value_of("cn-north-4")).build()
    page = client.list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=5))
    assert credentials.project_id == PROJECT_A
    assert page.count == 57 and len(page.smart_chat_rooms) == 5


def test_region_only_with_iam_endpoint_on_the_credentials(live_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BasicCredentials, "_CACHE", {})
    monkeypatch.delenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", raising=False)
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_METASTUDIO_CN_EAST_3", live_url)
    credentials = BasicCredentials(AK_B, SK_B).with_iam_endpoint(live_url)
    builder = MetaStudioClient.new_builder().with_credentials(credentials)
    page = (
        builder.with_region(MetaStudioRegion.value_of("cn-east-3"))
        .build()
        .list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=100))
    )
    assert credentials.project_id == PROJECT_B
    assert page.count == 57
    covers = [r.cover_url for r in page.smart_chat_rooms if r.cover_url is not None]  # optional, as in the cloud
    assert covers and all(PROJECT_B in url for url in covers)
