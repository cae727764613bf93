"""Bodies the control plane takes and answers: a public interface users script against (see README, "Control
plane"), described in openapi/emulator.json from these models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from emulator.core.fixtures import MAX_SEED
from emulator.core.params import JSON_INTEGER

# Generated data per tenant grows with the scale; above this, start the emulator with --scale instead.
MAX_API_SCALE = 100.0
RFC3339 = (
    r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


class Body(BaseModel):
    """A request body: unknown keys refused, no coercion (`"seed": false` is not 0)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ControlPlaneErrorBody(BaseModel):
    code: str
    message: str
    requestId: str


class ControlPlaneError(BaseModel):
    error: ControlPlaneErrorBody


class Health(BaseModel):
    status: str
    version: str
    worker: int = Field(description="The answering process's id (which of several --workers answered).")
    seed: int
    scale: float
    auth: str
    records: dict[str, int]  # rows per store collection


class Dataset(BaseModel):
    """What is served after a reset, a reseed or a snapshot restore."""

    seed: int
    scale: float
    tenants: dict[str, int]  # tenants per vendor
    records: dict[str, int]  # rows per collection ("ice/dialogues": N)


class SeedRequest(Body):
    seed: Annotated[int, Field(ge=0, le=MAX_SEED, description="Drives all generated data."), JSON_INTEGER]
    scale: float | None = Field(
        None, gt=0, le=MAX_API_SCALE, description="Multiplies generated record counts; default: the current scale."
    )


class NewTenant(Body):
    vendor: str = Field(description="The vendor the tenant belongs to.")
    generate: bool = Field(False, description="Give the tenant its own generated data (else it starts empty).")


class Tenants(BaseModel):
    """Every served tenant per vendor, exactly as a manifest's `tenants` section holds them."""

    tenants: dict[str, list[dict[str, Any]]]


class PutResult(BaseModel):
    inserted: int
    replaced: int


class FaultCreated(BaseModel):
    id: str


class Fault(BaseModel):
    id: str
    rule: dict[str, Any]
    matched: int = Field(description="Requests the rule matched.")
    fired: int = Field(description="Requests it fired on.")


class Faults(BaseModel):
    faults: list[Fault]


class ClockState(BaseModel):
    offset_seconds: float = Field(description="Added to wall time when the clock runs.")
    frozen_at: str | None = Field(description="The instant the clock is frozen at (RFC 3339), or null if it runs.")
    now: str = Field(description="The emulator's time now (RFC 3339).")


class ClockOffset(Body):
    offset_seconds: float = Field(ge=-(10**9), le=10**9, description="Run the clock this far from wall time.")


class ClockFrozen(Body):
    frozen_at: str = Field(
        pattern=RFC3339,
        description="Freeze the clock at this instant (RFC 3339; a day past the month's end rolls over).",
    )


class JournalEntry(BaseModel):
    """One journaled vendor request: what it brought (secrets cut to their first characters) and what it got."""

    id: int = Field(description="Increasing; `since=<id>` lists the entries after it.")
    time: str = Field(description="When it arrived (RFC 3339, the emulator's clock).")
    ms: int = Field(description="The same instant in milliseconds since the epoch.")
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = Field(description="Lower-case names; signatures, tokens and keys cut.")
    body: str = Field(description="The first 4 KiB of the body.")
    body_size: int
    vendor: str
    operation: str | None = Field(description="The vendor's operation name, once routed.")
    tenant: str | None = Field(description="Account, project or owner, once credentials were read.")
    status: int | None = Field(description="The status answered; null if the connection was dropped.")
    code: str | None = Field(description="The vendor error code answered, as on the wire.")
    auth: str | None = Field(description='"ok", "off", or why the credentials were refused.')
    fault: str | None = Field(description="The id of the fault rule applied.")
    request_id: str | None = Field(description="The vendor's request id in the answer.")
    duration_ms: float


class Requests(BaseModel):
    requests: list[JournalEntry] = Field(description="Journal entries, newest first.")


class Count(BaseModel):
    count: int


class Entries(BaseModel):
    entries: list[dict[str, Any]]
    total: int
