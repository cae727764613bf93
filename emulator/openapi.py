"""OpenAPI documents generated from the code: one per vendor plus the control plane (openapi/<name>.json).

Routes supply operation ids, parameters (from the request models) and success schemas; each vendor's
`VendorContract` adds its error envelope, the statuses its operations can answer and its security schemes. The
checked-in files are compared with this output by a test, so the contract and the code cannot drift.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from emulator import __version__
from emulator.admin import errors as E
from emulator.admin.errors import ControlPlaneErrors
from emulator.admin.models import ControlPlaneError
from emulator.admin.routes import admin_router
from emulator.core.context import Emulator
from emulator.core.rest import REF
from emulator.core.settings import Settings
from emulator.core.vendor import ErrorDialect, Vendor, VendorContract
from emulator.vendors import VENDOR_TYPES

CONTROL_PLANE = VendorContract(
    title="agent-api-emulator control plane",
    description="The emulator's own endpoints under the reserved `/_emulator/` prefix: health, reset, seed, "
    "snapshot, records, tenants, fault rules, the request journal and the clock. Errors are "
    '`{"error": {"code", "message", "requestId"}}`.',
    error_model=ControlPlaneError,
    error_statuses={
        400: f"{E.INVALID.code}: a parameter or body field is not valid.",
        404: f"{E.NOT_FOUND.code}: no such endpoint (or the named resource does not exist).",
        405: f"{E.METHOD_NOT_ALLOWED.code}: method not allowed.",
    },
)


def build_specs() -> dict[str, dict[str, Any]]:
    emu = Emulator(Settings(scale=0.01), VENDOR_TYPES, ControlPlaneErrors())
    specs = {v.name: _spec(list(v.router(emu).routes), with_error_table(v, v.contract())) for v in emu.vendors}
    control_plane = with_error_table(emu.control_plane, CONTROL_PLANE)
    specs["emulator"] = _spec(list(admin_router(emu).routes), control_plane)
    return specs


def with_error_table(dialect: ErrorDialect, contract: VendorContract) -> VendorContract:
    """The contract's statuses completed from the party's error table: the errors fault rules can inject and the
    edge's refusals (a body over the limit, a foreign Host, too many connections), so none goes undocumented."""
    statuses = dict(contract.error_statuses)
    notes: dict[int, list[str]] = {}
    faults = dialect.fault_errors if isinstance(dialect, Vendor) else {}
    for name, spec in faults.items():
        notes.setdefault(spec.status, []).append(f"{name} (a fault rule)")
    edge = (
        (dialect.too_large(0), "body too large"),
        (dialect.uri_too_long(0), "URI too long"),
        (dialect.misdirected("host"), "Host not served"),
    )
    for err, why in (*edge, (dialect.overloaded(0), "too many connections")):
        notes.setdefault(err.status, []).append(why)
    for status, found in notes.items():
        note = f"Also: {', '.join(found)}."
        statuses[status] = f"{statuses[status]} {note}" if status in statuses else note
    return dataclasses.replace(contract, error_statuses=dict(sorted(statuses.items())))


def _spec(routes: list[Any], contract: VendorContract) -> dict[str, Any]:
    documented = [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]
    spec = get_openapi(title=contract.title, version=__version__, description=contract.description, routes=documented)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    error_name = contract.error_model.__name__
    _add_schema(schemas, contract.error_model)
    error_ref = {"$ref": REF.format(model=error_name)}
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            _merge_schemas(schemas, operation.pop("x-schemas", {}))  # what a route's openapi_extra refers to
            responses = operation["responses"]
            responses.pop("422", None)  # FastAPI's default; the emulator never answers it
            # Statuses every operation of the vendor can answer, then the operation's own wording of them.
            for status, description in contract.error_statuses.items():
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                if not status.startswith("2"):
                    response["content"] = {"application/json": {"schema": error_ref}}
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    if contract.security_schemes:
        spec["components"]["securitySchemes"] = contract.security_schemes
        spec["security"] = contract.security
    return spec


def _merge_schemas(schemas: dict[str, Any], extra: dict[str, Any]) -> None:
    for name, schema in extra.items():
        if schemas.setdefault(name, schema) != schema:
            raise ValueError(f"two different schemas named {name}: rename one of the models")


def _add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


def render_spec(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def write_spec(out: Path, name: str, spec: dict[str, Any]) -> Path:
    """`out/<name>.json` (the directory created if need be)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(render_spec(spec), encoding="utf-8")
    return path
