"""ICE credentials: ACS3-HMAC-SHA256/SM3 (Authorization header) and RPC V1 HMAC-SHA1 (Signature parameter).

Gateway order: key exists, (V3) the headers it must sign are signed, date window, nonce unused, then the
signature. A nonce is only recorded once its request verified, so a failed attempt does not burn it.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any

from fastapi import Request

from emulator.core.auth import header_values, parse_time, within_window
from emulator.core.context import Emulator
from emulator.core.errors import VendorError, error
from emulator.core.http import BODY_KEY, header, header_map, query_pairs, raw_body
from emulator.core.memo import Memo
from emulator.core.rpc import FORM
from emulator.core.settings import AuthMode
from emulator.core.signing import alibaba as sig
from emulator.core.signing import canonical_hmac
from emulator.core.signing.alibaba import ACS3_HMAC_SHA256
from emulator.vendors.ice import errors as E
from emulator.vendors.ice.tenants import IceAccessKey, IceTenant, IceTenants

V3_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A call's shape: SignedHeaders, algorithm, method, path, raw query, whether it has a body (and the header names its
# form was made for: `_Form`).
_Shape = tuple[tuple[str, ...], str, str, str, bytes, bool]
# For a shape: the header names sent, what picks the signed headers' values and the canonical request's pieces around
# them (see `_form`); no picker when the fast path does not apply to such requests.
_Form = tuple[frozenset[str], Callable[[Mapping[str, str]], Any] | None, tuple[str, ...]]
HINT_HEADER = "x-emulator-expected-canonical-request"


class IceAuthenticator:
    def __init__(self, emu: Emulator, tenants: IceTenants) -> None:
        self.emu = emu
        self.tenants = tenants
        # What SDK calls repeat (see _v3_verified): the canonical request's form for a call's shape, and each key's
        # prepared check.
        self._forms: Memo[_Shape, _Form] = Memo()
        self._matchers: Memo[str, canonical_hmac.Matcher] = Memo(256)

    @property
    def mode(self) -> AuthMode:
        return self.emu.settings.auth

    def __call__(self, request: Request, params: Mapping[str, str]) -> str:
        """The account id the request acts as, or a VendorError in the gateway's words."""
        authorization = header(request, "authorization")
        try:
            if authorization is not None:
                return self._v3(request, _parsed(request, authorization))
            if "AccessKeyId" in params or "Signature" in params:
                return self._v1(request, params)
            raise error(E.MISSING_PARAMETER, auth="missing", param="AccessKeyId")
        except VendorError:
            if self.mode is AuthMode.OFF:
                return self.tenants.tenants[0].account_id
            raise

    def caller(self, request: Request, params: Mapping[str, str]) -> str:
        """The AccessKeyId a request claims (V3 Credential, else the V1 parameter), unverified: part of its id."""
        authorization = header(request, "authorization")
        if authorization is not None:
            parsed = _parsed(request, authorization)
            return parsed.credential if parsed is not None else ""
        return params.get("AccessKeyId", "")

    def _key(self, access_key_id: str) -> tuple[IceTenant, IceAccessKey]:
        found = self.tenants.lookup(access_key_id)
        if found is None:
            raise error(E.UNKNOWN_ACCESS_KEY, auth="unknown_key")
        return found

    def _check_nonce(self, access_key_id: str, nonce: str | None) -> str:
        if not nonce:
            raise error(E.MISSING, auth="missing", param="SignatureNonce")
        key = f"{access_key_id}\x00{nonce}"
        if self.emu.nonce_seen(key, record=False):
            raise error(E.NONCE_USED, auth="replay")
        return key

    def _v3(self, request: Request, parsed: sig.Acs3Authorization | None) -> str:
        if parsed is None:
            raise error(E.INCOMPLETE_SIGNATURE, auth="malformed", string_to_sign="")
        tenant, key = self._key(parsed.credential)
        if self.mode is not AuthMode.VERIFY:
            return tenant.account_id
        if self._v3_verified(request, parsed, key):
            return tenant.account_id
        # Something is off (or unusual: a repeated header, non-ASCII bytes): the gateway's checks, one by one, find
        # what and say it in its words.
        headers = header_values(request)
        body = raw_body(request)
        if not sig.acs3_required_signed_headers(headers, bool(body)) <= set(parsed.signed_headers):
            # host, x-acs-* and a body's content-type left out of SignedHeaders would let one signature serve other
            # actions and endless fresh nonces; the SDKs always sign them.
            raise error(E.INCOMPLETE_SIGNATURE, auth="malformed", string_to_sign="")
        if key.security_token is not None and _first(headers, "x-acs-security-token") != key.security_token:
            raise error(E.TOKEN_MISMATCH, auth="bad_token")
        signed_at = parse_time(_first(headers, "x-acs-date") or "", V3_DATE_FORMAT)
        if signed_at is None:
            raise error(E.ILLEGAL_TIMESTAMP, auth="malformed")
        if not within_window(self.emu, signed_at):
            raise error(E.TIMESTAMP_EXPIRED, auth="expired")
        nonce = self._check_nonce(key.id, _first(headers, "x-acs-signature-nonce"))
        try:
            canonical = sig.acs3_canonical_request(
                request.method,
                request.scope["path"],
                query_pairs(request),
                headers,
                parsed.signed_headers,
                sig.acs3_payload_hash(parsed.algorithm, body),
            )
            string_to_sign = sig.acs3_string_to_sign(parsed.algorithm, canonical)
        except (KeyError, ValueError):
            # A signed header not sent, an algorithm we cannot compute (ACS3-RSA-SHA256; ACS3-HMAC-SM3 where
            # OpenSSL lacks SM3), or a signed header whose bytes are not UTF-8 (UnicodeEncodeError): a client
            # error, never a 500.
            raise error(E.INCOMPLETE_SIGNATURE, auth="unsupported", string_to_sign="") from None
        expected = sig.acs3_signature(key.secret, string_to_sign, parsed.algorithm)
        if not hmac.compare_digest(expected, parsed.signature):
            raise error(
                E.SIGNATURE_MISMATCH_V3,
                auth="mismatch",
                headers={HINT_HEADER: _header_safe(canonical)},
                string_to_sign=string_to_sign,
            )
        if self.emu.nonce_seen(nonce):  # another worker took it since the check above
            raise error(E.NONCE_USED, auth="replay")
        return tenant.account_id

    def _v3_verified(self, request: Request, parsed: sig.Acs3Authorization, key: IceAccessKey) -> bool:
        """True when the request passes every V3 check (and its nonce is now recorded); False when any check fails
        or the request is unusual, without side effects. What SDKs send (each header once, ASCII values) is checked
        in one pass, from a canonical request form remembered per call shape (signed list, method, path, query, and
        the header names sent): only the signed headers' values are filled in, since a fresh nonce makes every request's
        signature new."""
        scope = request.scope
        first = header_map(scope)
        if len(first) != len(scope["headers"]):
            return False
        body: bytes = scope.get(BODY_KEY, b"")
        shape = (parsed.signed_headers, parsed.algorithm, scope["method"], scope["path"], scope["query_string"],
                 bool(body))  # fmt: skip
        form = self._forms.get(shape)
        if form is None or first.keys() != form[0]:  # (the names' hashes are cached: no allocation, no hashing)
            form = _form(request, parsed, frozenset(first), bool(body))
            self._forms.put(shape, form)
        _, pick, pieces = form
        if pick is None:
            return False
        if key.security_token is not None and first.get("x-acs-security-token") != key.security_token:
            return False
        emu = self.emu
        now, window = emu.clock.now(), emu.settings.signature_window_seconds
        signed_at = _epoch_seconds(first["x-acs-date"])
        if signed_at is None or abs(now - signed_at) > window:
            return False
        nonce = first["x-acs-signature-nonce"]
        if not nonce:
            return False
        matches = self._matchers.get(key.secret)
        if matches is None:
            matches = canonical_hmac.matcher(key.secret.encode("utf-8"), f"{ACS3_HMAC_SHA256}\n".encode())
            self._matchers.put(key.secret, matches)
        tail = sig.acs3_payload_hash(parsed.algorithm, body).encode() if body else b""
        # Recorded only once verified (a failed attempt does not burn it); a nonce used before fails to record, and
        # the gateway's checks then say so.
        return matches(pieces, pick(first), tail, b"", parsed.signature) and emu.nonces.record(
            f"{key.id}\x00{nonce}", now, window
        )

    def _v1(self, request: Request, params: Mapping[str, str]) -> str:
        access_key_id = params.get("AccessKeyId")
        if not access_key_id:
            raise error(E.MISSING, auth="missing", param="AccessKeyId")
        tenant, key = self._key(access_key_id)
        if self.mode is not AuthMode.VERIFY:
            return tenant.account_id
        signature = params.get("Signature")
        if not signature:
            raise error(E.MISSING, auth="missing", param="Signature")
        if params.get("SignatureMethod", "HMAC-SHA1") != "HMAC-SHA1":
            raise error(E.INVALID_PARAMETER, auth="unsupported", param="SignatureMethod")
        if key.security_token is not None and params.get("SecurityToken") != key.security_token:
            raise error(E.TOKEN_MISMATCH, auth="bad_token")
        signed_at = parse_time(params.get("Timestamp", ""))
        if signed_at is None:
            raise error(E.ILLEGAL_TIMESTAMP, auth="malformed")
        if not within_window(self.emu, signed_at):
            raise error(E.TIMESTAMP_EXPIRED, auth="expired")
        nonce = self._check_nonce(key.id, params.get("SignatureNonce"))
        pairs = list(query_pairs(request))
        if (header(request, "content-type") or "").split(";")[0].strip().lower() == FORM:
            pairs += sig.decode_form(raw_body(request).decode("utf-8", "replace"))
        string_to_sign = sig.rpc_v1_string_to_sign(request.method, pairs)
        # Compared as bytes: compare_digest rejects str with non-ASCII characters, and Signature is user input.
        expected = sig.rpc_v1_signature(key.secret, string_to_sign).encode()
        if not hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape")):
            raise error(E.SIGNATURE_MISMATCH_V1, auth="mismatch", string_to_sign=string_to_sign)
        if self.emu.nonce_seen(nonce):  # another worker took it since the check above
            raise error(E.NONCE_USED, auth="replay")
        return tenant.account_id


def _parsed(request: Request, authorization: str) -> sig.Acs3Authorization | None:
    """The V3 Authorization header parsed once per request (the request id and the gateway both read it)."""
    scope = request.scope
    if "emulator.acs3" not in scope:
        scope["emulator.acs3"] = sig.parse_acs3_authorization(authorization)
    parsed: sig.Acs3Authorization | None = scope["emulator.acs3"]
    return parsed


def _form(request: Request, parsed: sig.Acs3Authorization, names: frozenset[str], has_body: bool) -> _Form:
    """How a request of this shape, sending headers `names` (each once), is checked in one pass: `names`, what picks
    its signed headers' values, and its canonical request's pieces around those values (the last ends in the payload
    hash when there is no body). No picker when the fast path does not apply: a header name not lowercase, a signed
    header not sent, no date or nonce, SignedHeaders leaving out what the gateway requires
    (`sig.acs3_required_signed_headers`), or an algorithm other than ACS3-HMAC-SHA256 (SM3 goes the long way)."""
    signed = parsed.signed_headers
    if (
        parsed.algorithm != ACS3_HMAC_SHA256
        or any(name != name.lower() for name in names)
        or not {"x-acs-date", "x-acs-signature-nonce"} <= names
        or not set(signed) <= names
        or not sig.acs3_required_signed_headers(names, has_body) <= set(signed)
    ):
        return names, None, ()
    payload = "" if has_body else sig.acs3_payload_hash(parsed.algorithm, b"")
    scope = request.scope
    pieces = [f"{scope['method']}\n{scope['path']}\n{sig.canonical_query(query_pairs(request))}\n{signed[0]}:"]
    pieces += [f"\n{name}:" for name in signed[1:]]
    pieces.append(f"\n\n{';'.join(signed)}\n{payload}")
    # At least the date and the nonce are signed, so the picker always answers a tuple.
    return names, itemgetter(*signed), tuple(pieces)


@lru_cache(maxsize=64)  # signatures made in the same second carry the same date
def _epoch_seconds(date: str) -> float | None:
    signed_at = parse_time(date, V3_DATE_FORMAT)
    return None if signed_at is None else signed_at.timestamp()


def _first(headers: Mapping[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _header_safe(text: str) -> str:
    """A canonical request fits in one header line as a JSON string body (newlines escaped, ASCII only)."""
    return json.dumps(text)[1:-1]
