"""ICE's contract beyond the operation models: the error envelope, statuses and security, for OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, Field

from emulator.core.vendor import VendorContract


class IceError(BaseModel):
    """The POP gateway's error body."""

    RequestId: str
    HostId: str = Field(examples=["ice.cn-shanghai.aliyuncs.com"])
    Code: str = Field(examples=["InvalidParameter"])
    Message: str
    Recommend: str


DESCRIPTION = """Alibaba Cloud Intelligent Media Services (ICE), API version 2020-11-09, as the emulator serves it.

**Real wire form.** ICE is RPC on `/`: `GET` or `POST /?Action=<Action>&Version=2020-11-09&<params>` (the current
SDK sends the action and version as `x-acs-action` / `x-acs-version` headers and signs with ACS3-HMAC-SHA256 in
`Authorization`; older SDKs and `aliyun-python-sdk-core` send RPC V1 common parameters and a `Signature` parameter).
Parameters come from the query string or an `application/x-www-form-urlencoded` body.

OpenAPI cannot tell operations on one path apart by a parameter, so this document describes each action on an
alias path `/_rpc/<Action>`, served by the same dispatcher with the action (and version) implied by the path. Both
forms answer identically for the same parameters and credentials."""

CONTRACT = VendorContract(
    title="Alibaba Cloud ICE 2020-11-09 (agent-api-emulator)",
    description=DESCRIPTION,
    error_model=IceError,
    error_statuses={
        400: "Missing<Param>, InvalidParameter, InvalidVersion, signature, timestamp and nonce errors.",
        404: "InvalidAccessKeyId.NotFound, InvalidAction.NotFound.",
        405: "Method not supported on an alias path (the real `/` answers 404 InvalidAction.NotFound).",
        500: "InternalError.",
    },
    security_schemes={
        "acs3": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "ACS3-HMAC-SHA256 (or ACS3-HMAC-SM3) Credential=<AccessKeyId>,SignedHeaders=...,"
            "Signature=... with x-acs-date, x-acs-signature-nonce and x-acs-content-sha256 headers. SignedHeaders "
            "must name host, every x-acs-* header sent, and content-type when there is a body.",
        },
        "rpcV1": {
            "type": "apiKey",
            "in": "query",
            "name": "Signature",
            "description": "RPC V1 HMAC-SHA1 with AccessKeyId, Timestamp, SignatureNonce, SignatureMethod, "
            "SignatureVersion query parameters.",
        },
    },
    security=[{"acs3": []}, {"rpcV1": []}],
)
