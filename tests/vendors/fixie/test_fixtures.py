"""Fixture files for Fixie: agents.json and conversations.json, validated on load, served exactly, exported back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emulator.core.fixtures import FixtureError

LIST = "/api/v1/agents/{}/conversations"
OWNER = "emu-dev-user-001"
AUTH = {"Authorization": "Bearer fixie-emu-dev-key-001"}
AGENT = "11111111-2222-4333-8444-555555555555"


def agent_entry(agent_id: str = AGENT, published: bool = False, tenant: str = OWNER) -> dict[str, Any]:
    return {"tenant": tenant, "published": published, "record": {"agentId": agent_id, "handle": "fixture-agent"}}


def turn(turn_id: str, role: str, state: str = "done", **extra: Any) -> dict[str, Any]:
    text = {"kind": "text", "content": f"{role} says hi"}
    base = {"id": turn_id, "timestamp": "2024-03-07T22:56:08.578Z", "role": role, "messages": [text], "state": state}
    return base | extra


def write(root: Path, agents: list[dict[str, Any]], conversations: list[dict[str, Any]]) -> Path:
    (root / "fixie").mkdir(parents=True, exist_ok=True)
    (root / "fixie" / "agents.json").write_text(json.dumps(agents))
    (root / "fixie" / "conversations.json").write_text(json.dumps(conversations))
    return root


def test_fixture_conversations_are_served_as_written(tmp_path: Path, client_factory: Callable[..., TestClient]) -> None:
    call = {"kind": "functionCall", "name": "f", "args": {"x": 1e-7, "y": None}, "metadata": None}
    reply = turn("t2", "assistant", "error", inReplyToId="t1", errorDetail="boom", metadata=None)
    reply["messages"] = [call]
    conversation = {"id": "c1", "turns": [turn("t1", "user"), reply]}
    write(tmp_path, [agent_entry()], [{"tenant": OWNER, "agentId": AGENT, "record": conversation}])
    api = client_factory(fixtures=tmp_path)
    listed = api.get(LIST.format(AGENT), headers=AUTH)
    assert listed.json()["pageInfo"] == {"requestedPageSize": 0, "requestedOffset": 0, "totalResultCount": 1}
    served = listed.json()["conversations"][0]
    assert served["turns"][1] == {  # nulls count as absent; nulls inside args are values and stay
        "id": "t2",
        "timestamp": "2024-03-07T22:56:08.578Z",
        "role": "assistant",
        "messages": [{"kind": "functionCall", "name": "f", "args": {"x": 1e-7, "y": None}}],
        "state": "error",
        "errorDetail": "boom",
        "inReplyToId": "t1",
    }
    got = api.get(LIST.format(AGENT) + "/c1", headers=AUTH).content
    assert got in listed.content
    # Generated data is still there next to the fixtures.
    assert api.get(LIST.format(f"{OWNER}/trip-planner"), headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("agents", "record", "problem"),
    [
        ([agent_entry()], {"id": "c", "turns": [turn("t", "user", "in-progress")]}, "user turns are always done"),
        ([agent_entry()], {"id": "c", "turns": [turn("t", "user", inReplyToId="x")]}, "only assistant turns"),
        (
            [agent_entry()],
            {"id": "c", "turns": [turn("t", "assistant", "in-progress"), turn("u", "user")]},
            "only the last turn",
        ),
        ([agent_entry()], {"id": "c", "turns": [turn("t", "assistant", errorDetail="x")]}, "errorDetail"),
        ([agent_entry()], {"id": "c", "turns": [turn("t", "user", timestamp="2024-03-07T22:56:08Z")]}, "pattern"),
        ([agent_entry()], {"id": "c", "turns": [turn("t", "user", generationParams={})]}, "generationParams"),
        ([agent_entry("someone-else/fixture-agent")], {"id": "c", "turns": []}, "legacy agentId"),
    ],
)
def test_invalid_fixtures_stop_start_up(
    tmp_path: Path,
    app_factory: Callable[..., Any],
    agents: list[dict[str, Any]],
    record: dict[str, Any],
    problem: str,
) -> None:
    write(tmp_path, agents, [{"tenant": OWNER, "agentId": AGENT, "record": record}])
    with pytest.raises(FixtureError, match=problem):
        app_factory(fixtures=tmp_path)


def test_export_round_trip(tmp_path: Path, app_factory: Callable[..., Any]) -> None:
    from emulator.cli import export_fixtures
    from emulator.core.settings import Settings

    settings = Settings(scale=0.1)
    export_fixtures(settings, tmp_path)
    exported = json.loads((tmp_path / "fixie" / "agents.json").read_text())
    assert {e["published"] for e in exported} == {True, False}
    legacy = f"{OWNER}/trip-planner"
    original = TestClient(app_factory(scale=0.1)).get(LIST.format(legacy), headers=AUTH)
    reloaded = TestClient(app_factory(fixtures=tmp_path)).get(LIST.format(legacy), headers=AUTH)
    assert original.status_code == 200
    assert reloaded.content == original.content


GENERATED_AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"  # owner 1's first agent at the default seed


def test_a_conversation_of_an_agent_nobody_has_stops_start_up(tmp_path: Path, app_factory: Callable[..., Any]) -> None:
    write(
        tmp_path, [agent_entry()], [{"tenant": OWNER, "agentId": "no-such-agent", "record": {"id": "c", "turns": []}}]
    )
    with pytest.raises(FixtureError) as exc:
        app_factory(fixtures=tmp_path, scale=0.05)
    where = tmp_path / "fixie" / "conversations.json"
    assert str(exc.value) == f'{where}: entry 0 (c): field agentId: agent "no-such-agent" of "{OWNER}" does not exist'
    assert exc.value.rule


def test_a_reseed_the_fixtures_do_not_fit_is_409_and_changes_nothing(
    tmp_path: Path, client_factory: Callable[..., TestClient]
) -> None:
    """A fixture conversation of a generated agent: served at the start-up seed; another seed has other agents, so
    reseeding to it is refused (naming the fixture entry) rather than leaving an orphan."""
    conversation = {"id": "c-fixture", "turns": [turn("t1", "user")]}
    write(tmp_path, [], [{"tenant": OWNER, "agentId": GENERATED_AGENT, "record": conversation}])
    api = client_factory(fixtures=tmp_path, scale=0.05)
    assert api.get(LIST.format(GENERATED_AGENT) + "/c-fixture", headers=AUTH).status_code == 200
    r = api.post("/_emulator/seed", json={"seed": 7})
    assert r.status_code == 409, r.text
    where = tmp_path / "fixie" / "conversations.json"
    message = f'{where}: entry 0 (c-fixture): field agentId: agent "{GENERATED_AGENT}" of "{OWNER}" does not exist'
    assert r.json()["error"] == {**r.json()["error"], "code": "EntryRejected", "message": message}
    assert api.get("/_emulator/health").json()["seed"] == 20201109
    assert api.get(LIST.format(GENERATED_AGENT) + "/c-fixture", headers=AUTH).status_code == 200
    assert api.post("/_emulator/seed", json={"seed": 20201109, "scale": 0.1}).status_code == 200


def test_a_reseed_leaves_out_fixtures_of_a_deleted_tenant(
    tmp_path: Path, client_factory: Callable[..., TestClient]
) -> None:
    write(tmp_path, [agent_entry()], [{"tenant": OWNER, "agentId": AGENT, "record": {"id": "c1", "turns": []}}])
    api = client_factory(fixtures=tmp_path, scale=0.05)
    assert api.delete(f"/_emulator/tenants/fixie/{OWNER}").status_code == 204
    assert api.post("/_emulator/seed", json={"seed": 7}).status_code == 200
    entries = api.get("/_emulator/records/fixie/conversations", params={"limit": 100_000}).json()["entries"]
    assert OWNER not in {e["tenant"] for e in entries}
