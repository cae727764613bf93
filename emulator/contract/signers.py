"""`requests` auth objects that sign exactly what goes on the wire, the way each vendor's SDK does.

They sign the final prepared request (URL, headers, body), so any client built on `requests` (schemathesis, a
test, a script) can talk to the emulator with signature verification on, or to any other implementation.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from emulator.core.signing import alibaba, common, huawei

# A request whose Authorization header holds this marker gets signed; any other value is left alone (so a caller
# can still send a deliberately bad or absent credential through the same session).
SIGN_ME = "emulator-sign-this-request"


class Signer(requests.auth.AuthBase):
    only_marked = False

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.only_marked and r.headers.get("Authorization") != SIGN_ME:
            return r
        r.headers.pop("Authorization", None)
        return self.sign(r)

    def sign(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        raise NotImplementedError


class IceV3Signer(Signer):
    """ACS3-HMAC-SHA256, signing host, the x-acs-* headers and a body's content-type, as the current ICE SDK does."""

    def __init__(self, access_key_id: str, secret: str, version: str = "2020-11-09", only_marked: bool = False) -> None:
        self.access_key_id, self.secret, self.version = access_key_id, secret, version
        self.only_marked = only_marked

    def sign(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(r.url or "")
        body = _body(r)
        r.headers["x-acs-version"] = self.version
        r.headers["x-acs-date"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        r.headers["x-acs-signature-nonce"] = uuid.uuid4().hex
        r.headers["x-acs-content-sha256"] = alibaba.sha256_hex(body)
        r.headers["host"] = url.netloc
        headers = {k.lower(): [v if isinstance(v, str) else v.decode()] for k, v in r.headers.items()}
        signed = sorted(alibaba.acs3_required_signed_headers(headers, bool(body)))
        canonical = alibaba.acs3_canonical_request(
            r.method or "GET",
            url.path or "/",
            alibaba.decode_form(url.query),
            headers,
            signed,
            alibaba.sha256_hex(body),
        )
        string_to_sign = alibaba.acs3_string_to_sign(alibaba.ACS3_HMAC_SHA256, canonical)
        signature = alibaba.acs3_signature(self.secret, string_to_sign)
        r.headers["Authorization"] = (
            f"{alibaba.ACS3_HMAC_SHA256} Credential={self.access_key_id},"
            f"SignedHeaders={';'.join(signed)},Signature={signature}"
        )
        return r


class HuaweiAkSkSigner(Signer):
    """SDK-HMAC-SHA256 as huaweicloudsdkcore signs: X-Sdk-Date, X-Project-Id, Host and Content-Type."""

    def __init__(self, ak: str, sk: str, project_id: str | None = None, only_marked: bool = False) -> None:
        self.ak, self.sk, self.project_id = ak, sk, project_id
        self.only_marked = only_marked

    def sign(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(r.url or "")
        r.headers["X-Sdk-Date"] = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        r.headers["Host"] = url.netloc
        r.headers.setdefault("Content-Type", "application/json")
        if self.project_id and url.path.startswith("/v1/"):
            r.headers["X-Project-Id"] = self.project_id
        wanted = {"content-type", "host", "x-sdk-date", "x-project-id"}
        headers = {k.lower(): [v if isinstance(v, str) else v.decode()] for k, v in r.headers.items()}
        signed = sorted(k for k in headers if k in wanted)
        canonical = huawei.canonical_request(
            r.method or "GET", url.path, common.decode_form(url.query), headers, signed, common.sha256_hex(_body(r))
        )
        string_to_sign = huawei.string_to_sign("SDK-HMAC-SHA256", str(r.headers["X-Sdk-Date"]), canonical)
        signature = huawei.sdk_hmac_sha256_signature(self.sk, string_to_sign)
        r.headers["Authorization"] = (
            f"SDK-HMAC-SHA256 Access={self.ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
        )
        return r


class BearerKey(requests.auth.AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.key}"
        return r


def _body(r: requests.PreparedRequest) -> bytes:
    body = r.body
    if isinstance(body, bytes):
        return body
    return body.encode() if isinstance(body, str) else b""
