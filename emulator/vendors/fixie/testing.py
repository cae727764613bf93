"""A Fixie owner as a test uses it (the pytest plugin's `emulator.fixie`): the base URL and API key its official
client (npm `fixie`) takes, and a ready httpx client for Python code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from emulator.vendors.fixie.tenants import FixieTenant


@dataclass(frozen=True)
class FixieTestTenant:
    base_url: str  # http://127.0.0.1:<port>: FixieClient({url, apiKey})
    model: FixieTenant

    @property
    def tenant(self) -> str:
        return self.model.owner

    @property
    def owner(self) -> str:
        return self.model.owner

    @property
    def api_key(self) -> str:
        return self.model.api_keys[0]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def client(self, **options: Any) -> httpx.Client:
        """An httpx client on the emulator with this owner's key (close it, or use it in a `with`)."""
        return httpx.Client(base_url=self.base_url, headers=self.headers, **options)
