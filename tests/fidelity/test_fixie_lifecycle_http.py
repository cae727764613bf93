"""Fixie's conversation writes over real HTTP with plain httpx/requests: the JSON Lines stream arrives line by line
as the reply generates on the emulator's clock (frozen here, so the test decides when time passes), with its
headers; Get Conversation shows each stored step; a reply outlives a client that hangs up and ends with a reset;
409, CORS preflight and 405 with `Allow` on every new path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from emulator.core.settings import Settings
from emulator.vendors.fixie import data

from ..core.test_persistence import Server  # noqa: TID252

OWNER, KEY = "emu-dev-user-001", "fixie-emu-dev-key-001"
AUTH = {"Authorization": f"Bearer {KEY}"}
AGENT = data.agents(Settings().seed, OWNER)[0].record.agent_id
LIST = f"/api/v1/agents/{AGENT}/conversations"
FROZEN = "2026-01-01T00:00:00.000Z"
LATER = "2026-01-01T00:10:00.000Z"  # far past any reply's duration


@pytest.fixture
def http(module_live_url: str) -> Iterator[httpx.Client]:
    """The module's server with its start-up data back and its clock frozen."""
    with httpx.Client(base_url=module_live_url, headers=AUTH, timeout=10) as client:
        assert client.post("/_emulator/reset").status_code == 200
        freeze(client, FROZEN)
        yield client
        client.post("/_emulator/reset")  # the clock runs again for whoever comes next


def freeze(client: httpx.Client, at: str) -> None:
    assert client.put("/_emulator/clock", json={"frozen_at": at}).json()["now"] == at


def get(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    response = client.get(f"{LIST}/{conversation_id}")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def test_stream_arrives_line_by_line_as_the_clock_moves(http: httpx.Client) -> None:
    with http.stream("POST", LIST, json={"message": "Where is my order?"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["transfer-encoding"] == "chunked"  # streamed: no length known up front
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["access-control-expose-headers"] == "X-Fixie-Conversation-Id"
        conversation_id = response.headers["x-fixie-conversation-id"]
        lines = response.iter_lines()
        first = json.loads(next(lines))  # arrives while the reply waits for the clock
        assert first["id"] == conversation_id
        assert first["turns"][-1]["state"] == "in-progress" and first["turns"][-1]["messages"] == []
        assert first["turns"][0]["timestamp"] == FROZEN == first["turns"][-1]["timestamp"]
        assert get(http, conversation_id) == first  # what a polling UI sees meanwhile
        freeze(http, LATER)
        rest = [json.loads(line) for line in lines]
    assert rest and rest[-1]["turns"][-1]["state"] == "done"
    assert all(s["turns"][-1]["state"] == "in-progress" for s in rest[:-1])
    assert get(http, conversation_id) == rest[-1]


def test_every_line_is_compact_json_ending_in_a_newline(http: httpx.Client) -> None:
    http.put("/_emulator/clock", json={"offset_seconds": 0})  # a running clock: the reply takes its course
    response = requests.post(str(http.base_url.join(LIST)), json={"message": "hi"}, headers=AUTH, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    text = response.content.decode()
    assert text.endswith("\n") and "\n\n" not in text
    for line in text[:-1].split("\n"):
        assert json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) == line


def test_a_reply_outlives_a_client_that_hangs_up(http: httpx.Client) -> None:
    with http.stream("POST", LIST, json={"message": "I will not wait"}) as response:
        first = json.loads(next(response.iter_lines()))
    conversation_id = first["id"]
    assert get(http, conversation_id)["turns"][-1]["state"] == "in-progress"
    freeze(http, LATER)
    settled = wait_for_state(http, conversation_id, "done")
    assert settled["turns"][-1]["id"] == first["turns"][-1]["id"]


def wait_for_state(http: httpx.Client, conversation_id: str, state: str) -> dict[str, Any]:
    """Poll Get Conversation as `useFixie` does (the reply moves on at the server's next look at its clock)."""
    for _ in range(500):
        doc = get(http, conversation_id)
        if doc["turns"][-1]["state"] == state:
            return doc
        httpx.get(str(http.base_url.join("/_emulator/health")))  # a pause that is a request, not a sleep
    raise AssertionError(f"never reached {state}: {doc}")


def test_stop_ends_the_stream_and_409_while_generating(http: httpx.Client) -> None:
    conversation_id = start_settled(http)
    url = f"{LIST}/{conversation_id}/messages"
    with http.stream("POST", url, json={"message": "Tell me everything"}) as response:
        lines = response.iter_lines()
        turn = json.loads(next(lines))
        busy = requests.post(f"{http.base_url}{url}", json={"message": "again"}, headers=AUTH, timeout=10)
        assert busy.status_code == 409
        message = f'a reply is still being generated in conversation "{conversation_id}"'
        assert busy.json() == {"code": 10, "message": message, "details": []}
        stop = http.post(f"{url}/{turn['id']}/stop")
        assert stop.status_code == 200 and stop.json() == {}
        rest = [json.loads(line) for line in lines]
    assert rest == [{**turn, "state": "stopped"}]


def start_settled(http: httpx.Client) -> str:
    """A conversation whose first reply is done (the clock moved past it), the clock frozen again after."""
    with http.stream("POST", LIST, json={"message": "first"}) as response:
        freeze(http, LATER)
        docs = [json.loads(line) for line in response.iter_lines()]
    assert docs[-1]["turns"][-1]["state"] == "done"
    conversation_id: str = docs[-1]["id"]
    return conversation_id


def test_regenerate_of_an_earlier_message_is_a_409(http: httpx.Client) -> None:
    conversation_id = start_settled(http)
    user, reply = get(http, conversation_id)["turns"]
    url = f"{LIST}/{conversation_id}/messages"
    freeze(http, "2026-01-01T01:00:00.000Z")
    with http.stream("POST", url, json={"message": "second"}) as response:
        freeze(http, "2026-01-01T02:00:00.000Z")
        assert json.loads(list(response.iter_lines())[-1])["state"] == "done"
    for old in (user, reply):
        response = http.post(f"{url}/{old['id']}/regenerate")
        message = f'message "{old["id"]}" is not the latest message of the conversation'
        assert response.status_code == 409 and response.json() == {"code": 10, "message": message, "details": []}
        assert response.headers["content-type"] == "application/json"
        assert response.headers["access-control-allow-origin"] == "*"


def test_a_reset_ends_a_waiting_stream(http: httpx.Client) -> None:
    with http.stream("POST", LIST, json={"message": "about to vanish"}) as response:
        lines = response.iter_lines()
        conversation_id = json.loads(next(lines))["id"]
        assert http.post("/_emulator/reset").status_code == 200
        assert list(lines) == []  # no further snapshot: the conversation is gone
    assert http.get(f"{LIST}/{conversation_id}").status_code == 404


PATHS = {
    LIST: "GET, POST, OPTIONS",
    f"{LIST}/c-1/messages": "POST, OPTIONS",
    f"{LIST}/c-1/messages/t-1/stop": "POST, OPTIONS",
    f"{LIST}/c-1/messages/t-1/regenerate": "POST, OPTIONS",
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_cors_preflight_and_405_on_every_write_path(http: httpx.Client, path: str) -> None:
    preflight = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    response = httpx.options(str(http.base_url.join(path)), headers=preflight)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert {"authorization", "content-type"} <= {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    for method in ("PUT", "DELETE", "PATCH") + (() if "GET" in PATHS[path] else ("GET",)):
        refused = http.request(method, path)
        assert refused.status_code == 405 and refused.headers["allow"] == PATHS[path]
        assert refused.json() == {"code": 12, "message": "Method Not Allowed", "details": []}


def test_workers_share_a_generating_reply_and_its_stop(tmp_path: Path) -> None:
    """With --workers 2 (and so --data-dir) the reply runs in the worker that took Start; Get and Stop, sent on
    new connections to whichever worker, see and stop it; its stream ends with the stopped turn."""
    server = Server(tmp_path, "--workers", "2")
    try:
        assert server.call("PUT", "/_emulator/clock", json={"frozen_at": FROZEN}).status_code == 200
        with httpx.stream("POST", server.url + LIST, json={"message": "shared"}, headers=AUTH, timeout=10) as response:
            lines = response.iter_lines()
            first = json.loads(next(lines))
            turn = first["turns"][-1]
            url = f"{LIST}/{first['id']}"
            for _ in range(4):  # new connections: both workers answer some
                assert server.call("GET", url, headers=AUTH).json() == first
            stop = server.call("POST", f"{url}/messages/{turn['id']}/stop", headers=AUTH)
            assert stop.status_code == 200 and stop.json() == {}
            rest = [json.loads(line) for line in lines]
        stopped = {**first, "turns": [*first["turns"][:-1], {**turn, "state": "stopped"}]}
        assert rest == [stopped]
        for _ in range(4):
            assert server.call("GET", url, headers=AUTH).json() == stopped
    finally:
        server.stop()
