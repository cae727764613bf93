"""The official Python SDK (`alibabacloud-ice20201109`, tea-openapi 0.4.x) against a live emulator over HTTP.

Default auth=verify: every call is signed by the SDK itself, V3 (ACS3-HMAC-SHA256) by default and RPC V1
(HMAC-SHA1) in `v2` mode, as every ice SDK up to 6.5.0 sends. Totals come from the vendor's generator, not from
the emulator's store or pager.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from alibabacloud_ice20201109 import models as M  # type: ignore[import-untyped]
from alibabacloud_ice20201109.client import Client  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.exceptions import ClientException  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.utils import Utils  # type: ignore[import-untyped]

from emulator.core.context import default_manifest
from emulator.core.fixtures import wire
from emulator.core.signing import alibaba
from emulator.vendors.ice import IceVendor, data
from emulator.vendors.ice.records import DialogueEntry, InstanceEntry

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_1, SK_1 = "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
STS_AK, STS_SK, STS_TOKEN = (
    "STS.EmuDevStsAccessKey001",
    "emuDevStsAccessKeySecret0000000001",
    "emuDevSecurityToken0000000001",
)
SESSION = data.sessions(SEED, ACCOUNT_1, 1.0)[0].session_id
AGENT = data.agents(SEED, ACCOUNT_1)[0]
INT64_MAX = 2**63 - 1
MODES = ["v3", "v1"]
SM3 = "ACS3-HMAC-SM3"


@pytest.fixture(scope="module")
def oracle() -> dict[str, list[dict[str, Any]]]:
    """The default session's dialogues (newest first) and the default agent's instances (newest first)."""
    dialogues: list[dict[str, Any]] = []
    instances: list[tuple[str, str, dict[str, Any]]] = []
    for _, entry in IceVendor(default_manifest()["tenants"]["ice"]).generate(SEED, 1.0):
        if isinstance(entry, DialogueEntry) and (entry.tenant, entry.session_id) == (ACCOUNT_1, SESSION):
            dialogues.append(json.loads(wire(entry.record)))
        elif isinstance(entry, InstanceEntry) and (entry.tenant, entry.ai_agent_id) == (ACCOUNT_1, AGENT):
            instances.append((entry.start_time, entry.instance_id, json.loads(wire(entry.record))))
    dialogues.sort(key=lambda d: d["Time"], reverse=True)
    instances.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return {"dialogues": dialogues, "instances": [doc for _, _, doc in instances]}


def endpoint(url: str) -> str:
    return url.removeprefix("http://")


def make_client(url: str, mode: str = "v3", *, ak: str = AK_1, secret: str = SK_1, **config: Any) -> Client:
    cfg = Config(access_key_id=ak, access_key_secret=secret, endpoint=endpoint(url), protocol="HTTP", **config)
    if mode == "v1":
        cfg.signature_algorithm = "v2"  # tea-openapi then takes do_rpcrequest: RPC V1 HMAC-SHA1
    return Client(cfg)


@pytest.fixture
def sdk(live_url: str) -> Callable[..., Client]:
    def build(mode: str = "v3", **kwargs: Any) -> Client:
        return make_client(live_url, mode, **kwargs)

    return build


def dialogues_request(**kwargs: Any) -> Any:
    params = {"session_id": SESSION, "start_time": 0, "end_time": INT64_MAX, **kwargs}
    return M.ListAIAgentDialoguesRequest(**params)


def walk_dialogues(client: Client, page_size: int | None) -> list[Any]:
    seen: list[Any] = []
    for page in range(1, 1000):
        resp = client.list_aiagent_dialogues(dialogues_request(page_number=page, page_size=page_size))
        assert resp.status_code == 200 and resp.body is not None
        assert resp.headers["x-acs-request-id"] == resp.body.request_id
        if not resp.body.dialogues:
            return seen
        seen.extend(resp.body.dialogues)
    raise AssertionError("paging never ended")


# --- success: typed models and full walks ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("page_size", [None, 100])
def test_walk_every_dialogue_page_of_a_default_session(
    sdk: Callable[..., Client], oracle: dict[str, Any], mode: str, page_size: int | None
) -> None:
    seen = walk_dialogues(sdk(mode), page_size)
    expected = oracle["dialogues"]
    assert len(seen) == len(expected) > 100
    assert [d.dialogue_id for d in seen] == [d["DialogueId"] for d in expected]
    assert [d.to_map() for d in seen] == expected  # every field survives the SDK's model round trip


def test_dialogue_models_are_typed(sdk: Callable[..., Client]) -> None:
    resp = sdk().list_aiagent_dialogues(dialogues_request(page_size=100, order="ASC"))
    first = resp.body.dialogues[0]
    assert isinstance(first, M.ListAIAgentDialoguesResponseBodyDialogues)
    assert type(first.time) is int
    assert (first.type, first.producer, first.source) == ("greeting", "agent", "call")
    for d in resp.body.dialogues:
        assert isinstance(d.extend, str) and isinstance(d.attached_file_list, list)
        assert isinstance(d.text, str) and d.text


def test_round_limit_through_the_sdk(sdk: Callable[..., Client], oracle: dict[str, Any]) -> None:
    resp = sdk().list_aiagent_dialogues(dialogues_request(round_limit="2", page_size=1))
    rows = resp.body.dialogues
    assert len({d.round_id for d in rows}) == 2
    newest_two = []
    for d in oracle["dialogues"]:
        if d["RoundId"] not in newest_two:
            newest_two.append(d["RoundId"])
    assert [d.dialogue_id for d in rows] == [
        d["DialogueId"] for d in oracle["dialogues"] if d["RoundId"] in newest_two[:2]
    ]


@pytest.mark.parametrize("mode", MODES)
def test_walk_every_instance_page_of_a_default_agent(
    sdk: Callable[..., Client], oracle: dict[str, Any], mode: str
) -> None:
    client = sdk(mode)
    seen: list[Any] = []
    for page in range(1, 101):
        resp = client.list_aiagent_instance(M.ListAIAgentInstanceRequest(aiagent_id=AGENT, page_number=page))
        assert resp.body is not None
        if not resp.body.instances:
            break
        assert len(resp.body.instances) <= 10  # the default page size
        seen.extend(resp.body.instances)
    assert len(seen) == len(oracle["instances"]) == data.INSTANCES_PER_AGENT[0]
    # Through the SDK's own model on both sides: its to_map() adds `[]` for absent lists (BackChannelingConfig).
    as_sdk = [M.ListAIAgentInstanceResponseBodyInstances().from_map(doc).to_map() for doc in oracle["instances"]]
    assert [i.to_map() for i in seen] == as_sdk


def test_instance_models_are_typed(sdk: Callable[..., Client]) -> None:
    resp = sdk().list_aiagent_instance(M.ListAIAgentInstanceRequest(aiagent_id=AGENT, page_size=100))
    instances = resp.body.instances
    assert [i.status for i in instances[:3]] == ["Created", "Executing", "Executing"]
    for inst in instances:
        assert isinstance(inst.runtime_config, M.AIAgentRuntimeConfig)
        assert isinstance(inst.template_config, M.AIAgentTemplateConfig)
        assert isinstance(inst.agent_config, M.AIAgentConfig)
        assert isinstance(inst.user_data, str) and isinstance(json.loads(inst.user_data), dict)
    assert isinstance(instances[0].runtime_config.voice_chat, M.AIAgentRuntimeConfigVoiceChat)


def test_instance_time_window_through_the_sdk(sdk: Callable[..., Client], oracle: dict[str, Any]) -> None:
    full = sdk().list_aiagent_instance(M.ListAIAgentInstanceRequest(aiagent_id=AGENT, page_size=100)).body.instances
    window = sdk().list_aiagent_instance(
        M.ListAIAgentInstanceRequest(
            aiagent_id=AGENT, start_time="2000-01-01T00:00:00Z", end_time="2099-01-01T00:00:00Z", page_size=100
        )
    )
    assert [i.to_map() for i in window.body.instances] == [i.to_map() for i in full]
    empty = sdk().list_aiagent_instance(
        M.ListAIAgentInstanceRequest(aiagent_id=AGENT, start_time="2099-01-01T00:00:00Z")
    )
    assert empty.body.instances == []


def test_endpoint_with_a_scheme(live_url: str, oracle: dict[str, Any]) -> None:
    # The SDK then sends and signs `host: http://127.0.0.1:PORT`; the server must verify against it as sent.
    client = Client(Config(access_key_id=AK_1, access_key_secret=SK_1, endpoint=live_url, protocol="HTTP"))
    resp = client.list_aiagent_dialogues(dialogues_request(page_size=5))
    assert [d.dialogue_id for d in resp.body.dialogues] == [d["DialogueId"] for d in oracle["dialogues"][:5]]


def test_v1_mode_set_after_construction(live_url: str, oracle: dict[str, Any]) -> None:
    client = make_client(live_url)
    client._signature_algorithm = "v2"  # what ice SDK <= 6.5.0 hard-codes in __init__
    resp = client.list_aiagent_dialogues(dialogues_request(page_size=3))
    assert [d.dialogue_id for d in resp.body.dialogues] == [d["DialogueId"] for d in oracle["dialogues"][:3]]


@pytest.mark.parametrize("mode", MODES)
def test_sts_credentials(sdk: Callable[..., Client], oracle: dict[str, Any], mode: str) -> None:
    client = sdk(mode, ak=STS_AK, secret=STS_SK, security_token=STS_TOKEN)
    resp = client.list_aiagent_dialogues(dialogues_request(page_size=4))
    assert [d.dialogue_id for d in resp.body.dialogues] == [d["DialogueId"] for d in oracle["dialogues"][:4]]


def test_sm3_signatures(sdk: Callable[..., Client], oracle: dict[str, Any]) -> None:
    # ACS3-HMAC-SM3: the SDK hashes the body and the canonical request with SM3 and HMACs with SM3.
    client = sdk(signature_algorithm=SM3)
    resp = client.list_aiagent_dialogues(dialogues_request(page_size=5))
    assert [d.dialogue_id for d in resp.body.dialogues] == [d["DialogueId"] for d in oracle["dialogues"][:5]]
    instances = client.list_aiagent_instance(M.ListAIAgentInstanceRequest(aiagent_id=AGENT, page_size=3))
    assert [i.to_map() for i in instances.body.instances] == [
        M.ListAIAgentInstanceResponseBodyInstances().from_map(doc).to_map() for doc in oracle["instances"][:3]
    ]


def test_sm3_wrong_secret(sdk: Callable[..., Client]) -> None:
    client = sdk(secret="not-the-secret", signature_algorithm=SM3)
    err = raised(lambda: client.list_aiagent_dialogues(dialogues_request()))
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)
    assert f"server StringToSign is [{SM3}\n" in err.message


def test_sm3_where_the_platform_lacks_it(sdk: Callable[..., Client], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alibaba, "sm3_available", lambda: False)  # the live server runs in this process
    err = raised(lambda: sdk(signature_algorithm=SM3).list_aiagent_dialogues(dialogues_request()))
    assert (err.code, err.status_code) == ("IncompleteSignature", 400)


def test_async_client(sdk: Callable[..., Client], oracle: dict[str, Any]) -> None:
    # aiohttp adds an unsigned `Content-Type: application/octet-stream` on the empty body.
    async def call() -> Any:
        return await sdk().list_aiagent_dialogues_async(dialogues_request(page_size=6))

    resp = asyncio.run(call())
    assert [d.dialogue_id for d in resp.body.dialogues] == [d["DialogueId"] for d in oracle["dialogues"][:6]]


def test_another_account_sees_nothing(sdk: Callable[..., Client]) -> None:
    other = sdk(ak="LTAI5tEmuDevAccessKey002", secret="emuDevAccessKeySecret000000000002")
    assert other.list_aiagent_dialogues(dialogues_request()).body.dialogues == []
    assert other.list_aiagent_instance(M.ListAIAgentInstanceRequest(aiagent_id=AGENT)).body.instances == []


# --- errors arrive as the SDK's own ClientException -----------------------------------------------------------------


def raised(call: Callable[[], Any]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    err = info.value
    assert err.request_id and err.request_id == err.data["RequestId"]
    assert err.message.startswith(f"code: {err.status_code}, ") and err.message.endswith(
        f" request id: {err.request_id}"
    )
    return err


@pytest.mark.parametrize("mode", MODES)
def test_wrong_secret(sdk: Callable[..., Client], mode: str) -> None:
    err = raised(lambda: sdk(mode, secret="not-the-secret").list_aiagent_dialogues(dialogues_request()))
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)
    if mode == "v3":
        assert "server StringToSign is [ACS3-HMAC-SHA256\n" in err.message
    else:
        assert "server string to sign is:POST&%2F&AccessKeyId%3DLTAI5tEmuDevAccessKey001%26Action%3D" in err.message


@pytest.mark.parametrize("mode", MODES)
def test_unknown_access_key(sdk: Callable[..., Client], mode: str) -> None:
    err = raised(lambda: sdk(mode, ak="LTAI5tNoSuchKey").list_aiagent_dialogues(dialogues_request()))
    assert (err.code, err.status_code) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize("mode", MODES)
def test_skewed_server_clock(live_factory: Callable[..., str], mode: str) -> None:
    client = make_client(live_factory(clock_offset_seconds=3600), mode)
    err = raised(lambda: client.list_aiagent_dialogues(dialogues_request()))
    assert (err.code, err.status_code) == ("InvalidTimeStamp.Expired", 400)
    assert "Specified time stamp or date value is expired." in err.message


@pytest.fixture
def pinned_nonce(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    nonce = uuid4().hex  # unique per test: the live server is shared by the whole session
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: nonce))
    yield nonce


@pytest.mark.parametrize("mode", MODES)
def test_replayed_nonce(sdk: Callable[..., Client], pinned_nonce: str, mode: str) -> None:
    client = sdk(mode)
    assert client.list_aiagent_dialogues(dialogues_request(page_size=1)).body.dialogues
    err = raised(lambda: client.list_aiagent_dialogues(dialogues_request(page_size=2)))
    assert (err.code, err.status_code) == ("SignatureNonceUsed", 400)


@pytest.mark.parametrize("mode", MODES)
def test_page_size_over_the_maximum(sdk: Callable[..., Client], mode: str) -> None:
    err = raised(lambda: sdk(mode).list_aiagent_dialogues(dialogues_request(page_size=101)))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)
    assert err.message.startswith('code: 400, The specified parameter "PageSize" is not valid. request id: ')


@pytest.mark.parametrize("mode", MODES)
def test_missing_session_id(sdk: Callable[..., Client], mode: str) -> None:
    # The SDK runs no client-side check: the request reaches the server without SessionId.
    request = M.ListAIAgentDialoguesRequest(start_time=0, end_time=1)
    err = raised(lambda: sdk(mode).list_aiagent_dialogues(request))
    assert (err.code, err.status_code) == ("MissingSessionId", 400)
    assert "SessionId is mandatory for this action." in err.message


def test_missing_agent_id_and_bad_window(sdk: Callable[..., Client]) -> None:
    err = raised(lambda: sdk().list_aiagent_instance(M.ListAIAgentInstanceRequest()))
    assert (err.code, err.status_code) == ("MissingAIAgentId", 400)
    bad = M.ListAIAgentInstanceRequest(aiagent_id=AGENT, start_time="2024-01-01 00:00:00")
    err = raised(lambda: sdk().list_aiagent_instance(bad))
    assert (err.code, err.status_code) == ("InvalidParameter", 400)
    assert '"StartTime"' in err.message


def test_sts_key_without_its_token(sdk: Callable[..., Client]) -> None:
    err = raised(lambda: sdk(ak=STS_AK, secret=STS_SK).list_aiagent_dialogues(dialogues_request()))
    assert (err.code, err.status_code) == ("InvalidSecurityToken.MismatchWithAccessKey", 400)
