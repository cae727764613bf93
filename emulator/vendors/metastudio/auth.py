"""MetaStudio credentials as the API gateway checks them: AK/SK signatures (SDK-HMAC-SHA256, derived-key
V11-HMAC-SHA256, optionally with an STS X-Security-Token) or an IAM token in X-Auth-Token.

Gateway order: scheme, AK known, date window, signed-header coverage, security token, signature. There is no
nonce: the SDK retries with byte-identical headers, so a replayed signature inside the window is accepted like the
real gateway does.
After the gateway, the service checks that the caller's project is the one in the path (400 MSS.00010009).
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime

from fastapi import Request

from emulator.core.auth import (
    Verified,
    VerifiedSignatures,
    header_values,
    parse_time,
    seconds_within_window,
    within_window,
)
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.http import query_pairs, raw_body
from emulator.core.settings import AuthMode
from emulator.core.signing import huawei as sig
from emulator.core.signing.common import sha256_hex
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.tenants import MetaStudioTenant, MetaStudioTenants

SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
SUPPORTED_ALGORITHMS = frozenset({"SDK-HMAC-SHA256", "V11-HMAC-SHA256"})
HINT_HEADER = "x-emulator-expected-canonical-request"
SIGNED_AT = "emulator.signed_at"  # scope key: the date of a signature verified in full
Headers = dict[str, list[str]]


class MetaStudioAuthenticator:
    def __init__(self, emu: Emulator, tenants: MetaStudioTenants) -> None:
        self.emu = emu
        self.tenants = tenants
        self.verified: VerifiedSignatures[MetaStudioTenant] = VerifiedSignatures()

    @property
    def mode(self) -> AuthMode:
        return self.emu.settings.auth

    # -- entry points (the `authenticate` of each route) --
    def for_project(self, request: Request) -> str:
        """The project a `/v1/{project_id}/…` request acts on: the path's, once the caller may use it."""
        project_id: str = request.path_params["project_id"]
        mode = self.mode
        if mode is AuthMode.OFF:
            return project_id
        # The same bytes passed every check below before (signature, key, token, project): only the date window
        # can have changed since. Only signed requests of auth=verify are remembered.
        keys = self.tenants.by_ak
        memo_key, known = self.verified.find(request, keys) if mode is AuthMode.VERIFY else (None, None)
        if known is not None and seconds_within_window(self.emu, known.signed_at):
            return project_id
        headers = header_values(request)
        caller = self.caller(request, headers)
        claimed = _first(headers, "x-project-id")
        if caller.project_id != project_id or (claimed is not None and claimed != project_id):
            raise error(E.PROJECT_MISMATCH, auth="forbidden")
        signed_at: datetime | None = request.scope.get(SIGNED_AT)
        if signed_at is not None:
            self.verified.put(memo_key, keys, Verified(caller, signed_at.timestamp()))
        return project_id

    def for_iam(self, request: Request) -> str:
        """The caller's project for IAM calls (no project in the path); "" when auth is off and nobody matched."""
        headers = header_values(request)
        if self.mode is AuthMode.OFF:
            return self._known_caller(headers)
        return self.caller(request, headers).project_id

    # -- the gateway --
    def caller(self, request: Request, headers: Headers) -> MetaStudioTenant:
        """The tenant the credentials belong to, or a 401 in the gateway's words."""
        authorization = _first(headers, "authorization")
        if authorization is not None:
            return self._signed(request, headers, authorization)
        token = _first(headers, "x-auth-token")
        if token is not None:
            tenant = self.tenants.by_token.get(token)
            if tenant is None:
                raise error(E.DECRYPT_TOKEN_FAIL, auth="bad_token")
            return tenant
        raise error(E.NO_CREDENTIALS, auth="missing")

    def _signed(self, request: Request, headers: Headers, authorization: str) -> MetaStudioTenant:
        parsed = sig.parse_huawei_authorization(authorization)
        if parsed is None:
            raise error(E.MALFORMED_AUTHORIZATION, auth="malformed")
        if parsed.algorithm not in SUPPORTED_ALGORITHMS:
            raise error(E.UNSUPPORTED_ALGORITHM, auth="unsupported", algorithm=parsed.algorithm)
        found = self.tenants.lookup(parsed.access_key)
        if found is None:
            raise error(E.AK_NOT_EXIST, auth="unknown_key", ak=parsed.access_key)
        tenant, key = found
        if self.mode is not AuthMode.VERIFY:
            return tenant
        sdk_date = _first(headers, "x-sdk-date") or ""
        signed_at = parse_time(sdk_date, SDK_DATE_FORMAT)
        if signed_at is None or not within_window(self.emu, signed_at):
            server_time = datetime.fromtimestamp(self.emu.now(), UTC).strftime(SDK_DATE_FORMAT)
            raise error(E.SIGNATURE_EXPIRED, auth="expired", signature_time=sdk_date, server_time=server_time)
        signed = {name.lower() for name in parsed.signed_headers}
        unsigned = [name for name in sig.required_signed_headers(headers) if name not in signed]
        if unsigned:
            # Left unsigned, these would let one signature serve another host, date or project, or carry another
            # temporary credential's token; every Huawei SDK signs them.
            raise error(E.HEADER_NOT_SIGNED, auth="malformed", header=unsigned[0])
        if key.security_token is not None:
            # Without its token a temporary AK is unknown to IAM; with a wrong one the token does not decrypt.
            token = _first(headers, "x-security-token")
            if token is None:
                raise error(E.AK_NOT_EXIST, auth="unknown_key", ak=parsed.access_key)
            if token != key.security_token:
                raise error(E.DECRYPT_TOKEN_FAIL, auth="bad_token")
        canonical = canonical_request(request, headers, parsed.signed_headers)
        string_to_sign = sig.string_to_sign(parsed.algorithm, sdk_date, canonical, parsed.credential_scope)
        if parsed.credential_scope is None:
            expected = sig.sdk_hmac_sha256_signature(key.sk, string_to_sign)
        else:
            expected = sig.v11_signature(key.ak, key.sk, parsed.credential_scope, string_to_sign)
        if not hmac.compare_digest(expected, parsed.signature):
            raise error(
                E.SIGNATURE_MISMATCH,
                auth="mismatch",
                headers={HINT_HEADER: json.dumps(canonical)[1:-1]},
                canonical=canonical.replace("\n", "|"),
            )
        request.scope[SIGNED_AT] = signed_at  # verified: `for_project` may remember the request
        return tenant

    def _known_caller(self, headers: Headers) -> str:
        """With auth off, still recognise whose AK or token it is (so IAM lists the right project)."""
        authorization = _first(headers, "authorization")
        parsed = sig.parse_huawei_authorization(authorization) if authorization else None
        if parsed is not None and (found := self.tenants.lookup(parsed.access_key)) is not None:
            return found[0].project_id
        tenant = self.tenants.by_token.get(_first(headers, "x-auth-token") or "")
        return "" if tenant is None else tenant.project_id


def canonical_request(request: Request, headers: Headers, signed_headers: tuple[str, ...]) -> str:
    """The canonical request rebuilt from what was received: raw path, decoded query, received header values."""
    raw_path = request.scope["raw_path"].decode("utf-8", "replace")
    query = query_pairs(request)
    payload = _first(headers, "x-sdk-content-sha256") or sha256_hex(raw_body(request))
    # A signed header that did not arrive signs as empty, so the caller sees the mismatch in the canonical form.
    present = {name.lower(): headers.get(name.lower()) or [""] for name in signed_headers}
    return sig.canonical_request(request.method, raw_path, query, present, signed_headers, payload)


def _first(headers: Headers, name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None
