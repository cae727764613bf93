"""The /_emulator control plane as a Huawei MetaStudio SDK user meets it: records, reset, tenants, faults, journal
and clock, each checked through `huaweicloudsdkmetastudio` (AK/SK SDK-HMAC-SHA256, auth=verify) over real HTTP.

One live server (scale 0.05) serves the module; every test starts from `POST /_emulator/reset`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
from huaweicloudsdkcore.exceptions.exceptions import (  # type: ignore[import-untyped]
    ClientRequestException,
    ConnectionException,
    ServerResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig  # type: ignore[import-untyped]
from huaweicloudsdkcore.http.http_handler import HttpHandler  # type: ignore[import-untyped]
from huaweicloudsdkmetastudio.v1 import ListSmartChatRoomsRequest, MetaStudioClient  # type: ignore[import-untyped]

PROJECT_A = "0123456789abcdef0123456789abcdef"
PROJECT_B = "fedcba9876543210fedcba9876543210"
AK_A, SK_A = "EMUDEVAKHW0000000001", "emuDevSecretKeyHuawei0000000000000000001"
AK_B, SK_B = "EMUDEVAKHW0000000002", "emuDevSecretKeyHuawei0000000000000000002"
TOKEN_A = "emu-dev-iam-token-0000000001"
IAM = "Incorrect IAM authentication information: "
ROOMS = "/_emulator/records/metastudio/smart_chat_rooms"
START_RECORDS = {
    "ice/instances": 8,
    "ice/dialogues": 513,
    "metastudio/smart_chat_rooms": 6,
    "metastudio/smart_chat_jobs": 5,  # the ended latest task of each generated room that ran one
    "fixie/agents": 6,
    "fixie/conversations": 12,
}
TIMEOUT = 10


@pytest.fixture(scope="module")
def url(module_live_url: str) -> str:
    """The module's own live server (auth=verify, scale 0.05); every test starts from a reset."""
    return module_live_url


@pytest.fixture(autouse=True)
def reset(url: str) -> dict[str, Any]:
    """Every test starts from the start-up state; returns the reset answer."""
    answer = requests.post(f"{url}/_emulator/reset", timeout=TIMEOUT)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def client_for(url: str, ak: str, sk: str, project: str, config: Any = None, handler: Any = None) -> Any:
    builder = MetaStudioClient.new_builder().with_credentials(BasicCredentials(ak, sk, project)).with_endpoints([url])
    if config is not None:
        builder = builder.with_http_config(config)
    if handler is not None:
        builder = builder.with_http_handler(handler)
    return builder.build()


def default_client(url: str, **kwargs: Any) -> Any:
    return client_for(url, AK_A, SK_A, PROJECT_A, **kwargs)


def list_rooms(client: Any, **params: Any) -> Any:
    return client.list_smart_chat_rooms(ListSmartChatRoomsRequest(**params))


def new_tenant(url: str, generate: bool = False) -> dict[str, Any]:
    answer = requests.post(
        f"{url}/_emulator/tenants", json={"vendor": "metastudio", "generate": generate}, timeout=TIMEOUT
    )
    assert answer.status_code == 201, answer.text
    tenant: dict[str, Any] = answer.json()
    return tenant


def tenant_client(url: str, tenant: dict[str, Any], project: str | None = None) -> Any:
    key = tenant["access_keys"][0]
    return client_for(url, key["ak"], key["sk"], project or tenant["project_id"])


def add_fault(url: str, **rule: Any) -> str:
    answer = requests.post(f"{url}/_emulator/faults", json={"vendor": "metastudio", **rule}, timeout=TIMEOUT)
    assert answer.status_code == 201, answer.text
    fault_id: str = answer.json()["id"]
    return fault_id


def faults(url: str) -> dict[str, tuple[int, int]]:
    """Rule id -> (matched, fired)."""
    listing = requests.get(f"{url}/_emulator/faults", timeout=TIMEOUT).json()["faults"]
    return {f["id"]: (f["matched"], f["fired"]) for f in listing}


def journal(url: str, **filters: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = requests.get(f"{url}/_emulator/requests", params=filters, timeout=TIMEOUT).json()[
        "requests"
    ]
    return entries


def raised(kind: type[Exception], call: Callable[[], Any]) -> Any:
    with pytest.raises(kind) as info:
        call()
    assert type(info.value) is kind
    return info.value


def room(tenant: str, room_id: str, name: str, created: str, **fields: Any) -> dict[str, Any]:
    record = {"room_id": room_id, "room_name": name, "create_time": created, **fields}
    return {"tenant": tenant, "lastJobStartTime": None, "record": record}


def put_rooms(url: str, entries: list[dict[str, Any]]) -> requests.Response:
    return requests.put(f"{url}{ROOMS}", json=entries, timeout=TIMEOUT)


def stored_ids(url: str, tenant: str) -> list[str]:
    listing = requests.get(f"{url}{ROOMS}", params={"tenant": tenant}, timeout=TIMEOUT).json()
    assert listing["total"] == len(listing["entries"])
    return [e["record"]["room_id"] for e in listing["entries"]]


# -- records ------------------------------------------------------------------------------------------------------


def test_put_replace_and_delete_rooms_show_in_the_sdk_listing_and_sums(url: str) -> None:
    """PUT rooms reach the SDK newest first with count and sums; a same-id PUT replaces; DELETE updates the sums."""
    tenant = new_tenant(url)
    project = tenant["project_id"]
    client = tenant_client(url, tenant)
    assert (list_rooms(client).count, list_rooms(client).smart_chat_rooms) == (0, [])
    client_room = room(
        project, "room-client", "Front desk", "2024-01-02T03:04:05Z", billing_mode="CLIENT", client_nums=7
    )
    concurrent = room(project, "room-conc", "Lobby", "2024-05-06T07:08:09Z", billing_mode="CONCURRENCY", concurrency=3)
    answer = put_rooms(url, [client_room, concurrent])
    assert (answer.status_code, answer.json()) == (200, {"inserted": 2, "replaced": 0})

    page = list_rooms(client, limit=10)
    assert [(r.room_id, r.room_name) for r in page.smart_chat_rooms] == [
        ("room-conc", "Lobby"),
        ("room-client", "Front desk"),
    ]
    assert (page.count, page.count_concurrency, page.count_client_nums, page.count_client_nums_token) == (2, 3, 7, 0)
    assert page.smart_chat_rooms[1].billing_mode == "CLIENT" and page.smart_chat_rooms[1].client_nums == 7
    assert page.smart_chat_rooms[0].create_time == "2024-05-06T07:08:09Z"

    renamed = room(
        project, "room-client", "Front desk (new)", "2024-01-02T03:04:05Z", billing_mode="CLIENT", client_nums=9
    )
    answer = put_rooms(url, [renamed])
    assert (answer.status_code, answer.json()) == (200, {"inserted": 0, "replaced": 1})
    page = list_rooms(client, limit=10)
    assert [(r.room_id, r.room_name) for r in page.smart_chat_rooms] == [
        ("room-conc", "Lobby"),
        ("room-client", "Front desk (new)"),
    ]
    assert (page.count, page.count_concurrency, page.count_client_nums) == (2, 3, 9)

    gone = requests.delete(f"{url}{ROOMS}/room-conc", params={"tenant": project}, timeout=TIMEOUT)
    assert gone.status_code == 204
    page = list_rooms(client, limit=10)
    assert [r.room_id for r in page.smart_chat_rooms] == ["room-client"]
    assert (page.count, page.count_concurrency, page.count_client_nums) == (1, 0, 9)
    again = requests.delete(f"{url}{ROOMS}/room-conc", params={"tenant": project}, timeout=TIMEOUT)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "RecordNotFound")


def test_rejected_room_puts_apply_nothing(url: str) -> None:
    """Unknown tenant: 409 EntryRejected; a bad field: 400 InvalidEntry naming entry, id and field; all or nothing."""
    tenant = new_tenant(url)
    project = tenant["project_id"]
    client = tenant_client(url, tenant)
    good = room(project, "room-ok", "Kept out", "2024-01-01T00:00:00Z", billing_mode="CONCURRENCY", concurrency=2)

    unknown = put_rooms(url, [good, room("nosuchproject", "room-x", "X", "2024-01-01T00:00:00Z")])
    assert unknown.status_code == 409
    assert unknown.json()["error"]["code"] == "EntryRejected"
    assert unknown.json()["error"]["message"] == (
        'metastudio/smart_chat_rooms: entry 1 (room-x): field tenant: metastudio has no tenant "nosuchproject"'
    )

    bad = room(project, "room-bad", "Bad", "2024-01-01T00:00:00Z", billing_mode="CONCURRENCY", concurrency="x")
    invalid = put_rooms(url, [good, bad])
    assert invalid.status_code == 400
    error = invalid.json()["error"]
    assert error["code"] == "InvalidEntry"
    assert error["message"].startswith("metastudio/smart_chat_rooms: entry 1 (room-bad): field record.concurrency: ")

    assert stored_ids(url, project) == []
    page = list_rooms(client)
    assert (page.count, page.count_concurrency, page.smart_chat_rooms) == (0, 0, [])


# -- reset --------------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ListSmartChatRoomsResponse.to_dict:DeprecationWarning")
def test_reset_restores_the_default_projects_listing_byte_for_byte(url: str, reset: dict[str, Any]) -> None:
    """After records, tenants, faults and clock change, reset answers the start-up listing with identical bytes."""
    assert reset["tenants"] == {"ice": 2, "metastudio": 2, "fixie": 2}
    assert reset["records"] == START_RECORDS
    client = default_client(url)
    before = list_rooms(client, limit=100)
    assert before.count == 3

    first_id = before.smart_chat_rooms[0].room_id
    changed = room(PROJECT_A, first_id, "Renamed", "2030-01-01T00:00:00Z", billing_mode="CONCURRENCY", concurrency=9)
    assert put_rooms(url, [changed, room(PROJECT_A, "extra", "Extra", "2020-01-01T00:00:00Z")]).status_code == 200
    last_id = before.smart_chat_rooms[-1].room_id
    assert requests.delete(f"{url}{ROOMS}/{last_id}", params={"tenant": PROJECT_A}, timeout=TIMEOUT).status_code == 204
    new_tenant(url)
    add_fault(url, tenant=PROJECT_B, error="MSS.00000004")
    during = list_rooms(client, limit=100)
    assert during.count == 3 and during.smart_chat_rooms[0].room_name == "Renamed"
    assert during.raw_content != before.raw_content

    answer = requests.post(f"{url}/_emulator/reset", timeout=TIMEOUT).json()
    assert answer["records"] == START_RECORDS
    assert answer["tenants"] == {"ice": 2, "metastudio": 2, "fixie": 2}
    after = list_rooms(client, limit=100)
    assert after.raw_content == before.raw_content
    assert after.to_dict() == before.to_dict()
    assert after.x_request_id == before.x_request_id
    assert requests.get(f"{url}/_emulator/faults", timeout=TIMEOUT).json() == {"faults": []}
    assert [
        t["project_id"]
        for t in requests.get(f"{url}/_emulator/tenants", timeout=TIMEOUT).json()["tenants"]["metastudio"]
    ] == [PROJECT_A, PROJECT_B]


# -- tenants ------------------------------------------------------------------------------------------------------


def test_created_tenant_credentials_work_at_once_and_are_isolated(url: str) -> None:
    """A generated tenant's AK/SK and IAM token list its own rooms; neither it nor the default reads the other."""
    tenant = new_tenant(url, generate=True)
    project = tenant["project_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", project) and project not in (PROJECT_A, PROJECT_B)
    assert tenant["region"] == "cn-north-4"

    page = list_rooms(tenant_client(url, tenant), limit=100)
    assert page.count == len(page.smart_chat_rooms) > 0
    assert sorted(r.room_id for r in page.smart_chat_rooms) == sorted(stored_ids(url, project))
    covers = [r.cover_url for r in page.smart_chat_rooms if r.cover_url is not None]  # an optional field
    assert covers and all(project in cover for cover in covers)

    own = requests.get(
        f"{url}/v1/{project}/smart-chat-rooms",
        params={"limit": 100},
        headers={"X-Auth-Token": tenant["tokens"][0]},
        timeout=TIMEOUT,
    )
    assert own.status_code == 200
    assert own.json()["count"] == page.count
    assert [r["room_id"] for r in own.json()["smart_chat_rooms"]] == [r.room_id for r in page.smart_chat_rooms]

    exc = raised(ClientRequestException, lambda: list_rooms(tenant_client(url, tenant, PROJECT_A)))
    assert (exc.status_code, exc.error_code) == (400, "MSS.00010009")
    assert exc.error_msg == "urlTenantId is not equal tokenTenantId"
    exc = raised(ClientRequestException, lambda: list_rooms(client_for(url, AK_A, SK_A, project)))
    assert (exc.status_code, exc.error_code) == (400, "MSS.00010009")


def test_deleted_tenant_credentials_are_refused(url: str) -> None:
    """After DELETE /_emulator/tenants/metastudio/{id} its AK is unknown (401 APIGW.0301) and its token too."""
    tenant = new_tenant(url)
    project, ak = tenant["project_id"], tenant["access_keys"][0]["ak"]
    assert list_rooms(tenant_client(url, tenant)).count == 0
    gone = requests.delete(f"{url}/_emulator/tenants/metastudio/{project}", timeout=TIMEOUT)
    assert gone.status_code == 204
    listed = requests.get(f"{url}/_emulator/tenants", timeout=TIMEOUT).json()["tenants"]["metastudio"]
    assert [t["project_id"] for t in listed] == [PROJECT_A, PROJECT_B]

    exc = raised(ClientRequestException, lambda: list_rooms(tenant_client(url, tenant)))
    assert (exc.status_code, exc.error_code, exc.error_msg) == (401, "APIGW.0301", f"{IAM}ak {ak} not exist")
    by_token = requests.get(
        f"{url}/v1/{project}/smart-chat-rooms", headers={"X-Auth-Token": tenant["tokens"][0]}, timeout=TIMEOUT
    )
    assert by_token.status_code == 401
    assert by_token.json()["error_code"] == "APIGW.0301"
    again = requests.delete(f"{url}/_emulator/tenants/metastudio/{project}", timeout=TIMEOUT)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "TenantNotFound")


# -- faults -------------------------------------------------------------------------------------------------------


def test_throttling_fault_is_the_sdks_own_429_without_retries(url: str) -> None:
    """APIGW.0308: the SDK's urllib3 Retry(total=0) turns the 429 into ClientRequestException 429, code '429'."""
    rule = add_fault(url, error="APIGW.0308")
    exc = raised(ClientRequestException, lambda: list_rooms(default_client(url)))
    assert (exc.status_code, exc.error_code, exc.request_id) == (429, "429", "")
    assert "too many 429 error responses" in exc.error_msg
    entries = journal(url, vendor="metastudio")
    assert [(e["status"], e["code"], e["fault"]) for e in entries] == [(429, "APIGW.0308", rule)]
    assert faults(url) == {rule: (1, 1)}

    wire = requests.get(f"{url}/v1/{PROJECT_A}/smart-chat-rooms", headers={"X-Auth-Token": TOKEN_A}, timeout=TIMEOUT)
    assert (wire.status_code, wire.headers["Retry-After"]) == (429, "1")
    assert wire.json()["error_code"] == "APIGW.0308"
    assert wire.json()["request_id"] == wire.headers["X-Request-Id"]


def test_sdk_retries_a_throttled_call_after_retry_after(url: str) -> None:
    """retry_times=1 and a rule firing once: the SDK waits Retry-After (1 s), re-sends the same signed request."""
    rule = add_fault(url, error="APIGW.0308", count=1)
    config = HttpConfig.get_default_config()
    config.retry_times = 1
    started = time.monotonic()
    page = list_rooms(default_client(url, config=config))
    assert time.monotonic() - started >= 1.0
    assert page.count == 3 and len(page.smart_chat_rooms) == 3
    assert faults(url) == {rule: (2, 1)}
    retried, first = journal(url, vendor="metastudio")
    assert (first["status"], first["code"], first["fault"]) == (429, "APIGW.0308", rule)
    assert (retried["status"], retried["code"], retried["fault"]) == (200, None, None)
    for header in ("x-sdk-date", "authorization"):
        assert retried["headers"][header] == first["headers"][header]


def test_internal_error_fault_is_a_server_response_exception(url: str) -> None:
    """MSS.00000004: ServerResponseException 500 with the vendor's code and message and the X-Request-Id."""
    seen: list[Any] = []
    handler = HttpHandler().add_response_handler(lambda **kw: seen.append(kw["response"]))
    rule = add_fault(url, error="MSS.00000004")
    exc = raised(ServerResponseException, lambda: list_rooms(default_client(url, handler=handler)))
    assert (exc.status_code, exc.error_code, exc.error_msg) == (500, "MSS.00000004", "Internal Error")
    assert len(seen) == 1 and seen[0].status_code == 500
    assert re.fullmatch(r"[0-9a-f]{32}", exc.request_id)
    assert exc.request_id == seen[0].headers["X-Request-Id"]
    (entry,) = journal(url, vendor="metastudio")
    assert (entry["status"], entry["code"], entry["fault"], entry["request_id"]) == (
        500,
        "MSS.00000004",
        rule,
        exc.request_id,
    )


def test_custom_error_fault_reaches_the_sdk_as_written(url: str) -> None:
    """A custom {status, code, message} rule: the SDK reports exactly that status, code and message."""
    message = "The IAM user is not authorized to access the API."
    add_fault(url, error={"status": 403, "code": "APIGW.0302", "message": message})
    exc = raised(ClientRequestException, lambda: list_rooms(default_client(url)))
    assert (exc.status_code, exc.error_code, exc.error_msg) == (403, "APIGW.0302", message)
    assert re.fullmatch(r"[0-9a-f]{32}", exc.request_id)


def test_custom_gateway_error_uses_the_gateway_envelope(url: str) -> None:
    """A custom APIGW.* error is a gateway error on the wire: {error_msg, error_code, request_id = X-Request-Id},
    like the built-in APIGW.0308 and every real APIG answer (vendor notes section 5.1)."""
    message = "The IAM user is not authorized to access the API."
    add_fault(url, error={"status": 403, "code": "APIGW.0302", "message": message})
    wire = requests.get(f"{url}/v1/{PROJECT_A}/smart-chat-rooms", headers={"X-Auth-Token": TOKEN_A}, timeout=TIMEOUT)
    assert wire.status_code == 403
    assert wire.json() == {"error_msg": message, "error_code": "APIGW.0302", "request_id": wire.headers["X-Request-Id"]}


def test_operation_scoped_fault_spares_other_operations(url: str) -> None:
    """A KeystoneListProjects rule neither matches nor fires on ListSmartChatRooms, but does on the IAM helper."""
    rule = add_fault(url, operation="KeystoneListProjects", error="MSS.00000004")
    page = list_rooms(default_client(url))
    assert page.count == 3
    assert faults(url) == {rule: (0, 0)}
    iam = requests.get(
        f"{url}/v3/projects", params={"name": "cn-north-4"}, headers={"X-Auth-Token": TOKEN_A}, timeout=TIMEOUT
    )
    assert (iam.status_code, iam.json()["error_code"]) == (500, "MSS.00000004")
    assert faults(url) == {rule: (1, 1)}


def test_tenant_scoped_fault_hits_only_that_project(url: str) -> None:
    """A rule with `tenant` fails that project's calls only."""
    rule = add_fault(url, tenant=PROJECT_B, error="MSS.00000004")
    assert list_rooms(default_client(url)).count == 3
    exc = raised(ServerResponseException, lambda: list_rooms(client_for(url, AK_B, SK_B, PROJECT_B)))
    assert (exc.status_code, exc.error_code) == (500, "MSS.00000004")
    assert faults(url) == {rule: (1, 1)}


def test_closed_connection_is_an_sdk_connection_exception(url: str) -> None:
    """connection: close ends the connection with no answer: the SDK raises ConnectionException; status null."""
    rule = add_fault(url, connection="close")
    exc = raised(ConnectionException, lambda: list_rooms(default_client(url)))
    assert "Remote end closed connection without response" in exc.error_msg
    (entry,) = journal(url, vendor="metastudio")
    assert (entry["status"], entry["fault"], entry["auth"]) == (None, rule, "ok")
    assert faults(url) == {rule: (1, 1)}
    assert requests.delete(f"{url}/_emulator/faults/{rule}", timeout=TIMEOUT).status_code == 204
    assert list_rooms(default_client(url)).count == 3


def test_latency_fault_delays_the_sdk_call(url: str) -> None:
    """latency_ms [200, 400]: the answer comes at least 0.2 s late and is otherwise the normal one."""
    baseline = list_rooms(default_client(url))
    rule = add_fault(url, latency_ms=[200, 400])
    started = time.monotonic()
    page = list_rooms(default_client(url))
    assert time.monotonic() - started >= 0.2
    assert page.raw_content == baseline.raw_content
    assert journal(url, vendor="metastudio")[0]["fault"] == rule


def test_truncated_answer_gives_an_sdk_response_with_every_field_none(url: str) -> None:
    """malformed: true cuts the JSON short; the SDK does not raise, it returns a 200 response with fields None."""
    baseline = list_rooms(default_client(url))
    add_fault(url, malformed=True)
    page = list_rooms(default_client(url))
    assert page.status_code == 200
    assert (page.count, page.count_concurrency, page.count_client_nums, page.smart_chat_rooms) == (
        None,
        None,
        None,
        None,
    )
    assert page.x_request_id == baseline.x_request_id
    assert page.raw_content == baseline.raw_content[: len(baseline.raw_content) // 2]


# -- journal ------------------------------------------------------------------------------------------------------


def test_journal_records_sdk_calls_with_redacted_signatures(url: str) -> None:
    """Journal entries name vendor, operation, tenant, status, code and auth verdict; signatures cut to 6 chars."""
    sent: list[dict[str, str]] = []
    handler = HttpHandler().add_request_handler(lambda **kw: sent.append(dict(kw["request"].header_params)))
    page = list_rooms(default_client(url, handler=handler), limit=2)
    exc = raised(ClientRequestException, lambda: list_rooms(client_for(url, AK_A, SK_B, PROJECT_A, handler=handler)))
    assert (exc.status_code, exc.error_code) == (401, "APIGW.0301")

    refused, ok = journal(url)
    assert {k: ok[k] for k in ("vendor", "operation", "tenant", "status", "code", "auth", "method", "path")} == {
        "vendor": "metastudio",
        "operation": "ListSmartChatRooms",
        "tenant": PROJECT_A,
        "status": 200,
        "code": None,
        "auth": "ok",
        "method": "GET",
        "path": f"/v1/{PROJECT_A}/smart-chat-rooms",
    }
    assert ok["query"] == {"limit": "2"} and ok["request_id"] == page.x_request_id
    assert {k: refused[k] for k in ("vendor", "operation", "status", "code", "auth")} == {
        "vendor": "metastudio",
        "operation": "ListSmartChatRooms",
        "status": 401,
        "code": "APIGW.0301",
        "auth": "mismatch",
    }
    assert refused["request_id"] == exc.request_id

    for entry, headers in ((ok, sent[0]), (refused, sent[1])):
        assert entry["headers"]["x-sdk-date"] == headers["X-Sdk-Date"]
        assert re.fullmatch(r"[0-9]{8}T[0-9]{6}Z", entry["headers"]["x-sdk-date"])
        signed, _, signature = headers["Authorization"].partition("Signature=")
        assert signed.startswith(f"SDK-HMAC-SHA256 Access={AK_A}, SignedHeaders=") and len(signature) == 64
        assert entry["headers"]["authorization"] == f"{signed}Signature={signature[:6]}..."

    count = requests.get(f"{url}/_emulator/requests/count", params={"status": 401}, timeout=TIMEOUT).json()
    assert count == {"count": 1}
    assert requests.get(f"{url}/_emulator/requests/count", params={"auth": "ok"}, timeout=TIMEOUT).json() == {
        "count": 1
    }
    assert [e["id"] for e in journal(url, status=401)] == [refused["id"]]
    assert [e["id"] for e in journal(url, operation="ListSmartChatRooms", tenant=PROJECT_A)] == [ok["id"]]
    assert [e["id"] for e in journal(url, auth="mismatch", code="APIGW.0301")] == [refused["id"]]


# -- clock --------------------------------------------------------------------------------------------------------


def test_clock_offset_expires_sdk_signatures_and_back_to_zero_works(url: str) -> None:
    """A server clock an hour behind refuses the SDK's X-Sdk-Date as expired; offset 0 accepts it again."""
    moved = requests.put(f"{url}/_emulator/clock", json={"offset_seconds": -3600}, timeout=TIMEOUT)
    assert moved.status_code == 200 and moved.json()["offset_seconds"] == -3600
    exc = raised(ClientRequestException, lambda: list_rooms(default_client(url)))
    assert (exc.status_code, exc.error_code) == (401, "APIGW.0301")
    match = re.fullmatch(
        re.escape(IAM) + r"calc aksk signature fail:signature expired, "
        r"signature time:([0-9]{8}T[0-9]{6}Z),server time:([0-9]{8}T[0-9]{6}Z)",
        exc.error_msg,
    )
    assert match is not None, exc.error_msg
    signed, server = (time.mktime(time.strptime(t, "%Y%m%dT%H%M%SZ")) for t in match.groups())
    assert 3595 <= signed - server <= 3605
    (entry,) = journal(url)
    assert (entry["status"], entry["code"], entry["auth"]) == (401, "APIGW.0301", "expired")

    back = requests.put(f"{url}/_emulator/clock", json={"offset_seconds": 0}, timeout=TIMEOUT)
    assert back.status_code == 200 and back.json()["offset_seconds"] == 0
    assert list_rooms(default_client(url)).count == 3
