"""What a V3 signature must cover (host, every x-acs-* header sent, a body's content-type), ACS3-HMAC-SM3
signatures, and RequestIds that tell tenants apart but stay put across signed retries. Requests are signed by
tea-openapi's own `Utils.get_authorization` over the headers a test chooses to sign."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from alibabacloud_tea_openapi.utils import Utils  # type: ignore[import-untyped]
from fastapi.testclient import TestClient

from emulator.core.signing import alibaba, canonical_hmac

VERSION = "2020-11-09"
ACTION = "ListAIAgentDialogues"
AK_1, SK_1 = "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
AK_2, SK_2 = "LTAI5tEmuDevAccessKey002", "emuDevAccessKeySecret000000000002"
STS_AK, STS_SK, STS_TOKEN = (
    "STS.EmuDevStsAccessKey001",
    "emuDevStsAccessKeySecret0000000001",
    "emuDevSecurityToken0000000001",
)
SHA256, SM3 = "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3"
FORM = "application/x-www-form-urlencoded"
# A hand-written fixture session with exactly two dialogues for account 1 (see conftest).
QUERY = {"SessionId": "a+b c", "StartTime": "0", "EndTime": "2000000000000"}
INCOMPLETE = (
    "IncompleteSignature",
    "The request signature does not conform to Aliyun standards. server string to sign is:",
)

ErrorCheck = Callable[..., dict[str, Any]]


def sdk_headers(
    *, ak: str = AK_1, token: str | None = None, body: bytes = b"", algorithm: str = SHA256
) -> dict[str, str]:
    """The headers tea-openapi 0.4.x sends, with the body hashed by the algorithm's digest as it does."""
    headers = {
        "host": "testserver",
        "x-acs-version": VERSION,
        "x-acs-action": ACTION,
        "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
        "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": Utils.get_nonce(),
        "accept": "application/json",
        "x-acs-content-sha256": Utils.hash(body, algorithm).hex(),
        "x-acs-credentials-provider": "static_sts" if token else "static_ak",
    }
    if token is not None:
        headers |= {"x-acs-accesskey-id": ak, "x-acs-security-token": token}
    if body:
        headers["content-type"] = FORM
    return headers


def authorize(
    headers: dict[str, str],
    *,
    signed: Iterable[str] | None = None,
    query: dict[str, str] = QUERY,
    ak: str = AK_1,
    secret: str = SK_1,
    algorithm: str = SHA256,
) -> dict[str, str]:
    """`headers` plus an Authorization the SDK computes over `signed` only (all of them by default)."""
    names = set(headers if signed is None else signed)
    subset = {k: v for k, v in headers.items() if k in names}
    request = SimpleNamespace(pathname="/", query=query, headers=subset, method="POST")
    payload = headers["x-acs-content-sha256"]
    return {**headers, "Authorization": Utils.get_authorization(request, algorithm, payload, ak, secret)}


def send(
    client: TestClient, headers: dict[str, str], body: bytes = b"", query: dict[str, str] = QUERY
) -> httpx.Response:
    return client.post(f"/?{urlencode(query)}", headers=headers, content=body)


def dialogues(resp: httpx.Response) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, Any]] = resp.json()["Dialogues"]
    return rows


@pytest.fixture
def verify(client_factory: Any, ice_fixtures_dir: Path) -> TestClient:
    client: TestClient = client_factory(auth="verify", fixtures=ice_fixtures_dir)
    return client


# --- what SignedHeaders must name ---------------------------------------------------------------------------------


def test_a_signature_over_x_acs_date_alone_is_incomplete(verify: TestClient, ice_error: ErrorCheck) -> None:
    headers = authorize(sdk_headers(), signed=["x-acs-date"])
    ice_error(send(verify, headers), 400, *INCOMPLETE)


@pytest.mark.parametrize(
    "left_out",
    [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
        "x-acs-credentials-provider",
        "x-acs-security-token",
        "x-acs-accesskey-id",
        "content-type",
    ],
)
def test_every_required_header_sent_must_be_signed(verify: TestClient, ice_error: ErrorCheck, left_out: str) -> None:
    sts = left_out in ("x-acs-security-token", "x-acs-accesskey-id")
    body = urlencode({"PageSize": "5"}).encode() if left_out == "content-type" else b""
    headers = sdk_headers(ak=STS_AK if sts else AK_1, token=STS_TOKEN if sts else None, body=body)
    signed = [name for name in headers if name != left_out]
    authorized = authorize(headers, signed=signed, ak=STS_AK if sts else AK_1, secret=STS_SK if sts else SK_1)
    ice_error(send(verify, authorized, body), 400, *INCOMPLETE)
    # The same request with everything signed verifies, so the refusal is about the left-out header alone.
    full = sdk_headers(ak=STS_AK if sts else AK_1, token=STS_TOKEN if sts else None, body=body)
    full = authorize(full, ak=STS_AK if sts else AK_1, secret=STS_SK if sts else SK_1)
    assert len(dialogues(send(verify, full, body))) == 2


@pytest.mark.parametrize("header", ["x-acs-action", "x-acs-signature-nonce"])
def test_a_signature_cannot_be_reused_with_another_action_or_nonce(
    verify: TestClient, ice_error: ErrorCheck, header: str
) -> None:
    headers = sdk_headers()
    partial = authorize(headers, signed=[name for name in headers if name != header])
    ice_error(send(verify, partial), 400, *INCOMPLETE)
    # Signed, the header is bound to the signature: another value is a mismatch, not a new valid request.
    full = authorize(headers)
    other = {"x-acs-action": "ListAIAgentInstance", "x-acs-signature-nonce": Utils.get_nonce()}[header]
    resp = send(verify, {**full, header: other})
    assert resp.json()["Code"] == "SignatureDoesNotMatch", resp.text


def test_headers_outside_the_required_set_may_go_unsigned(verify: TestClient) -> None:
    # The SDK also signs accept and user-agent, but the guide requires only host, x-acs-* and content-type.
    headers = sdk_headers()
    required = [name for name in headers if name == "host" or name.startswith("x-acs-")]
    assert len(dialogues(send(verify, authorize(headers, signed=required)))) == 2


def test_an_empty_body_content_type_may_go_unsigned(verify: TestClient) -> None:
    # What the async SDK sends: aiohttp adds Content-Type after signing, on an empty body.
    headers = authorize(sdk_headers())
    assert len(dialogues(send(verify, {**headers, "content-type": "application/octet-stream"}))) == 2


def test_an_unsigned_x_acs_header_is_refused_after_the_same_call_verified(
    verify: TestClient, ice_error: ErrorCheck
) -> None:
    # A call's checks are remembered between requests (same query, same SignedHeaders); the header names sent are
    # compared every time, so one more x-acs-* header left out of the signature is refused all the same.
    assert len(dialogues(send(verify, authorize(sdk_headers())))) == 2
    headers = sdk_headers()
    ice_error(send(verify, authorize({**headers, "x-acs-extra": "1"}, signed=headers)), 400, *INCOMPLETE)
    assert len(dialogues(send(verify, authorize(sdk_headers())))) == 2


def test_signed_header_values_are_trimmed_as_the_sdk_signs_them(verify: TestClient) -> None:
    # tea-openapi signs each header value stripped; the value arrives as sent, spaces and tabs around it.
    headers = authorize({**sdk_headers(), "x-acs-note": " \t padded value \t "})
    assert len(dialogues(send(verify, headers))) == 2
    assert len(dialogues(send(verify, authorize({**sdk_headers(), "x-acs-note": " again "})))) == 2


def test_presence_mode_does_not_check_signed_headers(client_factory: Any, ice_fixtures_dir: Path) -> None:
    presence = client_factory(auth="presence", fixtures=ice_fixtures_dir)
    assert len(dialogues(send(presence, authorize(sdk_headers(), signed=["x-acs-date"])))) == 2


# --- ACS3-HMAC-SM3 ------------------------------------------------------------------------------------------------


def test_sm3_signature_verifies(verify: TestClient) -> None:
    headers = authorize(sdk_headers(algorithm=SM3), algorithm=SM3)
    assert headers["Authorization"].startswith(f"{SM3} Credential={AK_1},")
    assert len(dialogues(send(verify, headers))) == 2


def test_sm3_signature_over_a_form_body_verifies(verify: TestClient) -> None:
    body = urlencode({"PageSize": "1"}).encode()
    headers = authorize(sdk_headers(body=body, algorithm=SM3), algorithm=SM3)
    assert len(dialogues(send(verify, headers, body))) == 1  # the body's PageSize was read


def test_sm3_with_a_wrong_secret_reports_the_sm3_string_to_sign(verify: TestClient, ice_error: ErrorCheck) -> None:
    resp = send(verify, authorize(sdk_headers(algorithm=SM3), algorithm=SM3, secret="not-the-secret"))
    message = ice_error(resp, 400, "SignatureDoesNotMatch", resp.json()["Message"])["Message"]
    assert message.startswith(f"Specified signature does not match our calculation. server StringToSign is [{SM3}\n")


def test_sm3_where_the_platform_lacks_it_is_incomplete_signature(
    verify: TestClient, ice_error: ErrorCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alibaba, "sm3_available", lambda: False)
    headers = authorize(sdk_headers(algorithm=SM3), algorithm=SM3)
    ice_error(send(verify, headers), 400, *INCOMPLETE)


# --- request ids --------------------------------------------------------------------------------------------------


def request_id(resp: httpx.Response) -> str:
    rid: str = resp.json()["RequestId"]
    assert resp.headers["x-acs-request-id"] == rid
    return rid


def test_two_tenants_making_the_same_v3_call_get_different_request_ids(verify: TestClient) -> None:
    one = send(verify, authorize(sdk_headers()))
    two = send(verify, authorize(sdk_headers(ak=AK_2), ak=AK_2, secret=SK_2))
    assert len(dialogues(one)) == 2 and dialogues(two) == []
    assert request_id(one) != request_id(two)


@pytest.mark.parametrize("algorithm", [SHA256, SM3])
def test_signed_retries_of_one_v3_call_share_a_request_id(verify: TestClient, algorithm: str) -> None:
    # Each retry has its own date, nonce and signature, and may change how it is signed: still one call.
    first = send(verify, authorize(sdk_headers()))
    retry = send(verify, authorize(sdk_headers(algorithm=algorithm), algorithm=algorithm))
    assert request_id(first) == request_id(retry)


def test_signed_retries_of_one_v1_call_share_a_request_id(verify: TestClient) -> None:
    def signed() -> dict[str, str]:
        query = {
            "Action": ACTION,
            "Format": "json",
            "Version": VERSION,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "SignatureNonce": Utils.get_nonce(),
            **QUERY,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "AccessKeyId": AK_1,
        }
        return {**query, "Signature": Utils.get_rpcsignature(query, "POST", SK_1)}

    first, retry = (verify.post(f"/?{urlencode(signed())}") for _ in range(2))
    assert len(dialogues(first)) == 2
    assert request_id(first) == request_id(retry)


# --- the one-call check, in C and in Python -----------------------------------------------------------------------


@pytest.mark.parametrize("build", ["C", "Python"])
def test_both_builds_of_the_signature_check_answer_alike(
    client_factory: Any, ice_fixtures_dir: Path, ice_error: ErrorCheck, monkeypatch: pytest.MonkeyPatch, build: str
) -> None:
    # The Python build is what runs where setup.py found no compiler (the slim container image).
    if build == "Python":
        monkeypatch.setattr(canonical_hmac, "native", None)
    elif not canonical_hmac.compiled():
        pytest.skip("the C check was not built here (no compiler or OpenSSL headers)")
    verify: TestClient = client_factory(auth="verify", fixtures=ice_fixtures_dir)
    headers = authorize(sdk_headers())
    assert len(dialogues(send(verify, headers))) == 2
    ice_error(send(verify, headers), 400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    body = urlencode({"PageSize": "1"}).encode()
    assert len(dialogues(send(verify, authorize(sdk_headers(body=body)), body))) == 1
    sts = authorize(sdk_headers(ak=STS_AK, token=STS_TOKEN), ak=STS_AK, secret=STS_SK)
    assert len(dialogues(send(verify, sts))) == 2
    # A signed value arriving with spaces around it is signed trimmed.
    signed = authorize(sdk_headers())
    assert len(dialogues(send(verify, {**signed, "accept": "  application/json \t"}))) == 2
    unpadded = authorize(sdk_headers())
    mismatch = send(verify, {**unpadded, "accept": "application/ json"})
    assert mismatch.json()["Code"] == "SignatureDoesNotMatch", mismatch.text
    wrong = authorize(sdk_headers(), secret="not-the-secret")
    resp = send(verify, wrong)
    assert resp.status_code == 400 and resp.json()["Code"] == "SignatureDoesNotMatch", resp.text
