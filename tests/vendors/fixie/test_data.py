"""The default dataset, as the API serves it: every message kind, turn state and fragment state, and the rules
real conversations follow (user turns done, only the last turn streaming, replies pointing at user turns)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emulator.core.ids import EPOCH_MS, ms_from_iso
from emulator.vendors.fixie import FixieVendor
from emulator.vendors.fixie.records import ConversationEntry

LIST = "/api/v1/agents/{}/conversations?limit=100"


@pytest.fixture(scope="module")
def conversations(api: TestClient, t1: Any, t2: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tenant in (t1, t2):
        for agent in tenant.agents:
            out += api.get(LIST.format(agent), headers=tenant.auth).json()["conversations"]
    assert len(out) == 2 * (47 + 45 + 43)
    return out


def turns(conversations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for c in conversations for t in c["turns"]]


def test_every_turn_state_and_role(conversations: list[dict[str, Any]]) -> None:
    seen = Counter((t["role"], t["state"]) for t in turns(conversations))
    assert set(seen) == {
        ("user", "done"),
        ("assistant", "done"),
        ("assistant", "in-progress"),
        ("assistant", "stopped"),
        ("assistant", "error"),
    }


def test_every_message_kind_and_optional_field(conversations: list[dict[str, Any]]) -> None:
    messages = [m for t in turns(conversations) for m in t["messages"]]
    kinds = Counter(m["kind"] for m in messages)
    assert set(kinds) == {"text", "functionCall", "functionResponse"}
    texts = [m for m in messages if m["kind"] == "text"]
    assert {m.get("state") for m in texts} == {None, "done", "in-progress"}
    assert any("metadata" in m for m in texts)
    responses = [m for m in messages if m["kind"] == "functionResponse"]
    assert any(m.get("failed") is True for m in responses) and any("failed" not in m for m in responses)
    assert all(isinstance(m["response"], str) for m in responses)
    calls = [m for m in messages if m["kind"] == "functionCall"]
    assert all(v is None or isinstance(v, str | int | float | bool) for m in calls for v in m["args"].values())
    assert any("metadata" in t for t in turns(conversations))
    assert any("inReplyToId" not in t for t in turns(conversations) if t["role"] == "assistant")


def test_turn_rules(conversations: list[dict[str, Any]]) -> None:
    for conversation in conversations:
        all_turns = conversation["turns"]
        assert 2 <= len(all_turns) <= 30
        user_ids = set()
        for n, turn in enumerate(all_turns):
            assert None not in turn.values()  # absent, never null
            assert ("errorDetail" in turn) == (turn["state"] == "error")
            assert "generationParams" not in turn
            if turn["state"] == "in-progress":
                assert n == len(all_turns) - 1 and turn["role"] == "assistant"
            if turn["role"] == "user":
                assert turn["state"] == "done" and "inReplyToId" not in turn
                user_ids.add(turn["id"])
            elif "inReplyToId" in turn:
                assert turn["inReplyToId"] == all_turns[n - 1]["id"] and turn["inReplyToId"] in user_ids


def test_timestamps(conversations: list[dict[str, Any]]) -> None:
    for conversation in conversations:
        stamps = [t["timestamp"] for t in conversation["turns"]]
        for stamp in stamps:
            assert len(stamp) == 24 and stamp.endswith("Z") and stamp[19] == "."
            datetime.fromisoformat(stamp)
        assert stamps == sorted(stamps)
        assert all(ms_from_iso(s) < EPOCH_MS for s in stamps)


def test_ids_are_unique(conversations: list[dict[str, Any]]) -> None:
    ids = [c["id"] for c in conversations] + [t["id"] for t in turns(conversations)]
    assert len(ids) == len(set(ids))


def test_newest_conversation_is_the_live_one(api: TestClient, t1: Any) -> None:
    for agent in t1.agents:
        newest = api.get(LIST.format(agent).replace("100", "1"), headers=t1.auth).json()["conversations"][0]
        assert newest["turns"][-1]["state"] == "in-progress"


def test_generation_is_deterministic() -> None:
    tenants = [{"owner": "someone", "api_keys": ["k"]}]
    runs = [[e.model_dump_json() for _, e in FixieVendor(tenants).generate(7, 0.5)] for _ in range(2)]
    assert runs[0] == runs[1]
    assert sum(1 for _ in runs[0]) == 3 + round(47 * 0.5) + round(45 * 0.5) + round(43 * 0.5)


def test_tiny_scale_keeps_one_conversation_per_agent() -> None:
    entries = [e for _, e in FixieVendor([{"owner": "o", "api_keys": ["k"]}]).generate(1, 0.001)]
    assert sum(isinstance(e, ConversationEntry) for e in entries) == 3
