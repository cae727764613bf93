"""The control plane (`/_emulator/`) as seen through the official Alibaba SDKs over real HTTP.

Every change made through the control plane (records, reset, tenants, faults, journal, clock) is checked where a user
meets it: in `alibabacloud-ice20201109` (tea-openapi 0.4.x, V3 signatures, auth=verify) and, where stated, in
`aliyun-python-sdk-core` (CommonRequest, RPC V1). Each test starts its own small live server (scale 0.05).
"""

from __future__ import annotations

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
from alibabacloud_tea_openapi.exceptions import (  # type: ignore[import-untyped]
    ClientException,
    ServerException,
    ThrottlingException,
)
from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]
from alibabacloud_tea_openapi.utils import Utils  # type: ignore[import-untyped]
from aliyunsdkcore.acs_exception.exceptions import ServerException as CoreServerException  # type: ignore[import-untyped]
from aliyunsdkcore.client import AcsClient  # type: ignore[import-untyped]
from aliyunsdkcore.request import CommonRequest  # type: ignore[import-untyped]
from darabonba.exceptions import UnretryableException  # type: ignore[import-untyped]

SCALE = 0.05
SEED = 20201109
ACCOUNT_1, AK_1, SK_1 = "1000000000000001", "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
ACCOUNT_2, AK_2, SK_2 = "1000000000000002", "LTAI5tEmuDevAccessKey002", "emuDevAccessKeySecret000000000002"
# Default-seed ids that exist at every scale (README, "Default tenants and data").
SESSION_1 = "d75ca4235cd54528849b919bbcb1a183"
AGENT_1 = "eecced1c45c1485f9844cc4f3d5e9775"
SESSION_2 = "359122fc06454052af208129eae969af"
AGENT_2 = "c9e04fc7e2e64dca907f16ee2789d8b2"
INT64_MAX = 2**63 - 1
DIALOGUES = "ListAIAgentDialogues"
INSTANCES = "ListAIAgentInstance"


# --- helpers ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def server(live_factory: Callable[..., str]) -> Callable[..., str]:
    """A fresh small live server (auth=verify) for one test."""

    def start(**settings: Any) -> str:
        return live_factory(scale=SCALE, **settings)

    return start


@pytest.fixture(autouse=True)
def quiet_core_sdk() -> Iterator[None]:
    # aliyun-python-sdk-core logs every ServerException at ERROR level.
    logger = logging.getLogger("aliyunsdkcore")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def admin(url: str, method: str, path: str, expect: int | None = 200, **kwargs: Any) -> requests.Response:
    """A control-plane call; checks its status unless `expect` is None."""
    resp = requests.request(method, f"{url}/_emulator{path}", timeout=10, **kwargs)
    if expect is not None:
        assert resp.status_code == expect, resp.text
    return resp


def add_fault(url: str, **rule: Any) -> str:
    fault_id: str = admin(url, "POST", "/faults", 201, json={"vendor": "ice", **rule}).json()["id"]
    return fault_id


def faults(url: str) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in admin(url, "GET", "/faults").json()["faults"]}


def sdk(url: str, ak: str = AK_1, secret: str = SK_1) -> Client:
    cfg = Config(access_key_id=ak, access_key_secret=secret, endpoint=url.removeprefix("http://"), protocol="HTTP")
    return Client(cfg)


def dialogues(client: Client, session: str = SESSION_1, **kwargs: Any) -> Any:
    params = {"session_id": session, "start_time": 0, "end_time": INT64_MAX, **kwargs}
    return client.list_aiagent_dialogues(M.ListAIAgentDialoguesRequest(**params))


def instances(client: Client, agent: str = AGENT_1, **kwargs: Any) -> Any:
    return client.list_aiagent_instance(M.ListAIAgentInstanceRequest(aiagent_id=agent, page_size=100, **kwargs))


def core_request(url: str, action: str, **params: str) -> CommonRequest:
    request = CommonRequest(domain=url.removeprefix("http://"), version="2020-11-09", action_name=action)
    request.set_protocol_type("http")
    request.set_method("POST")
    for key, value in params.items():
        request.add_query_param(key, value)
    return request


def core_client(ak: str = AK_1, secret: str = SK_1) -> AcsClient:
    return AcsClient(ak, secret, "cn-shanghai", auto_retry=False)


def raised(exc_type: type[Exception], call: Callable[[], Any]) -> Any:
    """The exception `call` raises, which must be exactly `exc_type` (not a subclass or a sibling)."""
    with pytest.raises(exc_type) as info:
        call()
    assert type(info.value) is exc_type
    return info.value


def dialogue_entry(dialogue_id: str, at_ms: int, session: str = SESSION_1, tenant: str = ACCOUNT_1) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "sessionId": session,
        "record": {
            "DialogueId": dialogue_id,
            "RoundId": "round-control-plane",
            "Producer": "user",
            "Text": "Inserted through the control plane",
            "ReasoningText": "thinking\n",
            "AttachedFileList": [{"Id": "f1", "Name": "a.png", "Format": "png", "Type": 1, "Url": "https://x/a.png"}],
            "Time": at_ms,
            "Type": "normal",
            "Source": "chat",
            "NodeId": "node-7",
            "Extend": {"Sentiment": "neutral"},
        },
    }


def instance_entry(instance_id: str, status: str, start: str, agent: str = AGENT_1) -> dict[str, Any]:
    return {
        "tenant": ACCOUNT_1,
        "aiAgentId": agent,
        "instanceId": instance_id,
        "startTime": start,
        "record": {
            "CallLogUrl": f"https://example.com/{instance_id}.json",
            "Status": status,
            "UserData": {"Case": instance_id},
        },
    }


# --- 1. records ------------------------------------------------------------------------------------------------------


def test_put_dialogue_appears_in_its_time_position(server: Callable[..., str]) -> None:
    """A dialogue PUT in the fixture format is listed by the SDK with its exact fields, ordered by Time both ways."""
    url = server()
    client = sdk(url)
    before = dialogues(client, page_size=10).body.dialogues
    assert len(before) == 10 and [d.time for d in before] == sorted((d.time for d in before), reverse=True)
    at = (before[2].time + before[3].time) // 2
    assert before[3].time < at < before[2].time

    put = admin(url, "PUT", "/records/ice/dialogues", json=[dialogue_entry("dlg-cp-1", at)]).json()
    assert put == {"inserted": 1, "replaced": 0}

    after = dialogues(client, page_size=10).body.dialogues
    assert [d.dialogue_id for d in after] == [
        *[d.dialogue_id for d in before[:3]],
        "dlg-cp-1",
        *[d.dialogue_id for d in before[3:9]],
    ]
    assert after[3].to_map() == {
        "DialogueId": "dlg-cp-1",
        "RoundId": "round-control-plane",
        "Producer": "user",
        "Text": "Inserted through the control plane",
        "ReasoningText": "thinking\n",
        "AttachedFileList": [{"Id": "f1", "Name": "a.png", "Format": "png", "Type": 1, "Url": "https://x/a.png"}],
        "Time": at,
        "Type": "normal",
        "Source": "chat",
        "NodeId": "node-7",
        "Extend": '{"Sentiment":"neutral"}',
    }
    # ASC inside a window around it: the neighbours on either side, in Time order.
    window = dialogues(client, start_time=before[3].time, end_time=before[2].time, order="ASC").body.dialogues
    assert [d.dialogue_id for d in window] == [before[3].dialogue_id, "dlg-cp-1", before[2].dialogue_id]
    # Another account's view of the same session id is untouched.
    assert dialogues(sdk(url, AK_2, SK_2)).body.dialogues == []


def test_put_replace_delete_instance(server: Callable[..., str]) -> None:
    """An instance PUT is newest-first in the SDK with its Status; a PUT with the same instanceId replaces it (no
    duplicate); DELETE removes it from the listing."""
    url = server()
    client = sdk(url)
    before = [i.to_map() for i in instances(client).body.instances]
    assert len(before) >= 1

    put = admin(
        url, "PUT", "/records/ice/instances", json=[instance_entry("inst-cp-1", "Executing", "2025-12-01T00:00:00Z")]
    )
    assert put.json() == {"inserted": 1, "replaced": 0}
    listed = instances(client).body.instances
    assert len(listed) == len(before) + 1
    assert (listed[0].status, listed[0].call_log_url, listed[0].user_data) == (
        "Executing",
        "https://example.com/inst-cp-1.json",
        '{"Case":"inst-cp-1"}',
    )
    assert [i.to_map() for i in listed[1:]] == before

    put = admin(
        url, "PUT", "/records/ice/instances", json=[instance_entry("inst-cp-1", "Finished", "2025-12-01T00:00:00Z")]
    )
    assert put.json() == {"inserted": 0, "replaced": 1}
    listed = instances(client).body.instances
    assert len(listed) == len(before) + 1
    assert [i.status for i in listed[:1]] == ["Finished"]
    assert [i.call_log_url for i in listed].count("https://example.com/inst-cp-1.json") == 1
    stored = admin(url, "GET", "/records/ice/instances", params={"tenant": ACCOUNT_1}).json()["entries"]
    assert [e["record"]["Status"] for e in stored if e["instanceId"] == "inst-cp-1"] == ["Finished"]

    admin(url, "DELETE", "/records/ice/instances/inst-cp-1", 204, params={"tenant": ACCOUNT_1})
    assert [i.to_map() for i in instances(client).body.instances] == before
    gone = admin(url, "DELETE", "/records/ice/instances/inst-cp-1", 404, params={"tenant": ACCOUNT_1}).json()
    assert gone["error"]["code"] == "RecordNotFound"


# --- 2. reset --------------------------------------------------------------------------------------------------------


def test_reset_restores_start_up_data_byte_for_byte(server: Callable[..., str]) -> None:
    """After record writes, a created and a deleted tenant, a fault and a clock change, POST /reset answers the same
    signed requests with byte-identical bodies, and every other change is undone."""
    url = server()
    core = core_client()
    calls = [
        (core, core_request(url, DIALOGUES, SessionId=SESSION_1, StartTime="0", EndTime=str(INT64_MAX), PageSize="50")),
        (core, core_request(url, INSTANCES, AIAgentId=AGENT_1, PageSize="100")),
        (core_client(AK_2, SK_2), core_request(url, INSTANCES, AIAgentId=AGENT_2)),
    ]
    health = admin(url, "GET", "/health").json()
    original = [client.do_action_with_exception(request) for client, request in calls]
    original_sdk = dialogues(sdk(url), page_size=20).body.to_map()

    newest = json.loads(original[0])["Dialogues"][0]["Time"]
    admin(url, "PUT", "/records/ice/dialogues", json=[dialogue_entry("dlg-reset", newest + 1)])
    first_instance = json.loads(original[1])["Instances"]
    stored = admin(url, "GET", "/records/ice/instances", params={"tenant": ACCOUNT_1}).json()["entries"]
    victim = next(e for e in stored if e["aiAgentId"] == AGENT_1)
    admin(url, "DELETE", f"/records/ice/instances/{victim['instanceId']}", 204, params={"tenant": ACCOUNT_1})
    admin(url, "PUT", "/records/ice/instances", json=[instance_entry("inst-reset", "Finished", "2025-12-01T00:00:00Z")])
    tenant = admin(url, "POST", "/tenants", 201, json={"vendor": "ice", "generate": True}).json()
    add_fault(url, operation=INSTANCES, tenant=ACCOUNT_1, error="InternalError", count=1)
    admin(url, "DELETE", f"/tenants/ice/{ACCOUNT_2}", 204)
    err = raised(ClientException, lambda: instances(sdk(url, AK_2, SK_2), AGENT_2))
    assert err.code == "InvalidAccessKeyId.NotFound"
    with pytest.raises(CoreServerException):  # the fault fires once
        calls[1][0].do_action_with_exception(calls[1][1])
    changed = [json.loads(client.do_action_with_exception(request)) for client, request in calls[:2]]
    assert changed[0]["Dialogues"][0]["DialogueId"] == "dlg-reset"
    assert changed[1]["Instances"][0]["CallLogUrl"] == "https://example.com/inst-reset.json"
    assert len(changed[1]["Instances"]) == len(first_instance)  # one added, one deleted
    admin(url, "PUT", "/clock", json={"offset_seconds": 120})

    answer = admin(url, "POST", "/reset").json()
    assert answer == {
        "seed": SEED,
        "scale": SCALE,
        "tenants": {"ice": 2, "metastudio": 2, "fixie": 2},
        "records": {k.replace("_", "/", 1): v for k, v in health["records"].items()},
    }
    assert admin(url, "GET", "/faults").json() == {"faults": []}
    assert admin(url, "GET", "/requests/count").json() == {"count": 0}
    assert admin(url, "GET", "/clock").json()["offset_seconds"] == 0
    assert admin(url, "GET", "/health").json() == health

    assert [client.do_action_with_exception(request) for client, request in calls] == original
    assert dialogues(sdk(url), page_size=20).body.to_map() == original_sdk
    key = tenant["access_keys"][0]
    err = raised(ClientException, lambda: dialogues(sdk(url, key["id"], key["secret"])))
    assert (err.code, err.status_code) == ("InvalidAccessKeyId.NotFound", 404)


# --- 3. tenants ------------------------------------------------------------------------------------------------------


def test_created_tenant_with_generated_data(server: Callable[..., str]) -> None:
    """A generated tenant's credentials work at once; its records are its own and invisible to the default tenant, and
    the default tenant's are invisible to it. Deleting it makes its key unknown."""
    url = server()
    tenant = admin(url, "POST", "/tenants", 201, json={"vendor": "ice", "generate": True}).json()
    account = tenant["account_id"]
    assert re.fullmatch(r"[1-9][0-9]{15}", account) and account not in (ACCOUNT_1, ACCOUNT_2)
    assert tenant["region"] == "cn-shanghai" and len(tenant["access_keys"]) == 1
    key = tenant["access_keys"][0]
    assert re.fullmatch(r"LTAI5t[A-Za-z0-9]{18}", key["id"]) and re.fullmatch(r"[A-Za-z0-9]{30}", key["secret"])
    listed = admin(url, "GET", "/tenants").json()["tenants"]["ice"]
    assert [t["account_id"] for t in listed] == [ACCOUNT_1, ACCOUNT_2, account] and listed[2] == tenant

    entries = admin(url, "GET", "/records/ice/instances", params={"tenant": account}).json()
    assert entries["total"] == len(entries["entries"]) > 0
    assert {e["tenant"] for e in entries["entries"]} == {account}
    agents: dict[str, list[Any]] = {}
    for e in sorted(entries["entries"], key=lambda e: (e["startTime"], e["instanceId"]), reverse=True):
        # As the SDK's own model holds it (its to_map adds `[]` for absent lists).
        agents.setdefault(e["aiAgentId"], []).append(M.ListAIAgentInstanceResponseBodyInstances().from_map(e["record"]))
    own = sdk(url, key["id"], key["secret"])
    default = sdk(url)
    for agent, expected in agents.items():
        assert [i.to_map() for i in instances(own, agent).body.instances] == [i.to_map() for i in expected]
        assert instances(default, agent).body.instances == []
    sessions = admin(url, "GET", "/records/ice/dialogues", params={"tenant": account, "limit": 1}).json()
    session = sessions["entries"][0]["sessionId"]
    assert sessions["total"] > 0 and session != SESSION_1
    assert len(dialogues(own, session, page_size=100).body.dialogues) > 0
    assert dialogues(default, session).body.dialogues == []
    assert dialogues(own, SESSION_1).body.dialogues == []
    assert instances(own, AGENT_1).body.instances == []

    admin(url, "DELETE", f"/tenants/ice/{account}", 204)
    err = raised(ClientException, lambda: dialogues(sdk(url, key["id"], key["secret"])))
    assert (err.code, err.status_code) == ("InvalidAccessKeyId.NotFound", 404)
    assert err.message.startswith("code: 404, Specified access key is not found. request id: ")
    assert admin(url, "GET", "/records/ice/instances", params={"tenant": account}).json() == {"entries": [], "total": 0}
    missing = admin(url, "DELETE", f"/tenants/ice/{account}", 404).json()
    assert missing["error"]["code"] == "TenantNotFound"


def test_created_tenant_without_data_lists_nothing(server: Callable[..., str]) -> None:
    """A tenant created with generate false authenticates but owns no records."""
    url = server()
    tenant = admin(url, "POST", "/tenants", 201, json={"vendor": "ice", "generate": False}).json()
    account, key = tenant["account_id"], tenant["access_keys"][0]
    for collection in ("instances", "dialogues"):
        body = admin(url, "GET", f"/records/ice/{collection}", params={"tenant": account}).json()
        assert body == {"entries": [], "total": 0}
    client = sdk(url, key["id"], key["secret"])
    resp = dialogues(client)
    assert resp.status_code == 200 and resp.body.dialogues == [] and resp.body.request_id
    assert instances(client).body.instances == []


# --- 4. faults -------------------------------------------------------------------------------------------------------


def test_fault_errors_reach_the_sdk_as_its_own_exceptions(server: Callable[..., str]) -> None:
    """Throttling.User -> ThrottlingException (400, retry_after 1000 ms); ServiceUnavailable -> ServerException 503;
    InternalError -> ServerException 500; a custom 403 -> ClientException with its code and message."""
    url = server()
    client = sdk(url)
    cases: list[tuple[Any, type[Exception], str, int, str]] = [
        (
            "Throttling.User",
            ThrottlingException,
            "Throttling.User",
            400,
            "Request was denied due to user flow control.",
        ),
        (
            "ServiceUnavailable",
            ServerException,
            "ServiceUnavailable",
            503,
            "The request has failed due to a temporary failure of the server.",
        ),
        (
            "InternalError",
            ServerException,
            "InternalError",
            500,
            "The request processing has failed due to some unknown error, exception or failure.",
        ),
        (
            {"status": 403, "code": "Forbidden.RAM", "message": "User not authorized {to} operate."},
            ClientException,
            "Forbidden.RAM",
            403,
            "User not authorized {to} operate.",
        ),
    ]
    for error, exc_type, code, status, message in cases:
        fault_id = add_fault(url, error=error)
        err = raised(exc_type, lambda: dialogues(client))
        assert (err.code, err.status_code) == (code, status)
        assert err.message == f"code: {status}, {message} request id: {err.request_id}"
        assert err.data["Code"] == code and err.data["RequestId"] == err.request_id
        if exc_type is ThrottlingException:
            assert err.retry_after == 1000
        admin(url, "DELETE", f"/faults/{fault_id}", 204)
    assert len(dialogues(client, page_size=3).body.dialogues) == 3


def test_fault_through_the_core_sdk(server: Callable[..., str]) -> None:
    """aliyun-python-sdk-core: an injected Throttling.User is a ServerException carrying that code."""
    url = server()
    add_fault(url, error="Throttling.User")
    request = core_request(url, DIALOGUES, SessionId=SESSION_1, StartTime="0", EndTime="1")
    with pytest.raises(CoreServerException) as info:
        core_client().do_action_with_exception(request)
    err = info.value
    assert (err.get_error_code(), err.get_http_status()) == ("Throttling.User", 400)
    assert err.get_error_msg() == "Request was denied due to user flow control."
    assert err.get_request_id()


def test_fault_count_fires_exactly_that_often(server: Callable[..., str]) -> None:
    """`count: 2` fires on the first two matching calls only; the listing shows matched and fired; requests refused
    by authentication are not matched."""
    url = server()
    fault_id = add_fault(url, count=2, error="ServiceUnavailable")
    client = sdk(url)
    # Matching happens after authentication: a refused request neither matches nor uses up the count.
    assert raised(ClientException, lambda: dialogues(sdk(url, secret="wrong"))).code == "SignatureDoesNotMatch"
    assert (faults(url)[fault_id]["matched"], faults(url)[fault_id]["fired"]) == (0, 0)
    outcomes = []
    for _ in range(4):
        try:
            dialogues(client, page_size=1)
            outcomes.append("ok")
        except ServerException as exc:
            outcomes.append(exc.code)
    assert outcomes == ["ServiceUnavailable", "ServiceUnavailable", "ok", "ok"]
    rule = faults(url)[fault_id]
    assert (rule["matched"], rule["fired"]) == (4, 2)
    assert rule["rule"] == {"vendor": "ice", "count": 2, "error": "ServiceUnavailable", "probability": 1.0}


def fired_calls(url: str, calls: int) -> list[int]:
    client = sdk(url)
    fired = []
    for n in range(calls):
        try:
            dialogues(client, page_size=1)
        except ServerException as exc:
            assert exc.code == "InternalError"
            fired.append(n)
    return fired


def test_fault_probability_is_deterministic_per_seed(server: Callable[..., str]) -> None:
    """`probability: 0.5` over 20 calls fires some but not all, on the same call numbers on a second server with
    the same seed (and, for this seed pair, not on another seed's)."""
    pattern = []
    for seed in (SEED, SEED, SEED + 1):
        url = server(seed=seed)
        fault_id = add_fault(url, probability=0.5, error="InternalError")
        fired = fired_calls(url, 20)
        rule = faults(url)[fault_id]
        assert (rule["matched"], rule["fired"]) == (20, len(fired))
        pattern.append(fired)
    assert 0 < len(pattern[0]) < 20
    assert pattern[1] == pattern[0]
    assert pattern[2] != pattern[0]


def test_fault_operation_and_tenant_restrict_matching(server: Callable[..., str]) -> None:
    """A rule for ListAIAgentInstance leaves ListAIAgentDialogues alone; a rule for another tenant leaves this one
    alone; neither counts requests it does not match."""
    url = server()
    by_operation = add_fault(url, operation=INSTANCES, error="InternalError")
    client = sdk(url)
    assert len(dialogues(client, page_size=2).body.dialogues) == 2
    err = raised(ServerException, lambda: instances(client))
    assert (err.code, err.status_code) == ("InternalError", 500)
    assert (faults(url)[by_operation]["matched"], faults(url)[by_operation]["fired"]) == (1, 1)
    admin(url, "DELETE", "/faults", 204)

    by_tenant = add_fault(url, tenant=ACCOUNT_2, error="Throttling")
    assert len(dialogues(client, page_size=2).body.dialogues) == 2
    assert len(instances(client).body.instances) > 0
    err = raised(ThrottlingException, lambda: dialogues(sdk(url, AK_2, SK_2), SESSION_2))
    assert (err.code, err.status_code, err.retry_after) == ("Throttling", 400, 1000)
    assert (faults(url)[by_tenant]["matched"], faults(url)[by_tenant]["fired"]) == (1, 1)


def test_fault_latency_delays_the_answer(server: Callable[..., str]) -> None:
    """`latency_ms: 300` delays a successful answer by at least 0.3 s."""
    url = server()
    client = sdk(url)
    expected = dialogues(client, page_size=2).body.to_map()
    add_fault(url, latency_ms=300)
    started = time.monotonic()
    resp = dialogues(client, page_size=2)
    assert time.monotonic() - started >= 0.3
    assert resp.body.to_map() == expected


def test_fault_connection_reset(server: Callable[..., str]) -> None:
    """`connection: "reset"` is a connection error in the SDK, not a vendor error; the next call succeeds."""
    url = server()
    fault_id = add_fault(url, connection="reset", count=1)
    client = sdk(url)
    with pytest.raises(Exception) as info:
        dialogues(client)
    err = info.value
    assert not isinstance(err, ClientException | ServerException)
    assert "connection" in str(err).lower() and "reset" in str(err).lower()
    assert len(dialogues(client, page_size=2).body.dialogues) == 2
    assert faults(url)[fault_id]["fired"] == 1
    entry = admin(url, "GET", "/requests", params={"limit": 2}).json()["requests"][1]
    assert (entry["status"], entry["fault"], entry["auth"]) == (None, fault_id, "ok")


def test_fault_malformed_wrong_shape(server: Callable[..., str]) -> None:
    """`malformed: "wrong_shape"` sends the Dialogues list as a JSON string; the SDK's from_map fails on it and
    swallows the error: a 200 whose body is None (alibaba-ice.md §4.1), what a client's guard must catch."""
    url = server()
    client = sdk(url)
    good = dialogues(client, page_size=3)
    assert len(good.body.dialogues) == 3
    add_fault(url, malformed="wrong_shape", count=1)
    request = core_request(url, DIALOGUES, SessionId=SESSION_1, StartTime="0", EndTime=str(INT64_MAX), PageSize="3")
    raw = json.loads(core_client().do_action_with_exception(request))
    assert set(raw) == {"RequestId", "Dialogues"}
    assert isinstance(raw["Dialogues"], str) and json.loads(raw["Dialogues"]) == good.to_map()["body"]["Dialogues"]
    add_fault(url, malformed="wrong_shape", count=1)
    resp = dialogues(client, page_size=3)
    assert resp.status_code == 200
    assert resp.body is None
    # `true` (truncated JSON) does raise: not a vendor error but the SDK's JSON parse failure.
    add_fault(url, malformed=True, count=1)
    with pytest.raises(UnretryableException) as info:
        dialogues(client, page_size=3)
    assert str(info.value).startswith('Failed to parse the value as json format, Value: "{"RequestId":')
    assert len(dialogues(client, page_size=3).body.dialogues) == 3


# --- 5. journal ------------------------------------------------------------------------------------------------------


def test_journal_records_sdk_calls_with_auth_verdicts(server: Callable[..., str]) -> None:
    """An ok call, a wrong secret and an unknown key are journaled with vendor, operation, tenant, status, code and
    auth verdict; the signature is cut; filters and /count agree."""
    url = server()
    ok = dialogues(sdk(url), page_size=2)
    mismatch = raised(ClientException, lambda: dialogues(sdk(url, secret="not-the-secret")))
    unknown = raised(ClientException, lambda: instances(sdk(url, ak="LTAI5tNoSuchKey000000000")))

    entries = admin(url, "GET", "/requests").json()["requests"]
    assert len(entries) == 3
    newest_first = [(e["operation"], e["tenant"], e["status"], e["code"], e["auth"]) for e in entries]
    assert newest_first == [
        (INSTANCES, None, 404, "InvalidAccessKeyId.NotFound", "unknown_key"),
        (DIALOGUES, None, 400, "SignatureDoesNotMatch", "mismatch"),
        (DIALOGUES, ACCOUNT_1, 200, None, "ok"),
    ]
    assert [e["request_id"] for e in entries] == [unknown.request_id, mismatch.request_id, ok.body.request_id]
    assert entries[0]["id"] > entries[1]["id"] > entries[2]["id"]
    for e in entries:
        assert (e["vendor"], e["method"], e["path"], e["fault"]) == ("ice", "POST", "/", None)
        assert (e["headers"]["x-acs-action"], e["headers"]["x-acs-version"]) == (e["operation"], "2020-11-09")
        auth = e["headers"]["authorization"]
        assert auth.startswith("ACS3-HMAC-SHA256 Credential=")
        assert re.search(r",Signature=[0-9a-f]{6}\.\.\.$", auth), auth
    assert "Credential=LTAI5tEmuDevAccessKey001," in entries[2]["headers"]["authorization"]
    assert entries[2]["query"]["SessionId"] == SESSION_1 and entries[2]["query"]["PageSize"] == "2"

    def ids(**params: Any) -> list[int]:
        found = [e["id"] for e in admin(url, "GET", "/requests", params=params).json()["requests"]]
        assert admin(url, "GET", "/requests/count", params=params).json() == {"count": len(found)}
        return found

    all_ids = [e["id"] for e in entries]
    assert ids() == all_ids
    assert ids(operation=DIALOGUES) == all_ids[1:]
    assert ids(operation=INSTANCES) == all_ids[:1]
    assert ids(status=400) == [all_ids[1]]
    assert ids(status=200, tenant=ACCOUNT_1) == [all_ids[2]]
    assert ids(code="InvalidAccessKeyId.NotFound") == [all_ids[0]]
    assert ids(auth="mismatch") == [all_ids[1]]
    assert ids(since=all_ids[2]) == all_ids[:2]
    assert ids(since=all_ids[0]) == []
    assert ids(vendor="metastudio") == []
    assert ids(status=200, code="Throttling.User") == []
    assert ids(since=entries[2]["time"]) == all_ids  # an RFC 3339 time: entries at or after it
    newest = admin(url, "GET", "/requests", params={"limit": 1}).json()["requests"]
    assert [e["id"] for e in newest] == all_ids[:1]

    admin(url, "DELETE", "/requests", 204)
    assert ids() == []


# --- 6. clock --------------------------------------------------------------------------------------------------------


def test_clock_offset_and_frozen_time_expire_signatures(server: Callable[..., str]) -> None:
    """An hour's offset or a clock frozen in 2020 makes the SDK's signature date expired; offset 0 makes it work."""
    url = server()
    client = sdk(url)
    assert len(dialogues(client, page_size=1).body.dialogues) == 1

    for change in ({"offset_seconds": 3600}, {"frozen_at": "2020-01-01T00:00:00Z"}):
        state = admin(url, "PUT", "/clock", json=change).json()
        if "frozen_at" in change:
            assert (state["frozen_at"], state["now"]) == ("2020-01-01T00:00:00.000Z", "2020-01-01T00:00:00.000Z")
        else:
            assert (state["offset_seconds"], state["frozen_at"]) == (3600, None)
        err = raised(ClientException, lambda: dialogues(client, page_size=1))
        assert (err.code, err.status_code) == ("InvalidTimeStamp.Expired", 400)
        assert err.message == f"code: 400, Specified time stamp or date value is expired. request id: {err.request_id}"
        entry = admin(url, "GET", "/requests", params={"limit": 1}).json()["requests"][0]
        assert (entry["code"], entry["auth"]) == ("InvalidTimeStamp.Expired", "expired")

        state = admin(url, "PUT", "/clock", json={"offset_seconds": 0}).json()
        assert (state["offset_seconds"], state["frozen_at"]) == (0, None)
        assert len(dialogues(client, page_size=1).body.dialogues) == 1


def test_reset_restores_the_start_up_clock(server: Callable[..., str]) -> None:
    """Reset puts the clock back to the start-up setting (--clock-offset-seconds), not to zero."""
    url = server(clock_offset_seconds=3600)
    client = sdk(url)
    assert raised(ClientException, lambda: dialogues(client)).code == "InvalidTimeStamp.Expired"
    admin(url, "PUT", "/clock", json={"offset_seconds": 0})
    assert len(dialogues(client, page_size=1).body.dialogues) == 1
    admin(url, "POST", "/reset")
    assert admin(url, "GET", "/clock").json()["offset_seconds"] == 3600
    assert raised(ClientException, lambda: dialogues(client)).code == "InvalidTimeStamp.Expired"


# --- 7. nonce replay -------------------------------------------------------------------------------------------------


def test_replayed_v1_request_is_refused(server: Callable[..., str]) -> None:
    """One request signed by aliyun-python-sdk-core, sent twice byte for byte: the second is 400 SignatureNonceUsed."""
    url = server()
    client = core_client()
    request = core_request(url, DIALOGUES, SessionId=SESSION_1, StartTime="0", EndTime=str(INT64_MAX), PageSize="2")
    request.set_accept_format("JSON")
    request.add_header("Accept-Encoding", "identity")
    signed = client._make_http_response(url.removeprefix("http://"), request, 10, 5)
    status, _, body = signed.get_response_object()
    assert status == 200 and len(json.loads(body)["Dialogues"]) == 2
    status, _, body = signed.get_response_object()
    assert (status, json.loads(body)["Code"], json.loads(body)["Message"]) == (
        400,
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    )
    verdicts = [e["auth"] for e in admin(url, "GET", "/requests").json()["requests"]]
    assert verdicts == ["replay", "ok"]


def test_replayed_v3_nonce_is_refused(server: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The V3 SDK signing two calls with the same nonce: the second is a SignatureNonceUsed ClientException; a
    refused attempt before them did not use the nonce up."""
    url = server()
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: "control-plane-fixed-nonce"))
    client = sdk(url)
    # A refused attempt does not burn the nonce.
    assert raised(ClientException, lambda: dialogues(sdk(url, secret="wrong"))).code == "SignatureDoesNotMatch"
    assert len(dialogues(client, page_size=1).body.dialogues) == 1
    err = raised(ClientException, lambda: dialogues(client, page_size=1))
    assert (err.code, err.status_code) == ("SignatureNonceUsed", 400)
    assert err.message == f"code: 400, Specified signature nonce was used already. request id: {err.request_id}"
