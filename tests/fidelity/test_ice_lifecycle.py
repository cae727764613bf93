"""The agent-instance lifecycle through the official clients over real HTTP (auth=verify): StartAIAgentInstance,
GenerateAIAgentCall, DescribeAIAgentInstance, UpdateAIAgentInstance, StopAIAgentInstance with
`alibabacloud-ice20201109` (V3 signatures; JSON-text "shrink" parameters), and StartAIAgentInstance once through
`aliyun-python-sdk-core` (CommonRequest, RPC V1). Each documented error reaches the SDK as its own exception with the
vendor's code; the flow shows a started instance listed first, described, updated, talking as the emulator clock
moves, and stopped. The clock stays within the signature window of real time (the SDK signs with the wall clock).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from alibabacloud_ice20201109 import models as M  # type: ignore[import-untyped]
from alibabacloud_ice20201109.client import Client  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]
from aliyunsdkcore.client import AcsClient  # type: ignore[import-untyped]
from aliyunsdkcore.request import CommonRequest  # type: ignore[import-untyped]

from emulator.core.ids import iso_s
from emulator.vendors.ice import data

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_1, SK_1 = "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
AK_2, SK_2 = "LTAI5tEmuDevAccessKey002", "emuDevAccessKeySecret000000000002"
AGENTS = data.agents(SEED, ACCOUNT_1)  # VoiceChat, VisionChat, AvatarChat3D agents
AGENT = AGENTS[0]
INT64_MAX = 2**63 - 1


@pytest.fixture(autouse=True)
def quiet_core_sdk() -> Iterator[None]:
    logger = logging.getLogger("aliyunsdkcore")  # it logs every ServerException at ERROR level
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def admin(url: str, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
    resp = requests.request(method, f"{url}/_emulator{path}", timeout=10, **kwargs)
    assert resp.status_code == expect, resp.text
    return resp.json() if resp.content else None


class Clock:
    """The emulator clock, frozen near real time (the SDK's signatures must stay inside their 15-minute window)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.start_ms = int(time.time()) * 1000
        self.set(0)

    def set(self, seconds: int) -> None:
        admin(self.url, "PUT", "/clock", json={"frozen_at": iso_s(self.start_ms + seconds * 1000)})


@pytest.fixture
def url(module_live_url: str) -> str:
    admin(module_live_url, "POST", "/reset")
    return module_live_url


@pytest.fixture
def clock(url: str) -> Clock:
    return Clock(url)


def sdk(url: str, ak: str = AK_1, secret: str = SK_1) -> Client:
    return Client(
        Config(access_key_id=ak, access_key_secret=secret, endpoint=url.removeprefix("http://"), protocol="HTTP")
    )


def runtime(channel: str = "flow-channel") -> Any:
    return M.AIAgentRuntimeConfig(agent_user_id="flow-agent", auth_token="flow-token", channel_id=channel)


def start(client: Client, agent: str = AGENT, **kwargs: Any) -> str:
    request = M.StartAIAgentInstanceRequest(aiagent_id=agent, runtime_config=runtime(), **kwargs)
    instance_id: str = client.start_aiagent_instance(request).body.instance_id
    return instance_id


def describe(client: Client, instance_id: str) -> Any:
    return client.describe_aiagent_instance(M.DescribeAIAgentInstanceRequest(instance_id=instance_id)).body.instance


def listed(client: Client, agent: str = AGENT) -> list[Any]:
    """Every instance of the agent, page by page (the response carries no total)."""
    rows: list[Any] = []
    for number in range(1, 101):
        request = M.ListAIAgentInstanceRequest(aiagent_id=agent, page_size=3, page_number=number)
        page = client.list_aiagent_instance(request).body.instances
        rows += page
        if len(page) < 3:
            return rows
    raise AssertionError("more than 100 pages")


def dialogues(client: Client, session: str) -> list[Any]:
    request = M.ListAIAgentDialoguesRequest(session_id=session, start_time=0, end_time=INT64_MAX, page_size=100)
    rows: list[Any] = client.list_aiagent_dialogues(request).body.dialogues
    return rows


def raised(exc_type: type[Exception], call: Callable[[], Any]) -> Any:
    with pytest.raises(exc_type) as info:
        call()
    assert type(info.value) is exc_type
    return info.value


def client_error(call: Callable[[], Any], status: int, code: str, message: str) -> None:
    err = raised(ClientException, call)
    assert (err.status_code, err.code) == (status, code)
    assert err.message == f"code: {status}, {message} request id: {err.request_id}"


# --- the flow ---------------------------------------------------------------------------------------------------


def test_start_list_describe_update_talk_and_stop(url: str, clock: Clock) -> None:
    client = sdk(url)
    before = listed(client)
    config = M.AIAgentConfig(greeting="Hello", tts_config=M.AIAgentConfigTtsConfig(voice_id="zhixiaoxia"))
    instance_id = start(client, agent_config=config, session_id="flow-session", user_data='{"Plan":"gold"}')

    after = listed(client)
    assert len(after) == len(before) + 1
    first = after[0]  # newest first
    assert first.status == "Executing" and first.user_data == '{"Plan":"gold"}'
    assert first.runtime_config.channel_id == "flow-channel" and first.agent_config.greeting == "Hello"
    assert [i.to_map() for i in after[1:]] == [i.to_map() for i in before]

    instance = describe(client, instance_id)
    assert (instance.status, instance.session_id) == ("Executing", "flow-session")
    created = iso_s(clock.start_ms).removesuffix("Z") + ".000+00:00"
    assert instance.gmt_create == instance.gmt_modified == created
    assert instance.agent_config.tts_config.voice_id == "zhixiaoxia" and instance.call_log_url == ""

    clock.set(7)
    update = M.UpdateAIAgentInstanceRequest(instance_id=instance_id, agent_config=M.AIAgentConfig(greeting="Welcome"))
    assert client.update_aiagent_instance(update).body.request_id
    instance = describe(client, instance_id)
    assert instance.agent_config.greeting == "Welcome" and instance.agent_config.tts_config.voice_id == "zhixiaoxia"
    assert instance.gmt_modified == iso_s(clock.start_ms + 7000).removesuffix("Z") + ".000+00:00"

    assert dialogues(client, "flow-session") == []
    clock.set(25)  # two 10-second rounds have passed
    rows = dialogues(client, "flow-session")
    assert [(d.producer, d.source, d.type) for d in rows] == [
        ("agent", "call", "normal"),
        ("user", "call", "normal"),
    ] * 2
    assert all(clock.start_ms <= d.time < clock.start_ms + 20_000 for d in rows)
    clock.set(36)
    assert len(dialogues(client, "flow-session")) == 6

    assert client.stop_aiagent_instance(M.StopAIAgentInstanceRequest(instance_id=instance_id)).body.request_id
    stopped = describe(client, instance_id)
    assert stopped.status == "Finished" and stopped.call_log_url.endswith(f"/{instance_id}.json")
    assert listed(client)[0].status == "Finished"
    clock.set(300)
    assert len(dialogues(client, "flow-session")) == 6  # no round after the stop


def test_generate_ai_agent_call_hands_out_a_channel_and_token(url: str, clock: Clock) -> None:
    client = sdk(url)
    body = client.generate_aiagent_call(M.GenerateAIAgentCallRequest(aiagent_id=AGENT, expire=120, user_id="me")).body
    assert body.user_id == "me" and body.avatar_user_id is None and body.request_id
    token = json.loads(base64.b64decode(body.token))
    assert (token["channelid"], token["userid"], token["nonce"]) == (body.channel_id, "me", "")
    assert token["timestamp"] == clock.start_ms // 1000 + 120 and token["gslb"]
    assert re.fullmatch("[0-9a-f]{64}", token["token"])  # SHA-256 hex of AppID, AppKey, channel, user, nonce, expiry

    instance = describe(client, body.instance_id)
    assert instance.status == "Executing" and len(instance.session_id) == 32  # a new session
    joined = instance.runtime_config
    assert (joined.channel_id, joined.agent_user_id) == (body.channel_id, body.aiagent_user_id)
    agent_token = json.loads(base64.b64decode(joined.auth_token))
    assert (agent_token["userid"], agent_token["appid"]) == (body.aiagent_user_id, token["appid"])
    assert joined.voice_chat.channel_id == body.channel_id  # the agent's call mode
    assert listed(client)[0].runtime_config.to_map() == joined.to_map()

    avatar = client.generate_aiagent_call(M.GenerateAIAgentCallRequest(aiagent_id=AGENTS[2])).body
    assert avatar.avatar_user_id and len({avatar.user_id, avatar.aiagent_user_id, avatar.avatar_user_id}) == 3
    assert describe(client, avatar.instance_id).runtime_config.avatar_chat_3d.channel_id == avatar.channel_id


def test_the_same_seed_and_writes_give_the_same_ids(url: str, clock: Clock) -> None:
    client = sdk(url)
    first = client.generate_aiagent_call(M.GenerateAIAgentCallRequest(aiagent_id=AGENT)).body.to_map()
    admin(url, "POST", "/reset")
    clock.set(0)
    again = client.generate_aiagent_call(M.GenerateAIAgentCallRequest(aiagent_id=AGENT)).body.to_map()
    assert {k: v for k, v in first.items() if k != "RequestId"} == {k: v for k, v in again.items() if k != "RequestId"}


# --- documented errors, as the SDK raises them -------------------------------------------------------------------


def test_missing_and_invalid_parameters(url: str, clock: Clock) -> None:
    client = sdk(url)
    client_error(
        lambda: client.start_aiagent_instance(M.StartAIAgentInstanceRequest(runtime_config=runtime())),
        400, "MissingAIAgentId", "AIAgentId is mandatory for this action.",
    )  # fmt: skip
    client_error(
        lambda: client.start_aiagent_instance(M.StartAIAgentInstanceRequest(aiagent_id=AGENT)),
        400, "MissingRuntimeConfig", "RuntimeConfig is mandatory for this action.",
    )  # fmt: skip
    loud = M.StartAIAgentInstanceRequest(
        aiagent_id=AGENT, runtime_config=runtime(), agent_config=M.AIAgentConfig(volume=401)
    )
    client_error(
        lambda: client.start_aiagent_instance(loud),
        400, "InvalidParameter", 'The specified parameter "AgentConfig" is not valid.',
    )  # fmt: skip
    nowhere = M.StartAIAgentInstanceRequest(aiagent_id=AGENT, runtime_config=M.AIAgentRuntimeConfig(agent_user_id="u"))
    client_error(
        lambda: client.start_aiagent_instance(nowhere),
        400, "InvalidParameter", 'The specified parameter "RuntimeConfig" is not valid.',
    )  # fmt: skip
    client_error(
        lambda: client.generate_aiagent_call(M.GenerateAIAgentCallRequest(aiagent_id=AGENT, expire=604801)),
        400, "InvalidParameter", 'The specified parameter "Expire" is not valid.',
    )  # fmt: skip
    client_error(
        lambda: client.stop_aiagent_instance(M.StopAIAgentInstanceRequest()),
        400, "MissingInstanceId", "InstanceId is mandatory for this action.",
    )  # fmt: skip


def test_unknown_and_finished_instances(url: str, clock: Clock) -> None:
    client = sdk(url)
    unknown = "0" * 32
    for call in (
        lambda: client.stop_aiagent_instance(M.StopAIAgentInstanceRequest(instance_id=unknown)),
        lambda: client.describe_aiagent_instance(M.DescribeAIAgentInstanceRequest(instance_id=unknown)),
        lambda: client.update_aiagent_instance(M.UpdateAIAgentInstanceRequest(instance_id=unknown, user_data="x")),
    ):
        client_error(call, 404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
    instance_id = start(client)
    client.stop_aiagent_instance(M.StopAIAgentInstanceRequest(instance_id=instance_id))
    finished = "The current status of the resource does not support this operation."
    for call in (
        lambda: client.stop_aiagent_instance(M.StopAIAgentInstanceRequest(instance_id=instance_id)),
        lambda: client.update_aiagent_instance(M.UpdateAIAgentInstanceRequest(instance_id=instance_id, user_data="x")),
    ):
        client_error(call, 403, "IncorrectInstanceStatus", finished)


def test_a_fault_rule_names_the_operation(url: str, clock: Clock) -> None:
    admin(
        url,
        "POST",
        "/faults",
        201,
        json={"vendor": "ice", "operation": "StartAIAgentInstance", "error": "Throttling.User"},
    )
    client = sdk(url)
    before = len(listed(client))
    err = raised(ThrottlingException, lambda: start(client))
    assert (err.code, err.retry_after) == ("Throttling.User", 1000)
    assert len(listed(client)) == before  # nothing started
    describe_miss = M.DescribeAIAgentInstanceRequest(instance_id="0" * 32)
    raised(ClientException, lambda: client.describe_aiagent_instance(describe_miss))  # other operations unaffected
    journal = admin(url, "GET", "/requests")["requests"]
    assert any(r["operation"] == "StartAIAgentInstance" and r["code"] == "Throttling.User" for r in journal)


# --- tenants, reset, the V1 form -------------------------------------------------------------------------------


def test_another_tenant_can_neither_see_nor_stop_it(url: str, clock: Clock) -> None:
    mine, theirs = sdk(url), sdk(url, AK_2, SK_2)
    instance_id = start(mine, session_id="private-session")
    clock.set(30)
    not_found = (404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
    client_error(
        lambda: theirs.stop_aiagent_instance(M.StopAIAgentInstanceRequest(instance_id=instance_id)), *not_found
    )
    client_error(
        lambda: theirs.describe_aiagent_instance(M.DescribeAIAgentInstanceRequest(instance_id=instance_id)), *not_found
    )
    assert listed(theirs) == []
    assert dialogues(theirs, "private-session") == []
    assert describe(mine, instance_id).status == "Executing" and len(dialogues(mine, "private-session")) == 6


def test_reset_undoes_starts(url: str, clock: Clock) -> None:
    client = sdk(url)
    before = [i.to_map() for i in listed(client)]
    instance_id = start(client)
    admin(url, "POST", "/reset")
    assert [i.to_map() for i in listed(client)] == before
    client_error(
        lambda: describe(client, instance_id),
        404,
        "InvalidInstanceId.NotFound",
        "The specified InstanceId does not exist.",
    )


def test_start_through_the_core_sdk_signed_v1(url: str, clock: Clock) -> None:
    request = CommonRequest(
        domain=url.removeprefix("http://"), version="2020-11-09", action_name="StartAIAgentInstance"
    )
    request.set_protocol_type("http")
    request.set_method("POST")
    request.add_query_param("AIAgentId", AGENT)
    request.add_query_param(
        "RuntimeConfig", json.dumps({"VoiceChat": {"AgentUserId": "u", "AuthToken": "t", "ChannelId": "c 1/ü"}})
    )
    request.add_query_param("UserData", "core sdk")
    body = json.loads(AcsClient(AK_1, SK_1, "cn-shanghai", auto_retry=False).do_action_with_exception(request))
    assert set(body) == {"InstanceId", "RequestId"}
    instance = describe(sdk(url), body["InstanceId"])
    assert instance.runtime_config.voice_chat.channel_id == "c 1/ü" and instance.user_data == "core sdk"


def test_start_through_the_sdk_in_v1_mode(url: str, clock: Clock) -> None:
    cfg = Config(access_key_id=AK_1, access_key_secret=SK_1, endpoint=url.removeprefix("http://"), protocol="HTTP",
                 signature_algorithm="v2")  # fmt: skip
    instance_id = start(
        Client(cfg), template_config=M.AIAgentTemplateConfig(voice_chat=M.AIAgentTemplateConfigVoiceChat(vad_level=3))
    )
    assert describe(sdk(url), instance_id).template_config.voice_chat.vad_level == 3
