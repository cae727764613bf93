"""The one-call check of a signature both HMAC-SHA256 gateways compute, for the requests SDKs send:

    hex(HMAC-SHA256(key, prefix + infix + hex(SHA-256(canonical request))))

with the canonical request given as what a call's shape fixes (`pieces`) and the signed headers' values between
them (each stripped), then a `tail` (a body's payload hash). ACS3-HMAC-SHA256 signs with the prefix
"ACS3-HMAC-SHA256\\n" and no infix; SDK-HMAC-SHA256 with "SDK-HMAC-SHA256\\n" and the request's date line as infix.

Verification runs on every signed request, so this is a C extension (`_canonical_hmac.c`, built by setup.py where a
compiler and OpenSSL's headers are present at install time); elsewhere the same check runs in Python. Both answer
alike (tests/core/test_canonical_hmac.py): False for a mismatch, and for text that is not ASCII (what the gateways'
own step-by-step checks then explain).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import partial

from emulator.core.signing.common import HmacSha256

try:
    from emulator.core.signing import _canonical_hmac as native
except ImportError:  # no compiler or no OpenSSL headers at install time
    native = None  # type: ignore[assignment]

# (pieces, values, tail, infix, signature) -> whether the signature is right
Matcher = Callable[[tuple[str, ...], tuple[str, ...], bytes, bytes, str], bool]


def compiled() -> bool:
    """Whether the C build is installed (what the benchmark reports beside its figures)."""
    return native is not None


def matcher(key: bytes, prefix: bytes, *, python: bool = False) -> Matcher:
    """The check for signatures made with `key`, the prefix hashed in once. `python`: the pure-Python build."""
    if native is not None and not python:
        return partial(native.matches, native.prepare(key, prefix))
    return partial(_matches, HmacSha256(key, prefix))


def _matches(
    prepared: HmacSha256, pieces: tuple[str, ...], values: tuple[str, ...], tail: bytes, infix: bytes, signature: str
) -> bool:
    if len(pieces) != len(values) + 1:
        raise ValueError("one more piece than values")
    parts = [""] * (len(pieces) + len(values))
    parts[0::2] = pieces
    parts[1::2] = map(str.strip, values)
    try:
        canonical = "".join(parts).encode("ascii") + tail
    except UnicodeEncodeError:
        return False
    digest = hashlib.sha256(canonical).hexdigest().encode()
    return signature.isascii() and hmac.compare_digest(prepared.hexdigest(infix + digest), signature)
