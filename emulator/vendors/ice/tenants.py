"""ICE tenants: Alibaba Cloud accounts and their AccessKey pairs, from the manifest."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AccessKey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    secret: str = Field(min_length=1)
    # Set for STS credentials: requests must then carry this token (x-acs-security-token / SecurityToken).
    security_token: str | None = None


class IceTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    account_id: str = Field(min_length=1)
    region: str = "cn-shanghai"
    access_keys: list[AccessKey]


class IceTenants:
    def __init__(self, tenants: list[IceTenant]) -> None:
        self.tenants = tenants
        self.by_key = {k.id: (t, k) for t in tenants for k in t.access_keys}

    def lookup(self, access_key_id: str) -> tuple[IceTenant, AccessKey] | None:
        return self.by_key.get(access_key_id)
