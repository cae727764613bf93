"""OpenAPI documents generated from the code: one per vendor plus the control plane (openapi/<name>.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from emulator.admin.errors import ControlPlaneErrors
from emulator.admin.routes import admin_router
from emulator.core.context import Emulator
from emulator.core.settings import Settings
from emulator.vendors import VENDOR_TYPES


def build_specs() -> dict[str, dict[str, Any]]:
    emu = Emulator(Settings(scale=0.01), VENDOR_TYPES, ControlPlaneErrors())
    specs = {}
    for vendor in emu.vendors:
        routes = [r for r in vendor.router(emu).routes if isinstance(r, APIRoute) and r.include_in_schema]
        specs[vendor.name] = get_openapi(title=f"agent-api-emulator: {vendor.name}", version="1", routes=routes)
    specs["emulator"] = get_openapi(title="agent-api-emulator control plane", version="1", routes=admin_router().routes)
    return specs


def render_spec(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_specs(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in build_specs().items():
        path = out / f"{name}.json"
        path.write_text(render_spec(spec), encoding="utf-8")
        written.append(path)
    return written
