"""Fixie test helpers: the default tenants' keys and the generated agents' ids, read from the data module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emulator.core.settings import Settings
from emulator.vendors.fixie import data

OWNER_1 = "emu-dev-user-001"
OWNER_2 = "emu-dev-user-002"
KEYS = {OWNER_1: "fixie-emu-dev-key-001", OWNER_2: "fixie-emu-dev-key-002"}


@dataclass(frozen=True)
class Tenant:
    owner: str
    key: str
    private: str  # a private UUID agent
    published: str  # a published UUID agent
    legacy: str  # the private "<owner>/<handle>" agent

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    @property
    def agents(self) -> tuple[str, str, str]:
        return (self.private, self.published, self.legacy)


def tenant(owner: str) -> Tenant:
    entries = data.agents(Settings().seed, owner)
    published = [e.record.agent_id for e in entries if e.published]
    legacy = [e.record.agent_id for e in entries if "/" in e.record.agent_id]
    private = [e.record.agent_id for e in entries if not e.published and "/" not in e.record.agent_id]
    assert len(published) == len(legacy) == len(private) == 1
    return Tenant(owner, KEYS[owner], private[0], published[0], legacy[0])


@pytest.fixture(scope="module")
def t1() -> Tenant:
    return tenant(OWNER_1)


@pytest.fixture(scope="module")
def t2() -> Tenant:
    return tenant(OWNER_2)


@pytest.fixture(scope="module")
def api() -> TestClient:
    """Default settings (auth=verify), shared by a module's read-only tests: the app is never mutated."""
    from emulator.app import create_app

    return TestClient(create_app(Settings()), raise_server_exceptions=False)


def assert_error(response: Any, status: int, code: int, message: str) -> None:
    """Status, google.rpc.Status body (exactly its three keys), JSON content type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": code, "message": message, "details": []}


@pytest.fixture
def expect_error() -> Callable[[Any, int, int, str], None]:
    return assert_error
