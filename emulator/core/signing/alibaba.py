"""Alibaba Cloud signatures: V3 ``ACS3-HMAC-SHA256`` and RPC V1 ``HMAC-SHA1``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from emulator.core.signing.common import (
    canonical_query,
    decode_form,
    hmac_sha256_hex,
    join_canonical_request,
    rfc3986_encode,
    sha256_hex,
)

__all__ = [
    "Acs3Authorization",
    "acs3_canonical_request",
    "acs3_signature",
    "acs3_string_to_sign",
    "canonical_query",
    "decode_form",
    "parse_acs3_authorization",
    "rfc3986_encode",
    "rpc_v1_signature",
    "rpc_v1_string_to_sign",
    "sha256_hex",
]

ACS3_HMAC_SHA256 = "ACS3-HMAC-SHA256"

# The SDK sends "," with no space between the parts; optional spaces are tolerated.
_ACS3_AUTH_RE = re.compile(r"(ACS3-[A-Z0-9-]+) Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]+)")


@dataclass(frozen=True)
class Acs3Authorization:
    algorithm: str
    credential: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_acs3_authorization(value: str) -> Acs3Authorization | None:
    """Parse an ``ACS3-…`` Authorization header value; ``None`` when it is malformed."""
    match = _ACS3_AUTH_RE.fullmatch(value)
    if match is None:
        return None
    algorithm, credential, signed, signature = match.groups()
    names = tuple(signed.split(";"))
    if "" in names:
        return None
    return Acs3Authorization(algorithm, credential, names, signature)


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


def acs3_string_to_sign(algorithm: str, canonical_request: str) -> str:
    """``<algorithm>\\n<hex hash of canonical request>``; only ACS3-HMAC-SHA256 is supported.

    Raises ``ValueError`` for any other algorithm.
    """
    if algorithm != ACS3_HMAC_SHA256:
        raise ValueError(f"unsupported ACS3 algorithm: {algorithm}")
    return f"{algorithm}\n{sha256_hex(canonical_request.encode('utf-8'))}"


def acs3_signature(secret: str, string_to_sign: str) -> str:
    """Lowercase hex HMAC-SHA256 keyed with the AccessKeySecret."""
    return hmac_sha256_hex(secret.encode("utf-8"), string_to_sign)


def rpc_v1_string_to_sign(method: str, params: Iterable[tuple[str, str]]) -> str:
    """``METHOD&%2F&<encoded canonical query>`` over all params except ``Signature``."""
    query = canonical_query((k, v) for k, v in params if k != "Signature")
    return f"{method}&%2F&{rfc3986_encode(query)}"


def rpc_v1_signature(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 keyed with ``secret + "&"``."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
