"""What the core needs from a vendor package; each vendor implements one `Vendor` subclass."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from emulator.core.errors import VendorError
from emulator.core.fixtures import FixtureCodec
from emulator.core.params import ParamProblem

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

    @abstractmethod
    def owns_path(self, path: str) -> bool:
        """Whether an unrouted request (404/405) belongs to this party."""

    @abstractmethod
    def render(self, err: VendorError, request: Request) -> Response:
        """The error in this party's own envelope and headers."""

    @abstractmethod
    def param_error(self, problem: ParamProblem) -> VendorError: ...

    @abstractmethod
    def not_found(self, method_not_allowed: bool) -> VendorError: ...

    @abstractmethod
    def internal_error(self) -> VendorError: ...


class Vendor(ErrorDialect):
    name: ClassVar[str]
    codecs: ClassVar[tuple[FixtureCodec[Any], ...]]

    def __init__(self, tenants: list[dict[str, Any]]) -> None:
        self.load_tenants(tenants)

    @abstractmethod
    def load_tenants(self, tenants: list[dict[str, Any]]) -> None:
        """Validate this vendor's section of the manifest (credentials, tenant ids)."""

    @abstractmethod
    def tenants_manifest(self) -> list[dict[str, Any]]:
        """The tenants section as the manifest stores it (for export)."""

    @abstractmethod
    def router(self, emu: Emulator) -> APIRouter: ...

    @abstractmethod
    def contract(self) -> VendorContract:
        """The error envelope, statuses and security schemes its OpenAPI document declares."""

    @abstractmethod
    def generate(self, seed: int, scale: float) -> Iterator[tuple[FixtureCodec[Any], Any]]:
        """Yield (codec, entry) for the generated dataset of every tenant."""
