"""Runtime settings: CLI flags and `EMULATOR_*` environment variables, one pydantic-settings model."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AuthMode(StrEnum):
    VERIFY = "verify"  # recompute the vendor's signature, check clock skew and nonce replay
    PRESENCE = "presence"  # well-formed credentials of a known tenant; signature not checked
    OFF = "off"  # anything goes; unknown credentials fall back to the first tenant


class OverLimit(StrEnum):
    REJECT = "reject"  # answer the vendor's invalid-parameter error
    CLAMP = "clamp"  # coerce down to the maximum (AIP-158 style)


class RoomTimeField(StrEnum):
    LAST_JOB = "last_job"  # filter on the hidden start time of the room's latest dialog task
    CREATE_TIME = "create_time"


class SumScope(StrEnum):
    FILTERED = "filtered"  # count_* sums cover the same filtered set as `count`
    TENANT = "tenant"  # count_* sums cover every room of the project


class PageSizeEcho(StrEnum):
    REQUESTED = "requested"  # the page size the request asked for (0 when it asked for none), as documented
    APPLIED = "applied"  # the page size served (the default, or the maximum after clamping)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EMULATOR_", extra="ignore", frozen=True)

    host: str = Field(default="127.0.0.1", description="bind address")
    port: int = Field(default=8000, ge=0, le=65535, description="port")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes")
    seed: int = Field(default=20201109, ge=0, description="drives all generated data")
    scale: float = Field(default=1.0, gt=0, le=10_000, description="multiplies the generated record counts")
    fixtures: Path | None = Field(default=None, description="fixtures directory to overlay or replace data")
    data_dir: Path | None = Field(default=None, description="keep the store in a file here, shared by workers")
    log_level: str = Field(default="warning", description="uvicorn log level")
    journal_size: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="requests the journal keeps (oldest first out); 0 turns it off",
    )
    # The HTTP edge's limits (README, "Limits"): a stalled or half-sent request must not hold a connection forever.
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="seconds a request's line and headers may take to arrive; then closed"
    )
    body_timeout_seconds: float = Field(
        default=10.0, gt=0, description="seconds a request body may stall between two reads; then closed"
    )
    max_connections: int = Field(
        default=512, ge=1, description="open connections per worker; a request on one beyond gets a busy error"
    )
    allowed_hosts: str = Field(
        default="",
        description="Host names accepted besides loopback ones, comma-separated (*.example.com, or * for any)",
    )

    auth: AuthMode = Field(default=AuthMode.VERIFY, description="verify | presence | off")
    # Added to the wall clock when checking signature dates: lets a test pretend the server clock is skewed.
    clock_offset_seconds: int = 0
    signature_window_seconds: int = Field(default=900, ge=1)

    # Fidelity choices where the vendor's real behaviour is unknown (README, "Fidelity notes").
    ice_page_size_over_max: OverLimit = OverLimit.REJECT
    metastudio_time_field: RoomTimeField = RoomTimeField.LAST_JOB
    metastudio_sum_scope: SumScope = SumScope.FILTERED
    metastudio_gateway_prefix: str = "APIGW"
    fixie_limit_over_max: OverLimit = OverLimit.CLAMP
    fixie_default_limit: int = Field(default=20, ge=1, le=100)
    fixie_requested_page_size: PageSizeEcho = PageSizeEcho.REQUESTED
