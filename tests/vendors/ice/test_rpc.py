"""ICE's RPC surface: routing by action and version, where parameters come from, the POP error envelope on every
miss, the `/_rpc/<Action>` alias, and determinism across separately built apps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.vendors.ice import data

SEED = 20201109
VERSION = "2020-11-09"
ACCOUNT_1 = "1000000000000001"
AK_1 = "LTAI5tEmuDevAccessKey001"
SESSION = data.sessions(SEED, ACCOUNT_1, 1.0)[0].session_id
AGENT = data.agents(SEED, ACCOUNT_1)[0]
WINDOW = {"StartTime": "0", "EndTime": str(2**62)}
DIALOGUES = {"SessionId": SESSION, **WINDOW}
FORM = "application/x-www-form-urlencoded"
NOT_FOUND = ("InvalidAction.NotFound", "Specified api is not found, please check your url and method.")

Call = Callable[..., httpx.Response]
ErrorCheck = Callable[..., dict[str, Any]]


@pytest.fixture
def client(shared_client: TestClient) -> TestClient:
    """Every test here only reads: they share the module's auth=presence app (conftest `shared_client`)."""
    return shared_client


def dialogue_ids(resp: httpx.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [d["DialogueId"] for d in resp.json()["Dialogues"]]


# --- routing -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_post_and_get_on_root_answer_the_same_dialogues(client: TestClient, ice_call: Call, method: str) -> None:
    resp = ice_call(client, "ListAIAgentDialogues", method=method, **DIALOGUES)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json;charset=utf-8"
    body = resp.json()
    assert list(body) == ["RequestId", "Dialogues"]
    assert resp.headers["x-acs-request-id"] == body["RequestId"]
    assert len(body["Dialogues"]) == 20
    other = ice_call(client, "ListAIAgentDialogues", method="GET" if method == "POST" else "POST", **DIALOGUES)
    assert dialogue_ids(other) == dialogue_ids(resp)


def test_action_and_version_from_headers_as_the_v3_sdk_sends_them(client: TestClient) -> None:
    headers = {"x-acs-action": "ListAIAgentInstance", "x-acs-version": VERSION}
    resp = client.post("/", params={"AccessKeyId": AK_1, "AIAgentId": AGENT}, headers=headers)
    assert resp.status_code == 200, resp.text
    assert list(resp.json()) == ["Instances", "RequestId"]
    assert len(resp.json()["Instances"]) == 10


def test_header_action_wins_over_the_action_parameter(client: TestClient, ice_call: Call) -> None:
    resp = ice_call(client, "ListAIAgentDialogues", AIAgentId=AGENT)
    assert resp.status_code == 400  # the parameter alone routes to dialogues, which needs SessionId
    resp = client.post(
        "/",
        params={"Action": "ListAIAgentDialogues", "Version": VERSION, "AccessKeyId": AK_1, "AIAgentId": AGENT},
        headers={"x-acs-action": "ListAIAgentInstance"},
    )
    assert resp.status_code == 200, resp.text
    assert "Instances" in resp.json()


@pytest.mark.parametrize("where", ["param", "header"])
@pytest.mark.parametrize("version", ["2020-11-10", "2019-01-01", "20201109", " 2020-11-09"])
def test_wrong_version_is_invalid_version(client: TestClient, ice_error: ErrorCheck, where: str, version: str) -> None:
    params = {"Action": "ListAIAgentDialogues", "AccessKeyId": AK_1, **DIALOGUES}
    headers = {}
    if where == "param":
        params["Version"] = version
    else:
        headers["x-acs-version"] = version
    resp = client.post("/", params=params, headers=headers)
    ice_error(resp, 400, "InvalidVersion", "Specified parameter Version is not valid.")


@pytest.mark.parametrize("action", ["ListAIAgentDialogue", "listaiagentdialogues", "DeleteAIAgentInstance"])
def test_unknown_action_is_invalid_action_not_found(
    client: TestClient, ice_call: Call, ice_error: ErrorCheck, action: str
) -> None:
    ice_error(ice_call(client, action, **DIALOGUES), 404, *NOT_FOUND)


@pytest.mark.parametrize("missing", ["Action", "Version"])
def test_missing_action_or_version_is_missing_parameter(
    client: TestClient, ice_error: ErrorCheck, missing: str
) -> None:
    params = {"Action": "ListAIAgentDialogues", "Version": VERSION, "AccessKeyId": AK_1, **DIALOGUES}
    del params[missing]
    ice_error(
        client.post("/", params=params),
        400,
        "MissingParameter",
        f'The input parameter "{missing}" that is mandatory for processing this request is not supplied.',
    )


def test_bare_post_without_anything_names_the_action(client: TestClient, ice_error: ErrorCheck) -> None:
    ice_error(
        client.post("/"),
        400,
        "MissingParameter",
        'The input parameter "Action" that is mandatory for processing this request is not supplied.',
    )


def test_routing_is_checked_before_credentials(client: TestClient, ice_error: ErrorCheck) -> None:
    resp = client.post("/", params={"Action": "NoSuchAction", "Version": VERSION})
    ice_error(resp, 404, *NOT_FOUND)
    resp = client.post("/", params={"Action": "ListAIAgentDialogues", "Version": "1999-01-01"})
    ice_error(resp, 400, "InvalidVersion", "Specified parameter Version is not valid.")


def test_credentials_are_checked_before_parameters(client: TestClient, ice_error: ErrorCheck) -> None:
    resp = client.post("/", params={"Action": "ListAIAgentDialogues", "Version": VERSION, "PageSize": "abc"})
    ice_error(
        resp,
        400,
        "MissingParameter",
        'The input parameter "AccessKeyId" that is mandatory for processing this request is not supplied.',
    )


# --- where parameters come from ----------------------------------------------------------------------------


def test_parameters_from_a_form_body(client: TestClient, ice_call: Call) -> None:
    expected = dialogue_ids(ice_call(client, "ListAIAgentDialogues", PageSize="7", **DIALOGUES))
    form = {"Action": "ListAIAgentDialogues", "Version": VERSION, "AccessKeyId": AK_1, "PageSize": "7", **DIALOGUES}
    resp = client.post("/", data=form)
    assert resp.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert len(expected) == 7
    assert dialogue_ids(resp) == expected


def test_the_form_body_wins_over_the_query(client: TestClient, ice_call: Call) -> None:
    resp = client.post(
        "/",
        params={"Action": "ListAIAgentDialogues", "Version": VERSION, "AccessKeyId": AK_1, "PageSize": "3"},
        data={"PageSize": "5", **DIALOGUES},
    )
    assert len(dialogue_ids(resp)) == 5
    resp = client.post(
        "/",
        params={"Action": "ListAIAgentDialogues", "Version": VERSION, "AccessKeyId": AK_1, **DIALOGUES},
        data={"SessionId": "no-such-session"},
    )
    assert dialogue_ids(resp) == []


def test_a_body_that_is_not_a_form_is_not_read_for_parameters(client: TestClient, ice_call: Call) -> None:
    query = {"Action": "ListAIAgentDialogues", "Version": VERSION, "AccessKeyId": AK_1, **DIALOGUES}
    resp = client.post("/", params=query, content=b"PageSize=3", headers={"content-type": "application/octet-stream"})
    assert len(dialogue_ids(resp)) == 20


def test_plus_in_the_query_and_the_form_is_a_space(ice_fixtures_dir: Path, client_factory: Any) -> None:
    client = client_factory(auth="presence", fixtures=ice_fixtures_dir)
    base = f"/?Action=ListAIAgentDialogues&Version={VERSION}&AccessKeyId={AK_1}&StartTime=0&EndTime=2000000000000"
    # The fixture session is "a+b c": a literal plus travels as %2B, the space as "+".
    assert dialogue_ids(client.post(f"{base}&SessionId=a%2Bb+c")) == ["special-1-1", "special-1-0"]
    assert dialogue_ids(client.post(f"{base}&SessionId=a%2Bb%20c")) == ["special-1-1", "special-1-0"]
    assert dialogue_ids(client.post(f"{base}&SessionId=a+b+c")) == []
    form_hit = client.post(base, content=b"SessionId=a%2Bb+c", headers={"content-type": FORM})
    assert dialogue_ids(form_hit) == ["special-1-1", "special-1-0"]


def test_unknown_parameters_are_ignored(client: TestClient, ice_call: Call) -> None:
    plain = ice_call(client, "ListAIAgentDialogues", **DIALOGUES)
    extra = ice_call(
        client, "ListAIAgentDialogues", Foo="bar", RegionId="cn-shanghai", Format="JSON", pageSize="1", **DIALOGUES
    )
    assert dialogue_ids(extra) == dialogue_ids(plain)
    assert plain.json()["RequestId"] != extra.json()["RequestId"]  # a different request, so a different id


# --- misses never leave FastAPI's {"detail": ...} ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/foo"),
        ("POST", "/foo"),
        ("PUT", "/"),
        ("DELETE", "/"),
        ("PATCH", "/"),
        ("OPTIONS", "/"),
        ("POST", "/_rpc/NoSuchAction"),
    ],
)
def test_unknown_paths_and_methods_get_the_ice_404_envelope(
    client: TestClient, ice_error: ErrorCheck, method: str, path: str
) -> None:
    resp = client.request(method, path, params={"Action": "ListAIAgentDialogues", "Version": VERSION})
    ice_error(resp, 404, *NOT_FOUND)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_on_an_alias_path_are_405_with_allow(
    client: TestClient, ice_error: ErrorCheck, method: str
) -> None:
    resp = client.request(method, "/_rpc/ListAIAgentDialogues", params={"AccessKeyId": AK_1, **DIALOGUES})
    ice_error(resp, 405, "UnsupportedHTTPMethod", "This http method is not supported.")
    assert resp.headers["allow"] == "POST"  # alias paths take POST only, as the SDKs send


# --- the alias path -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("ListAIAgentDialogues", {**DIALOGUES, "PageSize": "13", "Order": "ASC"}),
        ("ListAIAgentInstance", {"AIAgentId": AGENT, "PageSize": "4", "PageNumber": "2"}),
        ("ListAIAgentDialogues", {"StartTime": "0", "EndTime": "1"}),  # an error: MissingSessionId
        ("ListAIAgentDialogues", {**DIALOGUES, "PageSize": "101"}),  # an error: InvalidParameter
    ],
)
@pytest.mark.parametrize("form", [False, True])
def test_alias_path_answers_byte_identically(
    client: TestClient, action: str, params: dict[str, str], form: bool
) -> None:
    query = {"AccessKeyId": AK_1, **params}

    def post(path: str, values: dict[str, str]) -> httpx.Response:
        return client.post(path, data=values) if form else client.post(path, params=values)

    root = post("/", {"Action": action, "Version": VERSION, **query})
    alias = post(f"/_rpc/{action}", query)
    alias_with_version = post(f"/_rpc/{action}", {"Version": VERSION, **query})
    assert root.status_code in (200, 400)
    for other in (alias, alias_with_version):
        assert (other.status_code, other.content) == (root.status_code, root.content)
        assert other.headers["x-acs-request-id"] == root.headers["x-acs-request-id"]


def test_alias_path_still_checks_an_explicit_version(client: TestClient, ice_error: ErrorCheck) -> None:
    resp = client.post("/_rpc/ListAIAgentDialogues", params={"Version": "2017-03-21", "AccessKeyId": AK_1})
    ice_error(resp, 400, "InvalidVersion", "Specified parameter Version is not valid.")


# --- request ids and determinism ----------------------------------------------------------------------------------


def test_request_id_is_stable_per_request_and_differs_between_requests(client: TestClient, ice_call: Call) -> None:
    first = ice_call(client, "ListAIAgentDialogues", **DIALOGUES).json()["RequestId"]
    again = ice_call(client, "ListAIAgentDialogues", **DIALOGUES).json()["RequestId"]
    page_two = ice_call(client, "ListAIAgentDialogues", PageNumber="2", **DIALOGUES).json()["RequestId"]
    assert first == again
    assert page_two != first


def test_request_id_covers_the_version_wherever_it_is_named(client: TestClient, ice_call: Call) -> None:
    query = {"Action": "ListAIAgentDialogues", "AccessKeyId": AK_1, **DIALOGUES}
    by_param = ice_call(client, "ListAIAgentDialogues", **DIALOGUES)
    by_header = client.post("/", params=query, headers={"x-acs-version": VERSION})
    other = client.post("/", params={**query, "Version": "2017-03-21"})
    assert by_header.status_code == 200 and other.json()["Code"] == "InvalidVersion"
    assert by_header.json()["RequestId"] == by_param.json()["RequestId"]  # one call, however it names the version
    assert other.json()["RequestId"] != by_param.json()["RequestId"]


def test_request_id_covers_the_v3_credential(client: TestClient) -> None:
    # auth=presence: the key must exist, the signature is not checked. The credential is in a header only.
    headers = {"x-acs-action": "ListAIAgentDialogues", "x-acs-version": VERSION}
    ids = []
    for ak in (AK_1, "LTAI5tEmuDevAccessKey002"):
        auth = f"ACS3-HMAC-SHA256 Credential={ak},SignedHeaders=host,Signature=00"
        resp = client.post("/", params=DIALOGUES, headers={**headers, "Authorization": auth})
        assert resp.status_code == 200
        ids.append(resp.json()["RequestId"])
    assert ids[0] != ids[1]


@pytest.fixture(scope="module")
def twin_clients() -> tuple[TestClient, TestClient]:
    """Two apps built separately from the same (default) seed."""
    return (
        TestClient(create_app(Settings(auth="presence")), raise_server_exceptions=False),
        TestClient(create_app(Settings(auth="presence")), raise_server_exceptions=False),
    )


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("ListAIAgentDialogues", {**DIALOGUES, "PageSize": "50", "PageNumber": "2"}),
        ("ListAIAgentInstance", {"AIAgentId": AGENT, "PageSize": "25"}),
        ("ListAIAgentDialogues", {"SessionId": SESSION, "StartTime": "x", "EndTime": "1"}),
    ],
)
def test_two_apps_with_the_same_seed_answer_byte_identically(
    twin_clients: tuple[TestClient, TestClient], ice_call: Call, action: str, params: dict[str, str]
) -> None:
    one, two = (ice_call(c, action, **params) for c in twin_clients)
    assert one.status_code in (200, 400)
    assert (one.status_code, one.content) == (two.status_code, two.content)


def test_a_different_seed_gives_different_data(client: TestClient, client_factory: Any, ice_call: Call) -> None:
    other_seed = SEED + 1
    other_session = data.sessions(other_seed, ACCOUNT_1, 1.0)[0].session_id
    assert other_session != SESSION
    default = client
    reseeded = client_factory(auth="presence", seed=other_seed)
    assert dialogue_ids(ice_call(reseeded, "ListAIAgentDialogues", **DIALOGUES)) == []
    ours = dialogue_ids(ice_call(default, "ListAIAgentDialogues", **DIALOGUES))
    theirs = dialogue_ids(ice_call(reseeded, "ListAIAgentDialogues", **{**DIALOGUES, "SessionId": other_session}))
    assert ours and theirs and set(ours).isdisjoint(theirs)
    agent_resp = ice_call(reseeded, "ListAIAgentInstance", AIAgentId=data.agents(other_seed, ACCOUNT_1)[0])
    default_resp = ice_call(default, "ListAIAgentInstance", AIAgentId=AGENT)
    assert agent_resp.json()["Instances"] != default_resp.json()["Instances"]
