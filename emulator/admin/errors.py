"""Errors of the emulator's own control plane (`/_emulator/*`): a plain, documented JSON shape."""

from __future__ import annotations

from fastapi import Request, Response

from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.http import request_id
from emulator.core.params import ParamProblem
from emulator.core.vendor import ErrorDialect
from emulator.core.wirejson import render

PREFIX = "/_emulator"
NOT_FOUND = ErrorSpec("NotFound", 404, "No control-plane endpoint at this path.")
METHOD_NOT_ALLOWED = ErrorSpec("MethodNotAllowed", 405, "This control-plane endpoint does not accept the method.")
INVALID = ErrorSpec("InvalidParameter", 400, "Parameter {param} is {kind} or not valid.")
INTERNAL = ErrorSpec("InternalError", 500, "The emulator failed unexpectedly; see its log.")


class ControlPlaneErrors(ErrorDialect):
    def owns_path(self, path: str) -> bool:
        return path == PREFIX or path.startswith(PREFIX + "/")

    def render(self, err: VendorError, request: Request) -> Response:
        body = {"error": {"code": err.code, "message": err.message, "requestId": str(request_id(request))}}
        return Response(render(body), err.status, err.headers, media_type="application/json")

    def param_error(self, problem: ParamProblem) -> VendorError:
        return error(INVALID, param=problem.param, kind=problem.kind)

    def not_found(self, method_not_allowed: bool) -> VendorError:
        return error(METHOD_NOT_ALLOWED if method_not_allowed else NOT_FOUND)

    def internal_error(self) -> VendorError:
        return error(INTERNAL)
