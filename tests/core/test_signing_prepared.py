"""Signatures from prepared keys (what verification computes on every request): an HMAC-SHA256 whose key blocks are
hashed once gives the standard library's HMAC for any key and message, and a V3 signer made once per key gives the
signature of the string to sign built the documented way, for either algorithm."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.signing import alibaba
from emulator.core.signing.common import HmacSha256, hmac_sha256_hex

# Keys around SHA-256's 64-byte block: shorter ones are padded, longer ones are replaced by their digest.
KEYS = st.binary(max_size=200) | st.sampled_from([b"", b"k" * 63, b"k" * 64, b"k" * 65, b"k" * 128])


@given(key=KEYS, prefix=st.binary(max_size=150), message=st.binary(max_size=300))
def test_a_prepared_hmac_is_the_standard_hmac_of_its_prefix_and_message(
    key: bytes, prefix: bytes, message: bytes
) -> None:
    prepared = HmacSha256(key, prefix)
    assert prepared.hexdigest(message) == hmac.new(key, prefix + message, hashlib.sha256).hexdigest()
    # Used again, it is unchanged: each message starts from the prepared key.
    assert prepared.hexdigest(message) == hmac.new(key, prefix + message, hashlib.sha256).hexdigest()


@given(key=KEYS, prefix=st.binary(max_size=40), data=st.binary(max_size=500))
def test_a_prepared_hmac_of_a_sha256_is_the_hmac_of_its_hex_digest(key: bytes, prefix: bytes, data: bytes) -> None:
    message = prefix + hashlib.sha256(data).hexdigest().encode()
    assert HmacSha256(key, prefix).hexdigest_of_sha256(data) == hmac.new(key, message, hashlib.sha256).hexdigest()


@given(key=KEYS, message=st.text(max_size=200))
def test_hmac_sha256_hex_is_the_standard_hmac_of_the_utf8_message(key: bytes, message: str) -> None:
    assert hmac_sha256_hex(key, message) == hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("algorithm", [alibaba.ACS3_HMAC_SHA256, alibaba.ACS3_HMAC_SM3])
@given(secret=st.text(min_size=1, max_size=80), canonical=st.text(max_size=400))
def test_a_v3_signer_signs_the_string_to_sign_of_its_canonical_request(
    algorithm: str, secret: str, canonical: str
) -> None:
    string_to_sign = alibaba.acs3_string_to_sign(algorithm, canonical)
    expected = alibaba.acs3_signature(secret, string_to_sign, algorithm)
    assert alibaba.acs3_signer(secret, algorithm)(canonical.encode()) == expected


def test_a_v3_signer_for_an_algorithm_not_computed_here_is_refused() -> None:
    assert not alibaba.acs3_supported("ACS3-RSA-SHA256")
    with pytest.raises(ValueError, match="unsupported ACS3 algorithm"):
        alibaba.acs3_signer("secret", "ACS3-RSA-SHA256")
    assert alibaba.acs3_supported(alibaba.ACS3_HMAC_SHA256)


def test_an_sm3_signer_made_earlier_refuses_once_sm3_is_found_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = alibaba.acs3_signer("secret", alibaba.ACS3_HMAC_SM3)
    assert signer(b"canonical")
    monkeypatch.setattr(alibaba, "sm3_available", lambda: False)
    with pytest.raises(ValueError, match="unsupported ACS3 algorithm"):
        signer(b"canonical")
