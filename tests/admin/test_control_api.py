"""The control plane beside the records: tenants, fault rules, the request journal, the clock, reset, reseed,
snapshots, health and the control plane's own 405s."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator import __version__
from emulator.app import create_app
from emulator.core.settings import Settings

VERSION = "2020-11-09"
SEED = 20201109
ACCOUNT_1, ACCOUNT_2 = "1000000000000001", "1000000000000002"
AK_1 = "LTAI5tEmuDevAccessKey001"
STS_AK, STS_TOKEN = "STS.EmuDevStsAccessKey001", "emuDevSecurityToken0000000001"
PROJECT_1 = "0123456789abcdef0123456789abcdef"
TOKEN_1 = "emu-dev-iam-token-0000000001"
OWNER_1, OWNER_2 = "emu-dev-user-001", "emu-dev-user-002"
KEY_1 = "fixie-emu-dev-key-001"
AGENT_1 = "07ed3b18-5949-465a-af56-31bb2ff14c82"
COLLECTIONS = (
    "ice/dialogues",
    "ice/instances",
    "metastudio/smart_chat_rooms",
    "metastudio/smart_chat_jobs",
    "fixie/agents",
    "fixie/conversations",
)
VENDORS = ("ice", "metastudio", "fixie")
FAR_FUTURE_MS = 4102444800000


def new_client(**overrides: Any) -> TestClient:
    settings: dict[str, Any] = {"auth": "presence", "scale": 0.05, **overrides}
    return TestClient(create_app(Settings(**settings)), raise_server_exceptions=False)


# -- vendor calls --


def ice_call(client: TestClient, action: str, access_key: str = AK_1, **params: Any) -> httpx.Response:
    """The RPC form with the AccessKeyId in the query (auth=presence checks the key, not the signature)."""
    return client.post("/", params={"Action": action, "Version": VERSION, "AccessKeyId": access_key, **params})


def ice_instances(client: TestClient, agent: str = "x", access_key: str = AK_1) -> httpx.Response:
    return ice_call(client, "ListAIAgentInstance", access_key, AIAgentId=agent)


def rooms(client: TestClient, project: str = PROJECT_1, token: str = TOKEN_1) -> httpx.Response:
    return client.get(f"/v1/{project}/smart-chat-rooms", headers={"X-Auth-Token": token})


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def fixie_list(client: TestClient, agent: str = AGENT_1, key: str | None = KEY_1, **params: Any) -> httpx.Response:
    headers = bearer(key) if key is not None else {}
    return client.get(f"/api/v1/agents/{agent}/conversations", params=params, headers=headers)


def records(client: TestClient, collection: str, **params: Any) -> dict[str, Any]:
    r = client.get(f"/_emulator/records/{collection}", params={"limit": 100_000, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def snapshot(client: TestClient) -> dict[str, Any]:
    r = client.get("/_emulator/snapshot")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def journal(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/_emulator/requests", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["requests"])


def journal_count(client: TestClient, **params: Any) -> int:
    r = client.get("/_emulator/requests/count", params=params)
    assert r.status_code == 200, r.text
    return int(r.json()["count"])


def parse_time(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


# -- health and the control plane's own errors --


def test_health_reports_version_seed_scale_auth_and_record_counts(client: TestClient) -> None:
    r = client.get("/_emulator/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert (body["seed"], body["scale"], body["auth"]) == (SEED, 0.05, "presence")
    totals = {c: records(client, c)["total"] for c in COLLECTIONS}
    assert body["records"] == {c.replace("/", "_"): n for c, n in totals.items()}


def test_head_health_answers_200_without_a_body(client: TestClient) -> None:
    r = client.head("/_emulator/health")
    assert r.status_code == 200 and r.content == b""


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/_emulator/faults", "DELETE, GET, POST"),
        ("POST", "/_emulator/health", "GET, HEAD"),
        ("POST", "/_emulator/records/ice/dialogues", "GET, PUT"),
        ("GET", "/_emulator/tenants/ice/1000000000000001", "DELETE"),
    ],
)
def test_wrong_method_is_405_with_every_allowed_method(
    client: TestClient, method: str, path: str, allow: str, assert_error: Callable[..., str]
) -> None:
    r = client.request(method, path)
    message = "This control-plane endpoint does not accept the method."
    assert_error(r, 405, "MethodNotAllowed", message)
    assert r.headers.get("allow") == allow


@pytest.mark.parametrize("first", ["vendor", "control plane"])
def test_the_control_plane_answers_whatever_came_first(first: str, assert_error: Callable[..., str]) -> None:
    """Its routes join the app at its first control-plane request: before it, vendor calls are served; at it, even
    a refused method gets its full Allow list."""
    fresh = TestClient(create_app(Settings(scale=0.05, auth="presence")))
    if first == "vendor":
        assert fresh.get(f"/v1/{PROJECT_1}/smart-chat-rooms", headers={"X-Auth-Token": TOKEN_1}).status_code == 200
    r = fresh.post("/_emulator/health")
    assert_error(r, 405, "MethodNotAllowed", "This control-plane endpoint does not accept the method.")
    assert r.headers.get("allow") == "GET, HEAD"
    assert fresh.get("/_emulator/health").json()["status"] == "ok"
    assert_error(fresh.get("/_emulator/nope"), 404, "NotFound", "No control-plane endpoint at this path.")


def test_unknown_control_plane_path_is_404_not_found(client: TestClient, assert_error: Callable[..., str]) -> None:
    assert_error(client.get("/_emulator/nope"), 404, "NotFound", "No control-plane endpoint at this path.")


# -- tenants --


def _ice_format(doc: dict[str, Any]) -> None:
    assert set(doc) == {"account_id", "region", "access_keys"}
    assert re.fullmatch(r"[1-9][0-9]{15}", doc["account_id"]) and doc["region"] == "cn-shanghai"
    [key] = doc["access_keys"]
    assert set(key) == {"id", "secret"}
    assert re.fullmatch(r"LTAI5t[A-Za-z0-9]{18}", key["id"]) and re.fullmatch(r"[A-Za-z0-9]{30}", key["secret"])


def _metastudio_format(doc: dict[str, Any]) -> None:
    assert set(doc) == {"project_id", "region", "access_keys", "tokens"}
    assert re.fullmatch(r"[0-9a-f]{32}", doc["project_id"]) and doc["region"] == "cn-north-4"
    [key] = doc["access_keys"]
    assert set(key) == {"ak", "sk"}
    assert re.fullmatch(r"[A-Z0-9]{20}", key["ak"]) and re.fullmatch(r"[A-Za-z0-9]{40}", key["sk"])
    [token] = doc["tokens"]
    assert isinstance(token, str) and len(token) > 20


def _fixie_format(doc: dict[str, Any]) -> None:
    assert set(doc) == {"owner", "api_keys"}
    assert re.fullmatch(r"user-[a-z0-9]{10}", doc["owner"])
    [key] = doc["api_keys"]
    assert re.fullmatch(r"[a-z0-9]{40}", key)


TENANT_FORMATS = {"ice": _ice_format, "metastudio": _metastudio_format, "fixie": _fixie_format}
TENANT_ID = {"ice": "account_id", "metastudio": "project_id", "fixie": "owner"}
VENDOR_COLLECTIONS = {v: [c for c in COLLECTIONS if c.startswith(v + "/")] for v in VENDORS}


def create_tenant(client: TestClient, vendor: str, generate: bool | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"vendor": vendor} if generate is None else {"vendor": vendor, "generate": generate}
    r = client.post("/_emulator/tenants", json=body)
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = r.json()
    return doc


def credentials_work(client: TestClient, vendor: str, doc: dict[str, Any]) -> bool:
    if vendor == "ice":
        return ice_instances(client, access_key=doc["access_keys"][0]["id"]).status_code == 200
    if vendor == "metastudio":
        return rooms(client, doc["project_id"], doc["tokens"][0]).status_code == 200
    # Fixie answers another owner's agent 404 to a valid key, and 401 to an unknown one
    return fixie_list(client, AGENT_1, doc["api_keys"][0]).status_code == 404


@pytest.mark.parametrize("vendor", VENDORS)
def test_new_tenant_has_credentials_in_the_vendors_formats_that_work_at_once(client: TestClient, vendor: str) -> None:
    before = client.get("/_emulator/tenants").json()["tenants"]
    doc = create_tenant(client, vendor)
    TENANT_FORMATS[vendor](doc)
    after = client.get("/_emulator/tenants").json()["tenants"]
    assert after == {**before, vendor: [*before[vendor], doc]}
    assert credentials_work(client, vendor, doc)
    for collection in VENDOR_COLLECTIONS[vendor]:  # without generate: no records
        assert records(client, collection, tenant=doc[TENANT_ID[vendor]])["total"] == 0


def test_new_tenants_without_data_list_nothing(client: TestClient) -> None:
    ice = create_tenant(client, "ice", generate=False)
    r = ice_instances(client, "eecced1c45c1485f9844cc4f3d5e9775", ice["access_keys"][0]["id"])
    assert r.status_code == 200 and r.json()["Instances"] == []
    ms = create_tenant(client, "metastudio")
    body = rooms(client, ms["project_id"], ms["tokens"][0]).json()
    assert body["count"] == 0 and body["smart_chat_rooms"] == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_generate_gives_a_new_tenant_its_own_data(client: TestClient, vendor: str) -> None:
    doc = create_tenant(client, vendor, generate=True)
    tenant = doc[TENANT_ID[vendor]]
    for collection in VENDOR_COLLECTIONS[vendor]:
        mine = records(client, collection, tenant=tenant)
        assert mine["total"] > 0 and {e["tenant"] for e in mine["entries"]} == {tenant}
    if vendor == "ice":
        session = records(client, "ice/dialogues", tenant=tenant)["entries"][0]["sessionId"]
        r = ice_call(
            client,
            "ListAIAgentDialogues",
            doc["access_keys"][0]["id"],
            SessionId=session,
            StartTime=0,
            EndTime=FAR_FUTURE_MS,
        )
        assert r.status_code == 200 and r.json()["Dialogues"]
    elif vendor == "metastudio":
        total = records(client, "metastudio/smart_chat_rooms", tenant=tenant)["total"]
        assert rooms(client, tenant, doc["tokens"][0]).json()["count"] == total
    else:
        agent = records(client, "fixie/agents", tenant=tenant)["entries"][0]["record"]["agentId"]
        assert fixie_list(client, agent, doc["api_keys"][0]).status_code == 200


def test_created_tenants_are_deterministic_per_seed(client: TestClient) -> None:
    """Two apps with the same seed create the same tenants in the same order; another seed, others."""
    sequence = [("ice", False), ("metastudio", False), ("fixie", False), ("ice", True), ("fixie", True)]
    first = [create_tenant(client, v, g) for v, g in sequence]
    other_app = new_client()
    assert [create_tenant(other_app, v, g) for v, g in sequence] == first
    for collection in ("ice/dialogues", "fixie/conversations"):
        assert records(other_app, collection) == records(client, collection)
    assert first[0] != first[3]  # every tenant gets its own credentials
    reseeded = new_client(seed=7)
    assert [create_tenant(reseeded, v, g) for v, g in sequence][0] != first[0]


def test_delete_tenant_removes_it_and_its_records(client: TestClient, assert_error: Callable[..., str]) -> None:
    doc = create_tenant(client, "ice", generate=True)
    account = doc["account_id"]
    assert records(client, "ice/dialogues", tenant=account)["total"] > 0
    others = {c: records(client, c, tenant=ACCOUNT_1) for c in VENDOR_COLLECTIONS["ice"]}
    r = client.delete(f"/_emulator/tenants/ice/{account}")
    assert r.status_code == 204 and r.content == b""
    assert account not in {t["account_id"] for t in client.get("/_emulator/tenants").json()["tenants"]["ice"]}
    for collection in VENDOR_COLLECTIONS["ice"]:
        assert records(client, collection, tenant=account)["total"] == 0
        assert records(client, collection, tenant=ACCOUNT_1) == others[collection]
    assert not credentials_work(client, "ice", doc)
    assert_error(
        client.delete(f"/_emulator/tenants/ice/{account}"), 404, "TenantNotFound", f'ice has no tenant "{account}".'
    )


def test_delete_a_default_tenant(client: TestClient) -> None:
    assert records(client, "fixie/conversations", tenant=OWNER_2)["total"] > 0
    assert client.delete(f"/_emulator/tenants/fixie/{OWNER_2}").status_code == 204
    assert [t["owner"] for t in client.get("/_emulator/tenants").json()["tenants"]["fixie"]] == [OWNER_1]
    assert records(client, "fixie/agents", tenant=OWNER_2)["total"] == 0
    assert records(client, "fixie/conversations", tenant=OWNER_2)["total"] == 0
    assert fixie_list(client, key="fixie-emu-dev-key-002").status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"vendor": "aws"}, "vendor: Input should be 'ice', 'metastudio' or 'fixie'"),
        ({"vendor": "ice", "generate": "yes"}, "generate: Input should be a valid boolean"),
        ({"vendor": "ice", "generate": 1}, "generate: Input should be a valid boolean"),
        ({"vendor": "ice", "region": "cn-hangzhou"}, "region: Extra inputs are not permitted"),
        ({}, "vendor: Field required"),
        ([], None),
    ],
)
def test_create_tenant_rejects_bad_bodies(
    client: TestClient, body: Any, message: str | None, assert_error: Callable[..., str]
) -> None:
    before = client.get("/_emulator/tenants").json()
    assert_error(client.post("/_emulator/tenants", json=body), 400, "InvalidParameter", message)
    assert client.get("/_emulator/tenants").json() == before


def test_create_tenant_rejects_a_body_that_is_not_json(client: TestClient, assert_error: Callable[..., str]) -> None:
    r = client.post("/_emulator/tenants", content=b"{", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "InvalidParameter")


def test_delete_tenant_of_an_unknown_vendor_is_404_unknown_vendor(
    client: TestClient, assert_error: Callable[..., str]
) -> None:
    message = 'No vendor "aws"; served: ice, metastudio, fixie.'
    assert_error(client.delete("/_emulator/tenants/aws/x"), 404, "UnknownVendor", message)
    assert_error(client.delete("/_emulator/tenants/ice/nobody"), 404, "TenantNotFound", 'ice has no tenant "nobody".')


# -- fault rules --


def add_fault(client: TestClient, rule: dict[str, Any]) -> str:
    r = client.post("/_emulator/faults", json=rule)
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"id"}
    return str(r.json()["id"])


def faults(client: TestClient) -> list[dict[str, Any]]:
    r = client.get("/_emulator/faults")
    assert r.status_code == 200
    return list(r.json()["faults"])


@pytest.mark.parametrize(
    ("vendor", "names"),
    [
        ("ice", ["Throttling.User", "Throttling", "ServiceUnavailable", "InternalError"]),
        ("metastudio", ["APIGW.0308", "MSS.00000004"]),
        ("fixie", ["RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL"]),
    ],
)
def test_unknown_error_name_is_400_listing_the_known_names(
    client: TestClient, vendor: str, names: list[str], assert_error: Callable[..., str]
) -> None:
    message = assert_error(
        client.post("/_emulator/faults", json={"vendor": vendor, "error": "Nope"}), 400, "InvalidParameter"
    )
    assert message.startswith(f"{vendor}.error")
    for name in names:
        assert f"'{name}'" in message
    assert faults(client) == []


@pytest.mark.parametrize(
    ("vendor", "operations"),
    [
        ("ice", ["ListAIAgentDialogues", "ListAIAgentInstance"]),
        ("metastudio", ["ListSmartChatRooms", "KeystoneListProjects"]),
        ("fixie", ["ListConversations", "GetConversation"]),
    ],
)
def test_unknown_operation_is_400_listing_the_operations(
    client: TestClient, vendor: str, operations: list[str], assert_error: Callable[..., str]
) -> None:
    r = client.post("/_emulator/faults", json={"vendor": vendor, "operation": "ListEverything"})
    message = assert_error(r, 400, "InvalidParameter")
    assert message.startswith(f"{vendor}.operation: ")
    for name in operations:
        assert f"'{name}'" in message


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"vendor": "ice", "probability": 1.5}, "ice.probability: Input should be less than or equal to 1"),
        ({"vendor": "ice", "probability": -0.1}, "ice.probability: Input should be greater than or equal to 0"),
        ({"vendor": "ice", "probability": "1"}, "ice.probability: Input should be a valid number"),
        ({"vendor": "ice", "count": False}, "ice.count: Input should be a valid integer"),
        ({"vendor": "ice", "count": 0}, "ice.count: Input should be greater than or equal to 1"),
        ({"vendor": "ice", "count": 1.5}, None),
        ({"vendor": "ice", "tenant": ""}, "ice.tenant: String should have at least 1 character"),
        ({"vendor": "ice", "latency_ms": -1}, None),
        ({"vendor": "ice", "latency_ms": 600_001}, None),
        ({"vendor": "ice", "latency_ms": [1, 2, 3]}, None),
        ({"vendor": "ice", "latency_ms": [5]}, None),
        ({"vendor": "ice", "latency_ms": True}, None),
        ({"vendor": "ice", "connection": "explode"}, "ice.connection: Input should be 'reset' or 'close'"),
        ({"vendor": "ice", "malformed": "sideways"}, None),
        ({"vendor": "ice", "error": {"status": 399, "code": "X", "message": "m"}}, None),
        ({"vendor": "ice", "error": {"status": 500, "code": "X"}}, None),
        ({"vendor": "fixie", "error": {"status": 500, "code": "NOPE", "message": "m"}}, None),
        ({"vendor": "fixie", "error": {"status": 500, "code": 17, "message": "m"}}, None),
        ({"vendor": "ice", "extra": 1}, "ice.extra: Extra inputs are not permitted"),
        ({"vendor": "aws"}, None),
        ({"error": "Throttling"}, "(body): Unable to extract tag using discriminator 'vendor'"),
        ([], None),
    ],
)
def test_bad_fault_rules_are_400_invalid_parameter(
    client: TestClient, rule: Any, message: str | None, assert_error: Callable[..., str]
) -> None:
    assert_error(client.post("/_emulator/faults", json=rule), 400, "InvalidParameter", message)
    assert faults(client) == []


def test_fault_rules_are_listed_deleted_and_cleared(client: TestClient, assert_error: Callable[..., str]) -> None:
    rules = [
        {"vendor": "ice", "operation": "ListAIAgentInstance", "error": "Throttling.User", "probability": 0.5},
        {"vendor": "metastudio", "tenant": PROJECT_1, "latency_ms": [10, 5], "count": 3},
        {"vendor": "fixie", "error": {"status": 418, "code": "NOT_FOUND", "message": "no"}, "malformed": "wrong_shape"},
    ]
    assert [add_fault(client, rule) for rule in rules] == ["fault-1", "fault-2", "fault-3"]
    listed = faults(client)
    assert [f["id"] for f in listed] == ["fault-1", "fault-2", "fault-3"]
    assert [f["rule"] for f in listed] == [{"probability": 1.0, **r} for r in rules]
    assert all(f["matched"] == 0 and f["fired"] == 0 for f in listed)
    assert client.delete("/_emulator/faults/fault-2").status_code == 204
    assert [f["id"] for f in faults(client)] == ["fault-1", "fault-3"]
    assert_error(client.delete("/_emulator/faults/fault-2"), 404, "FaultNotFound", 'No fault rule "fault-2".')
    r = client.delete("/_emulator/faults")
    assert r.status_code == 204 and r.content == b""
    assert faults(client) == []
    assert add_fault(client, {"vendor": "ice"}) == "fault-4"  # ids are not reused


def test_an_error_rule_answers_in_the_vendors_own_words(client: TestClient) -> None:
    add_fault(client, {"vendor": "ice", "error": "Throttling"})
    r = ice_instances(client)
    assert r.status_code == 400 and r.json()["Code"] == "Throttling"
    assert r.headers["x-acs-retry-after"] == "1000"
    add_fault(client, {"vendor": "metastudio", "error": "APIGW.0308"})
    r = rooms(client)
    assert r.status_code == 429 and r.json()["error_code"] == "APIGW.0308" and r.headers["retry-after"] == "1"
    add_fault(client, {"vendor": "fixie", "error": {"status": 418, "code": "NOT_FOUND", "message": "teapot {x}"}})
    r = fixie_list(client)
    assert r.status_code == 418 and r.json() == {"code": 5, "message": "teapot {x}", "details": []}


def test_count_limits_how_often_a_rule_fires(client: TestClient) -> None:
    add_fault(client, {"vendor": "fixie", "error": "UNAVAILABLE", "count": 2})
    statuses = [fixie_list(client).status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert fixie_list(client, key="nope").status_code == 401  # unauthenticated requests never match
    [rule] = faults(client)
    assert (rule["matched"], rule["fired"]) == (4, 2)
    assert [e["fault"] for e in journal(client)] == [None, None, None, "fault-1", "fault-1"]


def test_rules_match_on_operation_and_tenant_before_parameters_are_parsed(client: TestClient) -> None:
    add_fault(client, {"vendor": "fixie", "operation": "GetConversation", "error": "INTERNAL"})
    add_fault(client, {"vendor": "fixie", "tenant": OWNER_2, "error": "UNAVAILABLE"})
    assert fixie_list(client).status_code == 200
    assert fixie_list(client, "452b21e4-a9cc-4cf4-907e-40a9335faafd", "fixie-emu-dev-key-002").status_code == 503
    assert (
        fixie_list(client, "452b21e4-a9cc-4cf4-907e-40a9335faafd", "fixie-emu-dev-key-002", limit="abc").status_code
        == 503
    )
    assert fixie_list(client, limit="abc").status_code == 400
    conversation = records(client, "fixie/conversations", tenant=OWNER_1)["entries"][0]
    r = client.get(
        f"/api/v1/agents/{conversation['agentId']}/conversations/{conversation['record']['id']}", headers=bearer(KEY_1)
    )
    assert r.status_code == 500 and r.json()["code"] == 13
    assert [(f["matched"], f["fired"]) for f in faults(client)] == [(1, 1), (2, 2)]


def test_probability_draws_are_deterministic(client: TestClient) -> None:
    def pattern() -> list[int]:
        add_fault(client, {"vendor": "fixie", "error": "UNAVAILABLE", "probability": 0.5})
        return [fixie_list(client).status_code for _ in range(24)]

    first = pattern()
    assert set(first) == {200, 503}
    assert client.post("/_emulator/reset").status_code == 200
    assert pattern() == first  # same seed, same rule id, same match numbers
    other = new_client(seed=1)
    assert [add_fault(other, {"vendor": "fixie", "error": "UNAVAILABLE", "probability": 0.5})] == ["fault-1"]
    assert [fixie_list(other).status_code for _ in range(24)] != first
    add_fault(client, {"vendor": "ice", "error": "Throttling", "probability": 0})
    assert all(ice_instances(client).status_code == 200 for _ in range(5))


@pytest.mark.parametrize("latency", [[80, 40], [40, 80], 40])
def test_latency_accepts_a_range_in_either_order(client: TestClient, latency: Any) -> None:
    fault_id = add_fault(client, {"vendor": "fixie", "latency_ms": latency})
    assert faults(client)[0]["rule"]["latency_ms"] == latency
    start = time.perf_counter()
    r = fixie_list(client)
    elapsed = time.perf_counter() - start
    assert r.status_code == 200 and elapsed >= 0.04
    assert journal(client)[0]["fault"] == fault_id


def test_a_rule_without_an_action_only_counts(client: TestClient) -> None:
    plain = fixie_list(client)
    add_fault(client, {"vendor": "fixie"})
    answers = [fixie_list(client) for _ in range(3)]
    assert all(a.status_code == 200 and a.content == plain.content for a in answers)
    assert faults(client)[0]["matched"] == 3


def test_a_counting_rule_does_not_stop_later_rules(client: TestClient) -> None:
    """A rule with no action "only counts the requests it matched": a rule after it still applies."""
    add_fault(client, {"vendor": "fixie"})
    add_fault(client, {"vendor": "fixie", "error": "UNAVAILABLE"})
    r = fixie_list(client)
    counting, failing = faults(client)
    assert counting["matched"] == 1
    assert (failing["matched"], failing["fired"]) == (1, 1)
    assert r.status_code == 503


# -- the request journal --


def test_journal_records_every_vendor_answer_newest_first(client: TestClient) -> None:
    assert fixie_list(client).status_code == 200
    assert client.get("/nope").status_code == 404
    assert client.delete(f"/api/v1/agents/{AGENT_1}/conversations").status_code == 405
    assert ice_instances(client, access_key="LTAI5tUnknownKey0000000").status_code == 404
    entries = journal(client)
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    assert len({e["id"] for e in entries}) == 4
    keys = {
        "id",
        "time",
        "ms",
        "method",
        "path",
        "query",
        "headers",
        "body",
        "body_size",
        "vendor",
        "operation",
        "tenant",
        "status",
        "code",
        "auth",
        "fault",
        "request_id",
        "duration_ms",
    }
    assert all(set(e) == keys for e in entries)
    auth_failure, not_allowed, unknown, ok = entries
    assert ok["method"] == "GET" and ok["path"] == f"/api/v1/agents/{AGENT_1}/conversations"
    assert (ok["vendor"], ok["operation"], ok["tenant"], ok["status"], ok["code"], ok["auth"], ok["fault"]) == (
        "fixie",
        "ListConversations",
        OWNER_1,
        200,
        None,
        "ok",
        None,
    )
    assert (unknown["vendor"], unknown["status"], unknown["code"]) == ("ice", 404, "InvalidAction.NotFound")
    assert (not_allowed["vendor"], not_allowed["status"], not_allowed["code"]) == ("fixie", 405, "12")
    assert (auth_failure["status"], auth_failure["code"], auth_failure["auth"], auth_failure["tenant"]) == (
        404,
        "InvalidAccessKeyId.NotFound",
        "unknown_key",
        None,
    )
    assert auth_failure["query"]["AccessKeyId"] == "LTAI5tUnknownKey0000000"  # key ids are not secret
    assert auth_failure["request_id"] == ice_instances(client, access_key="LTAI5tUnknownKey0000000").json()["RequestId"]
    for e in entries:
        assert abs(parse_time(e["time"]) * 1000 - e["ms"]) < 1 and e["duration_ms"] >= 0


def test_control_plane_requests_are_not_journaled(client: TestClient) -> None:
    client.get("/_emulator/health")
    client.get("/_emulator/records/ice/dialogues")
    client.post("/_emulator/faults", json={"vendor": "ice", "count": 99})
    client.get("/_emulator/nope")
    client.put("/_emulator/faults")
    assert journal(client) == [] and journal_count(client) == 0
    rooms(client)
    assert journal_count(client) == 1


def test_journal_filters_and_count(client: TestClient) -> None:
    fixie_list(client)  # 1 fixie 200 ok
    fixie_list(client, key=None)  # 2 fixie 401 missing
    rooms(client)  # 3 metastudio 200
    ice_instances(client)  # 4 ice 200 account 1
    ice_instances(client, access_key="LTAI5tEmuDevAccessKey002")  # 5 ice 200 account 2
    ice_call(client, "ListAIAgentDialogues")  # 6 ice 400 MissingSessionId
    ids = [e["id"] for e in reversed(journal(client))]
    assert len(ids) == 6

    def picked(**params: Any) -> list[int]:
        found = [ids.index(e["id"]) + 1 for e in journal(client, **params)]
        if "limit" not in params:
            assert journal_count(client, **params) == len(found)
        return found

    assert picked() == [6, 5, 4, 3, 2, 1]
    assert picked(vendor="ice") == [6, 5, 4]
    assert picked(operation="ListConversations") == [2, 1]
    assert picked(tenant=ACCOUNT_1) == [6, 4]
    assert picked(status=200) == [5, 4, 3, 1]
    assert picked(code="16") == [2]
    assert picked(auth="missing") == [2]
    assert picked(vendor="ice", status=200) == [5, 4]
    assert picked(since=str(ids[3])) == [6, 5]
    assert picked(since="0") == [6, 5, 4, 3, 2, 1]
    assert picked(limit=2) == [6, 5]
    assert picked(vendor="aws") == []
    assert journal_count(client, limit=2) == 6  # count ignores the page size


def test_journal_since_an_rfc3339_time_follows_the_emulator_clock(client: TestClient) -> None:
    for stamp in ("2024-01-01T00:00:00Z", "2024-01-01T00:00:10Z"):
        assert client.put("/_emulator/clock", json={"frozen_at": stamp}).status_code == 200
        rooms(client)
    older, newer = reversed(journal(client))
    assert (older["time"], newer["time"]) == ("2024-01-01T00:00:00.000Z", "2024-01-01T00:00:10.000Z")
    assert [e["id"] for e in journal(client, since="2024-01-01T00:00:05Z")] == [newer["id"]]
    assert [e["id"] for e in journal(client, since="2024-01-01T00:00:00Z")] == [newer["id"], older["id"]]
    assert [e["id"] for e in journal(client, since="2024-01-01T08:00:10+08:00")] == [newer["id"]]
    assert [e["id"] for e in journal(client, since="2024-01-01T00:00:10.001Z")] == []
    assert journal_count(client, since="2023-12-31T23:59:59.999Z") == 2


@pytest.mark.parametrize(
    "query",
    [{"status": "abc"}, {"status": 99}, {"since": "yesterday"}, {"since": "2024-13-01T00:00:00Z"}, {"limit": 0}],
)
def test_journal_rejects_bad_filters(
    client: TestClient, query: dict[str, Any], assert_error: Callable[..., str]
) -> None:
    assert_error(client.get("/_emulator/requests", params=query), 400, "InvalidParameter")


def test_delete_clears_the_journal_and_ids_keep_growing(client: TestClient) -> None:
    rooms(client)
    rooms(client)
    last = journal(client)[0]["id"]
    r = client.delete("/_emulator/requests")
    assert r.status_code == 204 and r.content == b""
    assert journal(client) == [] and journal_count(client) == 0
    rooms(client)
    assert [e["id"] for e in journal(client)] == [last + 1]


def test_journal_size_keeps_only_the_newest_entries() -> None:
    small = new_client(journal_size=3)
    for _ in range(5):
        rooms(small)
    assert [e["id"] for e in journal(small)] == [5, 4, 3]
    assert journal_count(small) == 3
    rooms(small)
    assert [e["id"] for e in journal(small)] == [6, 5, 4]


def test_journal_size_zero_records_nothing() -> None:
    off = new_client(journal_size=0)
    assert rooms(off).status_code == 200 and fixie_list(off).status_code == 200
    assert journal(off) == [] and journal_count(off) == 0


def test_journal_cuts_secrets_to_their_first_characters(client: TestClient) -> None:
    signature = "SDK-HMAC-SHA256 Access=EMUDEVAKHW0000000001, SignedHeaders=host;x-sdk-date, Signature=f00dfeedcafebeef"
    client.get(
        f"/v1/{PROJECT_1}/smart-chat-rooms", headers={"Authorization": signature, "X-Sdk-Date": "20250101T000000Z"}
    )
    rooms(client)
    ice_call(client, "ListAIAgentInstance", STS_AK, SecurityToken=STS_TOKEN, AIAgentId="x", Signature="abcdefghijk")
    fixie_list(client)
    fixie_entry, sts, token, signed = journal(client)
    assert signed["headers"]["authorization"] == (
        "SDK-HMAC-SHA256 Access=EMUDEVAKHW0000000001, SignedHeaders=host;x-sdk-date, Signature=f00dfe..."
    )
    assert token["headers"]["x-auth-token"] == "emu-de..."
    assert sts["query"]["SecurityToken"] == "emuDev..." and sts["query"]["Signature"] == "abcdef..."
    assert sts["query"]["AccessKeyId"] == STS_AK
    assert fixie_entry["headers"]["authorization"] == "Bearer fixie-..."
    everything = str(journal(client))
    for secret in ("f00dfeedcafebeef", "emu-dev-iam-token-0000000001", STS_TOKEN, "abcdefghijk", KEY_1):
        assert secret not in everything


def test_journal_redacts_form_bodies_like_query_strings(client: TestClient) -> None:
    form = (
        f"Action=ListAIAgentInstance&Version={VERSION}&AccessKeyId={STS_AK}&SecurityToken={STS_TOKEN}"
        "&AIAgentId=x&Signature=abcdefghijklmnop&SignatureNonce=n1"
    )
    r = client.post("/", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    [entry] = journal(client)
    assert entry["body"] == (
        f"Action=ListAIAgentInstance&Version={VERSION}&AccessKeyId={STS_AK}&SecurityToken=emuDev..."
        "&AIAgentId=x&Signature=abcdef...&SignatureNonce=n1"
    )
    assert entry["body_size"] == len(form) and entry["operation"] == "ListAIAgentInstance"


# -- the clock --


def test_clock_starts_running_at_wall_time(client: TestClient) -> None:
    r = client.get("/_emulator/clock")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"offset_seconds", "frozen_at", "now"}
    assert body["offset_seconds"] == 0 and body["frozen_at"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["now"])
    assert abs(parse_time(body["now"]) - time.time()) < 60


def test_clock_offset(client: TestClient) -> None:
    r = client.put("/_emulator/clock", json={"offset_seconds": -86400})
    assert r.status_code == 200
    assert r.json()["offset_seconds"] == -86400 and r.json()["frozen_at"] is None
    for body in (r.json(), client.get("/_emulator/clock").json()):
        assert abs(parse_time(body["now"]) - (time.time() - 86400)) < 60
    rooms(client)
    assert abs(journal(client)[0]["ms"] / 1000 - (time.time() - 86400)) < 60


@pytest.mark.parametrize(
    ("frozen_at", "expected"),
    [
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"),
        ("2024-01-02T03:04:05.123456789+08:00", "2024-01-01T19:04:05.123Z"),
        ("2023-02-30T00:00:00Z", "2023-03-02T00:00:00.000Z"),  # rolls over, as the vendors' parsers do
    ],
)
def test_clock_frozen_at(client: TestClient, frozen_at: str, expected: str) -> None:
    r = client.put("/_emulator/clock", json={"frozen_at": frozen_at})
    assert r.status_code == 200, r.text
    assert r.json() == {"offset_seconds": 0, "frozen_at": expected, "now": expected}
    assert client.get("/_emulator/clock").json() == r.json()
    rooms(client)
    assert journal(client)[0]["time"] == expected


@pytest.mark.parametrize(
    "body",
    [
        {"offset_seconds": 10, "frozen_at": "2024-01-01T00:00:00Z"},
        {},
        {"frozen_at": "2024-13-01T00:00:00Z"},
        {"frozen_at": "2024-01-01 00:00:00Z"},
        {"frozen_at": None},
        {"offset_seconds": "10"},
        {"offset_seconds": 10**10},
        {"now": "2024-01-01T00:00:00Z"},
        [],
    ],
)
def test_clock_rejects_bad_bodies(client: TestClient, body: Any, assert_error: Callable[..., str]) -> None:
    client.put("/_emulator/clock", json={"offset_seconds": 5})
    before = client.get("/_emulator/clock").json()
    assert_error(client.put("/_emulator/clock", json=body), 400, "InvalidParameter")
    after = client.get("/_emulator/clock").json()
    assert (after["offset_seconds"], after["frozen_at"]) == (before["offset_seconds"], before["frozen_at"])


# -- reset --


def test_reset_brings_back_the_start_up_state(vendor_listings: Callable[[TestClient], list[Any]]) -> None:
    fresh = new_client()
    pristine = snapshot(fresh)
    tenants = fresh.get("/_emulator/tenants").json()
    listings = vendor_listings(fresh)
    # change everything reset covers
    created = create_tenant(fresh, "ice", generate=True)
    create_tenant(fresh, "fixie")
    entry = records(fresh, "ice/dialogues")["entries"][0]
    assert fresh.delete(f"/_emulator/records/ice/dialogues/{entry['record']['DialogueId']}").status_code == 204
    room = copy.deepcopy(records(fresh, "metastudio/smart_chat_rooms")["entries"][0])
    room["record"]["room_id"] = "room-added"
    assert fresh.put("/_emulator/records/metastudio/smart_chat_rooms", json=[room]).status_code == 200
    add_fault(fresh, {"vendor": "ice", "error": "Throttling"})
    add_fault(fresh, {"vendor": "fixie", "count": 5})
    assert fresh.put("/_emulator/clock", json={"frozen_at": "2020-01-01T00:00:00Z"}).status_code == 200
    fixie_list(fresh)
    assert journal_count(fresh) > 0

    r = fresh.post("/_emulator/reset")
    assert r.status_code == 200
    counts = {c: len(pristine["records"][c]) for c in COLLECTIONS}
    assert r.json() == {
        "seed": SEED,
        "scale": 0.05,
        "tenants": {"ice": 2, "metastudio": 2, "fixie": 2},
        "records": counts,
    }
    assert snapshot(fresh) == pristine
    assert fresh.get("/_emulator/tenants").json() == tenants
    assert faults(fresh) == []
    clock = fresh.get("/_emulator/clock").json()
    assert clock["offset_seconds"] == 0 and clock["frozen_at"] is None
    assert journal_count(fresh) == 0
    assert vendor_listings(fresh) == listings
    assert not credentials_work(fresh, "ice", created)
    # counters start over: the same fault id and the same new tenant as before
    assert add_fault(fresh, {"vendor": "ice"}) == "fault-1"
    assert create_tenant(fresh, "ice", generate=True) == created


# -- seed --


def test_seed_regenerates_the_data_as_a_fresh_app_with_that_seed(
    vendor_listings: Callable[[TestClient], list[Any]],
) -> None:
    app = new_client()
    before = snapshot(app)
    r = app.post("/_emulator/seed", json={"seed": 7})
    assert r.status_code == 200
    other = new_client(seed=7)
    expected = {c: len(snapshot(other)["records"][c]) for c in COLLECTIONS}
    assert r.json() == {
        "seed": 7,
        "scale": 0.05,
        "tenants": {"ice": 2, "metastudio": 2, "fixie": 2},
        "records": expected,
    }
    after = snapshot(app)
    assert after == snapshot(other)
    assert after["records"] != before["records"]
    assert app.get("/_emulator/health").json()["seed"] == 7
    assert vendor_listings(app) == vendor_listings(other)  # request ids follow the seed too
    assert create_tenant(app, "fixie", generate=True) == create_tenant(other, "fixie", generate=True)
    # reset goes back to the start-up seed
    r = app.post("/_emulator/reset")
    assert r.status_code == 200 and r.json()["seed"] == SEED
    assert snapshot(app) == before


def test_seed_keeps_tenants_faults_and_clock_and_drops_record_writes(client: TestClient) -> None:
    created = create_tenant(client, "metastudio")
    add_fault(client, {"vendor": "ice", "operation": "ListAIAgentDialogues", "error": "InternalError"})
    client.put("/_emulator/clock", json={"offset_seconds": 120})
    d = records(client, "ice/dialogues")["entries"][0]
    instances = records(client, "ice/instances")["total"]
    assert client.delete(f"/_emulator/records/ice/dialogues/{d['record']['DialogueId']}").status_code == 204
    r = client.post("/_emulator/seed", json={"seed": SEED})
    assert r.status_code == 200
    assert r.json()["tenants"] == {"ice": 2, "metastudio": 3, "fixie": 2} and r.json()["scale"] == 0.05
    assert d in records(client, "ice/dialogues")["entries"]  # the deleted record is generated again
    r = client.post("/_emulator/seed", json={"seed": SEED, "scale": 0.1})
    assert r.status_code == 200 and r.json()["scale"] == 0.1
    assert created in client.get("/_emulator/tenants").json()["tenants"]["metastudio"]
    assert credentials_work(client, "metastudio", created)
    assert [f["rule"]["error"] for f in faults(client)] == ["InternalError"]
    assert client.get("/_emulator/clock").json()["offset_seconds"] == 120
    assert client.get("/_emulator/health").json()["scale"] == 0.1
    assert records(client, "ice/instances")["total"] > instances  # scale 0.1 > 0.05


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"seed": False}, "seed: Input should be a valid integer"),
        ({"seed": "7"}, "seed: Input should be a valid integer"),
        ({"seed": -1}, "seed: Input should be greater than or equal to 0"),
        ({"seed": 2**53}, None),
        ({"seed": 7, "scale": 0}, "scale: Input should be greater than 0"),
        ({"seed": 7, "scale": 101}, "scale: Input should be less than or equal to 100"),
        ({"seed": 7, "tenants": []}, "tenants: Extra inputs are not permitted"),
        ({}, "seed: Field required"),
    ],
)
def test_seed_rejects_bad_bodies(
    client: TestClient, body: dict[str, Any], message: str | None, assert_error: Callable[..., str]
) -> None:
    assert_error(client.post("/_emulator/seed", json=body), 400, "InvalidParameter", message)
    assert client.get("/_emulator/health").json()["seed"] == SEED


# -- snapshot --


def test_snapshot_shape(client: TestClient) -> None:
    snap = snapshot(client)
    assert set(snap) == {"format", "version", "seed", "manifest", "records"}
    assert (snap["format"], snap["version"], snap["seed"]) == ("agent-api-emulator/snapshot", 1, SEED)
    assert snap["manifest"] == {"generate": False, "tenants": client.get("/_emulator/tenants").json()["tenants"]}
    assert set(snap["records"]) == set(COLLECTIONS)
    for collection in COLLECTIONS:
        assert snap["records"][collection] == records(client, collection)["entries"]


def test_snapshot_round_trip_restores_every_vendor_answer(
    client: TestClient, vendor_listings: Callable[[TestClient], list[Any]]
) -> None:
    listings = vendor_listings(client)
    snap = snapshot(client)
    create_tenant(client, "fixie", generate=True)
    entry = records(client, "fixie/conversations")["entries"][0]
    assert client.delete(f"/_emulator/records/fixie/conversations/{entry['record']['id']}").status_code == 204
    r = client.post("/_emulator/snapshot", json=snap)
    assert r.status_code == 200, r.text
    assert r.json()["tenants"] == {"ice": 2, "metastudio": 2, "fixie": 2}
    assert r.json()["records"] == {c: len(snap["records"][c]) for c in COLLECTIONS}
    assert vendor_listings(client) == listings
    assert snapshot(client) == snap


def test_snapshot_restored_into_another_app_answers_byte_identically(
    client: TestClient, vendor_listings: Callable[[TestClient], list[Any]]
) -> None:
    """The snapshot carries the seed, so even request ids match in an app started with another seed."""
    extra = create_tenant(client, "ice", generate=True)
    listings = vendor_listings(client)
    snap = snapshot(client)
    other = new_client(seed=1)
    assert other.post("/_emulator/snapshot", json=snap).status_code == 200
    assert other.get("/_emulator/health").json()["seed"] == SEED
    assert vendor_listings(other) == listings
    assert snapshot(other) == snap
    assert credentials_work(other, "ice", extra)


def test_snapshot_restores_exactly_what_it_holds(
    client: TestClient, vendor_listings: Callable[[TestClient], list[Any]]
) -> None:
    """A record deleted before the snapshot was taken stays deleted when the snapshot is restored."""
    entry = records(client, "ice/dialogues")["entries"][0]
    assert client.delete(f"/_emulator/records/ice/dialogues/{entry['record']['DialogueId']}").status_code == 204
    listings = vendor_listings(client)
    snap = snapshot(client)
    assert entry not in snap["records"]["ice/dialogues"]
    r = client.post("/_emulator/snapshot", json=snap)
    assert r.status_code == 200
    assert r.json()["records"]["ice/dialogues"] == len(snap["records"]["ice/dialogues"])
    assert snapshot(client) == snap
    assert vendor_listings(client) == listings


def _without_account_2(snap: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(snap)
    bad["manifest"]["tenants"]["ice"] = [t for t in bad["manifest"]["tenants"]["ice"] if t["account_id"] != ACCOUNT_2]
    return bad


@pytest.mark.parametrize(
    ("change", "status", "code", "message"),
    [
        (
            lambda s: {**s, "records": {**s["records"], "ice/nope": []}},
            400,
            "InvalidSnapshot",
            "snapshot: ice/nope: not a collection of this emulator (known: fixie/agents, fixie/conversations, "
            "ice/dialogues, ice/instances, metastudio/smart_chat_jobs, metastudio/smart_chat_rooms)",
        ),
        (
            lambda s: {**s, "manifest": {**s["manifest"], "tenants": {**s["manifest"]["tenants"], "aws": []}}},
            400,
            "InvalidSnapshot",
            "snapshot: manifest: field tenants.aws: not a vendor of this emulator (known: fixie, ice, metastudio)",
        ),
        (
            lambda s: {**s, "format": "something-else"},
            400,
            "InvalidSnapshot",
            "snapshot: field format: Input should be 'agent-api-emulator/snapshot'",
        ),
        (lambda s: {**s, "version": 2}, 400, "InvalidSnapshot", "snapshot: field version: Input should be 1"),
        (
            lambda s: {**s, "version": True},
            400,
            "InvalidSnapshot",
            "snapshot: field version: Input should be a valid integer",
        ),
        (
            lambda s: {k: v for k, v in s.items() if k != "manifest"},
            400,
            "InvalidSnapshot",
            "snapshot: field manifest: Field required",
        ),
        (lambda s: {**s, "seed": None}, 400, "InvalidSnapshot", None),
        (lambda s: {**s, "extra": 1}, 400, "InvalidSnapshot", "snapshot: field extra: Extra inputs are not permitted"),
        (lambda s: [s], 400, "InvalidSnapshot", None),
        (_without_account_2, 409, "EntryRejected", None),
    ],
    ids=[
        "unknown-collection",
        "unknown-vendor",
        "format",
        "version",
        "version-true",
        "no-manifest",
        "null-seed",
        "extra-key",
        "not-an-object",
        "tenant-not-in-manifest",
    ],
)
def test_bad_snapshots_are_refused_and_change_nothing(
    client: TestClient,
    change: Callable[[dict[str, Any]], Any],
    status: int,
    code: str,
    message: str | None,
    assert_error: Callable[..., str],
) -> None:
    snap = snapshot(client)
    r = client.post("/_emulator/snapshot", json=change(copy.deepcopy(snap)))
    text = assert_error(r, status, code, message)
    if code == "EntryRejected":
        assert f'ice has no tenant "{ACCOUNT_2}"' in text
    assert snapshot(client) == snap


def test_snapshot_body_that_is_not_json_is_400(client: TestClient, assert_error: Callable[..., str]) -> None:
    r = client.post("/_emulator/snapshot", content=b"not json", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "InvalidParameter")


def test_snapshot_with_an_invalid_entry_names_it(client: TestClient, assert_error: Callable[..., str]) -> None:
    snap = snapshot(client)
    bad = copy.deepcopy(snap)
    bad["records"]["ice/dialogues"][1]["record"]["Time"] = None
    ident = bad["records"]["ice/dialogues"][1]["record"]["DialogueId"]
    message = assert_error(client.post("/_emulator/snapshot", json=bad), 400, "InvalidSnapshot")
    assert message == f"snapshot: ice/dialogues: entry 1 ({ident}): field record.Time: Input should be a valid integer"
    assert snapshot(client) == snap
