"""Errors of the emulator's own control plane (`/_emulator/*`): `{"error": {"code", "message", "requestId"}}`.

One table, like each vendor's: the OpenAPI document lists these statuses and the tests check the codes.
"""

from __future__ import annotations

from typing import ClassVar

from fastapi import Request, Response

from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.http import request_id, routing_key
from emulator.core.params import ParamProblem
from emulator.core.vendor import ErrorDialect
from emulator.core.wirejson import render

PREFIX = "/_emulator"
NOT_FOUND = ErrorSpec("NotFound", 404, "No control-plane endpoint at this path.")
METHOD_NOT_ALLOWED = ErrorSpec("MethodNotAllowed", 405, "This control-plane endpoint does not accept the method.")
INVALID = ErrorSpec("InvalidParameter", 400, "{param}: {reason}")
INVALID_ENTRY = ErrorSpec("InvalidEntry", 400, "{detail}")
ENTRY_REJECTED = ErrorSpec("EntryRejected", 409, "{detail}")
INVALID_SNAPSHOT = ErrorSpec("InvalidSnapshot", 400, "{detail}")
UNKNOWN_VENDOR = ErrorSpec("UnknownVendor", 404, 'No vendor "{vendor}"; served: {known}.')
TENANT_NOT_FOUND = ErrorSpec("TenantNotFound", 404, '{vendor} has no tenant "{tenant}".')
RECORD_NOT_FOUND = ErrorSpec("RecordNotFound", 404, 'No record "{id}" in {collection}{where}.')
AMBIGUOUS_RECORD = ErrorSpec(
    "AmbiguousRecord", 409, 'Record "{id}" exists for several tenants ({tenants}); name one with ?tenant=.'
)
FAULT_NOT_FOUND = ErrorSpec("FaultNotFound", 404, 'No fault rule "{id}".')
INTERNAL = ErrorSpec("InternalError", 500, "The emulator failed unexpectedly; see its log.")
PAYLOAD_TOO_LARGE = ErrorSpec("PayloadTooLarge", 413, "The request body exceeds {limit} bytes.")
UNAVAILABLE = ErrorSpec("ServiceUnavailable", 503, "Too many open connections (limit {limit}); retry later.")
URI_TOO_LONG = ErrorSpec("URITooLong", 414, "The request URI exceeds {limit} bytes.")
MISDIRECTED = ErrorSpec(
    "MisdirectedRequest",
    421,
    'The Host "{host}" is not served: the emulator is bound to loopback; allow it with --allowed-hosts.',
)


class ControlPlaneErrors(ErrorDialect):
    name: ClassVar[str] = "emulator"

    def owns_path(self, path: str) -> bool:
        key = routing_key(path)
        return key == PREFIX or key.startswith(PREFIX + "/")

    def render(self, err: VendorError, request: Request) -> Response:
        body = {"error": {"code": err.code, "message": err.message, "requestId": str(request_id(request))}}
        return Response(render(body), err.status, err.headers, media_type="application/json")

    def param_error(self, problem: ParamProblem) -> VendorError:
        reason = problem.reason or ("required" if problem.kind == "missing" else "not valid")
        return error(INVALID, param=problem.param or "(body)", reason=reason)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(METHOD_NOT_ALLOWED if method_not_allowed else NOT_FOUND)

    def internal_error(self) -> VendorError:
        return error(INTERNAL)

    def too_large(self, limit: int) -> VendorError:
        return error(PAYLOAD_TOO_LARGE, limit=limit)

    def overloaded(self, limit: int) -> VendorError:
        return error(UNAVAILABLE, limit=limit)

    def uri_too_long(self, limit: int) -> VendorError:
        return error(URI_TOO_LONG, limit=limit)

    def misdirected(self, host: str) -> VendorError:
        return error(MISDIRECTED, host=host)
