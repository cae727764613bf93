"""Fixie over real HTTP with python `requests`, the way fixie-sdk-python's token-usage example consumes List
Conversations: Bearer header, no query string first, then every page until totalResultCount is reached."""

from __future__ import annotations

import requests

from emulator.core.settings import Settings
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
