"""`EmulatorClient`: the control plane (`/_emulator/*`) over httpx, blocking."""

from __future__ import annotations

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


class EmulatorClient:
    """Every control-plane endpoint as a method; refusals raise `EmulatorError`. `options` go to `httpx.Client`
    (headers, transport, event_hooks, ...)."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", *, timeout: float = 30.0, **options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, **options)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def call(self, call: Call[T]) -> T:
        return call.answer(self.http.send(call.request(self.http)))

    def health(self) -> Health:
        return self.call(calls.health())

    def wait_healthy(self, timeout: float = 30.0, interval: float = 0.1) -> Health:
        """Poll the health endpoint until it answers (a container or subprocess still starting), else raise the
        last transport error."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.health()
            except httpx.TransportError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(interval)

    def reset(self) -> Dataset:
        """The start-up dataset back; journal, fault rules and clock cleared; created tenants removed."""
        return self.call(calls.reset())

    def seed(self, seed: int, scale: float | None = None) -> Dataset:
        """Regenerate every tenant's generated data from this seed (and scale); record writes are dropped."""
        return self.call(calls.seed(seed, scale))

    def get_records(self, collection: str, *, tenant: str | None = None, offset: int = 0, limit: int = 1000) -> Entries:
        """Entries of `collection` ("ice/dialogues", "fixie/agents", ...) in the fixture format, and their total."""
        return self.call(calls.get_records(collection, tenant, offset, limit))

    def put_records(self, collection: str, entries: Sequence[Mapping[str, Any]]) -> PutResult:
        """Insert or replace by (tenant, id), all or nothing."""
        return self.call(calls.put_records(collection, entries))

    def delete_record(self, collection: str, record_id: str, *, tenant: str | None = None) -> None:
        self.call(calls.delete_record(collection, record_id, tenant))

    def create_tenant(self, vendor: str, *, generate: bool = False) -> dict[str, Any]:
        """A new tenant with fresh credentials, as the manifest holds one (ICE `{account_id, region, access_keys}`,
        MetaStudio `{project_id, region, access_keys, tokens}`, Fixie `{owner, api_keys}`)."""
        return self.call(calls.create_tenant(vendor, generate))

    def list_tenants(self) -> dict[str, list[dict[str, Any]]]:
        return self.call(calls.list_tenants())

    def delete_tenant(self, vendor: str, tenant: str) -> None:
        self.call(calls.delete_tenant(vendor, tenant))

    def get_snapshot(self) -> dict[str, Any]:
        return self.call(calls.get_snapshot())

    def restore_snapshot(self, snapshot: Mapping[str, Any]) -> Dataset:
        return self.call(calls.restore_snapshot(snapshot))

    def list_requests(self, *, limit: int = 100, **filters: Unpack[RequestFilters]) -> list[JournalEntry]:
        """Journaled vendor requests, newest first."""
        return self.call(calls.list_requests(filters, limit))

    def count_requests(self, **filters: Unpack[RequestFilters]) -> int:
        return self.call(calls.count_requests(filters))

    def clear_requests(self) -> None:
        self.call(calls.clear_requests())

    def add_fault(self, vendor: str, **rule: Unpack[FaultRule]) -> str:
        """Add a fault rule; answers its id."""
        return self.call(calls.add_fault(vendor, rule))

    def list_faults(self) -> list[Fault]:
        return self.call(calls.list_faults())

    def delete_fault(self, fault_id: str) -> None:
        self.call(calls.delete_fault(fault_id))

    def clear_faults(self) -> None:
        self.call(calls.clear_faults())

    def get_clock(self) -> ClockState:
        return self.call(calls.get_clock())

    def set_clock_offset(self, seconds: float) -> ClockState:
        """Run the emulator's clock this far from wall time."""
        return self.call(calls.set_clock_offset(seconds))

    def freeze_clock(self, at: str | datetime) -> ClockState:
        """Stop the emulator's clock at this instant (a naive datetime is UTC)."""
        return self.call(calls.freeze_clock(at))
