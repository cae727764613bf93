"""What the core needs from a vendor package; each vendor implements one `Vendor` subclass."""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from emulator.core.errors import ErrorSpec, VendorError
from emulator.core.fixtures import FixtureCodec
from emulator.core.params import ParamProblem
from emulator.core.store import Collection, Record, Store

if TYPE_CHECKING:
    from emulator.core.context import Emulator


@dataclass(frozen=True)
class VendorContract:
    """What the OpenAPI document says about a vendor beyond its routes' own models."""

    title: str
    description: str
    error_model: type[BaseModel]  # the error envelope
    error_statuses: dict[int, str]  # every non-200 status an operation can answer -> description
    security_schemes: dict[str, dict[str, Any]] = field(default_factory=dict)
    security: list[dict[str, list[str]]] = field(default_factory=list)  # alternatives


class ErrorDialect(ABC):
    """How errors look for the requests one party owns: a vendor, or the emulator's own control plane."""

    name: ClassVar[str]

    @abstractmethod
    def owns_path(self, path: str) -> bool:
        """Whether an unrouted request (404/405) belongs to this party."""

    @abstractmethod
    def render(self, err: VendorError, request: Request) -> Response:
        """The error in this party's own envelope and headers."""

    def code_of(self, err: VendorError, request: Request) -> str:
        """The error code as `render` puts it on the wire (for the journal)."""
        return err.code

    @abstractmethod
    def param_error(self, problem: ParamProblem) -> VendorError: ...

    @abstractmethod
    def not_found(self, method_not_allowed: bool) -> VendorError: ...

    @abstractmethod
    def internal_error(self) -> VendorError: ...

    # Refusals at the HTTP edge (emulator.core.edge), before any route runs.
    @abstractmethod
    def too_large(self, limit: int) -> VendorError:
        """A request body over `limit` bytes: 413 (with the party's own code for it)."""

    @abstractmethod
    def overloaded(self, limit: int) -> VendorError:
        """A request on a connection beyond the server's `limit` of open connections: the party's busy error."""

    @abstractmethod
    def uri_too_long(self, limit: int) -> VendorError:
        """A request target (path and query) over `limit` bytes: 414."""

    @abstractmethod
    def misdirected(self, host: str) -> VendorError:
        """A request that reached a loopback address naming a foreign `Host` (DNS rebinding): 421."""


class Vendor(ErrorDialect):
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]]
    # One tenant as the manifest's `tenants` section holds it, and the field holding its id (see `tenant_id`).
    tenant_model: ClassVar[type[BaseModel]]
    tenant_key: ClassVar[str]
    # The operations a fault rule may name (the vendor's own operation names).
    operation_names: ClassVar[tuple[str, ...]]
    # Errors a fault rule may inject, by name (the vendor's own code names), from the vendor's error table.
    fault_errors: ClassVar[dict[str, ErrorSpec]]
    # The type of `code` in a fault rule's custom error (what the vendor's envelope can carry).
    custom_error_code: ClassVar[Any] = Annotated[str, Field(min_length=1)]

    def __init__(self, tenants: list[dict[str, Any]]) -> None:
        self.load_tenants(tenants)

    @abstractmethod
    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        """Validate this vendor's tenants (the manifest section's shape) and serve exactly these from now on."""

    @abstractmethod
    def tenants_manifest(self) -> list[dict[str, Any]]:
        """The tenants section as the manifest stores it (for export)."""

    def validate_tenant(self, doc: dict[str, Any]) -> dict[str, Any]:
        """One tenant in the manifest's shape, validated (pydantic ValidationError) and normalised."""
        valid: dict[str, Any] = self.tenant_model.model_validate(doc).model_dump(exclude_none=True)
        return valid

    @abstractmethod
    def key_ids(self) -> list[str]:
        """Its tenants' credential ids (access key ids, API keys), named by the warning `serve` prints when exposed."""

    @abstractmethod
    def tenant_id(self, doc: dict[str, Any]) -> str:
        """The key a tenant's records are stored under (account, project, owner)."""

    @abstractmethod
    def new_tenant(self, r: random.Random) -> dict[str, Any]:
        """A fresh tenant with credentials in the vendor's own formats, drawn from `r` (deterministic)."""

    @abstractmethod
    def generate_tenant(
        self, seed: int, scale: float, tenant: dict[str, Any]
    ) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        """Yield (codec, entry) for one tenant's generated dataset."""

    def generate_records(self, seed: int, scale: float, tenant: dict[str, Any]) -> Iterator[tuple[Collection, Record]]:
        """One tenant's generated dataset as store records, in the order `generate_tenant` yields its entries: what
        a dataset build writes. A vendor may produce them without building its entry models (faster at scale), as
        long as they equal `codec.record(entry)` of each entry (tests check)."""
        for codec, entry in self.generate_tenant(seed, scale, tenant):
            yield codec.collection, codec.record(entry)

    def build_shards(self, scale: float, tenant: dict[str, Any]) -> int:
        """In how many parts a build may generate one tenant's records side by side (worker processes, see
        `build_workers`): a tenant larger than the rest would otherwise keep the writer waiting on one worker."""
        return 1

    def generate_shard(
        self, seed: int, scale: float, tenant: dict[str, Any], shard: int
    ) -> Iterator[tuple[Collection, Record]]:
        """Part `shard` of `build_shards`, which can be generated alone: each collection's records in the parts, in
        order, are its records in `generate_records`, in order (tests check), and no partition spans two parts."""
        if shard != 0:
            raise ValueError(f"{self.name} generates a tenant in one part, not part {shard}")
        return self.generate_records(seed, scale, tenant)

    def generate(self, seed: int, scale: float) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        """The generated dataset of every current tenant."""
        for tenant in self.tenants_manifest():
            yield from self.generate_tenant(seed, scale, tenant)

    # -- domain rules for writes (admin API now, the vendor's own write operations later) --
    def check_entries(self, store: Store, codec: FixtureCodec[Any], entries: Sequence[Any]) -> None:
        """Raise `EntryRejected` for an entry that would break a vendor rule (e.g. an orphan record)."""

    def on_delete(self, store: Store, codec: FixtureCodec[Any], tenant: str, id_: str) -> None:
        """Cascade a deleted record to what depends on it (inside the same transaction)."""

    def custom_fault(self, status: int, code: str, message: str) -> ErrorSpec:
        """A fault rule's own `{status, code, message}` as this vendor's error."""
        return ErrorSpec(code, status, message)

    @abstractmethod
    def router(self, emu: Emulator, documented: bool = True) -> APIRouter:
        """The vendor's routes; `documented` False leaves out what only the OpenAPI document reads (parameter and
        response schemas), which the serving app never builds (they cost about a fifth of its start-up)."""

    @abstractmethod
    def contract(self) -> VendorContract:
        """The error envelope, statuses and security schemes its OpenAPI document declares."""

    def codec(self, file_stem: str) -> FixtureCodec[Any] | None:
        """A collection by its fixture file name without `.json` (`dialogues`, `smart_chat_rooms`)."""
        return next((c for c in self.codecs if c.file == f"{file_stem}.json"), None)


@dataclass
class EntryRejected(Exception):
    """An entry that is well formed but cannot be stored: names the entry (index, id) and why."""

    index: int
    ident: str | None
    reason: str
    field: str | None = None  # the entry's field at fault (wire name), when one is

    def __str__(self) -> str:
        where = f"field {self.field}: " if self.field else ""
        return f"entry {self.index}" + (f" ({self.ident})" if self.ident else "") + f": {where}{self.reason}"
