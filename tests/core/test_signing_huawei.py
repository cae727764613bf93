"""Huawei SDK-HMAC-SHA256 / V11 primitives against shared/vendors/huawei-metastudio.md §3.2-3.3."""

from __future__ import annotations

import pytest

from emulator.core.signing.huawei import (
    HuaweiAuthorization,
    canonical_query,
    canonical_request,
    canonical_uri,
    parse_huawei_authorization,
    required_signed_headers,
    sdk_hmac_sha256_signature,
    string_to_sign,
    v11_derived_key,
    v11_signature,
)

AK = "HPUAEXAMPLEAK0000001"
SK = "exampleSecretKey0000000000000000000000000"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SDK_DATE = "20240110T084317Z"
SIGNED = ("content-type", "host", "user-agent", "x-project-id", "x-sdk-date")
HEADERS: dict[str, list[str]] = {
    "content-type": ["application/json"],
    "x-sdk-date": [SDK_DATE],
    "x-project-id": [PROJECT],
    "host": ["127.0.0.1:18080"],
    "user-agent": ["huaweicloud-usdk-python/3.0"],
    "accept": ["*/*"],
    "accept-encoding": ["gzip, deflate"],
}
RAW_PATH = f"/v1/{PROJECT}/smart-chat-rooms"
RAW_QUERY = [("limit", "10"), ("offset", "0"), ("room_name", "my room")]
CANONICAL = (
    "GET\n"
    f"/v1/{PROJECT}/smart-chat-rooms/\n"
    "limit=10&offset=0&room_name=my%20room\n"
    "content-type:application/json\n"
    "host:127.0.0.1:18080\n"
    "user-agent:huaweicloud-usdk-python/3.0\n"
    f"x-project-id:{PROJECT}\n"
    f"x-sdk-date:{SDK_DATE}\n"
    "\n"
    "content-type;host;user-agent;x-project-id;x-sdk-date\n"
    f"{EMPTY_SHA256}"
)
CANONICAL_HASH = "64c0dc42cab4184ccbb5df4f99bff84eb8ab6de0ecb5d41df996352190e3162a"
SIGNATURE = "4f7ace0d8ae56156ced8f88c47e2616acdb6343e422a7f72bfbdaafa54889225"
AUTHORIZATION = (
    f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;user-agent;x-project-id;"
    f"x-sdk-date, Signature={SIGNATURE}"
)

V11_INFO = "20240110/cn-north-4/metastudio"
V11_DERIVED_KEY = "25e73d142e107970d75792cc2a9f60f0ba59c34b2ff925d2e81c7b850f1c5b68"
V11_CANONICAL_HASH = "2a6cf3c7f3020698eaf24ae83ffd48244a430178c87e96a35d64b5cc13f9e8ec"
V11_STRING_TO_SIGN = f"V11-HMAC-SHA256\n{SDK_DATE}\n{V11_INFO}\n{V11_CANONICAL_HASH}"
V11_SIGNATURE = "b388ef406c9e41dc271975164aa2c0051565aa6394af449fa571ff8640a30a09"


# --- SDK-HMAC-SHA256 worked example ------------------------------------------------------


def test_worked_example_canonical_request() -> None:
    assert canonical_request("GET", RAW_PATH, RAW_QUERY, HEADERS, SIGNED, EMPTY_SHA256) == CANONICAL


def test_worked_example_string_to_sign() -> None:
    assert string_to_sign("SDK-HMAC-SHA256", SDK_DATE, CANONICAL) == (f"SDK-HMAC-SHA256\n{SDK_DATE}\n{CANONICAL_HASH}")


def test_worked_example_signature() -> None:
    sts = f"SDK-HMAC-SHA256\n{SDK_DATE}\n{CANONICAL_HASH}"
    assert sdk_hmac_sha256_signature(SK, sts) == SIGNATURE
    assert sdk_hmac_sha256_signature(SK + "x", sts) != SIGNATURE


def test_worked_example_end_to_end_from_wire() -> None:
    auth = parse_huawei_authorization(AUTHORIZATION)
    assert auth is not None
    request = canonical_request("GET", RAW_PATH, RAW_QUERY, HEADERS, auth.signed_headers, EMPTY_SHA256)
    sts = string_to_sign(auth.algorithm, HEADERS["x-sdk-date"][0], request)
    assert sdk_hmac_sha256_signature(SK, sts) == auth.signature


# --- V11 worked example ------------------------------------------------------------------


def test_v11_derived_key() -> None:
    assert v11_derived_key(AK, SK, V11_INFO) == V11_DERIVED_KEY


def test_v11_string_to_sign_has_scope_line() -> None:
    sts = string_to_sign("V11-HMAC-SHA256", SDK_DATE, CANONICAL, V11_INFO)
    assert sts == f"V11-HMAC-SHA256\n{SDK_DATE}\n{V11_INFO}\n{CANONICAL_HASH}"


def test_v11_signature() -> None:
    assert v11_signature(AK, SK, V11_INFO, V11_STRING_TO_SIGN) == V11_SIGNATURE
    # The key is the hex *string* of the derived key, not its raw bytes.
    assert sdk_hmac_sha256_signature(V11_DERIVED_KEY, V11_STRING_TO_SIGN) == V11_SIGNATURE


def test_v11_signature_depends_on_scope() -> None:
    other = "20240110/cn-north-1/metastudio"
    assert v11_signature(AK, SK, other, V11_STRING_TO_SIGN) != V11_SIGNATURE


# --- Canonical URI -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("/v1/p/smart-chat-rooms", "/v1/p/smart-chat-rooms/"),
        ("/v1/p/smart-chat-rooms/", "/v1/p/smart-chat-rooms/"),
        ("/", "/"),
        ("", "/"),
        ("/a%20b/c+d", "/a%20b/c%2Bd/"),
        ("/a b/*~", "/a%20b/%2A~/"),
        ("/%c3%bc/%C3%A9/%E4%B8%AD%E6%96%87", "/%C3%BC/%C3%A9/%E4%B8%AD%E6%96%87/"),
        ("/ü/中文", "/%C3%BC/%E4%B8%AD%E6%96%87/"),
        ("/v1/a%2Fb/x", "/v1/a/b/x/"),
    ],
)
def test_canonical_uri(raw: str, canonical: str) -> None:
    assert canonical_uri(raw) == canonical


# --- Canonical query ---------------------------------------------------------------------


def test_canonical_query_sdk_captured_values() -> None:
    # From §1.1: the SDK sent these already canonical; decoding and re-encoding is stable.
    pairs = [
        ("start_time", "2024-01-10T08:43:17Z"),
        ("room_name", "demo room/é"),
        ("offset", "0"),
        ("model_name", "Ali~ce*"),
        ("limit", "10"),
        ("end_time", "2024-01-10T10:43:17Z"),
    ]
    assert canonical_query(pairs) == (
        "end_time=2024-01-10T10%3A43%3A17Z&limit=10&model_name=Ali~ce%2A&offset=0"
        "&room_name=demo%20room%2F%C3%A9&start_time=2024-01-10T08%3A43%3A17Z"
    )


def test_canonical_query_blank_value_and_non_ascii() -> None:
    assert canonical_query([("room_name", ""), ("b", "中文 ü")]) == ("b=%E4%B8%AD%E6%96%87%20%C3%BC&room_name=")


# --- Headers -----------------------------------------------------------------------------


def test_header_values_trimmed_and_repeats_sorted() -> None:
    headers = {"host": [" h "], "x-b": ["z", " a  b "]}
    assert canonical_request("get", "/x", [], headers, ["host", "x-b"], "p") == (
        "GET\n/x/\n\nhost:h\nx-b:a  b,z\n\nhost;x-b\np"
    )


def test_absent_signed_header_raises_key_error() -> None:
    headers = {k: v for k, v in HEADERS.items() if k != "x-project-id"}
    with pytest.raises(KeyError) as info:
        canonical_request("GET", RAW_PATH, RAW_QUERY, headers, SIGNED, EMPTY_SHA256)
    assert info.value.args == ("x-project-id",)


# --- Authorization parsing ---------------------------------------------------------------


def test_parse_sdk_authorization() -> None:
    assert parse_huawei_authorization(AUTHORIZATION) == HuaweiAuthorization(
        algorithm="SDK-HMAC-SHA256",
        access_key=AK,
        signed_headers=SIGNED,
        signature=SIGNATURE,
        credential_scope=None,
    )


def test_parse_sdk_authorization_without_spaces() -> None:
    auth = parse_huawei_authorization("SDK-HMAC-SHA256 Access=ak,SignedHeaders=host,Signature=ab")
    assert auth == HuaweiAuthorization("SDK-HMAC-SHA256", "ak", ("host",), "ab", None)


def test_parse_other_sdk_algorithm_is_reported_not_rejected() -> None:
    auth = parse_huawei_authorization("SDK-HMAC-SM3 Access=ak, SignedHeaders=host, Signature=ab")
    assert auth is not None and auth.algorithm == "SDK-HMAC-SM3"


def test_parse_v11_authorization() -> None:
    value = f"V11-HMAC-SHA256 Credential={AK}/{V11_INFO}, SignedHeaders=host;x-sdk-date, Signature={V11_SIGNATURE}"
    assert parse_huawei_authorization(value) == HuaweiAuthorization(
        algorithm="V11-HMAC-SHA256",
        access_key=AK,
        signed_headers=("host", "x-sdk-date"),
        signature=V11_SIGNATURE,
        credential_scope=V11_INFO,
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SDK-HMAC-SHA256",
        "sdk-hmac-sha256 Access=ak, SignedHeaders=host, Signature=ab",
        "HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=ak, SignedHeaders=, Signature=ab",
        "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;, Signature=ab",
        "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=",
        "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=XYZ",
        "SDK-HMAC-SHA256 Access=ak, Signature=ab",
        "SDK-HMAC-SHA256 Credential=ak, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=ab, Extra=1",
        "V11-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=ab",
        "V11-HMAC-SHA256 Credential=ak, SignedHeaders=host, Signature=ab",
        "V11-HMAC-SHA256 Credential=ak/2024011/cn-north-4/metastudio, SignedHeaders=host, Signature=ab",
        "V11-HMAC-SHA256 Credential=ak/20240110/cn-north-4, SignedHeaders=host, Signature=ab",
        "V11-HMAC-SHA256 Credential=ak/20240110/cn-north-4/metastudio/x, SignedHeaders=host, Signature=ab",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab",
    ],
)
def test_parse_malformed_authorization_returns_none(value: str) -> None:
    assert parse_huawei_authorization(value) is None


def test_required_signed_headers_are_date_and_host_plus_project_and_token_when_sent() -> None:
    assert required_signed_headers({"host": ["h"], "user-agent": ["u"]}) == ("x-sdk-date", "host")
    assert required_signed_headers(HEADERS) == ("x-sdk-date", "host", "x-project-id")
    with_token = {**HEADERS, "x-security-token": ["t"], "x-app-userid": ["u1"]}
    assert required_signed_headers(with_token) == ("x-sdk-date", "host", "x-project-id", "x-security-token")
    # The worked example (what the SDK signs) covers them all.
    assert set(required_signed_headers(HEADERS)) <= set(SIGNED)
