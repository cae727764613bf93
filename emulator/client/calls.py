"""What each control-plane endpoint takes and answers, once for both clients: a `Call` is the request to send and
how to read its answer. The answer models are the server's own (`emulator.admin.models`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypedDict, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from emulator.admin.models import (
    ClockState,
    ControlPlaneError,
    Count,
    Dataset,
    Entries,
    Fault,
    FaultCreated,
    Faults,
    Health,
    JournalEntry,
    PutResult,
    Requests,
    Tenants,
)

PREFIX = "/_emulator"
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class EmulatorError(Exception):
    """The control plane refused a call: its status, its `code` (`InvalidEntry`, `TenantNotFound`, ...), its message
    and the request id it answered with. Transport failures (connection refused, time-outs) stay httpx's errors."""

    def __init__(self, status: int, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" (requestId {request_id})" if request_id else ""))
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id


class RequestFilters(TypedDict, total=False):
    """The journal's filters (all optional; the server ANDs them)."""

    vendor: str
    operation: str
    tenant: str
    status: int
    code: str
    auth: str
    since: int | str | datetime  # an entry id (entries after it), or a time (at or after it)


class FaultRule(TypedDict, total=False):
    """A fault rule beside its vendor (README, "Faults"); the server checks the values and names."""

    operation: str
    tenant: str
    probability: float
    count: int
    error: str | Mapping[str, Any]  # an error name of the vendor's, or {"status", "code", "message"}
    latency_ms: int | Sequence[int]  # N, or [low, high]
    connection: Literal["reset", "close"]
    malformed: bool | Literal["truncated", "wrong_shape"]


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    body: Any = None

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        return http.build_request(self.method, PREFIX + self.path, params=self.params, json=self.body)

    def answer(self, response: httpx.Response) -> T:
        if not response.is_success:
            raise error_of(response)
        return self.read(response)


def error_of(response: httpx.Response) -> EmulatorError:
    """The control plane's error envelope as an EmulatorError; anything else (a proxy's page) keeps its text."""
    try:
        body = ControlPlaneError.model_validate_json(response.content).error
    except ValueError:
        return EmulatorError(response.status_code, "UnexpectedResponse", response.text[:500])
    return EmulatorError(response.status_code, body.code, body.message, body.requestId)


def model(kind: type[M]) -> Callable[[httpx.Response], M]:
    return lambda response: kind.model_validate_json(response.content)


def nothing(response: httpx.Response) -> None:
    return None


def instant(value: datetime) -> str:
    """RFC 3339 in UTC; a naive datetime is taken as UTC."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat().replace("+00:00", "Z")


def segment(value: str) -> str:
    return quote(value, safe="")


def health() -> Call[Health]:
    return Call("GET", "/health", model(Health))


def reset() -> Call[Dataset]:
    return Call("POST", "/reset", model(Dataset))


def seed(seed: int, scale: float | None) -> Call[Dataset]:
    body: dict[str, Any] = {"seed": seed} if scale is None else {"seed": seed, "scale": scale}
    return Call("POST", "/seed", model(Dataset), body=body)


def get_records(collection: str, tenant: str | None, offset: int, limit: int) -> Call[Entries]:
    params = {"offset": offset, "limit": limit} | ({} if tenant is None else {"tenant": tenant})
    return Call("GET", f"/records/{collection}", model(Entries), params=params)


def put_records(collection: str, entries: Sequence[Mapping[str, Any]]) -> Call[PutResult]:
    return Call("PUT", f"/records/{collection}", model(PutResult), body=[dict(e) for e in entries])


def delete_record(collection: str, record_id: str, tenant: str | None) -> Call[None]:
    # Ids may hold a "/" (Fixie's legacy "<owner>/<handle>" agents): the route takes the rest of the path.
    path = f"/records/{collection}/{quote(record_id, safe='/')}"
    return Call("DELETE", path, nothing, params=None if tenant is None else {"tenant": tenant})


def create_tenant(vendor: str, generate: bool) -> Call[dict[str, Any]]:
    def read(response: httpx.Response) -> dict[str, Any]:
        tenant: dict[str, Any] = response.json()
        return tenant

    return Call("POST", "/tenants", read, body={"vendor": vendor, "generate": generate})


def list_tenants() -> Call[dict[str, list[dict[str, Any]]]]:
    return Call("GET", "/tenants", lambda r: Tenants.model_validate_json(r.content).tenants)


def delete_tenant(vendor: str, tenant: str) -> Call[None]:
    return Call("DELETE", f"/tenants/{segment(vendor)}/{segment(tenant)}", nothing)


def get_snapshot() -> Call[dict[str, Any]]:
    def read(response: httpx.Response) -> dict[str, Any]:
        snapshot: dict[str, Any] = response.json()
        return snapshot

    return Call("GET", "/snapshot", read)


def restore_snapshot(snapshot: Mapping[str, Any]) -> Call[Dataset]:
    return Call("POST", "/snapshot", model(Dataset), body=dict(snapshot))


def journal_params(filters: RequestFilters) -> dict[str, Any]:
    params: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
    if isinstance(params.get("since"), datetime):
        params["since"] = instant(params["since"])
    return params


def list_requests(filters: RequestFilters, limit: int) -> Call[list[JournalEntry]]:
    params = journal_params(filters) | {"limit": limit}
    return Call("GET", "/requests", lambda r: Requests.model_validate_json(r.content).requests, params=params)


def count_requests(filters: RequestFilters) -> Call[int]:
    params = journal_params(filters)
    return Call("GET", "/requests/count", lambda r: Count.model_validate_json(r.content).count, params=params)


def clear_requests() -> Call[None]:
    return Call("DELETE", "/requests", nothing)


def add_fault(vendor: str, rule: FaultRule) -> Call[str]:
    body: dict[str, Any] = {"vendor": vendor, **{k: v for k, v in rule.items() if v is not None}}
    if isinstance(body.get("latency_ms"), Sequence):
        body["latency_ms"] = list(body["latency_ms"])  # a (low, high) tuple is sent as JSON's [low, high]
    if isinstance(body.get("error"), Mapping):
        body["error"] = dict(body["error"])
    return Call("POST", "/faults", lambda r: FaultCreated.model_validate_json(r.content).id, body=body)


def list_faults() -> Call[list[Fault]]:
    return Call("GET", "/faults", lambda r: Faults.model_validate_json(r.content).faults)


def delete_fault(fault_id: str) -> Call[None]:
    return Call("DELETE", f"/faults/{segment(fault_id)}", nothing)


def clear_faults() -> Call[None]:
    return Call("DELETE", "/faults", nothing)


def get_clock() -> Call[ClockState]:
    return Call("GET", "/clock", model(ClockState))


def set_clock_offset(seconds: float) -> Call[ClockState]:
    return Call("PUT", "/clock", model(ClockState), body={"offset_seconds": seconds})


def freeze_clock(at: str | datetime) -> Call[ClockState]:
    frozen = instant(at) if isinstance(at, datetime) else at
    return Call("PUT", "/clock", model(ClockState), body={"frozen_at": frozen})
