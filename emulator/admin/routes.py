"""`/_emulator/*`: the emulator's own endpoints (health now; reset, seed, load, inspect slot in here)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from emulator.admin.errors import PREFIX
from emulator.core.context import Emulator


class Health(BaseModel):
    status: str
    seed: int
    scale: float
    auth: str
    records: dict[str, int]  # rows per store collection


class ControlPlaneErrorBody(BaseModel):
    code: str
    message: str
    requestId: str


class ControlPlaneError(BaseModel):
    error: ControlPlaneErrorBody


def admin_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["emulator"])

    @router.get("/health", operation_id="Health", response_model=Health)
    async def health(request: Request) -> Health:
        """200 once the store is loaded (the server accepts connections only after that)."""
        emu: Emulator = request.app.state.emulator
        return Health(
            status="ok",
            seed=emu.settings.seed,
            scale=emu.settings.scale,
            auth=emu.settings.auth.value,
            records={c.collection.name: emu.store.count(c.collection) for c in emu.codecs()},
        )

    return router
