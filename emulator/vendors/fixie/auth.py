"""Fixie credentials: `Authorization: Bearer <API key>`, the key naming its owner. No signature to check, so the
verify and presence modes behave alike; off accepts anything and acts as the first owner.

The JS client sends the header only when it has a key, and the `useFixie` React hook never has one: Get
Conversation of a published agent must work without it (`caller`), listing always needs it (`owner`).
"""

from __future__ import annotations

from fastapi import Request

from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.http import header
from emulator.core.settings import AuthMode
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.tenants import FixieTenants

ANONYMOUS = ""  # the caller of a request without an Authorization header


class FixieAuthenticator:
    def __init__(self, emu: Emulator, tenants: FixieTenants) -> None:
        self.emu = emu
        self.tenants = tenants

    def owner(self, request: Request) -> str:
        """The key's owner; a missing, malformed or unknown key is a 401."""
        return self._resolve(request, anonymous_ok=False)

    def caller(self, request: Request) -> str:
        """Like `owner`, but no header at all is ANONYMOUS (a malformed or unknown key is still a 401)."""
        return self._resolve(request, anonymous_ok=True)

    def _resolve(self, request: Request, *, anonymous_ok: bool) -> str:
        value = header(request, "authorization")
        off = self.emu.settings.auth is AuthMode.OFF
        if value is None:
            if off:
                return self.tenants.first_owner
            if anonymous_ok:
                return ANONYMOUS
            raise error(E.MISSING_KEY, auth="missing")
        scheme, _, key = value.strip().partition(" ")
        key = key.strip()
        owner = self.tenants.owner_of(key) if scheme.lower() == "bearer" and key else None
        if owner is not None:
            return owner
        if off:
            return self.tenants.first_owner
        if scheme.lower() == "bearer" and key:
            raise error(E.UNKNOWN_KEY, auth="unknown_key")
        raise error(E.NOT_BEARER, auth="malformed")
