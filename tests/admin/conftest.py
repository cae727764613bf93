"""Fixtures shared by the control-plane tests: the module's app with the start-up state back, and the check of the
control plane's error envelope.

Helpers are fixtures rather than an importable module: tests run with --import-mode=importlib and no packages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(reset_client: TestClient) -> TestClient:
    """The module's shared app (auth=presence, scale 0.05) with the start-up state back."""
    return reset_client


@pytest.fixture
def assert_error() -> Callable[..., str]:
    """Assert a control-plane error: status, JSON envelope {"error": {code, message, requestId}}, code and, if
    given, the exact message; answers the message."""

    def check(r: httpx.Response, status: int, code: str, message: str | None = None) -> str:
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/json"
        error = r.json()["error"]
        assert set(error) == {"code", "message", "requestId"}
        assert error["code"] == code, error
        if message is not None:
            assert error["message"] == message
        return str(error["message"])

    return check


Listing = tuple[str, str, int, bytes, list[tuple[str, str]]]


@pytest.fixture
def vendor_listings() -> Callable[[TestClient], list[Listing]]:
    """Every vendor listing the stored records support, for every tenant: (method, url, status, body, headers);
    what must stay byte-identical across a round trip (records loaded back, a snapshot restored)."""

    def bearer(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def listings(client: TestClient) -> list[Listing]:
        def entries(collection: str) -> list[dict[str, Any]]:
            r = client.get(f"/_emulator/records/{collection}", params={"limit": 100_000})
            assert r.status_code == 200, r.text
            return list(r.json()["entries"])

        tenants = client.get("/_emulator/tenants").json()["tenants"]
        ice_key = {t["account_id"]: t["access_keys"][0]["id"] for t in tenants["ice"]}
        fixie_key = {t["owner"]: bearer(t["api_keys"][0]) for t in tenants["fixie"]}
        rpc = {"Version": "2020-11-09", "PageSize": 100}
        window = {"StartTime": 0, "EndTime": 4102444800000}
        requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
        for tenant, session in sorted({(e["tenant"], e["sessionId"]) for e in entries("ice/dialogues")}):
            for order in ("ASC", "DESC"):
                query = {**rpc, **window, "Action": "ListAIAgentDialogues", "AccessKeyId": ice_key[tenant]}
                requests.append(("POST", "/", {**query, "SessionId": session, "Order": order}, {}))
        for tenant, agent in sorted({(e["tenant"], e["aiAgentId"]) for e in entries("ice/instances")}):
            query = {**rpc, "Action": "ListAIAgentInstance", "AccessKeyId": ice_key[tenant], "AIAgentId": agent}
            requests.append(("POST", "/", query, {}))
        for t in tenants["metastudio"]:
            path = f"/v1/{t['project_id']}/smart-chat-rooms"
            requests.append(("GET", path, {"limit": 100}, {"X-Auth-Token": t["tokens"][0]}))
        for e in entries("fixie/agents"):
            path = f"/api/v1/agents/{e['record']['agentId']}/conversations"
            requests.append(("GET", path, {"limit": 100}, fixie_key[e["tenant"]]))
        for e in entries("fixie/conversations"):
            path = f"/api/v1/agents/{e['agentId']}/conversations/{e['record']['id']}"
            requests.append(("GET", path, {}, fixie_key[e["tenant"]]))
        out = []
        for method, path, params, headers in requests:
            r = client.request(method, path, params=params, headers=headers)
            assert r.status_code == 200, (path, params, r.text)
            out.append((method, str(r.request.url), r.status_code, r.content, sorted(r.headers.items())))
        assert len(out) > 20
        return out

    return listings
