"""MetaStudio's contract beyond the operation models: the error envelope, statuses and security, for OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, Field

from emulator.core.vendor import VendorContract


class MetaStudioError(BaseModel):
    """Service errors carry `error_code` and `error_msg`; API gateway errors add `request_id`."""

    error_code: str = Field(examples=["MSS.00000003", "APIGW.0301"])
    error_msg: str = Field(examples=["Invalid parameter"])
    request_id: str | None = Field(None, description="Gateway errors only; always equal to X-Request-Id.")


DESCRIPTION = """Huawei Cloud MetaStudio (interactive dialogs and their dialog tasks), as the emulator serves it.

Requests are signed with AK/SK (`SDK-HMAC-SHA256`, or `V11-HMAC-SHA256` with a derived key; `X-Sdk-Date`,
`X-Project-Id`, and `X-Security-Token` for temporary credentials) or carry an IAM token in `X-Auth-Token`. Every
response carries `X-Request-Id`, the only place the SDK reads the request id from. `GET /v3/projects` is the IAM
call an SDK configured by region (without a project id) makes first to discover its project."""

CONTRACT = VendorContract(
    title="Huawei Cloud MetaStudio v1 (agent-api-emulator)",
    description=DESCRIPTION,
    error_model=MetaStudioError,
    error_statuses={
        400: "MSS.00000003 Invalid parameter; MSS.00000002 Invalid body; MSS.00010009 the path project is not the "
        "caller's; MSS.20010045 no such room; MSS.47010065 no such dialog task.",
        401: "APIGW.0301 Incorrect IAM authentication information (signature, date, AK, token).",
        404: "APIGW.0101 unknown API or method.",
        500: "MSS.00000004 Internal Error.",
    },
    security_schemes={
        "akSk": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>, over X-Sdk-Date "
            "(%Y%m%dT%H%M%SZ, within 15 minutes), Host and the other signed headers. SignedHeaders must include "
            "x-sdk-date and host, and x-project-id and x-security-token when they are sent.",
        },
        "iamToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
    },
    security=[{"akSk": []}, {"iamToken": []}],
)
