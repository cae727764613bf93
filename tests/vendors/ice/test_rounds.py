"""The dialogue rounds of running agent instances: the schedule, determinism whatever the pattern of reads, the
settings, stop, instances of the past, persistence in a data directory and two apps catching up one session."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emulator.app import create_app
from emulator.core.ids import iso_s, ms_from_iso
from emulator.core.settings import Settings
from emulator.vendors.ice.records import Instance, InstanceEntry
from emulator.vendors.ice.rounds import InstanceLines, RoundSchedule, round_dialogues

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_1, AK_2 = "LTAI5tEmuDevAccessKey001", "LTAI5tEmuDevAccessKey002"
RUNTIME = json.dumps({"AgentUserId": "agent-user", "AuthToken": "agent-token", "ChannelId": "channel-1"})
T0 = "2030-01-01T00:00:00Z"
T0_MS = ms_from_iso(T0)
ALL_TIME = {"StartTime": "0", "EndTime": str(2**63 - 1), "PageSize": "100"}


def at(client: TestClient, seconds: int) -> None:
    """Freeze the emulator clock `seconds` after T0."""
    resp = client.put("/_emulator/clock", json={"frozen_at": iso_s(T0_MS + seconds * 1000)})
    assert resp.status_code == 200, resp.text


def rpc(client: TestClient, action: str, access_key: str = AK_1, **params: str) -> dict[str, Any]:
    query = {"Action": action, "Version": "2020-11-09", "AccessKeyId": access_key, **params}
    resp = client.post("/", params=query)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def start(client: TestClient, **params: str) -> tuple[str, str]:
    """Start an instance at the current clock; its id and session."""
    instance_id = rpc(client, "StartAIAgentInstance", AIAgentId="agent", RuntimeConfig=RUNTIME, **params)["InstanceId"]
    session = rpc(client, "DescribeAIAgentInstance", InstanceId=instance_id)["Instance"]["SessionId"]
    return instance_id, session


def transcript(client: TestClient, session: str, access_key: str = AK_1, **params: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = rpc(
        client, "ListAIAgentDialogues", access_key=access_key, SessionId=session, **{**ALL_TIME, **params}
    )["Dialogues"]
    return rows


@pytest.fixture
def fresh() -> Callable[..., TestClient]:
    def build(**settings: Any) -> TestClient:
        app = create_app(Settings(**{"auth": "presence", "scale": 0.05, **settings}))
        client = TestClient(app, raise_server_exceptions=False)
        at(client, 0)
        return client

    return build


# --- the schedule ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed_ms", "due"),
    [(-5000, 0), (0, 0), (9999, 0), (10_000, 1), (19_999, 1), (20_000, 2), (3_599_999, 359), (10**9, 360)],
)
def test_a_round_is_due_once_its_window_has_passed(elapsed_ms: int, due: int) -> None:
    assert RoundSchedule(10_000, 360).due(T0_MS, T0_MS + elapsed_ms) == due


def entry(instance_id: str = "i-1", session: str = "s-1") -> InstanceEntry:
    record = Instance(status="Executing")
    return InstanceEntry(
        tenant=ACCOUNT_1, ai_agent_id="a", instance_id=instance_id, start_time=T0, record=record,
        session_id=session, generated_rounds=0,
    )  # fmt: skip


def test_a_round_is_a_user_turn_then_the_agents_inside_its_window() -> None:
    schedule = RoundSchedule(10_000, 360)
    lines = InstanceLines.build(SEED, ACCOUNT_1, "i-1")
    seen: set[str] = set()
    for k in range(50):
        user, agent = round_dialogues(SEED, entry(), k, schedule, lines)
        window = T0_MS + k * 10_000
        assert window <= user.record.time < agent.record.time < window + 10_000
        assert (user.record.producer, agent.record.producer) == ("user", "agent")
        assert user.record.round_id == agent.record.round_id
        assert (user.session_id, user.record.source, user.record.type) == ("s-1", "call", "normal")
        seen |= {user.record.dialogue_id, agent.record.dialogue_id, str(user.record.round_id)}
    assert len(seen) == 150  # every id distinct


def test_rounds_are_a_function_of_seed_account_instance_and_index() -> None:
    schedule = RoundSchedule(10_000, 360)

    def rounds(seed: int, instance_id: str) -> list[str]:
        lines = InstanceLines.build(seed, ACCOUNT_1, instance_id)
        out = []
        for k in range(5):
            out += [d.record.model_dump_json() for d in round_dialogues(seed, entry(instance_id), k, schedule, lines)]
        return out

    assert rounds(SEED, "i-1") == rounds(SEED, "i-1")
    assert rounds(SEED, "i-1") != rounds(SEED, "i-2")
    assert rounds(SEED, "i-1") != rounds(SEED + 1, "i-1")


# --- through the API ---------------------------------------------------------------------------------------------


def test_the_transcript_does_not_depend_on_when_it_was_read(fresh: Callable[..., TestClient]) -> None:
    polled, once = fresh(), fresh()
    instance_a, session_a = start(polled)
    instance_b, session_b = start(once)
    assert (instance_a, session_a) == (instance_b, session_b)  # same seed, same writes: same ids
    for seconds in (5, 11, 11, 25, 40, 41):
        at(polled, seconds)
        assert len(transcript(polled, session_a)) == 2 * (seconds // 10)
    at(once, 41)
    assert transcript(once, session_b) == transcript(polled, session_a)


def test_newest_first_paging_and_round_limit_over_live_rounds(fresh: Callable[..., TestClient]) -> None:
    client = fresh()
    _, session = start(client)
    at(client, 95)
    rows = transcript(client, session)
    assert len(rows) == 18 and [r["Time"] for r in rows] == sorted((r["Time"] for r in rows), reverse=True)
    assert [r["Producer"] for r in rows[:2]] == ["agent", "user"]
    page_2 = transcript(client, session, PageSize="4", PageNumber="2")
    assert page_2 == rows[4:8]
    latest = transcript(client, session, RoundLimit="2", Order="ASC")
    assert latest == list(reversed(rows[:4]))


def test_round_seconds_and_max_rounds_are_settings(fresh: Callable[..., TestClient]) -> None:
    client = fresh(ice_round_seconds=3, ice_max_rounds=4)
    _, session = start(client)
    at(client, 9)
    assert len(transcript(client, session)) == 6
    at(client, 3600)
    assert len(transcript(client, session)) == 8


def test_stop_keeps_the_rounds_due_by_then_and_ends_them(fresh: Callable[..., TestClient]) -> None:
    client = fresh()
    instance_id, session = start(client)
    at(client, 35)  # three rounds due, none read yet
    rpc(client, "StopAIAgentInstance", InstanceId=instance_id)
    at(client, 500)
    assert len(transcript(client, session)) == 6
    assert rpc(client, "DescribeAIAgentInstance", InstanceId=instance_id)["Instance"]["Status"] == "Finished"


def test_two_instances_of_one_session_interleave(fresh: Callable[..., TestClient]) -> None:
    client = fresh()
    _, session = start(client)
    at(client, 5)
    start(client, SessionId=session)
    at(client, 31)
    rows = transcript(client, session, Order="ASC")
    assert len(rows) == 2 * 3 + 2 * 2
    assert [r["Time"] for r in rows] == sorted(r["Time"] for r in rows)
    assert len({r["RoundId"] for r in rows}) == 5


def test_other_accounts_do_not_see_a_session(fresh: Callable[..., TestClient]) -> None:
    client = fresh()
    _, session = start(client)
    at(client, 60)
    assert transcript(client, session, access_key=AK_2) == []
    assert len(transcript(client, session)) == 12


def test_a_generated_instance_is_described_from_the_seed(fresh: Callable[..., TestClient]) -> None:
    client = fresh(scale=0.2)  # finished instances too
    vendor_entries = [e for e in _generated(client) if e["tenant"] == ACCOUNT_1]
    finished = next(e for e in vendor_entries if e["record"]["Status"] == "Finished")
    running = next(e for e in vendor_entries if e["record"]["Status"] == "Executing")
    first = rpc(client, "DescribeAIAgentInstance", InstanceId=finished["instanceId"])["Instance"]
    again = rpc(fresh(scale=0.2), "DescribeAIAgentInstance", InstanceId=finished["instanceId"])["Instance"]
    assert first == again
    assert first["SessionId"] == "" and first["GmtCreate"] == finished["startTime"].removesuffix("Z") + ".000+00:00"
    created, modified = ms_from_iso(first["GmtCreate"]), ms_from_iso(first["GmtModified"])
    assert 60_000 <= modified - created < 1_800_000
    assert {k: first[k] for k in finished["record"]} == finished["record"]
    live = rpc(client, "DescribeAIAgentInstance", InstanceId=running["instanceId"])["Instance"]
    assert live["GmtModified"] == live["GmtCreate"]


def _generated(client: TestClient) -> list[dict[str, Any]]:
    snapshot = client.get("/_emulator/snapshot").json()
    entries: list[dict[str, Any]] = snapshot["records"]["ice/instances"]
    return entries


def test_a_fixture_instance_talks_once_it_counts_rounds(fresh: Callable[..., TestClient]) -> None:
    client = fresh()
    base = {"tenant": ACCOUNT_1, "aiAgentId": "fixture-agent", "startTime": T0, "record": {"Status": "Executing"}}
    entries = [
        {**base, "instanceId": "talks", "sessionId": "fixture-session", "generatedRounds": 0},
        {**base, "instanceId": "silent", "sessionId": "silent-session"},  # a record of the past: no rounds
    ]
    assert client.put("/_emulator/records/ice/instances", json=entries).status_code == 200
    at(client, 30)
    assert len(transcript(client, "fixture-session")) == 6
    assert transcript(client, "silent-session") == []
    exported = {e["instanceId"]: e for e in _generated(client) if e["aiAgentId"] == "fixture-agent"}
    assert exported["talks"]["generatedRounds"] == 3 and "generatedRounds" not in exported["silent"]


def test_reset_takes_instances_and_their_rounds_away(reset_client: TestClient) -> None:
    at(reset_client, 0)
    instance_id, session = start(reset_client)
    at(reset_client, 30)
    assert len(transcript(reset_client, session)) == 6
    assert reset_client.post("/_emulator/reset").status_code == 200
    assert transcript(reset_client, session) == []
    resp = reset_client.post("/", params={"Action": "DescribeAIAgentInstance", "Version": "2020-11-09",
                                          "AccessKeyId": AK_1, "InstanceId": instance_id})  # fmt: skip
    assert resp.status_code == 404


# --- a data directory: restarts and two apps on one store ----------------------------------------------------------


def test_instances_and_rounds_survive_a_restart(tmp_path: Path, fresh: Callable[..., TestClient]) -> None:
    first = fresh(data_dir=tmp_path)
    instance_id, session = start(first)
    at(first, 20)
    before = transcript(first, session)
    second = fresh(data_dir=tmp_path)  # `fresh` freezes the clock at T0 again: nothing new is due
    at(second, 20)
    assert transcript(second, session) == before and len(before) == 4
    assert rpc(second, "DescribeAIAgentInstance", InstanceId=instance_id)["Instance"]["Status"] == "Executing"


def test_two_apps_catching_up_one_session_write_each_round_once(
    tmp_path: Path, fresh: Callable[..., TestClient]
) -> None:
    """Two workers on one --data-dir (two apps, two connections to the file) read a session owing 60 rounds at
    once: the write lock and the re-read count make each round land once."""
    apps = [fresh(data_dir=tmp_path), fresh(data_dir=tmp_path)]
    _, session = start(apps[0])
    at(apps[0], 600)  # the clock is shared state: both apps see 60 rounds due
    results: list[list[dict[str, Any]]] = []
    errors: list[BaseException] = []

    def read(client: TestClient) -> None:
        try:
            results.append(transcript(client, session, PageSize="100"))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    full = transcript(apps[1], session, PageSize="100", Order="ASC")
    full += transcript(apps[1], session, PageSize="100", PageNumber="2", Order="ASC")
    assert len(full) == 120 and len({d["DialogueId"] for d in full}) == 120
    assert all(len(rows) == 100 for rows in results)


def test_concurrent_starts_from_two_workers_keep_the_list_exact(
    tmp_path: Path, fresh: Callable[..., TestClient]
) -> None:
    """Two workers start ten instances each at once: twenty distinct instances, paged newest first (all in one
    frozen second, so by id, descending) with nothing lost or repeated."""
    apps = [fresh(data_dir=tmp_path), fresh(data_dir=tmp_path)]
    channels: dict[str, str] = {}  # instance id -> the channel it was started in
    errors: list[BaseException] = []

    def start_many(client: TestClient, worker: int) -> None:
        try:
            for n in range(10):
                channel = f"channel-{worker}-{n}"
                config = json.dumps({"AgentUserId": "a", "AuthToken": "t", "ChannelId": channel})
                body = rpc(client, "StartAIAgentInstance", AIAgentId="busy", RuntimeConfig=config)
                channels[body["InstanceId"]] = channel
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=start_many, args=(app, n)) for n, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(channels) == 20
    pages = [
        rpc(apps[1], "ListAIAgentInstance", AIAgentId="busy", PageSize="7", PageNumber=str(n)) for n in (1, 2, 3, 4)
    ]
    assert [len(page["Instances"]) for page in pages] == [7, 7, 6, 0]
    listed = [i["RuntimeConfig"]["ChannelId"] for page in pages for i in page["Instances"]]
    assert listed == [channels[i] for i in sorted(channels, reverse=True)]
