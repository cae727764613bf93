"""An ICE tenant as a test uses it (the pytest plugin's `emulator.ice`): its credentials, and the official SDK client
configured for the emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.vendors.ice.tenants import IceAccessKey, IceTenant

SDK = "alibabacloud-ice20201109"


@dataclass(frozen=True)
class IceTestTenant:
    base_url: str  # http://127.0.0.1:<port>
    model: IceTenant

    @property
    def tenant(self) -> str:
        return self.model.account_id

    @property
    def account_id(self) -> str:
        return self.model.account_id

    @property
    def region(self) -> str:
        return self.model.region

    @property
    def key(self) -> IceAccessKey:
        return self.model.access_keys[0]

    @property
    def access_key_id(self) -> str:
        return self.key.id

    @property
    def access_key_secret(self) -> str:
        return self.key.secret

    @property
    def endpoint(self) -> str:
        """What the SDK's `Config.endpoint` takes: host and port, with `protocol="HTTP"`."""
        return self.base_url.split("://", 1)[-1]

    def config(self, **overrides: Any) -> Any:
        """An `alibabacloud_tea_openapi.models.Config` for this tenant and the emulator."""
        try:
            from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ImportError(f"emulator.ice.config() needs the Alibaba Cloud SDK: pip install {SDK}") from exc
        options: dict[str, Any] = {
            "access_key_id": self.access_key_id,
            "access_key_secret": self.access_key_secret,
            "endpoint": self.endpoint,
            "protocol": "HTTP",
            "region_id": self.region,
        }
        if self.key.security_token is not None:
            options["security_token"] = self.key.security_token
        return Config(**{**options, **overrides})

    def client(self, **overrides: Any) -> Any:
        """An `alibabacloud_ice20201109.client.Client` for this tenant; `overrides` go to its Config."""
        try:
            from alibabacloud_ice20201109.client import Client  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ImportError(f"emulator.ice.client() needs the Alibaba Cloud SDK: pip install {SDK}") from exc
        return Client(self.config(**overrides))
