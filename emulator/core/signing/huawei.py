"""Huawei Cloud API Gateway signatures: ``SDK-HMAC-SHA256`` and derived-key ``V11-HMAC-SHA256``."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from emulator.core.signing.common import (
    canonical_query,
    hmac_sha256_hex,
    join_canonical_request,
    rfc3986_encode,
    sha256_hex,
)

__all__ = [
    "HuaweiAuthorization",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "parse_huawei_authorization",
    "required_signed_headers",
    "sdk_hmac_sha256_signature",
    "string_to_sign",
    "v11_derived_key",
    "v11_signature",
]

# The SDK sends ", " between the parts; any number of spaces (including none) is tolerated.
# SDK-* covers the other selectable algorithms (SDK-HMAC-SM3, …) so callers can tell
# "unsupported algorithm" from "malformed"; it is up to them to reject those.
_SDK_AUTH_RE = re.compile(r"(SDK-[A-Z0-9-]+) Access=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]+)")
_V11_AUTH_RE = re.compile(
    r"(V11-HMAC-SHA256) Credential=([^,\s/]+)/(\d{8}/[^,\s/]+/[^,\s/]+),"
    r" *SignedHeaders=([^,\s]+), *Signature=([0-9a-f]+)"
)


@dataclass(frozen=True)
class HuaweiAuthorization:
    algorithm: str
    access_key: str
    signed_headers: tuple[str, ...]
    signature: str
    credential_scope: str | None  # V11 "<YYYYMMDD>/<region>/<service>"; None for SDK-*


def parse_huawei_authorization(value: str) -> HuaweiAuthorization | None:
    """Parse an ``SDK-…`` or ``V11-HMAC-SHA256`` Authorization value; ``None`` when malformed."""
    scope: str | None
    if (sdk := _SDK_AUTH_RE.fullmatch(value)) is not None:
        algorithm, access_key, signed, signature = sdk.groups()
        scope = None
    elif (v11 := _V11_AUTH_RE.fullmatch(value)) is not None:
        algorithm, access_key, scope, signed, signature = v11.groups()
    else:
        return None
    names = tuple(signed.split(";"))
    if "" in names:
        return None
    return HuaweiAuthorization(algorithm, access_key, names, signature, scope)


# Always covered: the date (the signing guide: "X-Sdk-Date must be signed") and the host (binds the signature to
# the endpoint). Covered whenever sent: the headers that say whose project and which temporary credential.
ALWAYS_SIGNED = ("x-sdk-date", "host")
SIGNED_WHEN_SENT = ("x-project-id", "x-security-token")


def required_signed_headers(headers: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The lowercase header names an SDK-HMAC-SHA256 / V11 signature must cover, in the order the emulator
    reports a missing one. huaweicloudsdkcore signs every header present when it signs (names without ``_``), so its
    requests always cover these. ``headers`` maps lowercase names to received values.
    """
    return ALWAYS_SIGNED + tuple(name for name in SIGNED_WHEN_SENT if name in headers)


@lru_cache(maxsize=4096)  # clients hit the same few paths over and over
def canonical_uri(raw_path: str) -> str:
    """Decode the raw path, RFC 3986-encode each ``/`` segment, and end it with ``/``.

    The whole path is decoded before splitting, as the SDK does: a ``%2F`` on the wire
    therefore becomes a segment separator in the canonical form.
    """
    encoded = "/".join(rfc3986_encode(segment) for segment in unquote(raw_path).split("/"))
    return encoded if encoded.endswith("/") else f"{encoded}/"


def canonical_request(
    method: str,
    raw_path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    hashed_payload: str,
) -> str:
    """Build the canonical request. ``headers`` maps lowercase names to received values
    (already decoded as UTF-8). Raises ``KeyError(name)`` when a signed header is absent.
    """
    uri = canonical_uri(raw_path)
    return join_canonical_request(method.upper(), uri, query_pairs, headers, signed_headers, hashed_payload)


def string_to_sign(algorithm: str, sdk_date: str, canonical_request: str, credential_scope: str | None = None) -> str:
    """``alg\\ndate[\\nscope]\\nsha256(canonical request)``; the scope line is V11 only."""
    lines = [algorithm, sdk_date]
    if credential_scope is not None:
        lines.append(credential_scope)
    lines.append(sha256_hex(canonical_request.encode("utf-8")))
    return "\n".join(lines)


def sdk_hmac_sha256_signature(secret: str, string_to_sign: str) -> str:
    """Lowercase hex HMAC-SHA256 keyed with the SK's UTF-8 bytes."""
    return hmac_sha256_hex(secret.encode("utf-8"), string_to_sign)


def v11_derived_key(access_key: str, secret_key: str, info: str) -> str:
    """One-block HKDF-SHA256 (salt = AK, IKM = SK, info); returns the OKM as lowercase hex."""
    prk = hmac.new(access_key.encode("utf-8"), secret_key.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(prk, info.encode("utf-8") + b"\x01", hashlib.sha256).hexdigest()


def v11_signature(access_key: str, secret_key: str, info: str, string_to_sign: str) -> str:
    """V11 signature: HMAC-SHA256 keyed with the derived key's *hex string* bytes."""
    return hmac_sha256_hex(v11_derived_key(access_key, secret_key, info).encode("utf-8"), string_to_sign)
