"""Vendor errors as data: each vendor owns one table of `ErrorSpec`s and one envelope renderer.

Handlers and the auth layer raise `VendorError(spec, **fields)`; the app-level handlers (see `emulator.app`) find the
vendor that owns the request and let it render the error in its own envelope, so no error ever leaves as FastAPI's
`{"detail": ...}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorSpec:
    """One vendor error: wire code and message templates (`str.format` fields) and the HTTP status.

    `headers` go out with every answer of this error: those that make the vendor's SDK react as in production
    (`x-acs-retry-after` turns an Alibaba error into the SDK's ThrottlingException; `Retry-After` paces retries).
    """

    code: str
    status: int
    message: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class VendorError(Exception):
    """Raised anywhere below a route; rendered by the owning vendor."""

    spec: ErrorSpec
    fields: dict[str, Any] = field(default_factory=dict)
    # Extra response headers (e.g. an emulator hint with the expected canonical request).
    headers: dict[str, str] = field(default_factory=dict)
    # Why credentials were refused, for the request journal ("unknown_key", "expired", "mismatch", ...).
    auth: str | None = None

    @property
    def code(self) -> str:
        return self.spec.code.format(**self.fields)

    @property
    def status(self) -> int:
        return self.spec.status

    @property
    def message(self) -> str:
        return self.spec.message.format(**self.fields)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def error(
    spec: ErrorSpec, *, headers: Mapping[str, str] | None = None, auth: str | None = None, **fields: Any
) -> VendorError:
    return VendorError(spec, dict(fields), {**dict(spec.headers), **dict(headers or {})}, auth)
