"""The edge's direct dispatch to vendor endpoints answers exactly what the full FastAPI stack answers: successes,
vendor errors, parameter problems, 404s, 405s and streams, byte for byte, headers included."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.fastpath import FastRoutes, takes_only_the_request
from emulator.core.settings import Settings

FIXIE_KEY = {"Authorization": "Bearer fixie-emu-dev-key-001"}
AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"
PROJECT = "0123456789abcdef0123456789abcdef"
REQUESTS: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", f"/api/v1/agents/{AGENT}/conversations?limit=3", FIXIE_KEY, None),
    ("GET", f"/api/v1/agents/{AGENT}/conversations?limit=abc", FIXIE_KEY, None),
    ("GET", f"/api/v1/agents/{AGENT}/conversations", {}, None),
    ("DELETE", f"/api/v1/agents/{AGENT}/conversations", FIXIE_KEY, None),
    ("OPTIONS", f"/api/v1/agents/{AGENT}/conversations", {}, None),
    ("POST", f"/api/v1/agents/{AGENT}/conversations", FIXIE_KEY, {"message": "hello"}),
    ("POST", f"/api/v1/agents/{AGENT}/conversations", FIXIE_KEY, {"corpusId": "not-a-uuid"}),
    ("GET", "/api/v1/nothing-here", FIXIE_KEY, None),
    ("GET", f"/v1/{PROJECT}/smart-chat-rooms?limit=5", {}, None),
    ("GET", f"/v1/{PROJECT}/smart-chat-rooms?limit=0", {}, None),
    ("PATCH", f"/v1/{PROJECT}/smart-chat-rooms", {}, None),
    ("POST", f"/v1/{PROJECT}/smart-chat-rooms", {}, {"room_name": "a", "concurrency": 2}),
    ("POST", f"/v1/{PROJECT}/smart-chat-rooms", {}, {"room_name": ""}),
    ("GET", "/?Action=ListAIAgentInstance&Version=2020-11-09&AIAgentId=eecced1c45c1485f9844cc4f3d5e9775", {}, None),
    ("GET", "/?Action=ListAIAgentInstance&Version=2020-11-09", {}, None),
    ("POST", "/_rpc/ListAIAgentInstance?AIAgentId=eecced1c45c1485f9844cc4f3d5e9775&PageSize=2", {}, None),
    ("GET", "/_rpc/ListAIAgentInstance", {}, None),
    ("GET", "/_emulator/health", {}, None),
]


def full_stack_only(app: FastAPI) -> FastAPI:
    app.state.vendor_routes = []  # FastRoutes then serves nothing: every request takes the full stack
    return app


def answers(app: FastAPI) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    client = TestClient(app)
    # Created records take the clock's time: frozen, both apps write the same bytes.
    assert client.put("/_emulator/clock", json={"frozen_at": "2026-01-01T00:00:00Z"}).status_code == 200
    seen = []
    for method, url, headers, body in REQUESTS:
        response = client.request(method, url, headers=headers, json=body)
        kept = sorted((k, v) for k, v in response.headers.items() if k.lower() != "date")
        seen.append((response.status_code, kept, response.content))
    return seen


def test_direct_dispatch_answers_as_the_full_stack_does() -> None:
    settings = Settings(scale=0.05, auth="off", fixie_word_ms=0)
    fast, full = answers(create_app(settings)), answers(full_stack_only(create_app(settings)))
    for request, got, expected in zip(REQUESTS, fast, full, strict=True):
        assert got == expected, request[:2]
    assert {status for status, _, _ in fast} >= {200, 204, 400, 404, 405}


def test_only_endpoints_taking_the_bare_request_are_served_directly() -> None:
    app = create_app(Settings(scale=0.05))
    vendor_routes = app.state.vendor_routes
    assert vendor_routes and all(takes_only_the_request(r) for r in vendor_routes if hasattr(r, "dependant"))

    async def with_params(limit: int) -> dict[str, int]:
        return {"limit": limit}

    probe = FastAPI()
    probe.add_api_route("/p", with_params)
    assert not takes_only_the_request(probe.routes[-1])


@pytest.mark.parametrize("path", ["/v1/x/smart-chat-rooms", "/v1/y/smart-chat-rooms"])
def test_a_path_found_once_is_remembered_with_its_own_parameters(path: str) -> None:
    app = create_app(Settings(scale=0.05))
    routes = FastRoutes(app, app.state.vendor_routes, {})
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    first = routes.route_for(scope)
    assert first is not None and first[1]["path_params"] == {"project_id": path.split("/")[2]}
    assert routes.route_for(scope) is first
    assert routes.route_for({**scope, "method": "PATCH"}) is None  # MetaStudio's 404 comes from the full stack
