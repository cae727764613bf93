"""RPC-style dispatch (one path, operation named by a parameter or header), as Alibaba's POP gateway does it.

Gateway order: action and version, then the operation pipeline (credentials, fault gate, parameters, handler).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request

from emulator.core.errors import ErrorSpec, error
from emulator.core.http import (
    MAX_REMEMBERED_BODY,
    VOLATILE_PARAMS,
    header,
    parse_form,
    query_pairs,
    raw_body,
)
from emulator.core.ids import digest_uuid
from emulator.core.memo import Memo
from emulator.core.operation import LazyOperation, Operation, run_operation
from emulator.core.params import RequestModel

if TYPE_CHECKING:
    from emulator.core.vendor import Vendor

FORM = "application/x-www-form-urlencoded"
# Where `emulator.core.http.request_id` caches a request's id; an RPC call pins it to the logical call.
REQUEST_ID_SCOPE_KEY = "emulator.request_id"
# Parameters that name the call rather than vary it; the alias path carries the action in the path instead.
ROUTING_PARAMS = frozenset({"Action", "Version"})
IdMemo = Memo[tuple[object, ...], uuid.UUID]


@dataclass(frozen=True)
class RpcErrors:
    missing: ErrorSpec  # a common parameter (Action, Version) absent
    invalid_version: ErrorSpec
    unknown_action: ErrorSpec


def wire_params(request: Request) -> dict[str, str]:
    """Query string merged with a form body (form wins), '+' read as space, blank values kept."""
    params = dict(query_pairs(request))
    content_type = (header(request, "content-type") or "").split(";")[0].strip().lower()
    if content_type == FORM:
        body = raw_body(request).decode("utf-8", "replace")
        params.update(parse_form(body))
    return params


def required_blank_as_absent(model: type[RequestModel], params: Mapping[str, str]) -> dict[str, str]:
    """POP gateways treat `Name=` for a required parameter as not supplied (Missing<Name>), whatever its type."""
    if "" not in params.values():
        return dict(params)
    required = {f.alias or name for name, f in model.model_fields.items() if f.is_required()}
    return {k: v for k, v in params.items() if v != "" or k not in required}


def pin_request_id(
    request: Request, action: str, version: str, caller: str, params: Mapping[str, str], remembered: IdMemo
) -> None:
    """One logical call answers with one RequestId, whether it came on `/` or on its alias path, and on every
    retry: the action and version as resolved (parameter, header or path), the caller's credential (V3 carries it
    in a header), and every parameter but the per-retry signature ones. Signature headers never count. Ids are
    remembered by the bytes they come from (V3 calls repeat their query; only the signature headers change)."""
    seed = request.app.state.emulator.seed
    scope, body = request.scope, raw_body(request)

    def digest() -> uuid.UUID:
        stable = sorted((k, v) for k, v in params.items() if k not in VOLATILE_PARAMS and k not in ROUTING_PARAMS)
        return digest_uuid(seed, [request.method, action, version, caller, json.dumps(stable)])

    if len(body) <= MAX_REMEMBERED_BODY:
        form = header(request, "content-type")  # whether the body holds parameters
        key = (seed, scope["method"], action, version, caller, scope["query_string"], body, form)
        scope[REQUEST_ID_SCOPE_KEY] = remembered.get_or(key, digest)
    else:
        scope[REQUEST_ID_SCOPE_KEY] = digest()


class RpcDispatcher:
    def __init__(
        self,
        vendor: Vendor,
        version: str,
        operations: tuple[LazyOperation, ...],
        errors: RpcErrors,
        authenticate: Callable[[Request, Mapping[str, str]], str],
        switches: Callable[[], Mapping[str, bool]],
        caller: Callable[[Request, Mapping[str, str]], str] = lambda request, params: "",
    ) -> None:
        self.vendor = vendor
        self.version = version
        self.operations = {op.route.name: op for op in operations}  # each module imported at its first call
        self.errors = errors
        self.authenticate = authenticate
        self.switches = switches
        self.caller = caller  # who signed, unverified: it only keeps two tenants' request ids apart
        self.request_ids: IdMemo = Memo()

    def named(self, request: Request, params: Mapping[str, str], action: str | None) -> tuple[str, str]:
        """The action and version the request names ("" when it names none); `action` comes from an alias path."""
        version = header(request, "x-acs-version") or params.get("Version") or ""
        if action and not version:
            version = self.version  # alias paths name the action, and with it the API version
        return action or header(request, "x-acs-action") or params.get("Action") or "", version

    def resolve(self, action: str, version: str) -> Operation:
        """The operation named by the (resolved) action and version, or the gateway's error."""
        if not action:
            raise error(self.errors.missing, param="Action")
        if not version:
            raise error(self.errors.missing, param="Version")
        if version != self.version:
            raise error(self.errors.invalid_version, param="Version")
        op = self.operations.get(action)
        if op is None:
            raise error(self.errors.unknown_action, action=action)
        return op.get()

    async def dispatch(self, request: Request, action: str | None = None) -> dict[str, Any]:
        """`action` comes from the path on alias routes; otherwise from the header or parameter."""
        params = wire_params(request)
        named, version = self.named(request, params, action)
        if named:
            pin_request_id(request, named, version, self.caller(request, params), params, self.request_ids)
        op = self.resolve(named, version)
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
