"""Paths and methods: unknown paths, wrong methods, no redirects, CORS for browser apps, internal errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

LIST = "/api/v1/agents/{}/conversations"
Expect = Callable[[Any, int, int, str], None]
PREFLIGHT = {
    "Origin": "http://localhost:3000",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization",
}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agents",
        "/api/v1/agents/{agent}",
        "/api/v1/agents/{agent}/conversations/",  # no trailing-slash redirect, just not found
        "/api/v1/agents/{agent}/conversation",
        "/api/v2/agents/{agent}/conversations",
        "/api/v1/users/me",
        "/api/",
    ],
)
def test_unknown_path(api: TestClient, t1: Any, expect_error: Expect, path: str) -> None:
    response = api.get(path.format(agent=t1.private), headers=t1.auth, follow_redirects=False)
    expect_error(response, 404, 5, "Not Found")


# Each path template with its methods, as `Allow` names them (the path's own, then OPTIONS).
ALLOWED = {
    "{conversations}": "GET, POST, OPTIONS",
    "{conversations}/some-id": "GET, OPTIONS",
    "{conversations}/some-id/messages": "POST, OPTIONS",
    "{conversations}/some-id/messages/turn-id/stop": "POST, OPTIONS",
    "{conversations}/some-id/messages/turn-id/regenerate": "POST, OPTIONS",
}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE", "QUERY", "HEAD"])
def test_wrong_method(api: TestClient, t1: Any, expect_error: Expect, method: str) -> None:
    for template, allow in ALLOWED.items():
        if method in allow.split(", ") or (method == "HEAD" and "GET" in allow):
            continue
        for agent in (t1.private, t1.legacy, "unknown"):
            response = api.request(method, template.format(conversations=LIST.format(agent)), headers=t1.auth)
            assert response.headers["allow"] == allow, template
            if method == "HEAD":
                assert response.status_code == 405 and response.content == b""
            else:
                expect_error(response, 405, 12, "Method Not Allowed")


def test_list_paths_with_slashes_never_reach_get(api: TestClient, t1: Any, expect_error: Expect) -> None:
    # "a/b/conversations" lists agent "a/b"; it is not Get Conversation "b/conversations" of agent "a".
    expect_error(api.get(LIST.format("a/b"), headers=t1.auth), 404, 5, 'agent "a/b" not found')


def test_cors_preflight(api: TestClient, t1: Any) -> None:
    for template in ALLOWED:
        path = template.format(conversations=LIST.format(t1.legacy))
        response = api.options(path, headers=PREFLIGHT)
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"
        allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed
        assert {"GET", "POST"} <= {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
        assert response.headers["access-control-expose-headers"] == "X-Fixie-Conversation-Id"


def test_cors_headers_on_answers_and_errors(api: TestClient, t1: Any) -> None:
    origin = {"Origin": "http://localhost:3000"}
    for response in (
        api.get(LIST.format(t1.private), headers={**origin, **t1.auth}),
        api.get(LIST.format(t1.private), headers=origin),
        api.get("/api/v1/nowhere", headers=origin),
    ):
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["access-control-expose-headers"] == "X-Fixie-Conversation-Id"


def test_internal_error_in_envelope(app_factory: Callable[..., Any], t1: Any, expect_error: Expect) -> None:
    app = app_factory()
    app.state.emulator.store = None  # any failure inside a handler
    api = TestClient(app, raise_server_exceptions=False)
    expect_error(api.get(LIST.format(t1.private), headers=t1.auth), 500, 13, "Internal Server Error")
