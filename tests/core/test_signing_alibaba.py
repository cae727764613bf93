"""Alibaba V3/V1 signing primitives against the vectors in shared/vendors/alibaba-ice.md §2.3."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from alibabacloud_tea_openapi.utils import Utils  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.signing import alibaba
from emulator.core.signing.alibaba import (
    Acs3Authorization,
    acs3_canonical_request,
    acs3_payload_hash,
    acs3_required_signed_headers,
    acs3_signature,
    acs3_string_to_sign,
    canonical_query,
    decode_form,
    parse_acs3_authorization,
    rfc3986_encode,
    rpc_v1_signature,
    rpc_v1_string_to_sign,
    sha256_hex,
)

SECRET = "ExampleSecretKey123"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SM3_EMPTY = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
SIGNED = (
    "accept;host;user-agent;x-acs-action;x-acs-content-sha256;"
    "x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version"
)
HEADERS: dict[str, list[str]] = {
    "accept-encoding": ["identity"],
    "host": ["127.0.0.1:18765"],
    "x-acs-version": ["2020-11-09"],
    "x-acs-action": ["ListAIAgentDialogues"],
    "user-agent": ["AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"],
    "x-acs-date": ["2025-01-15T08:00:00Z"],
    "x-acs-signature-nonce": ["3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e"],
    "accept": ["application/json"],
    "x-acs-content-sha256": [EMPTY_SHA256],
    "x-acs-credentials-provider": ["static_ak"],
    "content-length": ["0"],
}
V3_QUERY = "SessionId=f27f9b9be28642a88e18abcd&StartTime=0&EndTime=1735808246403&PageNumber=1&PageSize=20&Order=DESC"
V3_CANONICAL = (
    "POST\n"
    "/\n"
    "EndTime=1735808246403&Order=DESC&PageNumber=1&PageSize=20"
    "&SessionId=f27f9b9be28642a88e18abcd&StartTime=0\n"
    "accept:application/json\n"
    "host:127.0.0.1:18765\n"
    "user-agent:AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2\n"
    "x-acs-action:ListAIAgentDialogues\n"
    f"x-acs-content-sha256:{EMPTY_SHA256}\n"
    "x-acs-credentials-provider:static_ak\n"
    "x-acs-date:2025-01-15T08:00:00Z\n"
    "x-acs-signature-nonce:3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e\n"
    "x-acs-version:2020-11-09\n"
    "\n"
    f"{SIGNED}\n"
    f"{EMPTY_SHA256}"
)
V3_STRING_TO_SIGN = "ACS3-HMAC-SHA256\n1aa3f39cbf29402e4acec31f3c00452efed82226202ebd9626ec38642679be04"
V3_SIGNATURE = "ea6dcc29a80f1df1ddffdbec9dac13eaf55110beebfb6856f1ece0fa336cb7af"

V1_QUERY = (
    "Action=ListAIAgentDialogues&Format=json&Version=2020-11-09"
    "&Timestamp=2025-01-15T08%3A00%3A00Z&SignatureNonce=3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e"
    "&EndTime=1735808246403&Order=DESC&PageNumber=1&PageSize=20"
    "&SessionId=f27f9b9be28642a88e18abcd&StartTime=0&SignatureMethod=HMAC-SHA1"
    "&SignatureVersion=1.0&AccessKeyId=LTAI5tExampleAKID"
    "&Signature=cahTjN%2BUSP%2BObqnFOIZWNTRcfac%3D"
)
V1_CANONICAL_QUERY = (
    "AccessKeyId=LTAI5tExampleAKID&Action=ListAIAgentDialogues&EndTime=1735808246403"
    "&Format=json&Order=DESC&PageNumber=1&PageSize=20&SessionId=f27f9b9be28642a88e18abcd"
    "&SignatureMethod=HMAC-SHA1&SignatureNonce=3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e"
    "&SignatureVersion=1.0&StartTime=0&Timestamp=2025-01-15T08%3A00%3A00Z&Version=2020-11-09"
)
V1_STRING_TO_SIGN = (
    "POST&%2F&AccessKeyId%3DLTAI5tExampleAKID%26Action%3DListAIAgentDialogues"
    "%26EndTime%3D1735808246403%26Format%3Djson%26Order%3DDESC%26PageNumber%3D1"
    "%26PageSize%3D20%26SessionId%3Df27f9b9be28642a88e18abcd%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D3c1a0b6e2f5d4c7a8b9e0f1a2b3c4d5e%26SignatureVersion%3D1.0"
    "%26StartTime%3D0%26Timestamp%3D2025-01-15T08%253A00%253A00Z%26Version%3D2020-11-09"
)
V1_SIGNATURE = "cahTjN+USP+ObqnFOIZWNTRcfac="


# --- V3 worked example -------------------------------------------------------------------


def test_v3_worked_example_canonical_request() -> None:
    request = acs3_canonical_request("POST", "/", decode_form(V3_QUERY), HEADERS, SIGNED.split(";"), sha256_hex(b""))
    assert request == V3_CANONICAL


def test_v3_worked_example_string_to_sign() -> None:
    assert acs3_string_to_sign("ACS3-HMAC-SHA256", V3_CANONICAL) == V3_STRING_TO_SIGN


def test_v3_worked_example_signature() -> None:
    assert acs3_signature(SECRET, V3_STRING_TO_SIGN) == V3_SIGNATURE


def test_v3_worked_example_end_to_end_from_authorization_header() -> None:
    auth = parse_acs3_authorization(
        f"ACS3-HMAC-SHA256 Credential=LTAI5tExampleAKID,SignedHeaders={SIGNED},Signature={V3_SIGNATURE}"
    )
    assert auth is not None
    request = acs3_canonical_request("POST", "/", decode_form(V3_QUERY), HEADERS, auth.signed_headers, EMPTY_SHA256)
    assert acs3_signature(SECRET, acs3_string_to_sign(auth.algorithm, request)) == auth.signature


def test_v3_wrong_secret_does_not_match() -> None:
    assert acs3_signature(SECRET + "x", V3_STRING_TO_SIGN) != V3_SIGNATURE


def test_sha256_hex_of_empty_body() -> None:
    assert sha256_hex(b"") == EMPTY_SHA256


@pytest.mark.parametrize("algorithm", ["ACS3-RSA-SHA256", "ACS3-HMAC-SHA1", "ACS3-HMAC-sm3"])
def test_string_to_sign_rejects_other_algorithms(algorithm: str) -> None:
    with pytest.raises(ValueError):
        acs3_string_to_sign(algorithm, V3_CANONICAL)


# --- ACS3-HMAC-SM3 ------------------------------------------------------------------------


def test_sm3_payload_hash_is_the_standard_sm3() -> None:
    # GB/T 32905-2016 example 1, and the SDK's x-acs-content-sha256 for an empty body under SM3.
    assert acs3_payload_hash("ACS3-HMAC-SM3", b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert acs3_payload_hash("ACS3-HMAC-SM3", b"") == SM3_EMPTY


def test_sm3_worked_example_matches_the_sdk_signer() -> None:
    # tea-openapi signs SM3 with its own pure-Python SM3; the emulator uses OpenSSL's: both must agree.
    headers = {k: v[0] for k, v in HEADERS.items() if k in SIGNED.split(";")} | {"x-acs-content-sha256": SM3_EMPTY}
    request = SimpleNamespace(pathname="/", query=dict(decode_form(V3_QUERY)), headers=headers, method="POST")
    auth = parse_acs3_authorization(Utils.get_authorization(request, "ACS3-HMAC-SM3", SM3_EMPTY, "ak", SECRET))
    assert auth is not None and auth.algorithm == "ACS3-HMAC-SM3"
    received = {k: [v] for k, v in headers.items()}
    payload = acs3_payload_hash(auth.algorithm, b"")
    canonical = acs3_canonical_request("POST", "/", decode_form(V3_QUERY), received, auth.signed_headers, payload)
    string_to_sign = acs3_string_to_sign(auth.algorithm, canonical)
    assert string_to_sign.startswith("ACS3-HMAC-SM3\n")
    assert acs3_signature(SECRET, string_to_sign, auth.algorithm) == auth.signature
    assert acs3_signature(SECRET, string_to_sign) != auth.signature  # not the SHA-256 HMAC


def test_sm3_unavailable_is_an_unsupported_algorithm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alibaba, "sm3_available", lambda: False)
    with pytest.raises(ValueError):
        acs3_payload_hash("ACS3-HMAC-SM3", b"")
    with pytest.raises(ValueError):
        acs3_string_to_sign("ACS3-HMAC-SM3", V3_CANONICAL)
    assert acs3_string_to_sign("ACS3-HMAC-SHA256", V3_CANONICAL) == V3_STRING_TO_SIGN


def test_sm3_is_available_here() -> None:
    # The SDK-over-HTTP SM3 tests rely on it; a platform without it still answers IncompleteSignature.
    assert alibaba.sm3_available()


# --- what a V3 signature must cover -------------------------------------------------------------------------


def test_required_signed_headers_are_host_and_every_x_acs_header_sent() -> None:
    required = acs3_required_signed_headers(HEADERS, has_body=False)
    assert required == {name for name in HEADERS if name.startswith("x-acs-")} | {"host"}
    assert "accept" not in required and "user-agent" not in required  # signed by the SDK, not required


def test_a_body_s_content_type_must_be_signed_an_empty_body_s_need_not() -> None:
    headers = {**HEADERS, "content-type": ["application/x-www-form-urlencoded"]}
    assert "content-type" in acs3_required_signed_headers(headers, has_body=True)
    assert "content-type" not in acs3_required_signed_headers(headers, has_body=False)


def test_host_is_required_even_when_not_sent() -> None:
    assert "host" in acs3_required_signed_headers({}, has_body=False)


# --- V1 worked example -------------------------------------------------------------------


def test_v1_worked_example_canonical_query() -> None:
    pairs = [(k, v) for k, v in decode_form(V1_QUERY) if k != "Signature"]
    assert canonical_query(pairs) == V1_CANONICAL_QUERY


def test_v1_worked_example_string_to_sign_drops_signature() -> None:
    assert rpc_v1_string_to_sign("POST", decode_form(V1_QUERY)) == V1_STRING_TO_SIGN


def test_v1_worked_example_signature() -> None:
    assert rpc_v1_signature(SECRET, V1_STRING_TO_SIGN) == V1_SIGNATURE
    assert dict(decode_form(V1_QUERY))["Signature"] == V1_SIGNATURE


def test_v1_method_is_part_of_string_to_sign() -> None:
    assert rpc_v1_string_to_sign("GET", decode_form(V1_QUERY)).startswith("GET&%2F&AccessKeyId")


def test_v1_blank_value_is_kept_and_signed() -> None:
    pairs = decode_form("Action=X&SignatureType=&Version=1")
    assert pairs == [("Action", "X"), ("SignatureType", ""), ("Version", "1")]
    assert rpc_v1_string_to_sign("GET", pairs) == "GET&%2F&Action%3DX%26SignatureType%3D%26Version%3D1"


# --- Encoding rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("AZaz09-_.~", "AZaz09-_.~"),
        ("a b", "a%20b"),
        ("*", "%2A"),
        ("+", "%2B"),
        ("/:=&%", "%2F%3A%3D%26%25"),
        ("ü", "%C3%BC"),
        ("é", "%C3%A9"),
        ("中文", "%E4%B8%AD%E6%96%87"),
    ],
)
def test_rfc3986_encode(raw: str, encoded: str) -> None:
    assert rfc3986_encode(raw) == encoded


def test_sdk_captured_query_plus_is_space_and_canonicalized_as_percent20() -> None:
    # From §1.3: SessionId was "sess 1/ü~*", sent with "+" for the space.
    pairs = decode_form("Order=DESC&SessionId=sess+1%2F%C3%BC~%2A&PageSize=20")
    assert ("SessionId", "sess 1/ü~*") in pairs
    assert canonical_query(pairs) == "Order=DESC&PageSize=20&SessionId=sess%201%2F%C3%BC~%2A"


def test_literal_plus_is_encoded_as_percent2b() -> None:
    assert canonical_query(decode_form("a=1%2B2")) == "a=1%2B2"


@pytest.mark.parametrize("text", ["ü", "é", "中文", "mixed ü/é*中文~"])
def test_non_ascii_round_trip(text: str) -> None:
    pairs = decode_form(f"k={rfc3986_encode(text)}")
    assert pairs == [("k", text)]
    assert canonical_query(pairs) == f"k={rfc3986_encode(text)}"


def test_blank_values_are_kept() -> None:
    pairs = decode_form("SignatureType=&a=1&b")
    assert pairs == [("SignatureType", ""), ("a", "1"), ("b", "")]
    assert canonical_query(pairs) == "SignatureType=&a=1&b="


def test_empty_query_gives_empty_canonical_query() -> None:
    assert decode_form("") == []
    assert canonical_query([]) == ""


def test_canonical_query_sorts_decoded_keys_like_the_sdk() -> None:
    # "`" (0x60) sorts after "_" (0x5F) decoded, but "%60" would sort before "_" encoded.
    assert canonical_query([("a`", "1"), ("a_", "2")]) == "a_=2&a%60=1"
    # Code-point order, so uppercase before lowercase: AIAgentId < AccessKeyId.
    assert canonical_query([("AccessKeyId", "x"), ("AIAgentId", "y")]) == "AIAgentId=y&AccessKeyId=x"


def test_canonical_query_repeated_keys_sorted_by_value() -> None:
    assert canonical_query([("k", "b"), ("k", "a")]) == "k=a&k=b"


# --- Headers -----------------------------------------------------------------------------


def test_repeated_header_values_are_trimmed_sorted_and_joined() -> None:
    headers = {"x-acs-b": ["  zeta ", "alpha  beta"], "x-acs-a": ["\tone  two\t"]}
    request = acs3_canonical_request("GET", "/", [], headers, ["x-acs-a", "x-acs-b"], "h")
    assert request == "GET\n/\n\nx-acs-a:one  two\nx-acs-b:alpha  beta,zeta\n\nx-acs-a;x-acs-b\nh"


def test_bare_string_header_value_is_one_value() -> None:
    request = acs3_canonical_request("GET", "/", [], {"host": "b a"}, ["host"], "h")
    assert request == "GET\n/\n\nhost:b a\n\nhost\nh"


def test_unsigned_headers_are_ignored() -> None:
    with_extra = {**HEADERS, "content-type": ["application/octet-stream"]}
    request = acs3_canonical_request("POST", "/", decode_form(V3_QUERY), with_extra, SIGNED.split(";"), EMPTY_SHA256)
    assert request == V3_CANONICAL


def test_absent_signed_header_raises_key_error() -> None:
    headers = {k: v for k, v in HEADERS.items() if k != "x-acs-date"}
    with pytest.raises(KeyError) as info:
        acs3_canonical_request("POST", "/", [], headers, SIGNED.split(";"), EMPTY_SHA256)
    assert info.value.args == ("x-acs-date",)


def test_signed_header_with_no_values_raises_key_error() -> None:
    with pytest.raises(KeyError):
        acs3_canonical_request("POST", "/", [], {"host": []}, ["host"], EMPTY_SHA256)


# --- Authorization parsing ---------------------------------------------------------------


def test_parse_authorization_sdk_form() -> None:
    value = (
        "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=accept;host;x-acs-date,"
        "Signature=3ed97ed55df9493007350e30f4de6bac26710e4f63c52e961b52a23d704fb1c4"
    )
    assert parse_acs3_authorization(value) == Acs3Authorization(
        algorithm="ACS3-HMAC-SHA256",
        credential="testid",
        signed_headers=("accept", "host", "x-acs-date"),
        signature="3ed97ed55df9493007350e30f4de6bac26710e4f63c52e961b52a23d704fb1c4",
    )


def test_parse_authorization_tolerates_spaces_after_commas() -> None:
    auth = parse_acs3_authorization("ACS3-HMAC-SHA256 Credential=ak,  SignedHeaders=host, Signature=ab12")
    assert auth == Acs3Authorization("ACS3-HMAC-SHA256", "ak", ("host",), "ab12")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ACS3-HMAC-SHA256",
        "HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab12",
        "acs3-hmac-sha256 Credential=ak,SignedHeaders=host,Signature=ab12",
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab12",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=,Signature=ab12",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;;date,Signature=ab12",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=AB12",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=xyz",
        "ACS3-HMAC-SHA256 Credential=ak,Signature=ab12",
        "ACS3-HMAC-SHA256 SignedHeaders=host,Credential=ak,Signature=ab12",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab12,",
        "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab12\n",
        " ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab12",
        "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host, Signature=ab12",
    ],
)
def test_parse_authorization_malformed_returns_none(value: str) -> None:
    assert parse_acs3_authorization(value) is None


def _reference_parse(value: str) -> alibaba.Acs3Authorization | None:
    """The whole header matched by one pattern, as the gateway's grammar reads."""
    match = re.fullmatch(
        r"(ACS3-[A-Z0-9-]+) Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]+)", value
    )
    if match is None:
        return None
    algorithm, credential, signed, signature = match.groups()
    names = tuple(signed.split(";"))
    return None if "" in names else alibaba.Acs3Authorization(algorithm, credential, names, signature)


_PIECES = st.sampled_from(
    ["ACS3-HMAC-SHA256", " ", ",", ", ", "Credential=", "SignedHeaders=", "Signature=", "host;x-acs-date", ";", "ab",
     "AK1", "0f9e", "Z", "\t", "Signature=00"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_authorization_header_parses_as_its_whole_grammar_reads(value: str) -> None:
    # The part before the signature is parsed once per client (remembered); the result must not change.
    assert alibaba.parse_acs3_authorization(value) == _reference_parse(value)


@pytest.mark.parametrize(
    "value",
    [
        "ACS3-HMAC-SHA256 Credential=AK1,SignedHeaders=host;x-acs-date,Signature=0f9e",
        "ACS3-HMAC-SHA256 Credential=AK1, SignedHeaders=host,Signature=ab,Signature=00",
        "ACS3-HMAC-SHA256 Credential=Signature=,SignedHeaders=host,Signature=00",
        "ACS3-HMAC-SHA256 Credential=AK1,SignedHeaders=host,Signature=0F",
        "ACS3-HMAC-SHA256 Credential=AK1,SignedHeaders=host;;x,Signature=00",
    ],
)
def test_authorization_examples_parse_as_the_grammar_reads(value: str) -> None:
    assert alibaba.parse_acs3_authorization(value) == _reference_parse(value)
