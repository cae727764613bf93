"""Alibaba Cloud POP gateway errors for ICE, as the real gateway words them (see README, fidelity notes)."""

from __future__ import annotations

from emulator.core.errors import ErrorSpec

MISSING = ErrorSpec("Missing{param}", 400, "{param} is mandatory for this action.")
MISSING_PARAMETER = ErrorSpec(
    "MissingParameter",
    400,
    'The input parameter "{param}" that is mandatory for processing this request is not supplied.',
)
INVALID_PARAMETER = ErrorSpec("InvalidParameter", 400, 'The specified parameter "{param}" is not valid.')
INVALID_VERSION = ErrorSpec("InvalidVersion", 400, "Specified parameter Version is not valid.")
UNKNOWN_ACTION = ErrorSpec(
    "InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."
)
UNKNOWN_ACCESS_KEY = ErrorSpec("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")
SIGNATURE_MISMATCH_V1 = ErrorSpec(
    "SignatureDoesNotMatch",
    400,
    "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}",
)
SIGNATURE_MISMATCH_V3 = ErrorSpec(
    "SignatureDoesNotMatch",
    400,
    "Specified signature does not match our calculation. server StringToSign is [{string_to_sign}]",
)
INCOMPLETE_SIGNATURE = ErrorSpec(
    "IncompleteSignature",
    400,
    "The request signature does not conform to Aliyun standards. server string to sign is:{string_to_sign}",
)
TIMESTAMP_EXPIRED = ErrorSpec("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired.")
ILLEGAL_TIMESTAMP = ErrorSpec(
    "IllegalTimestamp",
    400,
    'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
)
NONCE_USED = ErrorSpec("SignatureNonceUsed", 400, "Specified signature nonce was used already.")
TOKEN_MISMATCH = ErrorSpec(
    "InvalidSecurityToken.MismatchWithAccessKey", 400, "Specified SecurityToken mismatch with the AccessKey."
)
# Agent instances (StopAIAgentInstance, DescribeAIAgentInstance, UpdateAIAgentInstance). ICE documents no codes of
# its own for these; the POP pattern other Alibaba services use for an unknown id and for an operation the resource's
# status does not allow (README, fidelity notes). An instance of another account is unknown.
INSTANCE_NOT_FOUND = ErrorSpec("InvalidInstanceId.NotFound", 404, "The specified InstanceId does not exist.")
INSTANCE_FINISHED = ErrorSpec(
    "IncorrectInstanceStatus", 403, "The current status of the resource does not support this operation."
)
INTERNAL_ERROR = ErrorSpec(
    "InternalError", 500, "The request processing has failed due to some unknown error, exception or failure."
)
UNSUPPORTED_METHOD = ErrorSpec("UnsupportedHTTPMethod", 405, "This http method is not supported.")
# Refused at the edge. Emulator wording: the POP gateway's own code and limit for these are not documented.
BODY_TOO_LARGE = ErrorSpec("RequestEntityTooLarge", 413, "The request body exceeds the maximum size of {limit} bytes.")
# Emulator wording: the gateway's own limit and answer are not documented (see the README's fidelity notes).
URI_TOO_LONG = ErrorSpec("RequestURITooLong", 414, "The request URI exceeds the maximum length of {limit} bytes.")
MISDIRECTED = ErrorSpec(
    "MisdirectedRequest",
    421,
    'The Host "{host}" is not served: the emulator is bound to loopback; allow it with --allowed-hosts.',
)

# -- errors the real service answers under load or failure, injected by fault rules (shared/vendors/alibaba-ice.md §5)
# `x-acs-retry-after` (milliseconds) is what makes the current SDK raise its ThrottlingException.
RETRY_AFTER = (("x-acs-retry-after", "1000"),)
THROTTLING_USER = ErrorSpec("Throttling.User", 400, "Request was denied due to user flow control.", RETRY_AFTER)
THROTTLING = ErrorSpec("Throttling", 400, "Request was denied due to request throttling.", RETRY_AFTER)
SERVICE_UNAVAILABLE = ErrorSpec(
    "ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."
)

# What a fault rule's "error" may name, by the vendor's code.
FAULTS: dict[str, ErrorSpec] = {
    spec.code: spec for spec in (THROTTLING_USER, THROTTLING, SERVICE_UNAVAILABLE, INTERNAL_ERROR)
}
