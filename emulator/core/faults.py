"""Fault injection: rules that make a vendor fail the way it really fails, in its own words.

A rule matches requests by vendor, and optionally operation and tenant (known once credentials are checked: the
gate runs after authentication and before parameter parsing). It fires with its probability, drawn from a digest of
the dataset seed, the rule and the match number, so the same test run fires the same way in any process, for at most
`count` requests. Firing can delay the answer, replace it with one of the vendor's own errors (from its error table,
with the headers its SDK reacts to), drop the connection, or garble the answer. Rules are tried in creation order;
the first that fires applies. A rule without an action only counts the requests it matched.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from emulator.core.errors import ErrorSpec, VendorError, error
from emulator.core.params import JSON_INTEGER
from emulator.core.request_context import RequestContext

if TYPE_CHECKING:
    from emulator.core.context import Emulator
    from emulator.core.vendor import Vendor

CONNECTION_FAULTS = ("reset", "close")
MALFORMED_FAULTS = ("truncated", "wrong_shape")
MAX_LATENCY_MS = 600_000
ACTIONS = frozenset({"error", "latency_ms", "connection", "malformed"})
LatencyMs = Annotated[int, Field(ge=0, le=MAX_LATENCY_MS), JSON_INTEGER]


class DropConnection(Exception):
    """Raised by the gate to stop a request that must end in a broken connection; the edge carries it out."""


class FaultRuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    tenant: str | None = Field(None, min_length=1, description="Only this tenant's requests (account, project, owner).")
    probability: float = Field(1.0, ge=0, le=1, description="Chance that a matching request fires the rule.")
    count: Annotated[int, Field(ge=1), JSON_INTEGER] | None = Field(None, description="Fire at most this many times.")
    latency_ms: LatencyMs | Annotated[list[LatencyMs], Field(min_length=2, max_length=2)] | None = Field(
        None, description="Delay before the answer: milliseconds, or [low, high] drawn uniformly."
    )
    connection: Literal["reset", "close"] | None = Field(None, description="Break the connection instead of answering.")
    malformed: bool | Literal["truncated", "wrong_shape"] | None = Field(
        None, description="Garble the answer: cut the JSON short (true, truncated) or give a field the wrong shape."
    )


class CustomError(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    status: Annotated[int, Field(ge=400, le=599), JSON_INTEGER]
    code: str = Field(min_length=1)
    message: str


def rule_model(vendor: Vendor) -> type[BaseModel]:
    """The rule body for one vendor: its operation names and error names as enums (the OpenAPI lists them)."""
    pascal = "".join(part.capitalize() for part in vendor.name.split("_"))
    custom = create_model(
        f"{pascal}CustomError",
        __base__=CustomError,
        code=(vendor.custom_error_code, Field(description="The code as the vendor's envelope carries it.")),
    )
    operation: Any = Literal[vendor.operation_names]
    names: Any = Literal[tuple(vendor.fault_errors)]
    name: Any = Literal[vendor.name]
    model: type[BaseModel] = create_model(
        f"{pascal}FaultRule",
        __base__=FaultRuleBase,
        vendor=(name, ...),
        operation=(operation | None, Field(None, description="Only this operation (the vendor's name for it).")),
        error=(names | custom | None, Field(None, description="Answer with this error instead.")),
    )
    return model


def latency_range(value: int | list[int] | None) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value, value
    low, high = value
    return min(low, high), max(low, high)


def draw(seed: int, rule_id: str, match: int, purpose: str) -> float:
    """A number in [0, 1) that depends only on the seed, the rule, the match number and what it decides."""
    digest = hashlib.sha256(f"{seed}\x00{rule_id}\x00{match}\x00{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def escape(text: str) -> str:
    """User text inside an ErrorSpec template, where braces are format fields."""
    return text.replace("{", "{{").replace("}", "}}")


def fault_error(vendor: Vendor, value: str | dict[str, Any]) -> VendorError:
    if isinstance(value, str):
        return error(vendor.fault_errors[value])
    spec = vendor.custom_fault(int(value["status"]), str(value["code"]), str(value["message"]))
    return error(ErrorSpec(escape(spec.code), spec.status, escape(spec.message), spec.headers))


async def apply_faults(emu: Emulator, vendor: Vendor, ctx: RequestContext) -> None:
    """The fault gate: find the first matching rule that fires and carry out what it says."""
    rules = emu.state.faults
    if not rules:
        return
    for row in rules:
        rule = row.rule
        if rule["vendor"] != vendor.name:
            continue
        if rule.get("operation") not in (None, ctx.operation) or rule.get("tenant") not in (None, ctx.tenant):
            continue
        with emu.store.transaction():
            match = emu.state.count_match(row.id)
            if match is None:  # deleted by another worker since this one last looked
                continue
            fires = draw(emu.seed, row.id, match, "fire") < float(rule.get("probability", 1.0))
            fires = fires and emu.state.count_fire(row.id, rule.get("count"))
        if fires and ACTIONS.intersection(rule):
            ctx.fault = row.id
            await _carry_out(emu, vendor, ctx, rule, row.id, match)
            return
        # A rule without an action only counts (matched, fired); the next rules still get their turn.


async def _carry_out(
    emu: Emulator, vendor: Vendor, ctx: RequestContext, rule: dict[str, Any], rule_id: str, match: int
) -> None:
    latency = latency_range(rule.get("latency_ms"))
    if latency is not None:
        low, high = latency
        delay = low + (high - low) * draw(emu.seed, rule_id, match, "latency")
        await asyncio.sleep(delay / 1000)
    malformed = rule.get("malformed")
    if malformed:
        ctx.malformed = "truncated" if malformed is True else str(malformed)
    if rule.get("connection"):
        ctx.connection = str(rule["connection"])
        raise DropConnection()
    if rule.get("error") is not None:
        raise fault_error(vendor, rule["error"])
