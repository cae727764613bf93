"""Gateway authentication end to end (settings.auth=verify unless said): requests signed by the official SDK's
own signer, then tampered with one component at a time; IAM tokens; STS tokens; the auth modes; project checks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from emulator.app import create_app
from emulator.core.settings import Settings

PROJECT_A = "0123456789abcdef0123456789abcdef"
PROJECT_B = "fedcba9876543210fedcba9876543210"
AK_A, SK_A = "EMUDEVAKHW0000000001", "emuDevSecretKeyHuawei0000000000000000001"
AK_B, SK_B = "EMUDEVAKHW0000000002", "emuDevSecretKeyHuawei0000000000000000002"
AK_STS, SK_STS = "EMUDEVSTSHW000000001", "emuDevStsSecretKeyHuawei00000000000000001"
STS_TOKEN = "emuDevHuaweiSecurityToken0000000001"
TOKEN_A, TOKEN_B = "emu-dev-iam-token-0000000001", "emu-dev-iam-token-0000000002"
PATH_A = f"/v1/{PROJECT_A}/smart-chat-rooms"
PATH_B = f"/v1/{PROJECT_B}/smart-chat-rooms"
IAM = "Incorrect IAM authentication information: "
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MISMATCH = {"error_code": "MSS.00010009", "error_msg": "urlTenantId is not equal tokenTenantId"}
INVALID = {"error_code": "MSS.00000003", "error_msg": "Invalid parameter"}


@pytest.fixture(scope="module")
def verify() -> Iterator[TestClient]:
    yield TestClient(create_app(Settings()), raise_server_exceptions=False)


def sdk_date(offset: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y%m%dT%H%M%SZ")


def send(client: TestClient, signed: Any, url: str | None = None, **headers: str) -> Response:
    # The SDK hands non-ASCII header values to `requests` as their UTF-8 bytes read as latin-1: send those bytes.
    merged = {k: v.encode("latin-1") for k, v in {**signed.headers, **headers}.items()}
    return client.get(url or signed.url, headers=merged)


def gateway_401(response: Response, message: str) -> None:
    assert response.status_code == 401, response.text
    rid = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert response.json() == {"error_msg": IAM + message, "error_code": "APIGW.0301", "request_id": rid}


def signed_a(sign: Any, query: list[tuple[str, str]] | None = None, **kwargs: Any) -> Any:
    headers = {"X-Project-Id": PROJECT_A, **kwargs.pop("headers", {})}
    return sign(AK_A, SK_A, PATH_A, query if query is not None else [("limit", "10")], headers=headers, **kwargs)


# --- a correct signature -------------------------------------------------------------------------------


def test_sdk_signed_request_is_served(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, [("limit", "5"), ("room_name", "with a"), ("offset", "0")])
    assert signed.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK_A}, SignedHeaders=")
    response = send(verify, signed)
    assert response.status_code == 200, response.text
    assert len(response.json()["smart_chat_rooms"]) == 5


def test_non_ascii_query_and_header_values_verify(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, [("room_name", "展厅 讲解/é+*~")], headers={"X-App-UserId": "user-ü 1"})
    assert send(verify, signed).status_code == 200


def test_unsigned_extra_headers_do_not_matter(verify: TestClient, sign: Any) -> None:
    response = send(verify, signed_a(sign), Accept="*/*", **{"Accept-Encoding": "gzip", "X-Extra": "1"})
    assert response.status_code == 200


def test_a_replayed_signature_is_accepted(verify: TestClient, sign: Any) -> None:
    """The SDK retries (429, Retry-After) with byte-identical headers, so there is no nonce check."""
    signed = signed_a(sign)
    first, second = send(verify, signed), send(verify, signed)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


def test_a_replayed_signature_is_checked_against_the_date_window_again(sign: Any) -> None:
    """A replay is answered from the verdict remembered for its exact bytes, yet the date window is checked anew:
    once the emulator's clock passes 15 minutes from the signature date, the same bytes are refused."""
    client = TestClient(create_app(Settings()), raise_server_exceptions=False)
    signed = signed_a(sign)
    assert send(client, signed).status_code == send(client, signed).status_code == 200
    assert client.put("/_emulator/clock", json={"offset_seconds": 16 * 60}).status_code == 200
    response = send(client, signed)
    assert response.status_code == 401
    assert "signature expired, signature time:" in response.json()["error_msg"]
    assert client.put("/_emulator/clock", json={"offset_seconds": 0}).status_code == 200
    assert send(client, signed).status_code == 200


def test_a_replayed_signature_of_a_deleted_tenant_is_refused(sign: Any) -> None:
    """A verdict remembered for a request stands only while the tenants' keys are the ones it was reached with."""
    client = TestClient(create_app(Settings()), raise_server_exceptions=False)
    created = client.post("/_emulator/tenants", json={"vendor": "metastudio"})
    assert created.status_code == 201, created.text
    project, [key] = created.json()["project_id"], created.json()["access_keys"]
    path = f"/v1/{project}/smart-chat-rooms"
    signed = sign(key["ak"], key["sk"], path, [("limit", "10")], headers={"X-Project-Id": project})
    assert send(client, signed).status_code == send(client, signed).status_code == 200
    assert client.delete(f"/_emulator/tenants/metastudio/{project}").status_code == 204
    gateway_401(send(client, signed), f"ak {key['ak']} not exist")


def test_v11_derived_key_signature_is_served(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, v11_region="cn-north-4")
    assert signed.headers["Authorization"].startswith(f"V11-HMAC-SHA256 Credential={AK_A}/")
    assert send(verify, signed).status_code == 200
    gateway_401(send(verify, signed, url=PATH_A + "?limit=11"), _mismatch_message(PATH_A, "limit=11", signed))


# --- one tampered component at a time ------------------------------------------------------------------


def _mismatch_message(path: str, query: str, signed: Any, **changed: str) -> str:
    headers = {k.lower(): v for k, v in signed.headers.items()} | {k.lower(): v for k, v in changed.items()}
    names = re.search(r"SignedHeaders=([^,]+),", signed.headers["Authorization"]).group(1).split(";")  # type: ignore[union-attr]
    lines = ["GET", path + "/", query, *(f"{n}:{headers[n]}" for n in names), "", ";".join(names), EMPTY_SHA256]
    return "verify aksk signature fail, canonicalRequest:" + "|".join(lines)


def test_wrong_secret_key_is_a_signature_mismatch_naming_the_canonical_request(verify: TestClient, sign: Any) -> None:
    signed = sign(AK_A, SK_B, PATH_A, [("limit", "10")], headers={"X-Project-Id": PROJECT_A})
    response = send(verify, signed)
    gateway_401(response, _mismatch_message(PATH_A, "limit=10", signed))
    hint = json.loads('"' + response.headers["x-emulator-expected-canonical-request"] + '"')
    assert hint.split("\n")[:3] == ["GET", PATH_A + "/", "limit=10"]


def test_tampered_method(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, method="POST")
    gateway_401(send(verify, signed), _mismatch_message(PATH_A, "limit=10", signed))


def test_tampered_path(verify: TestClient, sign: Any) -> None:
    signed = sign(AK_A, SK_A, PATH_A + "-x", [("limit", "10")], headers={"X-Project-Id": PROJECT_A})
    response = send(verify, signed, url=PATH_A + "?limit=10")
    gateway_401(response, _mismatch_message(PATH_A, "limit=10", signed))


@pytest.mark.parametrize("url_query", ["limit=11", "limit=10&offset=0", "", "limit=10&room_name="])
def test_tampered_query(verify: TestClient, sign: Any, url_query: str) -> None:
    signed = signed_a(sign)
    url = PATH_A + (f"?{url_query}" if url_query else "")
    canonical_query = "&".join(sorted(url_query.split("&"))) if url_query else ""
    gateway_401(send(verify, signed, url=url), _mismatch_message(PATH_A, canonical_query, signed))


@pytest.mark.parametrize(
    ("header", "value"),
    [("User-Agent", "huaweicloud-usdk-python/3.1"), ("Content-Type", "application/xml"), ("Host", "evil:80")],
)
def test_tampered_signed_header(verify: TestClient, sign: Any, header: str, value: str) -> None:
    signed = signed_a(sign)
    response = send(verify, signed, **{header: value})
    gateway_401(response, _mismatch_message(PATH_A, "limit=10", signed, **{header: value}))


def test_tampered_date_inside_the_window(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, headers={"X-Sdk-Date": sdk_date(-timedelta(seconds=30))})
    later = sdk_date()
    response = send(verify, signed, **{"X-Sdk-Date": later})
    gateway_401(response, _mismatch_message(PATH_A, "limit=10", signed, **{"X-Sdk-Date": later}))


def test_signed_header_missing_from_the_request(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, headers={"X-App-UserId": "u1"})
    headers = {k: v for k, v in signed.headers.items() if k != "X-App-UserId"}
    response = verify.get(signed.url, headers=headers)
    gateway_401(response, _mismatch_message(PATH_A, "limit=10", signed, **{"X-App-UserId": ""}))


# --- what the signature must cover ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x-sdk-date", "host", "x-project-id"])
def test_date_host_and_project_must_be_signed(verify: TestClient, sign: Any, name: str) -> None:
    """A correct signature over fewer headers: a hand-rolled signer that leaves one out is refused."""
    signed = signed_a(sign, unsigned=[name])
    assert name not in signed.headers["Authorization"]
    gateway_401(send(verify, signed), f"verify aksk signature fail, SignedHeaders must include {name}")


def test_a_derived_key_signature_must_cover_the_host_too(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign, v11_region="cn-north-4", unsigned=["host"])
    gateway_401(send(verify, signed), "verify aksk signature fail, SignedHeaders must include host")


def test_a_sent_security_token_must_be_signed(verify: TestClient, sign: Any) -> None:
    headers = {"X-Project-Id": PROJECT_A, "X-Security-Token": STS_TOKEN}
    signed = sign(AK_STS, SK_STS, PATH_A, [("limit", "3")], headers=headers, unsigned=["x-security-token"])
    gateway_401(send(verify, signed), "verify aksk signature fail, SignedHeaders must include x-security-token")


def test_other_headers_may_go_unsigned(verify: TestClient, sign: Any) -> None:
    unsigned = ["content-type", "user-agent", "x-app-userid"]
    signed = signed_a(sign, headers={"X-App-UserId": "u1"}, unsigned=unsigned)
    assert "SignedHeaders=host;x-project-id;x-sdk-date," in signed.headers["Authorization"]
    assert send(verify, signed).status_code == 200
    # Raw token clients send no X-Project-Id, so there is none to sign.
    assert send(verify, sign(AK_A, SK_A, PATH_A, unsigned=unsigned)).status_code == 200


def test_presence_mode_does_not_check_what_was_signed(client_factory: Any, sign: Any) -> None:
    assert send(client_factory(auth="presence"), signed_a(sign, unsigned=["host", "x-sdk-date"])).status_code == 200


# --- date window ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("skew", [timedelta(minutes=-16), timedelta(minutes=16), timedelta(days=-400)])
def test_date_outside_15_minutes_is_expired(verify: TestClient, sign: Any, skew: timedelta) -> None:
    date = sdk_date(skew)
    response = send(verify, signed_a(sign, headers={"X-Sdk-Date": date}))
    assert response.status_code == 401
    message = response.json()["error_msg"]
    pattern = rf"calc aksk signature fail:signature expired, signature time:{date},server time:\d{{8}}T\d{{6}}Z"
    assert re.fullmatch(re.escape(IAM) + pattern, message)


@pytest.mark.parametrize("skew", [timedelta(minutes=-14), timedelta(minutes=14)])
def test_date_inside_15_minutes_is_accepted(verify: TestClient, sign: Any, skew: timedelta) -> None:
    assert send(verify, signed_a(sign, headers={"X-Sdk-Date": sdk_date(skew)})).status_code == 200


def test_missing_or_malformed_date_is_expired(verify: TestClient, sign: Any) -> None:
    signed = signed_a(sign)
    headers = {k: v for k, v in signed.headers.items() if k != "X-Sdk-Date"}
    assert "signature expired, signature time:," in verify.get(signed.url, headers=headers).json()["error_msg"]
    bad = send(verify, signed, **{"X-Sdk-Date": "2024-01-10T08:43:17Z"})
    assert "signature time:2024-01-10T08:43:17Z," in bad.json()["error_msg"]


def test_server_clock_skew_setting_expires_fresh_signatures(client_factory: Any, sign: Any) -> None:
    skewed = client_factory(clock_offset_seconds=3600)
    response = send(skewed, signed_a(sign))
    assert response.status_code == 401
    assert "signature expired" in response.json()["error_msg"]


# --- keys and tokens -----------------------------------------------------------------------------------


def test_unknown_ak(verify: TestClient, sign: Any) -> None:
    signed = sign("NOSUCHAK000000000000", SK_A, PATH_A, headers={"X-Project-Id": PROJECT_A})
    gateway_401(send(verify, signed), "ak NOSUCHAK000000000000 not exist")


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("SDK-HMAC-SM3 Access=EMUDEVAKHW0000000001, SignedHeaders=host, Signature=00ff", "unsupported signature "
         "algorithm SDK-HMAC-SM3"),
        ("SDK-ECDSA-P256-SHA256 Access=EMUDEVAKHW0000000001, SignedHeaders=host, Signature=00", "unsupported "
         "signature algorithm SDK-ECDSA-P256-SHA256"),
        ("Bearer abc", "authorization header format invalid"),
        ("SDK-HMAC-SHA256 Access=EMUDEVAKHW0000000001", "authorization header format invalid"),
    ],
)  # fmt: skip
def test_other_authorization_schemes_are_rejected(verify: TestClient, authorization: str, message: str) -> None:
    response = verify.get(PATH_A, headers={"Authorization": authorization, "X-Sdk-Date": sdk_date()})
    gateway_401(response, message)


def test_no_credentials(verify: TestClient) -> None:
    gateway_401(verify.get(PATH_A), "x-auth-token not found")
    gateway_401(verify.get(PATH_A, headers={"X-Project-Id": PROJECT_A}), "x-auth-token not found")


def test_iam_token_instead_of_a_signature(verify: TestClient) -> None:
    assert verify.get(PATH_A, headers={"X-Auth-Token": TOKEN_A}).status_code == 200
    assert verify.get(PATH_B, headers={"X-Auth-Token": TOKEN_B}).status_code == 200
    gateway_401(verify.get(PATH_A, headers={"X-Auth-Token": "not-a-token"}), "decrypt token fail")


def test_sts_credentials_need_their_security_token(verify: TestClient, sign: Any) -> None:
    def sts(token: str | None) -> Any:
        headers = {"X-Project-Id": PROJECT_A} | ({"X-Security-Token": token} if token else {})
        return sign(AK_STS, SK_STS, PATH_A, [("limit", "3")], headers=headers)

    ok = send(verify, sts(STS_TOKEN))
    assert ok.status_code == 200 and len(ok.json()["smart_chat_rooms"]) == 3
    gateway_401(send(verify, sts(None)), f"ak {AK_STS} not exist")
    gateway_401(send(verify, sts("someone-elses-token")), "decrypt token fail")


def test_permanent_keys_ignore_a_security_token(verify: TestClient, sign: Any) -> None:
    assert send(verify, signed_a(sign, headers={"X-Security-Token": "anything"})).status_code == 200


# --- projects ------------------------------------------------------------------------------------------


def test_credentials_of_another_project_are_refused(verify: TestClient, sign: Any) -> None:
    signed = sign(AK_A, SK_A, PATH_B, headers={"X-Project-Id": PROJECT_B})
    for _ in range(2):  # a replay too: only requests that passed every check are remembered as verified
        response = send(verify, signed)
        assert response.status_code == 400 and response.json() == MISMATCH
    token = verify.get(PATH_B, headers={"X-Auth-Token": TOKEN_A})
    assert token.status_code == 400 and token.json() == MISMATCH


def test_x_project_id_must_name_the_path_project(verify: TestClient, sign: Any) -> None:
    signed = sign(AK_A, SK_A, PATH_A, headers={"X-Project-Id": PROJECT_B})
    assert send(verify, signed).json() == MISMATCH
    assert verify.get(PATH_A, headers={"X-Auth-Token": TOKEN_A, "X-Project-Id": PROJECT_B}).json() == MISMATCH
    # Without X-Project-Id (raw token clients), the token's own project decides.
    assert send(verify, sign(AK_A, SK_A, PATH_A)).status_code == 200


def test_gateway_before_project_before_parameters(verify: TestClient, sign: Any) -> None:
    bad_limit = [("limit", "1000")]
    wrong_sk = sign(AK_A, SK_B, PATH_A, bad_limit, headers={"X-Project-Id": PROJECT_A})
    assert send(verify, wrong_sk).status_code == 401
    other_project = sign(AK_A, SK_A, PATH_B, bad_limit, headers={"X-Project-Id": PROJECT_B})
    assert send(verify, other_project).json() == MISMATCH
    own = sign(AK_A, SK_A, PATH_A, bad_limit, headers={"X-Project-Id": PROJECT_A})
    assert send(verify, own).json() == INVALID
    assert verify.get(PATH_A + "?limit=1000").status_code == 401


# --- the other modes -----------------------------------------------------------------------------------


def test_presence_mode_checks_keys_but_not_signatures(client_factory: Any, sign: Any) -> None:
    presence = client_factory(auth="presence")
    stale = sign(AK_A, SK_B, PATH_A, headers={"X-Project-Id": PROJECT_A, "X-Sdk-Date": "20200101T000000Z"})
    assert send(presence, stale).status_code == 200
    gateway_401(send(presence, sign("NOSUCHAK", SK_A, PATH_A)), "ak NOSUCHAK not exist")
    gateway_401(presence.get(PATH_A), "x-auth-token not found")
    gateway_401(presence.get(PATH_A, headers={"X-Auth-Token": "nope"}), "decrypt token fail")
    gateway_401(presence.get(PATH_A, headers={"Authorization": "Basic eA=="}), "authorization header format invalid")
    assert send(presence, sign(AK_A, SK_A, PATH_B)).json() == MISMATCH


def test_off_mode_serves_the_path_project_to_anyone(client_factory: Any) -> None:
    off = client_factory(auth="off")
    assert off.get(PATH_A).json()["count"] == 57
    assert off.get(PATH_B, headers={"X-Auth-Token": TOKEN_A}).json()["count"] == 57
    nobody = off.get("/v1/00000000000000000000000000000000/smart-chat-rooms")
    assert nobody.status_code == 200 and nobody.json()["count"] == 0
    # IAM with auth off: the AK's own project when the AK is known, else whichever project has that region.
    assert [p["id"] for p in off.get("/v3/projects?name=cn-east-3").json()["projects"]] == [PROJECT_B]
    by_ak = off.get("/v3/projects?name=cn-east-3", headers={"Authorization": f"SDK-HMAC-SHA256 Access={AK_A}, "
                                                            "SignedHeaders=host, Signature=00"})  # fmt: skip
    assert by_ak.json()["projects"] == []


def test_gateway_prefix_is_a_setting(client_factory: Any) -> None:
    apig = client_factory(metastudio_gateway_prefix="APIG")
    assert apig.get(PATH_A).json()["error_code"] == "APIG.0301"
    assert apig.get("/v1/nothing").json()["error_code"] == "APIG.0101"
    assert apig.get(PATH_A, headers={"X-Auth-Token": TOKEN_A, "X-Project-Id": "x"}).json() == MISMATCH


# --- IAM project discovery -----------------------------------------------------------------------------


def iam_signed(sign: Any, ak: str, sk: str, region: str) -> Any:
    # What the SDK sends: only User-Agent, then X-Sdk-Date and Host from the signer; no project header.
    return sign(ak, sk, "/v3/projects", [("name", region)], content_type=False)


def test_iam_lists_the_callers_project_in_that_region(verify: TestClient, sign: Any) -> None:
    signed = iam_signed(sign, AK_A, SK_A, "cn-north-4")
    assert signed.headers["Authorization"].endswith(signed.headers["Authorization"][-64:])
    assert "SignedHeaders=host;user-agent;x-sdk-date," in signed.headers["Authorization"]
    response = send(verify, signed)
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-iam-trace-id"])
    projects = response.json()["projects"]
    assert [(p["id"], p["name"], p["enabled"]) for p in projects] == [(PROJECT_A, "cn-north-4", True)]
    assert re.fullmatch(r"[0-9a-f]{32}", projects[0]["domain_id"])


def test_iam_other_region_or_other_account(verify: TestClient, sign: Any) -> None:
    assert send(verify, iam_signed(sign, AK_A, SK_A, "cn-east-3")).json()["projects"] == []
    east = send(verify, iam_signed(sign, AK_B, SK_B, "cn-east-3")).json()["projects"]
    assert [p["id"] for p in east] == [PROJECT_B]
    assert send(verify, iam_signed(sign, AK_B, SK_B, "ap-southeast-3")).json()["projects"] == []


def test_iam_needs_credentials_too(verify: TestClient, sign: Any) -> None:
    gateway_401(verify.get("/v3/projects?name=cn-north-4"), "x-auth-token not found")
    signed = iam_signed(sign, AK_A, SK_B, "cn-north-4")
    assert send(verify, signed).json()["error_code"] == "APIGW.0301"
