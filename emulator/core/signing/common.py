"""Helpers shared by the Alibaba and Huawei signers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, quote

__all__ = [
    "canonical_headers",
    "canonical_query",
    "decode_form",
    "HmacSha256",
    "hmac_sha256_hex",
    "join_canonical_request",
    "rfc3986_encode",
    "sha256_hex",
]


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


@lru_cache(maxsize=8192)
def rfc3986_encode(value: str) -> str:
    """Percent-encode the UTF-8 bytes of ``value``; only ``A-Za-z0-9-_.~`` stay literal."""
    # Most keys and values (names, ids, numbers) need no escaping; verification runs on every request.
    if _UNRESERVED.fullmatch(value):
        return value
    # quote() always keeps letters, digits and "_.-~"; safe="~" just makes the set explicit.
    return quote(value, safe="~", encoding="utf-8", errors="strict")


def decode_form(raw: str) -> list[tuple[str, str]]:
    """Decode a raw query string or urlencoded body: ``+`` is a space, blank values are kept."""
    return parse_qsl(raw, keep_blank_values=True, strict_parsing=False)


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sort decoded pairs, RFC 3986-encode them and join them as ``k=v&k=v``.

    The sort is on the *decoded* strings (code-point order), as both vendors' SDKs sort before
    encoding. Sorting the encoded form gives a different order for keys such as ``a`b`` vs
    ``a_b`` or non-ASCII keys.
    """
    return "&".join(f"{rfc3986_encode(key)}={rfc3986_encode(value)}" for key, value in sorted(pairs))


def canonical_headers(headers: Mapping[str, Sequence[str]], signed_headers: Sequence[str]) -> str:
    """Build the ``name:value\\n`` block for the signed headers, in the order given.

    ``headers`` maps lowercase names to every received value. Values are trimmed at both ends
    only (inner whitespace is signed as is); repeated values are sorted and joined with ``,``.
    Raises ``KeyError(name)`` when a signed header was not received.
    """
    lines: list[str] = []
    for name in signed_headers:
        values = headers.get(name.lower())
        if isinstance(values, str):  # a bare str is a Sequence[str] too; treat it as one value
            values = [values]
        if not values:
            raise KeyError(name)
        # Nearly every header arrives once; only repeats need the sort-and-join.
        value = values[0].strip() if len(values) == 1 else ",".join(sorted(v.strip() for v in values))
        lines.append(f"{name}:{value}\n")
    return "".join(lines)


def join_canonical_request(
    method: str,
    uri: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    hashed_payload: str,
) -> str:
    """The six-line canonical request both vendors hash; KeyError(name) when a signed header is absent."""
    return "\n".join(
        [
            method,
            uri,
            canonical_query(query_pairs),
            canonical_headers(headers, signed_headers),  # ends in "\n": yields the blank line
            ";".join(signed_headers),
            hashed_payload,
        ]
    )


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of ``data``."""
    if not data:
        return EMPTY_SHA256  # most signed requests are GETs
    return hashlib.sha256(data).hexdigest()


def hmac_sha256_hex(key: bytes, message: str) -> str:
    """Lowercase hex HMAC-SHA256 of the UTF-8 ``message``."""
    return _keyed_sha256(key).hexdigest(message.encode("utf-8"))


class HmacSha256:
    """HMAC-SHA256 (RFC 2104) under one key, with the key's two padded blocks (and optionally a fixed start of every
    message) hashed once: each message then costs two copies of a SHA-256 state and the hashing of its own bytes.
    ``hmac.new`` runs the key schedule and, under OpenSSL 3, a digest fetch each time; a copy of a prepared
    ``hmac.HMAC`` avoids those but goes through its Python wrapper and OpenSSL's HMAC context (three digest contexts,
    copied again to finish). Verification runs this on every request."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes, prefix: bytes = b"") -> None:
        if len(key) > _SHA256_BLOCK:  # a key longer than a block is replaced by its digest
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._inner.update(prefix)
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def hexdigest(self, message: bytes) -> str:
        """The HMAC of the prefix followed by ``message``, in lowercase hex."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_SHA256_BLOCK = 64
# Every byte XORed with HMAC's inner and outer pad bytes: a padded key's two blocks by one `bytes.translate` each.
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


@lru_cache(maxsize=256)
def _keyed_sha256(key: bytes) -> HmacSha256:
    """The HMAC-SHA256 of ``key``, prepared once per key: a client signs every request with the same few keys."""
    return HmacSha256(key)
