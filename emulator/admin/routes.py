"""`/_emulator/*`: the emulator's own endpoints. Health, reset, seed, snapshot and clock here; records, tenants,
faults and the request journal in their own modules."""

from __future__ import annotations

import os

from fastapi import APIRouter, Response

from emulator import __version__
from emulator.admin import errors as E
from emulator.admin.faults import add_fault_routes
from emulator.admin.journal import add_journal_routes
from emulator.admin.models import ClockFrozen, ClockOffset, ClockState, Dataset, Health, SeedRequest
from emulator.admin.records import add_record_routes
from emulator.admin.responses import dataset
from emulator.admin.snapshot import add_snapshot_routes
from emulator.admin.tenants import add_tenant_routes
from emulator.core.clock import Clock, parse_instant, rfc3339
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.fixtures import FixtureError


def admin_router(emu: Emulator, *, documented: bool = True) -> APIRouter:
    """The control plane's routes; `documented` False leaves out the entry and snapshot schemas, which only the
    OpenAPI export reads (the app serves no OpenAPI document) and which cost a quarter of the app's start-up."""
    router = APIRouter(prefix=E.PREFIX, tags=["emulator"])

    async def health() -> Health:
        """200 once the store is loaded (the server accepts connections only after that)."""
        return Health(
            status="ok",
            version=__version__,
            worker=os.getpid(),
            seed=emu.seed,
            scale=emu.scale,
            auth=emu.settings.auth.value,
            records={c.collection.name: emu.store.count(c.collection) for v in emu.vendors for c in v.codecs},
        )

    async def health_head() -> Response:
        return Response(status_code=200, media_type="application/json")

    async def reset() -> Dataset:
        emu.reset()
        return dataset(emu)

    async def seed(body: SeedRequest) -> Dataset:
        try:
            emu.reseed(body.seed, emu.scale if body.scale is None else body.scale)
        except FixtureError as exc:  # the fixtures do not fit this seed's data (a conversation of a generated agent)
            raise error(E.ENTRY_REJECTED, detail=str(exc)) from None
        return dataset(emu)

    async def get_clock() -> ClockState:
        return clock_state(emu.clock)

    async def put_clock(body: ClockOffset | ClockFrozen) -> ClockState:
        if isinstance(body, ClockFrozen):
            clock = Clock(frozen_at=parse_instant(body.frozen_at))
        else:
            clock = Clock(offset_seconds=body.offset_seconds)
        with emu.store.transaction():
            emu.state.set_meta("clock", clock.to_json())
        emu.state.reload()
        return clock_state(emu.clock)

    router.add_api_route("/health", health, methods=["GET"], response_model=Health, operation_id="Health")
    router.add_api_route("/health", health_head, methods=["HEAD"], include_in_schema=False)
    summary = "The start-up dataset back; journal, fault rules and clock cleared; created tenants removed"
    router.add_api_route(
        "/reset", reset, methods=["POST"], response_model=Dataset, operation_id="Reset", summary=summary
    )
    summary = "Regenerate the generated data from another seed and scale (fixtures still overlay)"
    router.add_api_route(
        "/seed",
        seed,
        methods=["POST"],
        response_model=Dataset,
        operation_id="Seed",
        summary=summary,
        responses={409: {"description": "EntryRejected: the fixtures do not fit the data of this seed"}},
    )
    router.add_api_route("/clock", get_clock, methods=["GET"], response_model=ClockState, operation_id="GetClock")
    summary = "Run the clock at an offset from wall time, or freeze it"
    router.add_api_route(
        "/clock", put_clock, methods=["PUT"], response_model=ClockState, operation_id="SetClock", summary=summary
    )
    add_snapshot_routes(router, emu, documented)
    add_record_routes(router, emu, documented)
    add_tenant_routes(router, emu)
    add_fault_routes(router, emu)
    add_journal_routes(router, emu)
    return router


def clock_state(clock: Clock) -> ClockState:
    frozen = None if clock.frozen_at is None else rfc3339(clock.frozen_at)
    return ClockState(offset_seconds=clock.offset_seconds, frozen_at=frozen, now=rfc3339(clock.now()))
