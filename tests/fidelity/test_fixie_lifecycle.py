"""A whole conversation through the official npm client `fixie@6.3.4` over real HTTP: startConversation,
sendMessage, stopGeneration and regenerate (the client's own JSON Lines reader), then getConversation and List
Conversations (requestJson) show the turns and their states; every documented error arrives as the client's
FixieClientError; two tenants stay apart. tests/js/fixie_lifecycle.mjs runs the client and reports as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from emulator.core.settings import Settings
from emulator.vendors.fixie import data
from emulator.vendors.fixie.records import Conversation, ConversationTurn
from emulator.vendors.fixie.replies import ERROR_TRIGGER

OWNER, KEY = "emu-dev-user-001", "fixie-emu-dev-key-001"
OTHER, OTHER_KEY = "emu-dev-user-002", "fixie-emu-dev-key-002"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
AGENTS = data.agents(Settings().seed, OWNER)
AGENT = AGENTS[0].record.agent_id


@pytest.fixture(scope="module")
def report(module_live_url: str, fixie_node: Callable[[str, dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    plan = {
        "url": module_live_url,
        "apiKey": KEY,
        "otherApiKey": OTHER_KEY,
        "agentId": AGENT,
        "publishedAgentId": next(a.record.agent_id for a in AGENTS if a.published),
        "legacyAgentId": next(a.record.agent_id for a in AGENTS if "/" in a.record.agent_id),
        "otherAgentId": data.agents(Settings().seed, OTHER)[0].record.agent_id,
        "unknownId": UNKNOWN,
    }
    return fixie_node("fixie_lifecycle.mjs", plan)


def last_turn(conversation: dict[str, Any]) -> dict[str, Any]:
    turn: dict[str, Any] = conversation["turns"][-1]
    return turn


def test_start_streams_conversation_snapshots_and_lists_it_first(report: dict[str, Any]) -> None:
    started = report["started"]
    conversation_id = started[-1]["id"]
    assert len(started) >= 3 and {c["id"] for c in started} == {conversation_id}
    for snapshot in started:
        Conversation.model_validate(snapshot)
    first = last_turn(started[0])
    assert first["state"] == "in-progress" and first["messages"] == []
    assert all(last_turn(c)["state"] == "in-progress" for c in started[:-1])
    user, reply = started[-1]["turns"]
    assert user["messages"] == [{"kind": "text", "content": "Where is my order?"}]
    assert user["metadata"] == {"page": "checkout"} and user["state"] == "done"
    assert reply["state"] == "done" and reply["inReplyToId"] == user["id"]
    assert 'You said: "Where is my order?".' in reply["messages"][0]["content"]

    page = report["afterStart"]
    assert page["pageInfo"]["totalResultCount"] == report["before"]["totalResultCount"] + 1
    assert page["conversations"][0] == started[-1]


def test_send_streams_the_reply_turn(report: dict[str, Any]) -> None:
    sent = report["sent"]
    for turn in sent:
        ConversationTurn.model_validate(turn)
    assert len({t["id"] for t in sent}) == 1 and sent[0]["state"] == "in-progress" and sent[-1]["state"] == "done"
    user = next(t for t in report["final"]["turns"] if t["messages"][0]["content"] == "And the invoice?")
    assert sent[-1]["inReplyToId"] == user["id"]
    assert sent[-1] in report["final"]["turns"]


def test_stop_catches_a_generating_reply(report: dict[str, Any]) -> None:
    held = report["held"]
    first = held["first"]
    assert first["state"] == "in-progress" and first["messages"] == []
    assert last_turn(held["duringStop"]) == first  # Get Conversation shows the same snapshot meanwhile
    assert held["stopped"]["status"] == 200 and json.loads(held["stopped"]["body"]) == {}
    assert held["stopped"]["rest"] == [{**first, "state": "stopped"}]  # the stream ends with the stopped turn
    assert last_turn(held["afterStop"]) == {**first, "state": "stopped"}


def test_talking_over_a_generating_reply_is_a_409(report: dict[str, Any]) -> None:
    conversation_id = report["started"][-1]["id"]
    for case in ("busySend", "busyRegenerate"):
        err = report["held"][case]
        assert err["thrown"] and err["isFixieClientError"]
        assert (err["statusCode"], err["statusText"]) == (409, "Conflict")
        message = f'a reply is still being generated in conversation "{conversation_id}"'
        assert json.loads(err["detail"]) == {"code": 10, "message": message, "details": []}


def test_regenerate_replaces_the_stopped_reply(report: dict[str, Any]) -> None:
    regenerated = report["regenerated"]
    stopped = report["held"]["first"]
    new = regenerated[-1]
    assert len({t["id"] for t in regenerated}) == 1 and regenerated[0]["state"] == "in-progress"
    assert new["id"] != stopped["id"] and new["inReplyToId"] == stopped["inReplyToId"] and new["state"] == "done"
    assert stopped["id"] not in {t["id"] for t in report["final"]["turns"]}


def test_get_shows_every_turn_and_state(report: dict[str, Any]) -> None:
    final = report["final"]
    Conversation.model_validate(final)
    turns = final["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant"] * 4
    assert [t["state"] for t in turns] == ["done"] * 7 + ["error"]
    said = [t["messages"][0]["content"] for t in turns if t["role"] == "user"]
    assert said == ["Where is my order?", "And the invoice?", "Tell me everything", f"{ERROR_TRIGGER} please"]
    assert all(reply["inReplyToId"] == user["id"] for user, reply in zip(turns[::2], turns[1::2], strict=True))
    failed = report["failed"][-1]
    assert failed == turns[-1] and failed["errorDetail"] and failed["messages"][0]["state"] == "in-progress"
    # Still one conversation more than at the start, listed first, exactly as Get shows it.
    page = report["afterAll"]
    assert page["pageInfo"]["totalResultCount"] == report["before"]["totalResultCount"] + 1
    assert page["conversations"][0] == final


def test_conversation_id_header_and_json_lines(report: dict[str, Any]) -> None:
    header = report["header"]
    assert header["contentType"] == "application/x-ndjson"
    lines = header["body"].split("\n")
    assert lines[-1] == "" and all(lines[:-1])
    assert {json.loads(line)["id"] for line in lines[:-1]} == {header["id"]}


def test_no_message_greets_and_a_published_agent_needs_no_key(report: dict[str, Any]) -> None:
    (greeting,) = report["greeted"][-1]["turns"]
    assert greeting["role"] == "assistant" and greeting["state"] == "done" and "inReplyToId" not in greeting
    published = report["published"]
    conversation_id = published["started"][-1]["id"]
    assert last_turn(published["started"][-1])["state"] == "done"
    assert published["sent"][-1]["state"] == "done"
    assert published["listed"]["conversations"][0]["id"] == conversation_id  # the agent's owner sees it


@pytest.mark.parametrize(
    ("case", "status", "status_text", "code", "message"),
    [
        ("notLatest", 409, "Conflict", 10, 'message "{reply}" is not the latest message of the conversation'),
        ("unknownAgent", 404, "Not Found", 5, f'agent "{UNKNOWN}" not found'),
        ("unknownConversation", 404, "Not Found", 5, f'conversation "{UNKNOWN}" not found'),
        ("unknownMessage", 404, "Not Found", 5, f'message "{UNKNOWN}" not found'),
        ("emptyMessage", 400, "Bad Request", 3, 'missing required field "message"'),
        ("badKey", 401, "Unauthorized", 16, "invalid API key"),
        ("anonymousPrivate", 401, "Unauthorized", 16, "missing API key: send Authorization: Bearer <API key>"),
        ("otherTenantStart", 404, "Not Found", 5, f'agent "{AGENT}" not found'),
        ("otherTenantGet", 404, "Not Found", 5, f'agent "{AGENT}" not found'),
        ("otherTenantSend", 404, "Not Found", 5, f'agent "{AGENT}" not found'),
        ("otherTenantStop", 404, "Not Found", 5, f'agent "{AGENT}" not found'),
    ],
)
def test_errors_arrive_as_fixie_client_errors(
    report: dict[str, Any], case: str, status: int, status_text: str, code: int, message: str
) -> None:
    err = report["errors"][case]
    assert err["thrown"] and err["isFixieClientError"]
    assert (err["statusCode"], err["statusText"]) == (status, status_text)
    assert err["message"] == f"Error accessing Fixie API: {err['url']}"
    reply = report["final"]["turns"][1]["id"]
    assert json.loads(err["detail"]) == {"code": code, "message": message.format(reply=reply), "details": []}


def test_the_other_tenant_sees_nothing_of_it(report: dict[str, Any]) -> None:
    assert report["theirs"]["after"] == report["theirs"]["before"]
