"""Error envelopes and headers: unknown paths and methods, internal errors, X-Request-Id on every response."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from emulator.vendors.metastudio.ops import list_smart_chat_rooms as op

PROJECT_A = "0123456789abcdef0123456789abcdef"
PATH_A = f"/v1/{PROJECT_A}/smart-chat-rooms"
TOKEN_A = {"X-Auth-Token": "emu-dev-iam-token-0000000001"}
NOT_PUBLISHED = "The API does not exist or has not been published in the environment."


def request_id_of(response: Response) -> str:
    rid = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid), rid
    assert response.headers["content-type"] == "application/json"
    return rid


def gateway(response: Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    rid = request_id_of(response)
    assert list(response.json()) == ["error_msg", "error_code", "request_id"]
    assert response.json() == {"error_msg": message, "error_code": code, "request_id": rid}


@pytest.fixture
def client(presence_client: TestClient) -> TestClient:
    return presence_client


@pytest.mark.parametrize(
    "path",
    [
        f"{PATH_A}/",  # no trailing-slash redirect: the SDK would read a 307 as an empty success
        f"{PATH_A}/0f0e/smart-chat-jobs",  # jobs live under /digital-human-chat/
        f"/v1/{PROJECT_A}/smart-chat-room",
        f"/v1/{PROJECT_A}",
        "/v1/",
        "/v3/projects/0123",
        "/v3/auth/domains",
    ],
)
def test_unknown_paths_are_apigw_0101(client: TestClient, path: str) -> None:
    gateway(client.get(path, headers=TOKEN_A), 404, "APIGW.0101", NOT_PUBLISHED)


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", PATH_A), ("DELETE", PATH_A), ("PATCH", PATH_A), ("POST", f"{PATH_A}/0f0e"), ("PATCH", f"{PATH_A}/0f0e")],
)
def test_wrong_methods_are_apigw_0101(client: TestClient, method: str, path: str) -> None:
    gateway(client.request(method, path, headers=TOKEN_A), 404, "APIGW.0101", "The API does not exist.")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_the_iam_helper_route_refuses_other_methods_with_405_and_allow(client: TestClient, method: str) -> None:
    response = client.request(method, "/v3/projects", headers=TOKEN_A)
    gateway(response, 405, "APIGW.0101", "The method is not allowed for the requested URL.")
    assert response.headers["allow"] == "GET"


def test_service_errors_carry_exactly_code_and_message(client: TestClient) -> None:
    response = client.get(PATH_A + "?limit=0", headers=TOKEN_A)
    assert response.status_code == 400
    request_id_of(response)
    assert list(response.json()) == ["error_code", "error_msg"]


def test_internal_errors_are_mss_00000004(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(op, "paginate", broken)
    response = client.get(PATH_A, headers=TOKEN_A)
    assert response.status_code == 500
    request_id_of(response)
    assert response.json() == {"error_code": "MSS.00000004", "error_msg": "Internal Error"}


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    responses = [
        client.get(PATH_A, headers=TOKEN_A),  # 200
        client.get(PATH_A + "?offset=-1", headers=TOKEN_A),  # 400 service
        client.get(PATH_A, headers={**TOKEN_A, "X-Project-Id": "other"}),  # 400 project
        client.get(PATH_A),  # 401
        client.get("/v1/none", headers=TOKEN_A),  # 404
        client.put(PATH_A, headers=TOKEN_A),  # 404 method
        client.get("/v3/projects?name=cn-north-4", headers=TOKEN_A),  # IAM 200
    ]
    assert [r.status_code for r in responses] == [200, 400, 400, 401, 404, 404, 200]
    for response in responses:
        request_id_of(response)


def test_request_ids_are_stable_per_request_and_differ_between_requests(client: TestClient) -> None:
    first = client.get(PATH_A + "?limit=3", headers=TOKEN_A)
    again = client.get(PATH_A + "?limit=3", headers=TOKEN_A)
    other = client.get(PATH_A + "?limit=4", headers=TOKEN_A)
    assert request_id_of(first) == request_id_of(again) != request_id_of(other)
