"""OpenAPI documents generated from the code: one per vendor plus the control plane (openapi/<name>.json).

Routes supply operation ids, parameters (from the request models) and success schemas; each vendor's
`VendorContract` adds its error envelope, the statuses its operations can answer and its security schemes. The
checked-in files are compared with this output by a test, so the contract and the code cannot drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from emulator import __version__
from emulator.admin.errors import ControlPlaneErrors
from emulator.admin.routes import ControlPlaneError, admin_router
from emulator.core.context import Emulator
from emulator.core.settings import Settings
from emulator.core.vendor import VendorContract
from emulator.vendors import VENDOR_TYPES

REF = "#/components/schemas/{model}"
CONTROL_PLANE = VendorContract(
    title="agent-api-emulator control plane",
    description="The emulator's own endpoints under the reserved `/_emulator/` prefix.",
    error_model=ControlPlaneError,
    error_statuses={404: "No such endpoint.", 405: "Method not allowed."},
)


def build_specs() -> dict[str, dict[str, Any]]:
    emu = Emulator(Settings(scale=0.01), VENDOR_TYPES, ControlPlaneErrors())
    specs = {v.name: _spec(list(v.router(emu).routes), v.contract()) for v in emu.vendors}
    specs["emulator"] = _spec(list(admin_router().routes), CONTROL_PLANE)
    return specs


def _spec(routes: list[Any], contract: VendorContract) -> dict[str, Any]:
    documented = [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema]
    spec = get_openapi(title=contract.title, version=__version__, description=contract.description, routes=documented)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    error_name = contract.error_model.__name__
    _add_schema(schemas, contract.error_model)
    error_ref = {"$ref": REF.format(model=error_name)}
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
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


def _add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


def render_spec(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def write_specs(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in build_specs().items():
        path = out / f"{name}.json"
        path.write_text(render_spec(spec), encoding="utf-8")
        written.append(path)
    return written
