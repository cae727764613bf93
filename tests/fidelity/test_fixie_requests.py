"""Fixie over real HTTP with python `requests`, the way fixie-sdk-python's token-usage example consumes List
Conversations: Bearer header, no query string first, then every page until totalResultCount is reached."""

from __future__ import annotations

import json
import socket

import requests

from emulator.core.settings import Settings
from emulator.core.wirejson import SPLICE_AT
from emulator.vendors.fixie import data

OWNER = "emu-dev-user-001"
KEY = "fixie-emu-dev-key-001"


def default_agent() -> str:
    return data.agents(Settings().seed, OWNER)[0].record.agent_id


def test_requests_walks_every_page(live_url: str) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {KEY}"
    url = f"{live_url}/api/v1/agents/{default_agent()}/conversations"

    first = session.get(url, timeout=10)  # exactly what the example sends: no offset, no limit
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "application/json"
    total = first.json()["pageInfo"]["totalResultCount"]
    assert total == 47

    collected = []
    offset, limit = 0, 10
    while offset < total:
        body = session.get(url, params={"offset": offset, "limit": limit}, timeout=10).json()
        assert body["pageInfo"] == {"requestedPageSize": limit, "requestedOffset": offset, "totalResultCount": total}
        collected += body["conversations"]
        offset += limit
    assert len(collected) == total == len({c["id"] for c in collected})
    assert collected[:20] == first.json()["conversations"]

    # The example's reading of the data: done turns, by role, text content and function responses.
    done = [t for c in collected for t in c["turns"] if t["state"] == "done"]
    texts = [m["content"] for t in done if t["role"] == "assistant" for m in t["messages"] if m["kind"] == "text"]
    responses = [m["response"] for t in done for m in t["messages"] if m["kind"] == "functionResponse"]
    assert texts and responses and all(isinstance(s, str) for s in texts + responses)


def test_requests_sees_vendor_errors(live_url: str) -> None:
    url = f"{live_url}/api/v1/agents/{default_agent()}/conversations"
    missing = requests.get(url, timeout=10)
    assert missing.status_code == 401 and missing.json()["code"] == 16
    bad = requests.get(url, params={"limit": "abc"}, headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    assert bad.status_code == 400
    assert bad.json() == {
        "code": 3,
        "message": 'parsing field "limit": strconv.ParseInt: parsing "abc": invalid syntax',
        "details": [],
    }


def read_answer(conn: socket.socket, method: str) -> tuple[str, dict[str, str], bytes]:
    """One answer off a kept-alive connection, framed by its Content-Length: status line, headers, body. The next
    request is sent only after it, so no byte may follow it."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines)}
    length = 0 if method == "HEAD" else int(headers["content-length"])
    while len(body) < length:
        body += conn.recv(65536)
    assert len(body) == length
    return status, headers, body


def test_pages_arrive_whole_on_one_kept_alive_connection(live_url: str) -> None:
    """A page leaves in parts (its stored documents are not copied into one buffer): the client still reads one
    body of the declared Content-Length, compact JSON, and the connection serves the next request."""
    host, port = live_url.removeprefix("http://").split(":")
    path = f"/api/v1/agents/{default_agent()}/conversations"
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        for method, query, count in [
            ("GET", "", 20),
            ("HEAD", "", 0),
            ("GET", "?limit=100", 47),
            ("GET", "?offset=40", 7),
        ]:
            head = f"{method} {path}{query} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {KEY}\r\n\r\n"
            conn.sendall(head.encode())
            status, headers, body = read_answer(conn, method)
            assert "transfer-encoding" not in headers and headers["content-type"] == "application/json"
            if method == "HEAD":  # List Conversations is GET only: Fixie's 405, its head alone
                assert status == "HTTP/1.1 405 Method Not Allowed" and int(headers["content-length"]) > 0
                continue
            assert status == "HTTP/1.1 200 OK" and (count < 20 or len(body) > SPLICE_AT)  # pages of 20: in parts
            document = json.loads(body)
            assert json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode() == body
            assert len(document["conversations"]) == count and document["pageInfo"]["totalResultCount"] == 47
