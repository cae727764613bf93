"""`/_emulator/records/{vendor}/{collection}`: reads in the fixture format and canonical order, loads that insert or
replace by id all or nothing (with fixture files' error messages), deletes with their cascades, and vendor answers
that follow every write."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.fixtures import FixtureError
from emulator.core.settings import Settings

VERSION = "2020-11-09"
ACCOUNT_1, ACCOUNT_2 = "1000000000000001", "1000000000000002"
AK_1 = "LTAI5tEmuDevAccessKey001"
PROJECT_1 = "0123456789abcdef0123456789abcdef"
TOKEN_1 = "emu-dev-iam-token-0000000001"
OWNER_1, OWNER_2 = "emu-dev-user-001", "emu-dev-user-002"
KEY_1 = "fixie-emu-dev-key-001"
AGENT_1 = "07ed3b18-5949-465a-af56-31bb2ff14c82"  # owner 1, private
AGENT_2 = "452b21e4-a9cc-4cf4-907e-40a9335faafd"  # owner 2
LEGACY_AGENT_1 = "emu-dev-user-001/trip-planner"
COLLECTIONS = ("ice/dialogues", "ice/instances", "metastudio/smart_chat_rooms", "fixie/agents", "fixie/conversations")
STORE_TABLES = {
    "ice/dialogues": "ice_dialogues",
    "ice/instances": "ice_instances",
    "metastudio/smart_chat_rooms": "metastudio_smart_chat_rooms",
    "fixie/agents": "fixie_agents",
    "fixie/conversations": "fixie_conversations",
}


def new_client() -> TestClient:
    return TestClient(create_app(Settings(auth="presence", scale=0.05)), raise_server_exceptions=False)


@pytest.fixture
def reader(client: TestClient) -> TestClient:
    """For tests that only read."""
    return client


def url(collection: str) -> str:
    return f"/_emulator/records/{collection}"


def entries(client: TestClient, collection: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get(url(collection), params={"limit": 100_000, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert len(body["entries"]) == body["total"] or "offset" in params or "limit" in params
    return list(body["entries"])


def put(client: TestClient, collection: str, body: Any) -> httpx.Response:
    return client.put(url(collection), json=body)


def dialogue(id_: str, ms: int, *, session: str = "s-test", tenant: str = ACCOUNT_1, round_id: str = "r1") -> dict:
    record = {
        "DialogueId": id_,
        "RoundId": round_id,
        "Producer": "user",
        "Text": f"text of {id_}",
        "Time": ms,
        "Type": "normal",
        "Source": "chat",
    }
    return {"tenant": tenant, "sessionId": session, "record": record}


def conversation(id_: str, stamp: str, *, agent: str = AGENT_1, tenant: str = OWNER_1) -> dict:
    turn = {"id": f"{id_}-t1", "timestamp": stamp, "role": "user", "messages": [{"kind": "text", "content": "hi"}]}
    return {"tenant": tenant, "agentId": agent, "record": {"id": id_, "turns": [{**turn, "state": "done"}]}}


# -- vendor calls --


def ice_call(client: TestClient, action: str, access_key: str = AK_1, **params: Any) -> httpx.Response:
    """The RPC form with the AccessKeyId in the query (auth=presence checks the key, not the signature)."""
    return client.post("/", params={"Action": action, "Version": VERSION, "AccessKeyId": access_key, **params})


def ice_dialogues(client: TestClient, session: str, **params: Any) -> list[dict[str, Any]]:
    window = {"StartTime": 0, "EndTime": 4102444800000, **params}
    r = ice_call(client, "ListAIAgentDialogues", SessionId=session, **window)
    assert r.status_code == 200, r.text
    return list(r.json()["Dialogues"])


def rooms(client: TestClient, project: str = PROJECT_1, token: str = TOKEN_1) -> dict[str, Any]:
    r = client.get(f"/v1/{project}/smart-chat-rooms", params={"limit": 100}, headers={"X-Auth-Token": token})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def fixie_list(client: TestClient, agent: str = AGENT_1, key: str = KEY_1) -> httpx.Response:
    return client.get(f"/api/v1/agents/{agent}/conversations", params={"limit": 100}, headers=_bearer(key))


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# -- reads --


def _room_order(e: dict[str, Any]) -> tuple[Any, ...]:
    created = datetime.fromisoformat(e["record"]["create_time"]).timestamp()
    # newest first when read backwards, room_id ascending among equal times
    return e["tenant"], created, tuple(-ord(c) for c in e["record"]["room_id"]) + (1,)


def _conversation_order(e: dict[str, Any]) -> tuple[Any, ...]:
    turns = e["record"]["turns"]
    started = datetime.fromisoformat(turns[0]["timestamp"]).timestamp() if turns else 0
    return e["tenant"], e["agentId"], started, e["record"]["id"]


CANONICAL_ORDER: dict[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = {
    "ice/dialogues": lambda e: (e["tenant"], e["sessionId"], e["record"]["Time"], e["record"]["DialogueId"]),
    "ice/instances": lambda e: (e["tenant"], e["aiAgentId"], e["startTime"], e["instanceId"]),
    "metastudio/smart_chat_rooms": _room_order,
    "fixie/agents": lambda e: (e["tenant"], "published" if e["published"] else "private", e["record"]["agentId"]),
    "fixie/conversations": _conversation_order,
}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_get_lists_every_record_in_canonical_order(reader: TestClient, collection: str) -> None:
    """Grouped by tenant and partition, then in the listing's sort order; totals match the store's counts."""
    body = reader.get(url(collection), params={"limit": 100_000}).json()
    assert set(body) == {"entries", "total"}
    rows = body["entries"]
    counts = reader.get("/_emulator/health").json()["records"]
    assert body["total"] == len(rows) == counts[STORE_TABLES[collection]] > 0
    assert rows == sorted(rows, key=CANONICAL_ORDER[collection])
    assert len({CANONICAL_ORDER[collection](e) for e in rows}) == len(rows)
    assert all(set(e) >= {"tenant", "record"} for e in rows)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_offset_and_limit_page_through_the_same_order(reader: TestClient, collection: str) -> None:
    everything = entries(reader, collection)
    pages: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = reader.get(url(collection), params={"offset": offset, "limit": 7}).json()
        assert body["total"] == len(everything)
        if not body["entries"]:
            break
        assert len(body["entries"]) == min(7, len(everything) - offset)
        pages += body["entries"]
        offset += 7
    assert pages == everything
    default = reader.get(url(collection)).json()
    assert default["entries"] == everything[:1000] and default["total"] == len(everything)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_tenant_filter_keeps_one_tenants_records(reader: TestClient, collection: str) -> None:
    everything = entries(reader, collection)
    tenants = sorted({e["tenant"] for e in everything})
    assert len(tenants) == 2
    for tenant in tenants:
        body = reader.get(url(collection), params={"tenant": tenant, "offset": 1, "limit": 3}).json()
        own = [e for e in everything if e["tenant"] == tenant]
        assert body == {"entries": own[1:4], "total": len(own)}
    assert reader.get(url(collection), params={"tenant": "nobody"}).json() == {"entries": [], "total": 0}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"offset": -1}, "offset: Input should be greater than or equal to 0"),
        ({"tenant": ""}, "tenant: String should have at least 1 character"),
        ({"limit": "ten"}, None),
    ],
)
def test_get_rejects_bad_paging_parameters(
    reader: TestClient, query: dict[str, Any], message: str | None, assert_error: Callable[..., str]
) -> None:
    assert_error(reader.get(url("ice/dialogues"), params=query), 400, "InvalidParameter", message)


def test_unknown_collection_is_not_found(reader: TestClient, assert_error: Callable[..., str]) -> None:
    assert_error(reader.get("/_emulator/records/ice/nope"), 404, "NotFound")
    assert_error(reader.get("/_emulator/records/aws/dialogues"), 404, "NotFound")


# -- loads --


def test_get_output_is_a_valid_put_body_and_the_round_trip_changes_nothing(
    client: TestClient, vendor_listings: Callable[[TestClient], list[Any]]
) -> None:
    """Every collection read and written back as is: all replaced, none inserted, every vendor answer the same."""
    before = vendor_listings(client)
    for collection in COLLECTIONS:
        rows = entries(client, collection)
        r = put(client, collection, rows)
        assert r.status_code == 200, r.text
        assert r.json() == {"inserted": 0, "replaced": len(rows)}
        assert entries(client, collection) == rows
    assert vendor_listings(client) == before


def test_put_inserts_new_ids_and_replaces_existing_ones(client: TestClient) -> None:
    total = len(entries(client, "ice/dialogues"))
    r = put(client, "ice/dialogues", [dialogue("d1", 1000), dialogue("d2", 2000)])
    assert r.status_code == 200 and r.json() == {"inserted": 2, "replaced": 0}
    changed = dialogue("d1", 3000)
    changed["record"]["Text"] = "changed"
    r = put(client, "ice/dialogues", [changed, dialogue("d3", 500)])
    assert r.status_code == 200 and r.json() == {"inserted": 1, "replaced": 1}
    ours = entries(client, "ice/dialogues", tenant=ACCOUNT_1)
    assert [e for e in ours if e["sessionId"] == "s-test"] == [dialogue("d3", 500), dialogue("d2", 2000), changed]
    assert len(entries(client, "ice/dialogues")) == total + 3
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test")] == ["d1", "d2", "d3"]
    assert ice_dialogues(client, "s-test")[0]["Text"] == "changed"


def test_a_replacement_can_move_a_record_to_another_partition(client: TestClient) -> None:
    assert put(client, "ice/dialogues", [dialogue("d1", 1000, session="s-a")]).json() == {"inserted": 1, "replaced": 0}
    moved = dialogue("d1", 1000, session="s-b")
    assert put(client, "ice/dialogues", [moved]).json() == {"inserted": 0, "replaced": 1}
    assert ice_dialogues(client, "s-a") == []
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-b")] == ["d1"]


def test_the_same_id_under_two_tenants_is_two_records(client: TestClient) -> None:
    body = [dialogue("shared", 1000, tenant=ACCOUNT_1), dialogue("shared", 2000, tenant=ACCOUNT_2)]
    assert put(client, "ice/dialogues", body).json() == {"inserted": 2, "replaced": 0}
    assert [d["Time"] for d in ice_dialogues(client, "s-test")] == [1000]


@pytest.mark.parametrize(
    ("last", "status", "code"),
    [
        ({**dialogue("d2", 2000), "record": {**dialogue("d2", 2000)["record"], "Time": None}}, 400, "InvalidEntry"),
        (dialogue("d2", 2000, tenant="999"), 409, "EntryRejected"),
        ({"tenant": ACCOUNT_1}, 400, "InvalidEntry"),
        ("not an object", 400, "InvalidEntry"),
    ],
    ids=["bad-field", "unknown-tenant", "missing-fields", "not-an-object"],
)
def test_put_is_all_or_nothing(
    client: TestClient, last: Any, status: int, code: str, assert_error: Callable[..., str]
) -> None:
    """A bad last entry: the valid ones before it (a new record and a replacement) are not applied either."""
    before = entries(client, "ice/dialogues")
    existing = copy.deepcopy(before[0])
    existing["record"]["Text"] = "replaced"
    assert_error(put(client, "ice/dialogues", [dialogue("d1", 1000), existing, last]), status, code)
    assert entries(client, "ice/dialogues") == before
    assert ice_dialogues(client, "s-test") == []


def test_put_is_all_or_nothing_for_vendor_rules(client: TestClient, assert_error: Callable[..., str]) -> None:
    before = entries(client, "fixie/conversations")
    body = [
        conversation("c-ok", "2025-07-01T00:00:00.000Z"),
        conversation("c-bad", "2025-07-01T00:00:00.000Z", agent="x"),
    ]
    assert_error(put(client, "fixie/conversations", body), 409, "EntryRejected")
    assert entries(client, "fixie/conversations") == before


def test_invalid_entry_names_index_id_and_field_exactly_like_fixture_files(
    client: TestClient, tmp_path: Path, assert_error: Callable[..., str]
) -> None:
    bad = dialogue("d2", 0)
    bad["record"]["Time"] = None
    body = [dialogue("d1", 1000), bad]
    message = "ice/dialogues: entry 1 (d2): field record.Time: Input should be a valid integer"
    assert_error(put(client, "ice/dialogues", body), 400, "InvalidEntry", message)
    # the same entries in a fixture file stop start-up with the same words, the file in front
    (tmp_path / "ice").mkdir()
    (tmp_path / "manifest.json").write_text(json.dumps({"generate": False}), encoding="utf-8")
    (tmp_path / "ice" / "dialogues.json").write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(FixtureError) as exc:
        create_app(Settings(auth="presence", fixtures=tmp_path))
    assert str(exc.value) == f"{tmp_path / 'ice' / 'dialogues.json'}: " + message.removeprefix("ice/dialogues: ")


@pytest.mark.parametrize(
    ("collection", "body", "message"),
    [
        (
            "ice/dialogues",
            [{**dialogue("d1", 1), "record": {**dialogue("d1", 1)["record"], "Bogus": 1}}],
            "ice/dialogues: entry 0 (d1): field record.Bogus: Extra inputs are not permitted",
        ),
        (
            "ice/dialogues",
            [{"tenant": ACCOUNT_1, "record": dialogue("d1", 1)["record"]}],
            "ice/dialogues: entry 0 (d1): field sessionId: Field required",
        ),
        (
            "ice/dialogues",
            [{**dialogue("d1", 1), "record": {**dialogue("d1", 1)["record"], "Time": -1}}],
            "ice/dialogues: entry 0 (d1): field record.Time: Input should be greater than or equal to 0",
        ),
        ("ice/dialogues", {"entries": []}, "ice/dialogues: expected a JSON array of entries, got dict"),
        (
            "fixie/agents",
            [{"tenant": OWNER_1, "record": {"agentId": "a1", "handle": "a/b"}}],
            "fixie/agents: entry 0 (a1): field record.handle: String should match pattern '^[^/]+$'",
        ),
    ],
)
def test_malformed_entries_are_400_invalid_entry(
    client: TestClient, collection: str, body: Any, message: str, assert_error: Callable[..., str]
) -> None:
    assert_error(put(client, collection, body), 400, "InvalidEntry", message)


def test_body_that_is_not_json_is_400_invalid_parameter(client: TestClient, assert_error: Callable[..., str]) -> None:
    r = client.put(url("ice/dialogues"), content=b"[{nope", headers={"Content-Type": "application/json"})
    message = assert_error(r, 400, "InvalidParameter")
    assert message.startswith("(body): not JSON: ")
    assert_error(client.put(url("ice/dialogues"), content=b"\xff\xfe"), 400, "InvalidParameter")


def test_unknown_tenant_is_409_entry_rejected(client: TestClient, assert_error: Callable[..., str]) -> None:
    r = put(client, "ice/dialogues", [dialogue("d1", 1), dialogue("d2", 2, tenant="999")])
    assert_error(r, 409, "EntryRejected", 'ice/dialogues: entry 1 (d2): field tenant: ice has no tenant "999"')
    r = put(client, "fixie/agents", [{"tenant": "nobody", "record": {"agentId": "a1", "handle": "h"}}])
    assert_error(r, 409, "EntryRejected", 'fixie/agents: entry 0 (a1): field tenant: fixie has no tenant "nobody"')


@pytest.mark.parametrize(
    "agent",
    ["no-such-agent", AGENT_2],  # an agent nobody has, and another owner's agent
)
def test_fixie_conversation_of_an_agent_the_owner_lacks_is_409(
    client: TestClient, agent: str, assert_error: Callable[..., str]
) -> None:
    r = put(client, "fixie/conversations", [conversation("c1", "2025-07-01T00:00:00.000Z", agent=agent)])
    message = f'fixie/conversations: entry 0 (c1): field agentId: agent "{agent}" of "{OWNER_1}" does not exist'
    assert_error(r, 409, "EntryRejected", message)


def test_fixie_turn_rules_are_409(client: TestClient, assert_error: Callable[..., str]) -> None:
    body = conversation("c1", "2025-07-01T00:00:00.000Z")
    body["record"]["turns"][0]["state"] = "in-progress"
    message = "fixie/conversations: entry 0 (c1): field record.turns.0: Value error, user turns are always done"
    assert_error(put(client, "fixie/conversations", [body]), 409, "EntryRejected", message)


def test_calendar_invalid_metastudio_create_time_is_409(client: TestClient, assert_error: Callable[..., str]) -> None:
    room = copy.deepcopy(entries(client, "metastudio/smart_chat_rooms")[0])
    room["record"]["room_id"] = "room-x"
    room["record"]["create_time"] = "2023-02-30T10:00:00Z"
    message = "metastudio/smart_chat_rooms: entry 0 (room-x): field record.create_time: not a calendar date-time"
    assert_error(put(client, "metastudio/smart_chat_rooms", [room]), 409, "EntryRejected", message)
    assert "room-x" not in {e["record"]["room_id"] for e in entries(client, "metastudio/smart_chat_rooms")}


def test_ice_instance_start_time_past_the_months_end_rolls_over(client: TestClient) -> None:
    """ICE's lenient date parsing: 2023-02-30 is stored (and exported) as 2023-03-02."""
    instance = copy.deepcopy(entries(client, "ice/instances")[0])
    instance.update(instanceId="i-rollover", aiAgentId="agent-x", startTime="2023-02-30T10:00:00Z")
    assert put(client, "ice/instances", [instance]).json() == {"inserted": 1, "replaced": 0}
    stored = [e for e in entries(client, "ice/instances") if e["instanceId"] == "i-rollover"]
    assert [e["startTime"] for e in stored] == ["2023-03-02T10:00:00Z"]


# -- deletes --


def test_delete_answers_204_then_404(client: TestClient, assert_error: Callable[..., str]) -> None:
    first = entries(client, "ice/dialogues")[0]
    id_ = first["record"]["DialogueId"]
    total = len(entries(client, "ice/dialogues"))
    r = client.delete(f"{url('ice/dialogues')}/{id_}")
    assert r.status_code == 204 and r.content == b""
    assert len(entries(client, "ice/dialogues")) == total - 1
    assert id_ not in {d["DialogueId"] for d in ice_dialogues(client, first["sessionId"], PageSize=100)}
    assert_error(
        client.delete(f"{url('ice/dialogues')}/{id_}"), 404, "RecordNotFound", f'No record "{id_}" in ice/dialogues.'
    )
    assert_error(
        client.delete(f"{url('ice/dialogues')}/nope", params={"tenant": ACCOUNT_2}),
        404,
        "RecordNotFound",
        f'No record "nope" in ice/dialogues of tenant "{ACCOUNT_2}".',
    )


def test_delete_with_tenant_only_touches_that_tenant(client: TestClient, assert_error: Callable[..., str]) -> None:
    assert put(client, "ice/dialogues", [dialogue("mine", 1000)]).status_code == 200
    r = client.delete(f"{url('ice/dialogues')}/mine", params={"tenant": ACCOUNT_2})
    assert_error(r, 404, "RecordNotFound", f'No record "mine" in ice/dialogues of tenant "{ACCOUNT_2}".')
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test")] == ["mine"]


def test_delete_of_an_id_two_tenants_hold_needs_a_tenant(client: TestClient, assert_error: Callable[..., str]) -> None:
    body = [dialogue("shared", 1000, tenant=ACCOUNT_1), dialogue("shared", 2000, tenant=ACCOUNT_2)]
    assert put(client, "ice/dialogues", body).status_code == 200
    message = f'Record "shared" exists for several tenants ({ACCOUNT_1}, {ACCOUNT_2}); name one with ?tenant=.'
    assert_error(client.delete(f"{url('ice/dialogues')}/shared"), 409, "AmbiguousRecord", message)
    assert len([e for e in entries(client, "ice/dialogues") if e["record"]["DialogueId"] == "shared"]) == 2
    assert client.delete(f"{url('ice/dialogues')}/shared", params={"tenant": ACCOUNT_2}).status_code == 204
    assert [d["Time"] for d in ice_dialogues(client, "s-test")] == [1000]
    assert client.delete(f"{url('ice/dialogues')}/shared").status_code == 204  # one holder left: no tenant needed
    assert ice_dialogues(client, "s-test") == []


@pytest.mark.parametrize("agent", [AGENT_1, LEGACY_AGENT_1])
def test_deleting_a_fixie_agent_deletes_its_conversations(client: TestClient, agent: str) -> None:
    conversations = entries(client, "fixie/conversations")
    own = [e for e in conversations if e["agentId"] == agent]
    assert own and fixie_list(client, agent).status_code == 200
    r = client.delete(f"{url('fixie/agents')}/{agent}")  # a legacy id keeps its slash in the path
    assert r.status_code == 204, r.text
    assert entries(client, "fixie/conversations") == [e for e in conversations if e["agentId"] != agent]
    assert agent not in {e["record"]["agentId"] for e in entries(client, "fixie/agents")}
    listing = fixie_list(client, agent)
    assert listing.status_code == 404 and listing.json()["code"] == 5
    conv = own[0]["record"]["id"]
    assert client.get(f"/api/v1/agents/{agent}/conversations/{conv}", headers=_bearer(KEY_1)).status_code == 404


def test_deleting_a_conversation_leaves_its_agent(client: TestClient) -> None:
    conv = next(e for e in entries(client, "fixie/conversations") if e["agentId"] == AGENT_1)
    total = fixie_list(client).json()["pageInfo"]["totalResultCount"]
    assert client.delete(f"{url('fixie/conversations')}/{conv['record']['id']}").status_code == 204
    assert fixie_list(client).json()["pageInfo"]["totalResultCount"] == total - 1
    assert AGENT_1 in {e["record"]["agentId"] for e in entries(client, "fixie/agents")}


# -- vendor answers follow the writes --


def test_ice_dialogue_listing_follows_writes(client: TestClient) -> None:
    body = [
        dialogue("d-b", 2000, round_id="r1"),
        dialogue("d-c", 3000, round_id="r2"),
        dialogue("d-a", 1000, round_id="r1"),
    ]
    assert put(client, "ice/dialogues", body).status_code == 200
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test")] == ["d-c", "d-b", "d-a"]
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test", Order="ASC")] == ["d-a", "d-b", "d-c"]
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test", RoundLimit=1)] == ["d-c"]
    # move d-a to the newest end, into round r2: the latest round now holds two dialogues
    assert put(client, "ice/dialogues", [dialogue("d-a", 4000, round_id="r2")]).json()["replaced"] == 1
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test", RoundLimit=1)] == ["d-a", "d-c"]
    assert [d["Time"] for d in ice_dialogues(client, "s-test", StartTime=2000, EndTime=3000)] == [3000, 2000]
    assert client.delete(f"{url('ice/dialogues')}/d-c").status_code == 204
    assert [d["DialogueId"] for d in ice_dialogues(client, "s-test")] == ["d-a", "d-b"]
    # the other account does not see account 1's session
    r = ice_call(
        client,
        "ListAIAgentDialogues",
        "LTAI5tEmuDevAccessKey002",
        SessionId="s-test",
        StartTime=0,
        EndTime=4102444800000,
    )
    assert r.status_code == 200 and r.json()["Dialogues"] == []


def test_ice_instance_listing_follows_writes(client: TestClient) -> None:
    template = entries(client, "ice/instances", tenant=ACCOUNT_1)[0]
    agent = template["aiAgentId"]
    before = ice_call(client, "ListAIAgentInstance", AIAgentId=agent, PageSize=100).json()["Instances"]
    newest = copy.deepcopy(template)
    newest.update(instanceId="i-newest", startTime="2030-01-01T00:00:00Z")
    newest["record"]["Status"] = "Finished"
    newest["record"]["CallLogUrl"] = "https://example.invalid/newest"
    assert put(client, "ice/instances", [newest]).json() == {"inserted": 1, "replaced": 0}
    after = ice_call(client, "ListAIAgentInstance", AIAgentId=agent, PageSize=100).json()["Instances"]
    assert after == [newest["record"], *before]


def test_metastudio_listing_and_sums_follow_writes(client: TestClient) -> None:
    original = client.get(f"/v1/{PROJECT_1}/smart-chat-rooms", params={"limit": 100}, headers={"X-Auth-Token": TOKEN_1})
    before = original.json()
    room = copy.deepcopy(entries(client, "metastudio/smart_chat_rooms", tenant=PROJECT_1)[0])
    room["record"].update(
        room_id="room-new", create_time="2030-01-01T00:00:00Z", billing_mode="CONCURRENCY", concurrency=5
    )
    assert put(client, "metastudio/smart_chat_rooms", [room]).json() == {"inserted": 1, "replaced": 0}
    after = rooms(client)
    assert after["count"] == before["count"] + 1
    assert after["count_concurrency"] == before["count_concurrency"] + 5
    assert after["count_client_nums"] == before["count_client_nums"]
    assert after["smart_chat_rooms"] == [room["record"], *before["smart_chat_rooms"]]
    # and deleting it gives back the very same bytes
    assert client.delete(f"{url('metastudio/smart_chat_rooms')}/room-new").status_code == 204
    again = client.get(f"/v1/{PROJECT_1}/smart-chat-rooms", params={"limit": 100}, headers={"X-Auth-Token": TOKEN_1})
    assert again.content == original.content and again.headers == original.headers


def test_fixie_listing_follows_writes(client: TestClient) -> None:
    before = fixie_list(client).json()
    new = conversation("c-newest", "2030-01-01T00:00:00.000Z")
    assert put(client, "fixie/conversations", [new]).json() == {"inserted": 1, "replaced": 0}
    after = fixie_list(client).json()
    assert after["pageInfo"]["totalResultCount"] == before["pageInfo"]["totalResultCount"] + 1
    assert after["conversations"] == [new["record"], *before["conversations"]]
    r = client.get(f"/api/v1/agents/{AGENT_1}/conversations/c-newest", headers=_bearer(KEY_1))
    assert r.status_code == 200 and r.json() == new["record"]
    # a new agent with its own conversation is listed at once, even right after a look-up found it missing
    assert fixie_list(client, "agent-new").status_code == 404
    agent = {"tenant": OWNER_1, "published": False, "record": {"agentId": "agent-new", "handle": "new"}}
    assert put(client, "fixie/agents", [agent]).json() == {"inserted": 1, "replaced": 0}
    assert fixie_list(client, "agent-new").json()["conversations"] == []
    body = [conversation("c-x", "2025-01-01T00:00:00.000Z", agent="agent-new")]
    assert put(client, "fixie/conversations", body).status_code == 200
    assert [c["id"] for c in fixie_list(client, "agent-new").json()["conversations"]] == ["c-x"]
