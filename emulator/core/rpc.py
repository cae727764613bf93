"""RPC-style dispatch (one path, operation named by a parameter or header), as Alibaba's POP gateway does it.

Gateway order: action and version, then the operation pipeline (credentials, fault gate, parameters, handler).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import Request

from emulator.core.errors import ErrorSpec, error
from emulator.core.http import VOLATILE_PARAMS, query_pairs, raw_body
from emulator.core.ids import digest_uuid
from emulator.core.operation import Operation, run_operation
from emulator.core.params import RequestModel

if TYPE_CHECKING:
    from emulator.core.vendor import Vendor

FORM = "application/x-www-form-urlencoded"
# Where `emulator.core.http.request_id` caches a request's id; an RPC call pins it to the logical call.
REQUEST_ID_SCOPE_KEY = "emulator.request_id"
# Parameters that name the call rather than vary it; the alias path carries the action in the path instead.
ROUTING_PARAMS = frozenset({"Action", "Version"})


@dataclass(frozen=True)
class RpcErrors:
    missing: ErrorSpec  # a common parameter (Action, Version) absent
    invalid_version: ErrorSpec
    unknown_action: ErrorSpec


def wire_params(request: Request) -> dict[str, str]:
    """Query string merged with a form body (form wins), '+' read as space, blank values kept."""
    params = dict(query_pairs(request))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM:
        body = raw_body(request).decode("utf-8", "replace")
        params.update(parse_qsl(body, keep_blank_values=True))
    return params


def required_blank_as_absent(model: type[RequestModel], params: Mapping[str, str]) -> dict[str, str]:
    """POP gateways treat `Name=` for a required parameter as not supplied (Missing<Name>), whatever its type."""
    required = {f.alias or name for name, f in model.model_fields.items() if f.is_required()}
    return {k: v for k, v in params.items() if v != "" or k not in required}


def pin_request_id(request: Request, action: str, version: str, caller: str, params: Mapping[str, str]) -> None:
    """One logical call answers with one RequestId, whether it came on `/` or on its alias path, and on every
    retry: the action and version as resolved (parameter, header or path), the caller's credential (V3 carries it
    in a header), and every parameter but the per-retry signature ones. Signature headers never count."""
    seed = request.app.state.emulator.seed
    stable = sorted((k, v) for k, v in params.items() if k not in VOLATILE_PARAMS and k not in ROUTING_PARAMS)
    parts = [request.method, action, version, caller, json.dumps(stable)]
    request.scope[REQUEST_ID_SCOPE_KEY] = digest_uuid(seed, parts)


class RpcDispatcher:
    def __init__(
        self,
        vendor: Vendor,
        version: str,
        operations: tuple[Operation, ...],
        errors: RpcErrors,
        authenticate: Callable[[Request, Mapping[str, str]], str],
        switches: Callable[[], Mapping[str, bool]],
        caller: Callable[[Request, Mapping[str, str]], str] = lambda request, params: "",
    ) -> None:
        self.vendor = vendor
        self.version = version
        self.operations = {op.name: op for op in operations}
        self.errors = errors
        self.authenticate = authenticate
        self.switches = switches
        self.caller = caller  # who signed, unverified: it only keeps two tenants' request ids apart

    def named(self, request: Request, params: Mapping[str, str], action: str | None) -> tuple[str, str]:
        """The action and version the request names ("" when it names none); `action` comes from an alias path."""
        version = request.headers.get("x-acs-version") or params.get("Version") or ""
        if action and not version:
            version = self.version  # alias paths name the action, and with it the API version
        return action or request.headers.get("x-acs-action") or params.get("Action") or "", version

    def resolve(self, request: Request, params: Mapping[str, str], action: str | None) -> Operation:
        action, version = self.named(request, params, action)
        if not action:
            raise error(self.errors.missing, param="Action")
        if not version:
            raise error(self.errors.missing, param="Version")
        if version != self.version:
            raise error(self.errors.invalid_version, param="Version")
        op = self.operations.get(action)
        if op is None:
            raise error(self.errors.unknown_action, action=action)
        return op

    async def dispatch(self, request: Request, action: str | None = None) -> dict[str, Any]:
        """`action` comes from the path on alias routes; otherwise from the header or parameter."""
        params = wire_params(request)
        named, version = self.named(request, params, action)
        if named:
            pin_request_id(request, named, version, self.caller(request, params), params)
        op = self.resolve(request, params, action)
        result = await run_operation(
            request,
            self.vendor,
            op,
            lambda: self.authenticate(request, params),
            required_blank_as_absent(op.request_model, params),
            self.switches(),
        )
        if not isinstance(result, dict):  # an RPC answer is always the action's JSON document
            raise TypeError(f"{op.name} answered {type(result).__name__}, not a dict")
        return result
