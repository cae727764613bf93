"""Fixie tenants: owners (users) and their API keys, from the manifest."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FixieTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # The owner's user name; legacy agent ids are "<owner>/<handle>".
    owner: str = Field(min_length=1, pattern=r"^[^/]+$")
    api_keys: list[str] = Field(min_length=1)


class FixieTenants:
    """The served owners; reloaded in place when tenants are created or deleted (authenticators hold it)."""

    def __init__(self) -> None:
        self.reload([])

    def reload(self, tenants: list[FixieTenant]) -> None:
        self.tenants = tenants
        self.by_key = {key: t.owner for t in tenants for key in t.api_keys}

    def owner_of(self, api_key: str) -> str | None:
        return self.by_key.get(api_key)

    @property
    def first_owner(self) -> str:
        return self.tenants[0].owner if self.tenants else ""
