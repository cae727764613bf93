"""Vendor-agnostic pieces of request authentication: raw header access and the signature clock window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar

from fastapi import Request
from starlette.types import Scope

from emulator.core.context import Emulator
from emulator.core.http import BODY_KEY, MAX_REMEMBERED_BODY, header_map
from emulator.core.memo import Memo

T = TypeVar("T")
# Verified signatures remembered (see VerifiedSignatures).
MAX_REMEMBERED_SIGNATURES = 4096


def header_values(request: Request) -> dict[str, list[str]]:
    """Lowercase header name -> received values, re-decoded as UTF-8 (ASGI hands over latin-1).

    SDKs sign the UTF-8 text of a header and send its UTF-8 bytes, so this is what they signed. ASGI servers
    already lowercase the names. Built once per request: signature checks run on every call.
    """
    scope = request.scope
    cached: dict[str, list[str]] | None = scope.get("emulator.header_values")
    if cached is None:
        cached = scope["emulator.header_values"] = _header_values(scope)
    return cached


def _header_values(scope: Scope) -> dict[str, list[str]]:
    raw = scope["headers"]
    first = header_map(scope)
    if len(first) == len(raw):  # no name repeated: each value is its name's first (nearly every request)
        # latin-1 text that is ASCII is its UTF-8 text as well.
        single = {
            name.lower(): [value if value.isascii() else value.encode("latin-1").decode("utf-8", "surrogateescape")]
            for name, value in first.items()
        }
        if len(single) == len(first):  # no two names differing only in case
            return single
    values: dict[str, list[str]] = {}
    for name, value in raw:
        values.setdefault(name.decode("latin-1").lower(), []).append(value.decode("utf-8", "surrogateescape"))
    return values


# The compact forms SDKs send (Alibaba `2025-01-15T08:00:00Z`, Huawei `20250115T080000Z`) are parsed without
# strptime, which alone costs more than the rest of a signature check.
_EXTENDED = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
_BASIC = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")


@lru_cache(maxsize=1024)  # signatures made in the same second carry the same date
def parse_time(value: str, fmt: str | None = None) -> datetime | None:
    """An aware UTC datetime, or None when malformed: `fmt` is "%Y-%m-%dT%H:%M:%SZ" or "%Y%m%dT%H%M%SZ";
    without it, any ISO 8601 form with or without an offset (naive means UTC) is accepted."""
    fast = _BASIC if fmt is not None and "-" not in fmt else _EXTENDED
    match = fast.fullmatch(value)
    try:
        if match:
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        if fmt is not None:
            return None
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def within_window(emu: Emulator, signed_at: datetime) -> bool:
    """Gateways reject a signature date more than the window (15 min) away from server time, either way."""
    return seconds_within_window(emu, signed_at.timestamp())


def seconds_within_window(emu: Emulator, signed_at: float) -> bool:
    """`within_window` of a date as Unix seconds."""
    return abs(emu.clock.now() - signed_at) <= emu.settings.signature_window_seconds


@dataclass(frozen=True)
class Verified(Generic[T]):
    caller: T
    signed_at: float  # Unix seconds: a remembered verdict's window is checked at every use


class VerifiedSignatures(Generic[T]):
    """Signatures already verified, by the exact request they signed. Without a nonce an identical request (an SDK's
    retry, a call repeated within the second its signature date names) verifies to the same caller, so a hit skips
    the hashing and checks again only what depends on time: the date window. `keys` is the tenants' key registry the
    verdict was reached with; a verdict reached under another (tenants reloaded) is not used."""

    def __init__(self) -> None:
        self._found: Memo[tuple[Any, ...], tuple[Verified[T], object]] = Memo(MAX_REMEMBERED_SIGNATURES)

    def find(self, request: Request, keys: object) -> tuple[tuple[Any, ...] | None, Verified[T] | None]:
        """The request's key here (None: its body is too long to remember) and the verdict remembered for it under
        `keys`, in one call: every signed request asks."""
        scope = request.scope
        body: bytes = scope.get(BODY_KEY, b"")
        if len(body) > MAX_REMEMBERED_BODY:
            return None, None
        key = (scope["method"], scope["raw_path"], scope["query_string"], tuple(scope["headers"]), body)
        found = self._found.get(key)
        return key, (found[0] if found is not None and found[1] is keys else None)

    def put(self, key: tuple[Any, ...] | None, keys: object, verdict: Verified[T]) -> None:
        if key is not None:
            self._found.put(key, (verdict, keys))
