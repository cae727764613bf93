"""Alibaba Cloud signatures: V3 ``ACS3-HMAC-SHA256`` / ``ACS3-HMAC-SM3`` and RPC V1 ``HMAC-SHA1``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from emulator.core.signing.common import (
    canonical_query,
    decode_form,
    hmac_sha256_hex,
    join_canonical_request,
    rfc3986_encode,
    sha256_hex,
)

__all__ = [
    "ACS3_HMAC_SHA256",
    "ACS3_HMAC_SM3",
    "Acs3Authorization",
    "acs3_canonical_request",
    "acs3_payload_hash",
    "acs3_required_signed_headers",
    "acs3_signature",
    "acs3_string_to_sign",
    "canonical_query",
    "decode_form",
    "parse_acs3_authorization",
    "rfc3986_encode",
    "rpc_v1_signature",
    "rpc_v1_string_to_sign",
    "sha256_hex",
    "sm3_available",
]

ACS3_HMAC_SHA256 = "ACS3-HMAC-SHA256"
ACS3_HMAC_SM3 = "ACS3-HMAC-SM3"
# The V3 algorithm names and the hashlib digest each one hashes and HMACs with (ACS3-RSA-SHA256 is not verified).
_ACS3_DIGESTS = {ACS3_HMAC_SHA256: "sha256", ACS3_HMAC_SM3: "sm3"}

# The SDK sends "," with no space between the parts; optional spaces are tolerated.
_ACS3_AUTH_RE = re.compile(r"(ACS3-[A-Z0-9-]+) Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]+)")
_HEX = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True)
class Acs3Authorization:
    algorithm: str
    credential: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_acs3_authorization(value: str) -> Acs3Authorization | None:
    """Parse an ``ACS3-…`` Authorization header value; ``None`` when it is malformed."""
    # Only the signature differs between a client's requests: what precedes it is parsed once. The signature is
    # hex, so the last "Signature=" is where it starts.
    head, found, signature = value.rpartition("Signature=")
    parsed = _parse_head(head) if found else None
    if parsed is None or not _HEX.fullmatch(signature):
        return None
    return Acs3Authorization(*parsed, signature)


@lru_cache(maxsize=256)
def _parse_head(head: str) -> tuple[str, str, tuple[str, ...]] | None:
    """Algorithm, credential and signed header names of an Authorization value up to its signature."""
    match = _ACS3_AUTH_RE.fullmatch(head + "Signature=0")
    if match is None:
        return None
    algorithm, credential, signed, _ = match.groups()
    names = tuple(signed.split(";"))
    return None if "" in names else (algorithm, credential, names)


def acs3_canonical_request(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    hashed_payload: str,
) -> str:
    """Build the V3 canonical request. ``headers`` maps lowercase names to received values.

    Raises ``KeyError(name)`` when a signed header is absent.
    """
    return join_canonical_request(method, path, query_pairs, headers, signed_headers, hashed_payload)


def sm3_available() -> bool:
    """Whether this Python's OpenSSL offers SM3 (OpenSSL 1.1.1+ builds usually do; some distributions drop it)."""
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


def _digest(algorithm: str) -> str:
    """The hashlib name behind a V3 algorithm; ``ValueError`` when the emulator cannot compute it here."""
    digest = _ACS3_DIGESTS.get(algorithm)
    if digest is None or (digest == "sm3" and not sm3_available()):
        raise ValueError(f"unsupported ACS3 algorithm: {algorithm}")
    return digest


def acs3_required_signed_headers(headers: Collection[str], has_body: bool) -> set[str]:
    """The headers a V3 signature must cover: ``host``, every ``x-acs-*`` header sent, and ``content-type``
    when a body is sent (it says how the body is read). The SDKs sign all of these; an empty-body content type
    (aiohttp adds ``application/octet-stream`` after the async SDK signed) changes nothing, so it may go unsigned.
    """
    required = {"host", *(name for name in headers if name.startswith("x-acs-"))}
    if has_body and "content-type" in headers:
        required.add("content-type")
    return required


def acs3_payload_hash(algorithm: str, body: bytes) -> str:
    """Lowercase hex hash of the body with the algorithm's digest (SM3 for ACS3-HMAC-SM3, as the SDKs hash it)."""
    if algorithm == ACS3_HMAC_SHA256:  # the common case, without hashlib.new's name lookup
        return sha256_hex(body)
    return hashlib.new(_digest(algorithm), body).hexdigest()


def acs3_string_to_sign(algorithm: str, canonical_request: str) -> str:
    """``<algorithm>\\n<hex hash of canonical request>``, hashed with the algorithm's digest.

    Raises ``ValueError`` for an algorithm the emulator cannot compute (ACS3-RSA-SHA256, or SM3 without OpenSSL's).
    """
    digest = acs3_payload_hash(algorithm, canonical_request.encode("utf-8"))
    return f"{algorithm}\n{digest}"


def acs3_signature(secret: str, string_to_sign: str, algorithm: str = ACS3_HMAC_SHA256) -> str:
    """Lowercase hex HMAC keyed with the AccessKeySecret, with the algorithm's digest."""
    if algorithm == ACS3_HMAC_SHA256:
        return hmac_sha256_hex(secret.encode("utf-8"), string_to_sign)
    return hmac.digest(secret.encode("utf-8"), string_to_sign.encode("utf-8"), _digest(algorithm)).hex()


def rpc_v1_string_to_sign(method: str, params: Iterable[tuple[str, str]]) -> str:
    """``METHOD&%2F&<encoded canonical query>`` over all params except ``Signature``."""
    query = canonical_query((k, v) for k, v in params if k != "Signature")
    return f"{method}&%2F&{rfc3986_encode(query)}"


def rpc_v1_signature(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 keyed with ``secret + "&"``."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
