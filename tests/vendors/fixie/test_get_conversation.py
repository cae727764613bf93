"""Get Conversation: the list item byte for byte, legacy ids, published agents without a key, 404s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from emulator.vendors.fixie.records import Conversation

LIST = "/api/v1/agents/{}/conversations"
GET = "/api/v1/agents/{}/conversations/{}"
Expect = Callable[[Any, int, int, str], None]


def listed_items(api: TestClient, tenant: Any, agent: str) -> list[bytes]:
    """The raw bytes of each conversation inside a list page (the page is compact JSON, items back to back)."""
    response = api.get(LIST.format(agent) + "?limit=100", headers=tenant.auth)
    assert response.status_code == 200
    items = response.json()["conversations"]
    raw = response.content
    out = []
    for item in items:
        start = raw.index(b'{"id":"' + item["id"].encode())
        decoder = json.JSONDecoder()
        _, end = decoder.raw_decode(raw.decode(), start)
        out.append(raw[start:end])
    return out


def test_get_answers_the_list_item_byte_for_byte(api: TestClient, t1: Any) -> None:
    for agent in t1.agents:
        for item in listed_items(api, t1, agent)[::9]:
            conversation_id = json.loads(item)["id"]
            response = api.get(GET.format(agent, conversation_id), headers=t1.auth)
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json"
            assert response.content == item
            Conversation.model_validate_json(response.content)


def test_legacy_agent_id_with_slash(api: TestClient, t1: Any) -> None:
    item = listed_items(api, t1, t1.legacy)[0]
    conversation_id = json.loads(item)["id"]
    url = f"/api/v1/agents/emu-dev-user-001/trip-planner/conversations/{conversation_id}"
    assert api.get(url, headers=t1.auth).content == item


def test_published_agent_needs_no_key(api: TestClient, t1: Any, t2: Any) -> None:
    item = listed_items(api, t1, t1.published)[3]
    url = GET.format(t1.published, json.loads(item)["id"])
    assert api.get(url).content == item  # as the useFixie hook calls it: no Authorization header
    assert api.get(url, headers=t2.auth).content == item  # and for any other signed-in user


def test_private_agent_without_key(api: TestClient, t1: Any, expect_error: Expect) -> None:
    for agent in (t1.private, t1.legacy, "00000000-0000-4000-8000-000000000000"):
        conversation_id = json.loads(listed_items(api, t1, t1.private)[0])["id"]
        response = api.get(GET.format(agent, conversation_id))
        # The same answer for a private and a missing agent: nothing about either leaks.
        expect_error(response, 401, 16, "missing API key: send Authorization: Bearer <API key>")


def test_another_owners_private_agent_is_not_found(api: TestClient, t1: Any, t2: Any, expect_error: Expect) -> None:
    for agent in (t1.private, t1.legacy):
        conversation_id = json.loads(listed_items(api, t1, agent)[0])["id"]
        response = api.get(GET.format(agent, conversation_id), headers=t2.auth)
        expect_error(response, 404, 5, f'agent "{agent}" not found')


def test_unknown_agent_and_conversation(api: TestClient, t1: Any, expect_error: Expect) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = api.get(GET.format(unknown, unknown), headers=t1.auth)
    expect_error(response, 404, 5, f'agent "{unknown}" not found')
    for agent in t1.agents:
        response = api.get(GET.format(agent, unknown), headers=t1.auth)
        expect_error(response, 404, 5, f'conversation "{unknown}" not found')


def test_conversation_of_another_agent_is_not_found(api: TestClient, t1: Any, expect_error: Expect) -> None:
    conversation_id = json.loads(listed_items(api, t1, t1.private)[0])["id"]
    response = api.get(GET.format(t1.legacy, conversation_id), headers=t1.auth)
    expect_error(response, 404, 5, f'conversation "{conversation_id}" not found')


def test_query_parameters_are_ignored(api: TestClient, t1: Any) -> None:
    item = listed_items(api, t1, t1.private)[1]
    url = GET.format(t1.private, json.loads(item)["id"]) + "?limit=abc&offset=-1"
    assert api.get(url, headers=t1.auth).content == item
