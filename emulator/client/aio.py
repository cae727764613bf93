"""`AsyncEmulatorClient`: the control plane (`/_emulator/*`) over httpx, for asyncio."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack

import httpx

from emulator.admin.models import ClockState, Dataset, Entries, Fault, Health, JournalEntry, PutResult
from emulator.client import calls
from emulator.client.calls import Call, FaultRule, RequestFilters

T = TypeVar("T")


class AsyncEmulatorClient:
    """Every control-plane endpoint as a method; refusals raise `EmulatorError`. `options` go to `httpx.AsyncClient`
    (headers, transport, event_hooks, ...)."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", *, timeout: float = 30.0, **options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, **options)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def call(self, call: Call[T]) -> T:
        return call.answer(await self.http.send(call.request(self.http)))

    async def health(self) -> Health:
        return await self.call(calls.health())

    async def wait_healthy(self, timeout: float = 30.0, interval: float = 0.1) -> Health:
        """Poll the health endpoint until it answers (a container or subprocess still starting), else raise the
        last transport error."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return await self.health()
            except httpx.TransportError:
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(interval)

    async def reset(self) -> Dataset:
        """The start-up dataset back; journal, fault rules and clock cleared; created tenants removed."""
        return await self.call(calls.reset())

    async def seed(self, seed: int, scale: float | None = None) -> Dataset:
        """Regenerate every tenant's generated data from this seed (and scale); record writes are dropped."""
        return await self.call(calls.seed(seed, scale))

    async def get_records(
        self, collection: str, *, tenant: str | None = None, offset: int = 0, limit: int = 1000
    ) -> Entries:
        """Entries of `collection` ("ice/dialogues", "fixie/agents", ...) in the fixture format, and their total."""
        return await self.call(calls.get_records(collection, tenant, offset, limit))

    async def put_records(self, collection: str, entries: Sequence[Mapping[str, Any]]) -> PutResult:
        """Insert or replace by (tenant, id), all or nothing."""
        return await self.call(calls.put_records(collection, entries))

    async def delete_record(self, collection: str, record_id: str, *, tenant: str | None = None) -> None:
        await self.call(calls.delete_record(collection, record_id, tenant))

    async def create_tenant(self, vendor: str, *, generate: bool = False) -> dict[str, Any]:
        """A new tenant with fresh credentials, as the manifest holds one (ICE `{account_id, region, access_keys}`,
        MetaStudio `{project_id, region, access_keys, tokens}`, Fixie `{owner, api_keys}`)."""
        return await self.call(calls.create_tenant(vendor, generate))

    async def list_tenants(self) -> dict[str, list[dict[str, Any]]]:
        return await self.call(calls.list_tenants())

    async def delete_tenant(self, vendor: str, tenant: str) -> None:
        await self.call(calls.delete_tenant(vendor, tenant))

    async def get_snapshot(self) -> dict[str, Any]:
        return await self.call(calls.get_snapshot())

    async def restore_snapshot(self, snapshot: Mapping[str, Any]) -> Dataset:
        return await self.call(calls.restore_snapshot(snapshot))

    async def list_requests(self, *, limit: int = 100, **filters: Unpack[RequestFilters]) -> list[JournalEntry]:
        """Journaled vendor requests, newest first."""
        return await self.call(calls.list_requests(filters, limit))

    async def count_requests(self, **filters: Unpack[RequestFilters]) -> int:
        return await self.call(calls.count_requests(filters))

    async def clear_requests(self) -> None:
        await self.call(calls.clear_requests())

    async def add_fault(self, vendor: str, **rule: Unpack[FaultRule]) -> str:
        """Add a fault rule; answers its id."""
        return await self.call(calls.add_fault(vendor, rule))

    async def list_faults(self) -> list[Fault]:
        return await self.call(calls.list_faults())

    async def delete_fault(self, fault_id: str) -> None:
        await self.call(calls.delete_fault(fault_id))

    async def clear_faults(self) -> None:
        await self.call(calls.clear_faults())

    async def get_clock(self) -> ClockState:
        return await self.call(calls.get_clock())

    async def set_clock_offset(self, seconds: float) -> ClockState:
        """Run the emulator's clock this far from wall time."""
        return await self.call(calls.set_clock_offset(seconds))

    async def freeze_clock(self, at: str | datetime) -> ClockState:
        """Stop the emulator's clock at this instant (a naive datetime is UTC)."""
        return await self.call(calls.freeze_clock(at))
