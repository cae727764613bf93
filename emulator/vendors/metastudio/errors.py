"""MetaStudio errors as the real service and its API gateway word them (shared/vendors/huawei-metastudio.md §5).

Two envelopes: gateway errors (`{gateway}` is settings.metastudio_gateway_prefix, "APIGW" by default) carry
`error_msg`, `error_code` and `request_id`; service errors carry exactly `error_code` and `error_msg`.
Messages marked "emulator wording" are cases the vendor does not document (README, fidelity notes).
"""

from __future__ import annotations

from emulator.core.errors import ErrorSpec

GATEWAY = "{gateway}"
_IAM = "Incorrect IAM authentication information: "

# -- gateway (APIG) --
SIGNATURE_MISMATCH = ErrorSpec(
    f"{GATEWAY}.0301", 401, _IAM + "verify aksk signature fail, canonicalRequest:{canonical}"
)
SIGNATURE_EXPIRED = ErrorSpec(
    f"{GATEWAY}.0301",
    401,
    _IAM + "calc aksk signature fail:signature expired, signature time:{signature_time},server time:{server_time}",
)
AK_NOT_EXIST = ErrorSpec(f"{GATEWAY}.0301", 401, _IAM + "ak {ak} not exist")
NO_CREDENTIALS = ErrorSpec(f"{GATEWAY}.0301", 401, _IAM + "x-auth-token not found")
DECRYPT_TOKEN_FAIL = ErrorSpec(f"{GATEWAY}.0301", 401, _IAM + "decrypt token fail")
# Emulator wording: an Authorization scheme other than SDK-HMAC-SHA256 / V11-HMAC-SHA256, or an unparseable one.
UNSUPPORTED_ALGORITHM = ErrorSpec(f"{GATEWAY}.0301", 401, _IAM + "unsupported signature algorithm {algorithm}")
MALFORMED_AUTHORIZATION = ErrorSpec(f"{GATEWAY}.0301", 401, _IAM + "authorization header format invalid")
# Emulator wording: a valid signature whose SignedHeaders leave out x-sdk-date or host (or X-Project-Id /
# X-Security-Token when sent). The signing guide requires X-Sdk-Date to be signed; the real message is not documented.
HEADER_NOT_SIGNED = ErrorSpec(
    f"{GATEWAY}.0301", 401, _IAM + "verify aksk signature fail, SignedHeaders must include {header}"
)
API_NOT_FOUND = ErrorSpec(
    f"{GATEWAY}.0101", 404, "The API does not exist or has not been published in the environment."
)
METHOD_NOT_FOUND = ErrorSpec(f"{GATEWAY}.0101", 404, "The API does not exist.")
# APIG's documented answer to a body over its limit (12 MB there; the emulator's limit is smaller).
BODY_TOO_LARGE = ErrorSpec(f"{GATEWAY}.0201", 413, "Request entity too large")
URI_TOO_LONG = ErrorSpec(f"{GATEWAY}.0201", 414, "Request-URI too large")
# Emulator wording (the gateway routes by domain; the emulator refuses foreign names on loopback).
MISDIRECTED = ErrorSpec(
    f"{GATEWAY}.0201",
    421,
    'The Host "{host}" is not served: the emulator is bound to loopback; allow it with --allowed-hosts.',
)
# Emulator choice for its IAM helper route (keystone, not MetaStudio, answers there): 405 with Allow.
IAM_METHOD_NOT_ALLOWED = ErrorSpec(f"{GATEWAY}.0101", 405, "The method is not allowed for the requested URL.")

# -- MetaStudio service --
UNAUTHORIZED = ErrorSpec("MSS.00000001", 401, "Unauthorized")
INVALID_PARAMETER = ErrorSpec("MSS.00000003", 400, "Invalid parameter")
INTERNAL_ERROR = ErrorSpec("MSS.00000004", 500, "Internal Error")
PROJECT_MISMATCH = ErrorSpec("MSS.00010009", 400, "urlTenantId is not equal tokenTenantId")
# A body that is absent, not JSON, or not a JSON object (the error-code table's "Invalid body").
INVALID_BODY = ErrorSpec("MSS.00000002", 400, "Invalid body")
# A room the project does not hold. The code and message are the interactive-dialog SDK's ROOM_NOT_FOUND
# (20010045, "roomInfo not found."); the status is the service table's for its other not-found codes (400).
ROOM_NOT_FOUND = ErrorSpec("MSS.20010045", 400, "roomInfo not found.")
# A dialog task the room does not hold: the error-code table's own entry (message as the table words it).
JOB_NOT_FOUND = ErrorSpec("MSS.47010065", 400, "对话任务不存在，查询智能交互任务失败")
# More running dialog tasks than the room's concurrency (or terminals, when billed by client): the code the vendor
# FAQ names for "insufficient dialog resources"; status as its neighbours in the table (403). Emulator wording.
RESOURCE_EXHAUSTED = ErrorSpec(
    "MSS.20010135", 403, "Insufficient dialog resources: {running} of {limit} concurrent dialog tasks are running"
)


def is_gateway(spec: ErrorSpec) -> bool:
    """Gateway errors (the prefix from settings, or spelled out in a fault rule's custom code) carry request_id."""
    return spec.code.startswith((GATEWAY, "APIGW.", "APIG."))


# -- errors the real service answers under load or failure, injected by fault rules (shared/vendors/huawei-metastudio.md
# §5). The SDK turns any 429 into its own ClientRequestException (status 429) and retries after `Retry-After` when
# configured with retry_times.
THROTTLED = ErrorSpec(
    f"{GATEWAY}.0308",
    429,
    "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute",
    (("Retry-After", "1"),),
)

# Emulator wording: a connection beyond the server's connection limit, in the gateway's throttling code (the SDK
# retries it after Retry-After when configured with retry_times).
OVERLOADED = ErrorSpec(
    f"{GATEWAY}.0308",
    429,
    "The throttling threshold has been reached: too many open connections, limit:{limit}",
    (("Retry-After", "1"),),
)

# What a fault rule's "error" may name: the code as the default gateway prefix writes it.
FAULTS: dict[str, ErrorSpec] = {"APIGW.0308": THROTTLED, INTERNAL_ERROR.code: INTERNAL_ERROR}
