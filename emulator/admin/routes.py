"""`/_emulator/*`: the emulator's own endpoints (health now; reset, seed, load, inspect slot in here)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from emulator.admin.errors import PREFIX
from emulator.core.context import Emulator


def admin_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["emulator"])

    @router.get("/health", operation_id="Health")
    async def health(request: Request) -> dict[str, Any]:
        emu: Emulator = request.app.state.emulator
        return {
            "status": "ok",
            "seed": emu.settings.seed,
            "scale": emu.settings.scale,
            "auth": emu.settings.auth.value,
            "records": {c.collection.name: emu.store.count(c.collection) for c in emu.codecs()},
        }

    return router
