"""The one-call signature check (C where built, else Python) against the signatures computed the documented way:
HMAC-SHA256 of prefix, infix and the hex SHA-256 of the canonical request, for any key, text and whitespace; both
builds give the same answer, including False for text that is not ASCII. A prepared HMAC-SHA256 (the Python build's
and the other HMACs') is the standard library's for any key and message."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.core.signing import alibaba, canonical_hmac, huawei
from emulator.core.signing.common import HmacSha256, hmac_sha256_hex

# Keys around SHA-256's 64-byte block: shorter ones are padded, longer ones are replaced by their digest.
KEYS = st.binary(max_size=200) | st.sampled_from([b"", b"k" * 63, b"k" * 64, b"k" * 65, b"k" * 128])
# What str.strip() removes (ASCII) and what it keeps, around header values.
SPACE = st.sampled_from([" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x00", "\x7f", "x"])
ASCII_TEXT = st.text(st.characters(max_codepoint=127), max_size=120)
BUILDS = ["native", "python"]


def _matcher(build: str, key: bytes, prefix: bytes) -> canonical_hmac.Matcher:
    if build == "native" and not canonical_hmac.compiled():
        pytest.skip("the C check was not built here (no compiler or OpenSSL headers)")
    return canonical_hmac.matcher(key, prefix, python=build == "python")


def _documented(key: bytes, prefix: bytes, infix: bytes, canonical: bytes) -> str:
    message = prefix + infix + hashlib.sha256(canonical).hexdigest().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("build", BUILDS)
@given(
    key=KEYS,
    prefix=st.binary(max_size=90),
    infix=st.binary(max_size=40),
    pieces=st.lists(ASCII_TEXT, min_size=1, max_size=6),
    values=st.lists(st.tuples(st.lists(SPACE, max_size=3), ASCII_TEXT, st.lists(SPACE, max_size=3)), max_size=6),
    tail=st.binary(max_size=80),
)
def test_a_right_signature_matches_and_any_other_does_not(
    build: str,
    key: bytes,
    prefix: bytes,
    infix: bytes,
    pieces: list[str],
    values: list[tuple[list[str], str, list[str]]],
    tail: bytes,
) -> None:
    values = values[: len(pieces) - 1]
    pieces = pieces[: len(values) + 1]
    sent = tuple("".join(before) + value + "".join(after) for before, value, after in values)
    canonical = pieces[0] + "".join(value.strip() + piece for value, piece in zip(sent, pieces[1:], strict=True))
    signature = _documented(key, prefix, infix, canonical.encode() + tail)
    matches = _matcher(build, key, prefix)
    assert matches(tuple(pieces), sent, tail, infix, signature)
    assert matches(tuple(pieces), sent, tail, infix, signature)  # the prepared key is unchanged by use
    wrong = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert not matches(tuple(pieces), sent, tail, infix, wrong)
    assert not matches(tuple(pieces), sent, tail, infix, signature.upper() if signature.upper() != signature else "")
    assert not matches(tuple(pieces), sent, tail + b"x", infix, signature)
    assert not matches(tuple(pieces), sent, tail, infix + b"x", signature)
    assert not matches(tuple(pieces), sent, tail, infix, signature[:-1])


@pytest.mark.parametrize("build", BUILDS)
def test_text_that_is_not_ascii_never_matches(build: str) -> None:
    key, prefix = b"secret", b"ACS3-HMAC-SHA256\n"
    matches = _matcher(build, key, prefix)
    # Signed as UTF-8 bytes, as a client would: still refused here (the gateway's own checks explain it).
    signature = _documented(key, prefix, b"", "GET\n/caf\u00e9\nhost:h".encode())
    assert not matches(("GET\n/caf\u00e9\nhost:", ""), ("h",), b"", b"", signature)
    signature = _documented(key, prefix, b"", "GET\n/\nhost:\u00e9".encode())
    assert not matches(("GET\n/\nhost:", ""), ("\u00e9",), b"", b"", signature)
    right = _documented(key, prefix, b"", b"GET\n/\nhost:h")
    assert matches(("GET\n/\nhost:", ""), ("h",), b"", b"", right)
    assert not matches(("GET\n/\nhost:", ""), ("h",), b"", b"", right[:-1] + "\u00e9")


@pytest.mark.parametrize("build", BUILDS)
def test_pieces_must_be_one_more_than_values(build: str) -> None:
    with pytest.raises(ValueError, match="one more piece than values"):
        _matcher(build, b"k", b"")(("a", "b"), ("x", "y"), b"", b"", "0" * 64)


@pytest.mark.parametrize("build", BUILDS)
def test_the_v3_and_sdk_signatures_are_what_their_signers_compute(build: str) -> None:
    canonical = "POST\n/\nA=1\nhost:h\nx-acs-date:2026-11-30T00:00:00Z\n\nhost;x-acs-date\n" + "e3" * 32
    pieces = ("POST\n/\nA=1\nhost:", "\nx-acs-date:", "\n\nhost;x-acs-date\n" + "e3" * 32)
    values = ("h", " 2026-11-30T00:00:00Z ")
    v3 = alibaba.acs3_signature("s3cret", alibaba.acs3_string_to_sign(alibaba.ACS3_HMAC_SHA256, canonical))
    assert _matcher(build, b"s3cret", b"ACS3-HMAC-SHA256\n")(pieces, values, b"", b"", v3)
    sdk = huawei.sdk_hmac_sha256_signature(
        "sk", huawei.string_to_sign("SDK-HMAC-SHA256", "20261130T000000Z", canonical)
    )
    assert _matcher(build, b"sk", b"SDK-HMAC-SHA256\n")(pieces, values, b"", b"20261130T000000Z\n", sdk)


@given(key=KEYS, prefix=st.binary(max_size=150), message=st.binary(max_size=300))
def test_a_prepared_hmac_is_the_standard_hmac_of_its_prefix_and_message(
    key: bytes, prefix: bytes, message: bytes
) -> None:
    prepared = HmacSha256(key, prefix)
    assert prepared.hexdigest(message) == hmac.new(key, prefix + message, hashlib.sha256).hexdigest()
    # Used again, it is unchanged: each message starts from the prepared key.
    assert prepared.hexdigest(message) == hmac.new(key, prefix + message, hashlib.sha256).hexdigest()


@given(key=KEYS, message=st.text(max_size=200))
def test_hmac_sha256_hex_is_the_standard_hmac_of_the_utf8_message(key: bytes, message: str) -> None:
    assert hmac_sha256_hex(key, message) == hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def test_the_c_build_takes_only_a_key_it_prepared() -> None:
    if not canonical_hmac.compiled():
        pytest.skip("the C check was not built here (no compiler or OpenSSL headers)")
    from emulator.core.signing import _canonical_hmac as native

    # Bytes posing as a hash state would let its block index point outside the state: refused before any hashing.
    with pytest.raises(TypeError, match=r"matches\(prepared"):
        native.matches(b"\xff" * 256, ("",), (), b"", b"", "0" * 64)
    assert native.matches(native.prepare(b"k", b""), ("",), (), b"", b"", "0" * 64) is False
