"""MetaStudio tenants: Huawei Cloud projects with their AK/SK pairs and IAM tokens, from the manifest.

The project id is the tenant key of the data: every room belongs to one project.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field


class HuaweiAccessKey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ak: str = Field(min_length=1)
    sk: str = Field(min_length=1)
    # Set for temporary (STS) credentials: signed requests must then carry this X-Security-Token.
    security_token: str | None = None


class MetaStudioTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    project_id: str = Field(min_length=1)
    region: str = "cn-north-4"
    access_keys: list[HuaweiAccessKey] = []
    tokens: list[str] = []  # IAM tokens accepted in X-Auth-Token
    # The account (IAM domain) owning the project, shown by the IAM project listing; derived when not given.
    domain_id: str | None = None

    @property
    def account_id(self) -> str:
        if self.domain_id is not None:
            return self.domain_id
        return hashlib.sha256(f"domain:{self.project_id}".encode()).hexdigest()[:32]


class MetaStudioTenants:
    """The served projects; reloaded in place when tenants are created or deleted (authenticators hold it)."""

    def __init__(self) -> None:
        self.reload([])

    def reload(self, tenants: list[MetaStudioTenant]) -> None:
        self.tenants = tenants
        self.by_ak = {k.ak: (t, k) for t in tenants for k in t.access_keys}
        self.by_token = {token: t for t in tenants for token in t.tokens}

    def lookup(self, ak: str) -> tuple[MetaStudioTenant, HuaweiAccessKey] | None:
        return self.by_ak.get(ak)

    def by_project(self, project_id: str) -> MetaStudioTenant | None:
        return next((t for t in self.tenants if t.project_id == project_id), None)
