"""ICE tenants: Alibaba Cloud accounts and their AccessKey pairs, from the manifest."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IceAccessKey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    secret: str = Field(min_length=1)
    # Set for STS credentials: requests must then carry this token (x-acs-security-token / SecurityToken).
    security_token: str | None = None


class IceTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    account_id: str = Field(min_length=1)
    region: str = "cn-shanghai"
    access_keys: list[IceAccessKey]


class IceTenants:
    """The served accounts; reloaded in place when tenants are created or deleted (authenticators hold it)."""

    def __init__(self) -> None:
        self.reload([])

    def reload(self, tenants: list[IceTenant]) -> None:
        self.tenants = tenants
        self.by_key = {k.id: (t, k) for t in tenants for k in t.access_keys}

    def lookup(self, access_key_id: str) -> tuple[IceTenant, IceAccessKey] | None:
        return self.by_key.get(access_key_id)
