"""Runtime settings: CLI flags and `EMULATOR_*` environment variables, one pydantic model.

The variables are read as pydantic-settings read them (one per field, its name in any case, its text validated as a
flag's is; a value given to the model wins), by the model itself: importing pydantic-settings (and python-dotenv)
took about 15 ms of every start, for this one lookup.
"""

from __future__ import annotations

import logging
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# `--fixtures examples`: the vendors' documented example responses, shipped in the package (emulator/examples/, to
# which the repository's fixtures/ links), unless a directory of that name exists where the emulator runs.
EXAMPLES = "examples"


def packaged_examples() -> Path:
    return Path(__file__).resolve().parent.parent / EXAMPLES


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


class LogLevel(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # start-up summary and one line per vendor request
    DEBUG = "debug"  # also control-plane requests and uvicorn's own messages
    TRACE = "trace"  # also uvicorn's protocol trace

    @property
    def number(self) -> int:
        """The stdlib logging level (uvicorn's TRACE is 5)."""
        return 5 if self is LogLevel.TRACE else int(getattr(logging, self.name))


class LogFormat(StrEnum):
    TEXT = "text"  # one readable line per event
    JSON = "json"  # one JSON object per line


class ProgressMode(StrEnum):
    AUTO = "auto"  # once a build takes more than 1.5 s: a bar on a terminal, else a line every few seconds
    BAR = "bar"
    LINES = "lines"
    OFF = "off"


ENV_PREFIX = "EMULATOR_"


class Settings(BaseModel):
    # As pydantic-settings' defaults (validate_default) and ours: values that are not settings are ignored.
    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    host: str = Field(default="127.0.0.1", description="bind address")
    port: int = Field(default=8000, ge=0, le=65535, description="port")
    workers: int = Field(default=1, ge=1, le=64, description="uvicorn worker processes")
    seed: int = Field(default=20201109, ge=0, description="drives all generated data")
    scale: float = Field(default=1.0, gt=0, le=10_000, description="multiplies the generated record counts")
    fixtures: Path | None = Field(
        default=None,
        description=f"fixtures directory to overlay or replace data ('{EXAMPLES}': the vendors' own examples)",
    )
    data_dir: Path | None = Field(default=None, description="keep the store in a file here, shared by workers")
    log_level: LogLevel = Field(default=LogLevel.INFO, description="what is logged (info: one line per request)")
    log_format: LogFormat = Field(default=LogFormat.TEXT, description="log lines as text or as JSON objects")
    progress: ProgressMode = Field(default=ProgressMode.AUTO, description="how a slow dataset build shows progress")
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

    auth: AuthMode = Field(
        default=AuthMode.VERIFY,
        description="verify signatures, only require known credentials (presence), or accept anything (off)",
    )
    # Added to the wall clock when checking signature dates: lets a test pretend the server clock is skewed.
    clock_offset_seconds: int = Field(default=0, description="start with the clock this far off wall time")
    signature_window_seconds: int = Field(default=900, ge=1, description="allowed signature date skew")

    # Fidelity choices where the vendor's real behaviour is unknown (README, "Fidelity notes").
    ice_page_size_over_max: OverLimit = Field(
        default=OverLimit.REJECT, description="ICE PageSize above the maximum: refused, or clamped"
    )
    ice_round_seconds: int = Field(
        default=10, ge=1, le=86_400, description="seconds of emulator clock per dialogue round of a running ICE agent"
    )
    ice_max_rounds: int = Field(
        default=360, ge=0, le=100_000, description="dialogue rounds a running ICE agent instance adds at most"
    )
    metastudio_time_field: RoomTimeField = Field(
        default=RoomTimeField.LAST_JOB, description="what MetaStudio start_time/end_time filter on"
    )
    metastudio_sum_scope: SumScope = Field(
        default=SumScope.FILTERED, description="MetaStudio count_* sums: over the filtered rooms, or the tenant's"
    )
    metastudio_gateway_prefix: str = Field(default="APIGW", description="MetaStudio gateway error code prefix")
    fixie_limit_over_max: OverLimit = Field(
        default=OverLimit.CLAMP, description="Fixie limit above 100: clamped, or refused"
    )
    fixie_default_limit: int = Field(default=20, ge=1, le=100, description="Fixie page size when limit is absent")
    fixie_requested_page_size: PageSizeEcho = Field(
        default=PageSizeEcho.REQUESTED, description="what Fixie pageInfo.requestedPageSize echoes"
    )
    fixie_word_ms: int = Field(
        default=5,
        ge=0,
        le=60_000,
        description="emulator-clock ms a Fixie reply takes per word: in-progress until then (0: settles at once)",
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**self.environment(), **values})

    @classmethod
    def environment(cls) -> dict[str, Any]:
        """Each setting's `EMULATOR_<NAME>` variable (the name in any case), as text."""
        found = {name.lower(): value for name, value in os.environ.items()}
        prefix = ENV_PREFIX.lower()
        return {name: found[prefix + name] for name in cls.model_fields if prefix + name in found}

    @field_validator("fixtures")
    @classmethod
    def _packaged_examples(cls, value: Path | None) -> Path | None:
        if value is not None and value == Path(EXAMPLES) and not value.exists():
            return packaged_examples()
        return value
