"""Fixie's errors: the `google.rpc.Status` JSON that the `/api/v1` gateway documents as its "Default error
response" ({"code", "message", "details"}), `code` being the gRPC code that matches the HTTP status.

Only the envelope is documented. The parameter messages are grpc-gateway's own (Go `strconv` wording); the auth and
lookup messages are the emulator's choice (README, fidelity notes).
"""

from __future__ import annotations

from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.params import BODY, ParamProblem
from emulator.vendors.fixie.wiretypes import INT_RANGE, INT_SYNTAX

# google.rpc.Code values, as the envelope's `code` (ErrorSpec codes are text; the renderer sends an int).
INVALID_ARGUMENT = "3"
NOT_FOUND_CODE = "5"
# 409 is documented for Regenerate; grpc-gateway answers 409 for ABORTED (FAILED_PRECONDITION would be a 400).
ABORTED = "10"
UNIMPLEMENTED = "12"
INTERNAL_CODE = "13"
UNAUTHENTICATED = "16"

# `{value}` is the raw query text quoted the way Go's %q / strconv.Quote does it (see go_quote).
INT_SYNTAX_ERROR = ErrorSpec(
    INVALID_ARGUMENT, 400, 'parsing field "{param}": strconv.ParseInt: parsing {value}: invalid syntax'
)
INT_RANGE_ERROR = ErrorSpec(
    INVALID_ARGUMENT, 400, 'parsing field "{param}": strconv.ParseInt: parsing {value}: value out of range'
)
NEGATIVE = ErrorSpec(INVALID_ARGUMENT, 400, "{param} must not be negative")
OVER_MAXIMUM = ErrorSpec(INVALID_ARGUMENT, 400, "{param} exceeds the maximum allowed value")
# Body problems (emulator wording; the body is JSON, proto3 style: null and "" read as unset, unknown fields ignored).
INVALID = ErrorSpec(INVALID_ARGUMENT, 400, 'invalid value for field "{param}"')
REQUIRED = ErrorSpec(INVALID_ARGUMENT, 400, 'missing required field "{param}"')
BODY_MISSING = ErrorSpec(INVALID_ARGUMENT, 400, "request body is required")
BODY_NOT_JSON = ErrorSpec(INVALID_ARGUMENT, 400, "request body is not valid JSON")
BODY_NOT_OBJECT = ErrorSpec(INVALID_ARGUMENT, 400, "request body must be a JSON object")
BAD_TEXT = ErrorSpec(INVALID_ARGUMENT, 400, "request body holds text that is not valid UTF-8")
INITIAL_MESSAGE_CONFLICT = ErrorSpec(
    INVALID_ARGUMENT, 400, "generateInitialMessage may be false only when no message is given"
)

MISSING_KEY = ErrorSpec(UNAUTHENTICATED, 401, "missing API key: send Authorization: Bearer <API key>")
NOT_BEARER = ErrorSpec(UNAUTHENTICATED, 401, 'malformed Authorization header: expected "Bearer <API key>"')
UNKNOWN_KEY = ErrorSpec(UNAUTHENTICATED, 401, "invalid API key")

AGENT_NOT_FOUND = ErrorSpec(NOT_FOUND_CODE, 404, 'agent "{agent_id}" not found')
CONVERSATION_NOT_FOUND = ErrorSpec(NOT_FOUND_CODE, 404, 'conversation "{conversation_id}" not found')
# The API calls a turn a "message" (`messageId` in the Stop and Regenerate paths).
MESSAGE_NOT_FOUND = ErrorSpec(NOT_FOUND_CODE, 404, 'message "{message_id}" not found')
NOT_LATEST = ErrorSpec(ABORTED, 409, 'message "{message_id}" is not the latest message of the conversation')
NOT_AGENT_MESSAGE = ErrorSpec(ABORTED, 409, 'message "{message_id}" is a user message: only replies regenerate')
STILL_GENERATING = ErrorSpec(ABORTED, 409, 'a reply is still being generated in conversation "{conversation_id}"')
# grpc-gateway's routing errors: the HTTP reason phrase as the message.
NOT_FOUND = ErrorSpec(NOT_FOUND_CODE, 404, "Not Found")
METHOD_NOT_ALLOWED = ErrorSpec(UNIMPLEMENTED, 405, "Method Not Allowed")
INTERNAL = ErrorSpec(INTERNAL_CODE, 500, "Internal Server Error")
# Refused at the edge (emulator wording): a body over the limit is RESOURCE_EXHAUSTED, as gRPC refuses a message
# over its maximum; a foreign Host on loopback is PERMISSION_DENIED.
BODY_TOO_LARGE = ErrorSpec("8", 413, "request body larger than max ({limit} bytes)")
URI_TOO_LONG = ErrorSpec("3", 414, "request URI longer than max ({limit} bytes)")
MISDIRECTED = ErrorSpec(
    "7", 421, 'Host "{host}" is not served: the emulator is bound to loopback; allow it with --allowed-hosts'
)

# Error types the body models raise themselves.
INITIAL_MESSAGE = "initial_message_conflict"
NOT_UTF8 = "not_utf8"

# Request-model error type -> the error it answers (a missing field: REQUIRED; anything else: INVALID).
PARAM_ERRORS: dict[str, ErrorSpec] = {
    INT_SYNTAX: INT_SYNTAX_ERROR,
    INT_RANGE: INT_RANGE_ERROR,
    "greater_than_equal": NEGATIVE,
    "less_than_equal": OVER_MAXIMUM,
    "json_invalid": BODY_NOT_JSON,
    "model_type": BODY_NOT_OBJECT,
    INITIAL_MESSAGE: INITIAL_MESSAGE_CONFLICT,
    NOT_UTF8: BAD_TEXT,
}

_GO_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def go_quote(text: str) -> str:
    """Go's strconv.Quote: double quotes, backslash escapes, printable Unicode kept as it is."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def param_error(problem: ParamProblem) -> VendorError:
    spec = PARAM_ERRORS.get(problem.reason)
    if spec is None and problem.kind == "missing":
        spec = BODY_MISSING if problem.param == BODY else REQUIRED
    spec = spec or INVALID
    return error(spec, param=problem.param, value=go_quote(str(problem.value)))


# -- errors injected by fault rules: gRPC codes as grpc-gateway maps them to HTTP, with gRPC's own wording ---------
GRPC_CODES = {
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}
RETRY_AFTER = (("Retry-After", "1"),)
RESOURCE_EXHAUSTED = ErrorSpec("8", 429, "Resource has been exhausted (e.g. check quota).", RETRY_AFTER)
UNAVAILABLE = ErrorSpec("14", 503, "The service is currently unavailable.", RETRY_AFTER)

# What a fault rule's "error" may name, by gRPC code name.
FAULTS: dict[str, ErrorSpec] = {
    "RESOURCE_EXHAUSTED": RESOURCE_EXHAUSTED,
    "UNAVAILABLE": UNAVAILABLE,
    "INTERNAL": INTERNAL,
}
