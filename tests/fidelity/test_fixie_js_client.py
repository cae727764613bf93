"""Fixie over real HTTP with the official npm client `fixie@6.3.4` (tests/js), run by node.

tests/js/fixie_client.mjs walks List Conversations through `FixieClient.requestJson` (6.3.4 has no list method),
fetches conversations with `getConversation` (with a key, with a legacy `owner/handle` id, and without a key for a
published agent, as the useFixie hook does), and reports the client's own `FixieClientError`s as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.core.settings import Settings
from emulator.vendors.fixie import data

JS = Path(__file__).resolve().parents[1] / "js"
NPM_CI = "npm ci --prefix tests/js --ignore-scripts --no-audit --no-fund"
OWNER = "emu-dev-user-001"
KEY = "fixie-emu-dev-key-001"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def report(live_url: str, fixie_node: Callable[[str, dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    agents = data.agents(Settings().seed, OWNER)
    plan = {
        "url": live_url,
        "apiKey": KEY,
        "agentId": agents[0].record.agent_id,
        "publishedAgentId": next(a.record.agent_id for a in agents if a.published),
        "legacyAgentId": next(a.record.agent_id for a in agents if "/" in a.record.agent_id),
        "limit": 9,
        "badKey": "not-a-key",
        "unknownAgentId": UNKNOWN,
        "unknownConversationId": UNKNOWN,
    }
    return fixie_node("fixie_client.mjs", plan)


def test_client_installed_is_the_pinned_version() -> None:
    package = JS / "node_modules" / "fixie" / "package.json"
    if not package.exists():
        pytest.skip(f"tests/js/node_modules is missing: `{NPM_CI}`")
    assert json.loads(package.read_text())["version"] == "6.3.4"


def test_request_json_walks_every_page(report: dict[str, Any]) -> None:
    pages = report["walk"]["pages"]
    conversations = report["walk"]["conversations"]
    assert [p["offset"] for p in pages] == [0, 9, 18, 27, 36, 45]
    assert [p["count"] for p in pages] == [9, 9, 9, 9, 9, 2]
    for p in pages:
        assert p["pageInfo"] == {"requestedPageSize": 9, "requestedOffset": p["offset"], "totalResultCount": 47}
    assert len(conversations) == 47 == len({c["id"] for c in conversations})
    starts = [c["turns"][0]["timestamp"] for c in conversations]
    assert starts == sorted(starts, reverse=True)


def test_get_conversation_returns_the_listed_one(report: dict[str, Any]) -> None:
    assert report["fetched"] == report["picked"]
    assert report["legacy"]["fetched"] == report["legacy"]["listed"]
    assert report["published"]["fetched"] == report["published"]["listed"]  # a client without an API key


@pytest.mark.parametrize(
    ("case", "status", "status_text", "code"),
    [
        ("badKey", 401, "Unauthorized", 16),
        ("unknownAgent", 404, "Not Found", 5),
        ("unknownConversation", 404, "Not Found", 5),
        ("anonymousPrivate", 401, "Unauthorized", 16),
    ],
)
def test_errors_arrive_as_fixie_client_errors(
    report: dict[str, Any], case: str, status: int, status_text: str, code: int
) -> None:
    err = report["errors"][case]
    assert err["thrown"] and err["isFixieClientError"]
    assert err["name"] == "FixieClientError"
    assert err["statusCode"] == status
    assert err["statusText"] == status_text
    assert err["message"] == f"Error accessing Fixie API: {err['url']}"
    body = json.loads(err["detail"])  # the raw body text, as the client keeps it
    assert body["code"] == code and isinstance(body["message"], str) and body["details"] == []
