"""ICE authentication in-process with auth=verify: requests signed by the official SDKs' own signers
(tea-openapi `Utils.get_authorization` for V3, `Utils.get_rpcsignature` for V1), the server's string-to-sign
checked against a second SDK's computation (aliyun-python-sdk-core's composer), the §2.3 worked example,
replay and clock checks, tampering with each signed component, and the presence/off modes."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

import httpx
import pytest
from alibabacloud_tea_openapi.utils import (  # type: ignore[import-untyped]
    Utils,
    get_canonical_query_string,
    get_canonicalized_headers,
)
from aliyunsdkcore.auth.composer import rpc_signature_composer  # type: ignore[import-untyped]
from fastapi.testclient import TestClient

VERSION = "2020-11-09"
ACTION = "ListAIAgentDialogues"
AK_1, SK_1 = "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
AK_2, SK_2 = "LTAI5tEmuDevAccessKey002", "emuDevAccessKeySecret000000000002"
STS_AK, STS_SK, STS_TOKEN = (
    "STS.EmuDevStsAccessKey001",
    "emuDevStsAccessKeySecret0000000001",
    "emuDevSecurityToken0000000001",
)
ALGORITHM = "ACS3-HMAC-SHA256"
UA = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"
FORM = "application/x-www-form-urlencoded"
V1_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Hand-written fixture sessions (see conftest): each has exactly two dialogues for account 1.
SPECIAL_SESSIONS = ("sess 1/ü~*", "a+b c", "中文会话", "k&v=w", "tilde~star*slash/")
WINDOW = {"StartTime": "0", "EndTime": "2000000000000"}
INCOMPLETE = (
    "IncompleteSignature",
    "The request signature does not conform to Aliyun standards. server string to sign is:",
)

# shared/vendors/alibaba-ice.md §2.3: SDK-produced at 2025-01-15T08:00:00Z with a pinned nonce.
EXAMPLE_AK, EXAMPLE_SECRET = "LTAI5tExampleAKID", "ExampleSecretKey123"
EXAMPLE_AT = datetime(2025, 1, 15, 8, 0, 0, tzinfo=UTC)
EXAMPLE_NONCE = "3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e"
EXAMPLE_QUERY = {
    "EndTime": "1735808246403",
    "Order": "DESC",
    "PageNumber": "1",
    "PageSize": "20",
    "SessionId": "f27f9b9be28642a88e18abcd",
    "StartTime": "0",
}
EXAMPLE_V3_STRING_TO_SIGN = "ACS3-HMAC-SHA256\n1aa3f39cbf29402e4acec31f3c00452efed82226202ebd9626ec38642679be04"
EXAMPLE_V3_SIGNATURE = "ea6dcc29a80f1df1ddffdbec9dac13eaf55110beebfb6856f1ece0fa336cb7af"
EXAMPLE_V1_STRING_TO_SIGN = (
    "POST&%2F&AccessKeyId%3DLTAI5tExampleAKID%26Action%3DListAIAgentDialogues%26EndTime%3D1735808246403"
    "%26Format%3Djson%26Order%3DDESC%26PageNumber%3D1%26PageSize%3D20%26SessionId%3Df27f9b9be28642a88e18abcd"
    "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e%26SignatureVersion%3D1.0"
    "%26StartTime%3D0%26Timestamp%3D2025-01-15T08%253A00%253A00Z%26Version%3D2020-11-09"
)
EXAMPLE_V1_SIGNATURE = "cahTjN+USP+ObqnFOIZWNTRcfac="

ErrorCheck = Callable[..., dict[str, Any]]


# --- requests signed by the SDKs' signers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """A signed request, kept as parts so a test can tamper with one of them before sending."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    string_to_sign: str = ""
    extra_query: dict[str, str] = field(default_factory=dict)

    def send(self, client: TestClient) -> httpx.Response:
        query = urlencode({**self.query, **self.extra_query})  # as darabonba composes URLs: space as "+"
        url = f"{self.path}?{query}" if query else self.path
        return client.request(self.method, url, headers=self.headers, content=self.body)


def now_utc(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).strftime(V1_FORMAT)


def sign_v3(
    query: dict[str, str],
    *,
    ak: str = AK_1,
    secret: str = SK_1,
    method: str = "POST",
    path: str = "/",
    body: bytes = b"",
    date: str | None = None,
    nonce: str | None = None,
    token: str | None = None,
    host: str = "testserver",
    extra_headers: dict[str, str] | None = None,
) -> Signed:
    """Headers as tea-openapi 0.4.x sends them, signed with its own `Utils.get_authorization`."""
    headers = {
        "host": host,
        "x-acs-version": VERSION,
        "x-acs-action": ACTION,
        "user-agent": UA,
        "x-acs-date": now_utc() if date is None else date,
        "x-acs-signature-nonce": nonce or Utils.get_nonce(),
        "accept": "application/json",
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        "x-acs-credentials-provider": "static_sts" if token else "static_ak",
    }
    if token is not None:
        headers["x-acs-accesskey-id"] = ak
        headers["x-acs-security-token"] = token
    if body:
        headers["content-type"] = FORM
    headers.update(extra_headers or {})
    request = SimpleNamespace(pathname=path, query=query, headers=headers, method=method)
    authorization = Utils.get_authorization(request, ALGORITHM, headers["x-acs-content-sha256"], ak, secret)
    return Signed(method, path, dict(query), {**headers, "Authorization": authorization}, body, v3_string(request))


def v3_string(request: SimpleNamespace) -> str:
    """The V3 string-to-sign rebuilt from the SDK's canonicalization helpers (what the server must report)."""
    canonical_headers, signed_headers = get_canonicalized_headers(request.headers)
    canonical = "\n".join(
        [
            request.method,
            request.pathname,
            get_canonical_query_string(request.query),
            canonical_headers,
            signed_headers,
            request.headers["x-acs-content-sha256"],
        ]
    )
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def sign_v1(
    params: dict[str, str],
    *,
    ak: str = AK_1,
    secret: str = SK_1,
    method: str = "POST",
    body: dict[str, str] | None = None,
    timestamp: str | None = None,
    nonce: str | None = None,
    token: str | None = None,
) -> Signed:
    """Common parameters as tea-openapi's `v2` mode sends them, signed with its `Utils.get_rpcsignature`."""
    query = {
        "Action": ACTION,
        "Format": "json",
        "Version": VERSION,
        "Timestamp": now_utc() if timestamp is None else timestamp,
        "SignatureNonce": nonce or Utils.get_nonce(),
        **params,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "AccessKeyId": ak,
    }
    if token is not None:
        query["SecurityToken"] = token
    signed_params = {**query, **(body or {})}
    query["Signature"] = Utils.get_rpcsignature(signed_params, method, secret)
    # aliyun-python-sdk-core's composer, a second implementation, gives the string the server must report.
    compose = getattr(rpc_signature_composer, "__compose_string_to_sign")
    string_to_sign = compose(method, signed_params)
    form = urlencode(body).encode() if body else b""
    headers = {"content-type": FORM} if body else {}
    return Signed(method, "/", query, headers, form, string_to_sign)


@pytest.fixture
def verify(client_factory: Any, ice_fixtures_dir: Path) -> TestClient:
    """auth=verify over the hand-written fixtures only: a fresh nonce table, and fast to build."""
    client: TestClient = client_factory(auth="verify", fixtures=ice_fixtures_dir)
    return client


def ok_dialogues(resp: httpx.Response) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, Any]] = resp.json()["Dialogues"]
    return rows


QUERY = {"SessionId": "sess 1/ü~*", **WINDOW}


# --- success --------------------------------------------------------------------------------------------------------


def test_v3_signed_request_succeeds(verify: TestClient) -> None:
    assert len(ok_dialogues(sign_v3(QUERY).send(verify))) == 2


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_v1_signed_request_succeeds(verify: TestClient, method: str) -> None:
    assert len(ok_dialogues(sign_v1(QUERY, method=method).send(verify))) == 2


def test_v1_with_parameters_in_a_signed_form_body(verify: TestClient) -> None:
    signed = sign_v1({}, body=QUERY)
    assert signed.body and "SessionId" not in signed.query
    assert len(ok_dialogues(signed.send(verify))) == 2


def test_v3_with_a_form_body_covered_by_the_content_hash(verify: TestClient) -> None:
    body = urlencode({"SessionId": "中文会话"}).encode()
    assert len(ok_dialogues(sign_v3(WINDOW, body=body).send(verify))) == 2


def test_v3_endpoint_with_a_scheme_signs_the_literal_host(verify: TestClient) -> None:
    # The SDK sends (and signs) `host: http://127.0.0.1:8000` when the endpoint carries a scheme.
    assert len(ok_dialogues(sign_v3(QUERY, host="http://127.0.0.1:8000").send(verify))) == 2


@pytest.mark.parametrize("session", SPECIAL_SESSIONS)
@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_reserved_and_non_ascii_session_ids_sign_and_verify(verify: TestClient, session: str, scheme: str) -> None:
    query = {"SessionId": session, **WINDOW}
    signed = sign_v3(query) if scheme == "v3" else sign_v1(query)
    rows = ok_dialogues(signed.send(verify))
    assert [r["Text"] for r in rows] == [f"agent line for {session}", f"user line for {session}"]


@pytest.mark.parametrize("char", ["ü", "中文", " ", "+", "*", "~", "/", "&", "=", "%", "%20", "é\u0301", "😀"])
@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_every_character_class_in_a_value_signs_and_verifies(verify: TestClient, char: str, scheme: str) -> None:
    query = {"SessionId": f"x{char}y{char}", **WINDOW}
    signed = sign_v3(query) if scheme == "v3" else sign_v1(query)
    assert ok_dialogues(signed.send(verify)) == []


def test_non_ascii_signed_header_value_verifies(verify: TestClient) -> None:
    signed = sign_v3(QUERY, extra_headers={"x-acs-note": "café 中文"})
    headers = {**signed.headers, "x-acs-note": "café 中文".encode()}  # sent as UTF-8 bytes, as the SDK does
    assert len(ok_dialogues(replace(signed, headers=headers).send(verify))) == 2  # type: ignore[arg-type]


def test_sts_credentials_with_their_token(verify: TestClient) -> None:
    v3 = sign_v3(QUERY, ak=STS_AK, secret=STS_SK, token=STS_TOKEN)
    v1 = sign_v1(QUERY, ak=STS_AK, secret=STS_SK, token=STS_TOKEN)
    assert len(ok_dialogues(v3.send(verify))) == 2
    assert len(ok_dialogues(v1.send(verify))) == 2


# --- the worked example of the vendor notes -------------------------------------------------------------------------


@pytest.fixture
def at_example_time(client_factory: Any, ice_fixtures_dir: Path) -> TestClient:
    """Server clock moved to the example's signing time, so its recorded signatures are inside the window."""
    offset = int(EXAMPLE_AT.timestamp() - time.time())
    client: TestClient = client_factory(auth="verify", fixtures=ice_fixtures_dir, clock_offset_seconds=offset)
    return client


def example_v3(signature: str) -> dict[str, str]:
    return {
        "host": "127.0.0.1:18765",
        "x-acs-version": VERSION,
        "x-acs-action": ACTION,
        "user-agent": UA,
        "x-acs-date": "2025-01-15T08:00:00Z",
        "x-acs-signature-nonce": EXAMPLE_NONCE,
        "accept": "application/json",
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        "x-acs-credentials-provider": "static_ak",
        "Authorization": (
            f"{ALGORITHM} Credential={EXAMPLE_AK},SignedHeaders=accept;host;user-agent;x-acs-action;"
            "x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,"
            f"Signature={signature}"
        ),
    }


def example_v1(signature: str) -> dict[str, str]:
    return {
        "Action": ACTION,
        "Format": "json",
        "Version": VERSION,
        "Timestamp": "2025-01-15T08:00:00Z",
        "SignatureNonce": EXAMPLE_NONCE,
        **EXAMPLE_QUERY,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "AccessKeyId": EXAMPLE_AK,
        "Signature": signature,
    }


def test_worked_example_v3_signature_is_accepted(at_example_time: TestClient) -> None:
    resp = at_example_time.post("/", params=EXAMPLE_QUERY, headers=example_v3(EXAMPLE_V3_SIGNATURE))
    assert ok_dialogues(resp) == []


def test_worked_example_v3_mismatch_reports_the_documented_string_to_sign(
    at_example_time: TestClient, ice_error: ErrorCheck
) -> None:
    resp = at_example_time.post("/", params=EXAMPLE_QUERY, headers=example_v3("0" * 64))
    message = (
        f"Specified signature does not match our calculation. server StringToSign is [{EXAMPLE_V3_STRING_TO_SIGN}]"
    )
    ice_error(resp, 400, "SignatureDoesNotMatch", message)


def test_worked_example_v1_signature_is_accepted(at_example_time: TestClient) -> None:
    assert ok_dialogues(at_example_time.post("/", params=example_v1(EXAMPLE_V1_SIGNATURE))) == []


def test_worked_example_v1_mismatch_reports_the_documented_string_to_sign(
    at_example_time: TestClient, ice_error: ErrorCheck
) -> None:
    resp = at_example_time.post("/", params=example_v1("AAAAAAAAAAAAAAAAAAAAAAAAAAA="))
    message = (
        f"Specified signature is not matched with our calculation. server string to sign is:{EXAMPLE_V1_STRING_TO_SIGN}"
    )
    ice_error(resp, 400, "SignatureDoesNotMatch", message)


# --- wrong secret, unknown key, missing or malformed credentials ------------------------------------------------------


def test_v3_wrong_secret_reports_the_server_string_to_sign(verify: TestClient, ice_error: ErrorCheck) -> None:
    signed = sign_v3(QUERY, secret="not-the-secret")
    message = f"Specified signature does not match our calculation. server StringToSign is [{signed.string_to_sign}]"
    ice_error(signed.send(verify), 400, "SignatureDoesNotMatch", message)


@pytest.mark.parametrize("body", [None, {"PageSize": "3"}])
def test_v1_wrong_secret_reports_the_server_string_to_sign(
    verify: TestClient, ice_error: ErrorCheck, body: dict[str, str] | None
) -> None:
    signed = sign_v1(QUERY, secret="not-the-secret", body=body)
    message = (
        f"Specified signature is not matched with our calculation. server string to sign is:{signed.string_to_sign}"
    )
    ice_error(signed.send(verify), 400, "SignatureDoesNotMatch", message)


def test_another_accounts_secret_does_not_verify(verify: TestClient, ice_error: ErrorCheck) -> None:
    signed = sign_v3(QUERY, ak=AK_1, secret=SK_2)
    message = f"Specified signature does not match our calculation. server StringToSign is [{signed.string_to_sign}]"
    ice_error(signed.send(verify), 400, "SignatureDoesNotMatch", message)


@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_unknown_access_key(verify: TestClient, ice_error: ErrorCheck, scheme: str) -> None:
    signed = sign_v3(QUERY, ak="LTAI5tNoSuchKey") if scheme == "v3" else sign_v1(QUERY, ak="LTAI5tNoSuchKey")
    ice_error(signed.send(verify), 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")


def test_no_credentials_at_all(verify: TestClient, ice_error: ErrorCheck) -> None:
    resp = verify.post("/", params={"Action": ACTION, "Version": VERSION, **QUERY})
    ice_error(
        resp,
        400,
        "MissingParameter",
        'The input parameter "AccessKeyId" that is mandatory for processing this request is not supplied.',
    )


@pytest.mark.parametrize(
    ("drop", "code", "message"),
    [
        ("AccessKeyId", "MissingAccessKeyId", "AccessKeyId is mandatory for this action."),
        ("Signature", "MissingSignature", "Signature is mandatory for this action."),
        ("SignatureNonce", "MissingSignatureNonce", "SignatureNonce is mandatory for this action."),
        (
            "Timestamp",
            "IllegalTimestamp",
            'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
        ),
    ],
)
def test_v1_missing_common_parameters(
    verify: TestClient, ice_error: ErrorCheck, drop: str, code: str, message: str
) -> None:
    signed = sign_v1(QUERY)
    query = {k: v for k, v in signed.query.items() if k != drop}
    ice_error(replace(signed, query=query).send(verify), 400, code, message)


@pytest.mark.parametrize(
    "authorization",
    [
        "ACS3-HMAC-SHA256",
        f"ACS3-HMAC-SHA256 Credential={AK_1}",
        f"ACS3-HMAC-SHA256 Credential={AK_1},SignedHeaders=host",
        f"ACS3-HMAC-SHA256 Credential={AK_1},SignedHeaders=,Signature=00ff",
        f"ACS3-HMAC-SHA256 Credential={AK_1},SignedHeaders=host,Signature=XYZ",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=00ff",
        f"HMAC-SHA256 Credential={AK_1},SignedHeaders=host,Signature=00ff",
        "Bearer abc",
        "",
    ],
)
def test_malformed_authorization_is_incomplete_signature(
    verify: TestClient, ice_error: ErrorCheck, authorization: str
) -> None:
    signed = sign_v3(QUERY)
    resp = replace(signed, headers={**signed.headers, "Authorization": authorization}).send(verify)
    ice_error(resp, 400, *INCOMPLETE)


def test_signed_header_that_was_not_sent_is_incomplete_signature(verify: TestClient, ice_error: ErrorCheck) -> None:
    signed = sign_v3(QUERY, extra_headers={"x-acs-extra": "1"})
    headers = {k: v for k, v in signed.headers.items() if k != "x-acs-extra"}
    ice_error(replace(signed, headers=headers).send(verify), 400, *INCOMPLETE)


def test_the_same_headers_signed_differently_are_judged_each_time(verify: TestClient, ice_error: ErrorCheck) -> None:
    # What must be signed is remembered per header set and signed list: a request sending the same header names
    # but leaving one x-acs-* header out of its signature is still refused.
    covered = sign_v3(QUERY, extra_headers={"x-acs-extra": "1"})
    assert len(ok_dialogues(covered.send(verify))) == 2
    uncovered = sign_v3(QUERY)
    headers = {name: uncovered.headers.get(name, "1") for name in covered.headers}  # the same names, in order
    ice_error(replace(uncovered, headers=headers).send(verify), 400, *INCOMPLETE)
    assert len(ok_dialogues(sign_v3(QUERY, extra_headers={"x-acs-extra": "2"}).send(verify))) == 2


def test_a_repeated_unsigned_header_still_verifies_and_burns_the_nonce(
    verify: TestClient, ice_error: ErrorCheck
) -> None:
    signed = sign_v3(QUERY)
    # Accept-Language twice: outside the signature (the SDK signs host, accept, user-agent and x-acs-*).
    headers = [*signed.headers.items(), ("accept-language", "en"), ("accept-language", "zh")]
    url = f"/?{urlencode(signed.query)}"
    assert len(ok_dialogues(verify.request("POST", url, headers=headers))) == 2
    ice_error(verify.request("POST", url, headers=headers), 400, *NONCE_USED)


def test_unsupported_acs3_algorithm_is_a_client_error_not_a_500(verify: TestClient, ice_error: ErrorCheck) -> None:
    signed = sign_v3(QUERY)
    rsa = signed.headers["Authorization"].replace(ALGORITHM, "ACS3-RSA-SHA256", 1)
    resp = replace(signed, headers={**signed.headers, "Authorization": rsa}).send(verify)
    # The SDK can sign with an RSA key; the emulator holds no public keys to check it, and says so as a 400.
    ice_error(resp, 400, *INCOMPLETE)


def test_signed_header_bytes_that_are_not_utf8_are_a_client_error_not_a_500(live_url: str) -> None:
    # TestClient re-encodes header bytes, so this one goes over a raw socket to a real server.
    host, port = live_url.removeprefix("http://").split(":")
    signed = sign_v3(QUERY, host=f"{host}:{port}", extra_headers={"x-acs-note": "placeholder"})
    lines = [f"POST /?{urlencode(signed.query)} HTTP/1.1".encode()]
    for name, value in signed.headers.items():
        lines.append(name.encode() + b": " + (b"\xff\xfe" if name == "x-acs-note" else value.encode()))
    request = b"\r\n".join([*lines, b"Content-Length: 0", b"Connection: close", b"", b""])
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        raw = b""
        while chunk := conn.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), raw
    assert json.loads(body)["Code"] == "IncompleteSignature"


def test_v1_signature_that_is_not_base64_ascii_is_a_mismatch_not_a_500(
    verify: TestClient, ice_error: ErrorCheck
) -> None:
    signed = sign_v1(QUERY)
    resp = replace(signed, query={**signed.query, "Signature": "ü中"}).send(verify)
    ice_error(resp, 400, "SignatureDoesNotMatch", resp.json()["Message"])
    assert resp.json()["Message"].endswith(signed.string_to_sign)


def test_v1_other_signature_method_is_invalid(verify: TestClient, ice_error: ErrorCheck) -> None:
    signed = sign_v1(QUERY)
    signed = replace(signed, query={**signed.query, "SignatureMethod": "HMAC-SHA256"})
    ice_error(signed.send(verify), 400, "InvalidParameter", 'The specified parameter "SignatureMethod" is not valid.')


# --- STS tokens -----------------------------------------------------------------------------------------------------

TOKEN_MISMATCH = ("InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_sts_key_without_its_token(verify: TestClient, ice_error: ErrorCheck, token: str | None, scheme: str) -> None:
    if scheme == "v3":
        signed = sign_v3(QUERY, ak=STS_AK, secret=STS_SK, token=token)
    else:
        signed = sign_v1(QUERY, ak=STS_AK, secret=STS_SK, token=token)
    ice_error(signed.send(verify), 400, *TOKEN_MISMATCH)


# --- clock window and nonce replay ----------------------------------------------------------------------------------

EXPIRED = ("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


@pytest.mark.parametrize("minutes", [16, -16, 60 * 24, -60 * 24 * 365])
@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_signature_date_outside_15_minutes_is_expired(
    verify: TestClient, ice_error: ErrorCheck, minutes: int, scheme: str
) -> None:
    stamp = now_utc(timedelta(minutes=minutes))
    signed = sign_v3(QUERY, date=stamp) if scheme == "v3" else sign_v1(QUERY, timestamp=stamp)
    ice_error(signed.send(verify), 400, *EXPIRED)


@pytest.mark.parametrize("minutes", [14, -14])
@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_signature_date_inside_the_window_is_accepted(verify: TestClient, minutes: int, scheme: str) -> None:
    stamp = now_utc(timedelta(minutes=minutes))
    signed = sign_v3(QUERY, date=stamp) if scheme == "v3" else sign_v1(QUERY, timestamp=stamp)
    assert len(ok_dialogues(signed.send(verify))) == 2


def test_server_clock_skew_setting_moves_the_window(
    client_factory: Any, ice_fixtures_dir: Path, ice_error: ErrorCheck
) -> None:
    skewed = client_factory(auth="verify", fixtures=ice_fixtures_dir, clock_offset_seconds=3600)
    ice_error(sign_v3(QUERY).send(skewed), 400, *EXPIRED)
    assert len(ok_dialogues(sign_v3(QUERY, date=now_utc(timedelta(hours=1))).send(skewed))) == 2


@pytest.mark.parametrize("date", ["2025-01-15 08:00:00", "Wed, 15 Jan 2025 08:00:00 GMT", "tomorrow", ""])
def test_v3_unparseable_date(verify: TestClient, ice_error: ErrorCheck, date: str) -> None:
    signed = sign_v3(QUERY, date=date)
    message = 'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.'
    ice_error(signed.send(verify), 400, "IllegalTimestamp", message)


NONCE_USED = ("SignatureNonceUsed", "Specified signature nonce was used already.")


@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_replayed_nonce_is_rejected(verify: TestClient, ice_error: ErrorCheck, scheme: str) -> None:
    nonce = uuid4().hex
    first = sign_v3(QUERY, nonce=nonce) if scheme == "v3" else sign_v1(QUERY, nonce=nonce)
    assert len(ok_dialogues(first.send(verify))) == 2
    ice_error(first.send(verify), 400, *NONCE_USED)  # the identical request replayed
    other = {**QUERY, "PageSize": "1"}
    fresh = sign_v3(other, nonce=nonce) if scheme == "v3" else sign_v1(other, nonce=nonce)
    ice_error(fresh.send(verify), 400, *NONCE_USED)  # a new, validly signed request reusing the nonce


@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_a_failed_signature_does_not_burn_the_nonce(verify: TestClient, ice_error: ErrorCheck, scheme: str) -> None:
    nonce = uuid4().hex
    bad = sign_v3(QUERY, nonce=nonce, secret="x") if scheme == "v3" else sign_v1(QUERY, nonce=nonce, secret="x")
    assert bad.send(verify).json()["Code"] == "SignatureDoesNotMatch"
    good = sign_v3(QUERY, nonce=nonce) if scheme == "v3" else sign_v1(QUERY, nonce=nonce)
    assert len(ok_dialogues(good.send(verify))) == 2
    ice_error(good.send(verify), 400, *NONCE_USED)


# --- tampering with each signed component -------------------------------------------------------------------------

MISMATCH = "SignatureDoesNotMatch"


def tampered_v3(signed: Signed, part: str) -> Signed:
    if part == "method":
        return replace(signed, method="GET")
    if part == "path":
        return replace(signed, path="/_rpc/ListAIAgentDialogues")
    if part == "query value":
        return replace(signed, query={**signed.query, "SessionId": "中文会话"})
    if part == "added query parameter":
        return replace(signed, extra_query={"PageSize": "1"})
    if part == "signed header":
        return replace(signed, headers={**signed.headers, "user-agent": UA + " extra"})
    if part == "date":
        moved = (datetime.strptime(signed.headers["x-acs-date"], V1_FORMAT) + timedelta(seconds=1)).strftime(V1_FORMAT)
        return replace(signed, headers={**signed.headers, "x-acs-date": moved})
    if part == "nonce":
        return replace(signed, headers={**signed.headers, "x-acs-signature-nonce": uuid4().hex})
    if part == "form body":
        return replace(signed, body=urlencode({"SessionId": "a+b c"}).encode())
    if part == "signature":
        auth = signed.headers["Authorization"]
        flipped = auth[:-1] + ("0" if auth[-1] != "0" else "1")
        return replace(signed, headers={**signed.headers, "Authorization": flipped})
    raise AssertionError(part)


V3_PARTS = [
    "method",
    "path",
    "query value",
    "added query parameter",
    "signed header",
    "date",
    "nonce",
    "form body",
    "signature",
]


@pytest.mark.parametrize("part", V3_PARTS)
def test_v3_tampering_with_any_signed_component_is_rejected(
    verify: TestClient, ice_error: ErrorCheck, part: str
) -> None:
    body = urlencode({"SessionId": "中文会话"}).encode() if part == "form body" else b""
    signed = sign_v3(WINDOW if body else QUERY, body=body)
    resp = tampered_v3(signed, part).send(verify)
    prefix = "Specified signature does not match our calculation. server StringToSign is ["
    message = ice_error(resp, 400, MISMATCH, resp.json()["Message"])["Message"]
    assert message.startswith(prefix) and message.endswith("]")
    # The server reports what it computed from the tampered request: the client's string, except when only the
    # signature itself was changed.
    assert (message == f"{prefix}{signed.string_to_sign}]") == (part == "signature")


@pytest.mark.parametrize("part", ["method", "query value", "form body", "timestamp", "nonce", "added parameter"])
def test_v1_tampering_with_any_signed_component_is_rejected(
    verify: TestClient, ice_error: ErrorCheck, part: str
) -> None:
    signed = sign_v1(WINDOW, body={"SessionId": "中文会话"}) if part == "form body" else sign_v1(QUERY)
    if part == "method":
        signed = replace(signed, method="GET")
    elif part == "query value":
        signed = replace(signed, query={**signed.query, "SessionId": "中文会话"})
    elif part == "form body":
        signed = replace(signed, body=urlencode({"SessionId": "a+b c"}).encode())
    elif part == "timestamp":
        moved = datetime.strptime(signed.query["Timestamp"], V1_FORMAT) + timedelta(seconds=1)
        signed = replace(signed, query={**signed.query, "Timestamp": moved.strftime(V1_FORMAT)})
    elif part == "nonce":
        signed = replace(signed, query={**signed.query, "SignatureNonce": uuid4().hex})
    else:
        signed = replace(signed, extra_query={"PageSize": "1"})
    resp = signed.send(verify)
    body = ice_error(resp, 400, MISMATCH, resp.json()["Message"])
    assert body["Message"].startswith(
        "Specified signature is not matched with our calculation. server string to sign is:"
    )


def test_unsigned_headers_may_change(verify: TestClient) -> None:
    # Accept-Encoding, Content-Length and aiohttp's Content-Type are outside SignedHeaders.
    signed = sign_v3(QUERY)
    headers = {**signed.headers, "accept-encoding": "gzip, deflate", "content-type": "application/octet-stream"}
    assert len(ok_dialogues(replace(signed, headers=headers).send(verify))) == 2


# --- presence and off modes ---------------------------------------------------------------------------------------


@pytest.fixture
def presence(client_factory: Any, ice_fixtures_dir: Path) -> TestClient:
    client: TestClient = client_factory(auth="presence", fixtures=ice_fixtures_dir)
    return client


@pytest.mark.parametrize("scheme", ["v3", "v1"])
def test_presence_accepts_a_bad_signature_from_a_known_key(presence: TestClient, scheme: str) -> None:
    stale = now_utc(timedelta(days=-3))
    if scheme == "v3":
        signed = sign_v3(QUERY, secret="wrong", date=stale, nonce="same")
    else:
        signed = sign_v1(QUERY, secret="wrong", timestamp=stale, nonce="same")
    assert len(ok_dialogues(signed.send(presence))) == 2
    assert len(ok_dialogues(signed.send(presence))) == 2  # nonces are not tracked either


def test_presence_still_needs_a_known_key(presence: TestClient, ice_error: ErrorCheck) -> None:
    resp = sign_v3(QUERY, ak="LTAI5tNoSuchKey").send(presence)
    ice_error(resp, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    resp = presence.post("/", params={"Action": ACTION, "Version": VERSION, **QUERY})
    assert resp.json()["Code"] == "MissingParameter"


def test_presence_keeps_tenants_apart(presence: TestClient) -> None:
    assert ok_dialogues(sign_v3(QUERY, ak=AK_2, secret="whatever").send(presence)) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "garbage"},
        {"Authorization": "ACS3-HMAC-SHA256 Credential=LTAI5tNoSuchKey,SignedHeaders=host,Signature=00"},
    ],
)
def test_off_mode_accepts_anything_as_the_first_account(
    client_factory: Any, ice_fixtures_dir: Path, headers: dict[str, str]
) -> None:
    off = client_factory(auth="off", fixtures=ice_fixtures_dir)
    resp = off.post("/", params={"Action": ACTION, "Version": VERSION, **QUERY}, headers=headers)
    assert len(ok_dialogues(resp)) == 2
    v1 = off.post(
        "/", params={"Action": ACTION, "Version": VERSION, "AccessKeyId": "nobody", "Signature": "x", **QUERY}
    )
    assert len(ok_dialogues(v1)) == 2


def test_off_mode_still_validates_parameters(
    client_factory: Any, ice_fixtures_dir: Path, ice_error: ErrorCheck
) -> None:
    off = client_factory(auth="off", fixtures=ice_fixtures_dir)
    resp = off.post("/", params={"Action": ACTION, "Version": VERSION, "StartTime": "0", "EndTime": "1"})
    ice_error(resp, 400, "MissingSessionId", "SessionId is mandatory for this action.")
