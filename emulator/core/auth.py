"""Vendor-agnostic pieces of request authentication: raw header access and the signature clock window."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request

from emulator.core.context import Emulator


def header_values(request: Request) -> dict[str, list[str]]:
    """Lowercase header name -> received values, re-decoded as UTF-8 (ASGI hands over latin-1).

    SDKs sign the UTF-8 text of a header and send its UTF-8 bytes, so this is what they signed.
    """
    headers: dict[str, list[str]] = {}
    for name, value in request.scope["headers"]:
        text = value.decode("utf-8", "surrogateescape")
        headers.setdefault(name.decode("latin-1").lower(), []).append(text)
    return headers


def parse_time(value: str, fmt: str | None = None) -> datetime | None:
    """An aware UTC datetime, or None when malformed. Without `fmt`, any ISO 8601 form is accepted."""
    try:
        parsed = datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def within_window(emu: Emulator, signed_at: datetime) -> bool:
    """Gateways reject a signature date more than the window (15 min) away from server time, either way."""
    return abs(emu.now() - signed_at.timestamp()) <= emu.settings.signature_window_seconds
