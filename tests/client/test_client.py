"""`emulator.client`: every control-plane endpoint through `EmulatorClient` and `AsyncEmulatorClient` over real HTTP
(a live server of the module's own, reset before each test), answered as the server's models, and refusals raised
as `EmulatorError` with the control plane's status, code, message and request id."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator import __version__
from emulator.client import (
    AsyncEmulatorClient,
    ClockState,
    Dataset,
    EmulatorClient,
    EmulatorError,
    Entries,
    Fault,
    Health,
    JournalEntry,
    PutResult,
)

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
PROJECT_1 = "0123456789abcdef0123456789abcdef"
OWNER_1, KEY_1 = "emu-dev-user-001", "fixie-emu-dev-key-001"
AGENT_1 = "07ed3b18-5949-465a-af56-31bb2ff14c82"
DEFAULT_TENANTS = {"ice": 2, "metastudio": 2, "fixie": 2}


@pytest.fixture
def url(module_live_url: str) -> str:
    """The module's live server (auth=verify, scale 0.05) with the start-up state back."""
    assert httpx.post(f"{module_live_url}/_emulator/reset").status_code == 200
    return module_live_url


@pytest.fixture
def emu(url: str) -> Iterator[EmulatorClient]:
    with EmulatorClient(url) as client:
        yield client


def instance(instance_id: str, tenant: str = ACCOUNT_1, status: str = "Executing") -> dict[str, Any]:
    place = {"tenant": tenant, "aiAgentId": "agent-x", "instanceId": instance_id, "startTime": "2030-01-01T00:00:00Z"}
    return {**place, "record": {"Status": status}}


def fixie_get(url: str, key: str | None = KEY_1, agent: str = AGENT_1) -> httpx.Response:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    return httpx.get(f"{url}/api/v1/agents/{agent}/conversations", params={"limit": 5}, headers=headers)


def raised(call: Any, *args: Any, **kwargs: Any) -> EmulatorError:
    with pytest.raises(EmulatorError) as info:
        call(*args, **kwargs)
    return info.value


# -- health, reset, seed --


def test_health_answers_the_servers_model(emu: EmulatorClient) -> None:
    health = emu.health()
    assert isinstance(health, Health)
    assert (health.status, health.version, health.seed, health.scale, health.auth) == (
        "ok",
        __version__,
        SEED,
        0.05,
        "verify",
    )
    dataset = emu.reset()
    assert {k.replace("_", "/", 1): n for k, n in health.records.items()} == dataset.records
    assert dataset.records["ice/instances"] > 0


def test_seed_regenerates_and_reset_brings_the_start_up_dataset_back(emu: EmulatorClient) -> None:
    start = emu.reset()
    assert isinstance(start, Dataset)
    assert (start.seed, start.scale, start.tenants) == (SEED, 0.05, DEFAULT_TENANTS)
    reseeded = emu.seed(7, scale=0.1)
    assert (reseeded.seed, reseeded.scale) == (7, 0.1)
    assert reseeded.records["ice/instances"] > start.records["ice/instances"]
    assert emu.health().seed == 7
    assert emu.seed(8).scale == 0.1  # the scale stays when none is given
    assert emu.reset() == start


def test_seed_out_of_range_is_invalid_parameter(emu: EmulatorClient) -> None:
    err = raised(emu.seed, 1, scale=1000)
    assert (err.status, err.code) == (400, "InvalidParameter")
    assert "scale" in err.message


# -- records --


def test_records_put_get_replace_and_delete(emu: EmulatorClient) -> None:
    before = emu.get_records("ice/instances", tenant=ACCOUNT_1, limit=1)
    assert isinstance(before, Entries) and len(before.entries) == 1
    put = emu.put_records("ice/instances", [instance("i-1"), instance("i-2")])
    assert put == PutResult(inserted=2, replaced=0)
    assert emu.put_records("ice/instances", [instance("i-1", status="Finished")]) == PutResult(inserted=0, replaced=1)
    after = emu.get_records("ice/instances", tenant=ACCOUNT_1, limit=100_000)
    assert after.total == before.total + 2 == len(after.entries)
    mine = {e["instanceId"]: e["record"]["Status"] for e in after.entries if e["aiAgentId"] == "agent-x"}
    assert mine == {"i-1": "Finished", "i-2": "Executing"}
    page = emu.get_records("ice/instances", tenant=ACCOUNT_1, offset=after.total - 1, limit=10)
    assert page.entries == after.entries[-1:] and page.total == after.total
    emu.delete_record("ice/instances", "i-2", tenant=ACCOUNT_1)
    assert emu.get_records("ice/instances", tenant=ACCOUNT_1).total == before.total + 1


def test_deleting_a_missing_record_raises_record_not_found(emu: EmulatorClient) -> None:
    err = raised(emu.delete_record, "ice/instances", "nope", tenant=ACCOUNT_1)
    assert (err.status, err.code) == (404, "RecordNotFound")
    assert err.message == f'No record "nope" in ice/instances of tenant "{ACCOUNT_1}".'
    assert err.request_id and err.request_id in str(err) and "RecordNotFound" in str(err)


def test_record_ids_with_a_slash_are_deleted(emu: EmulatorClient) -> None:
    legacy = f"{OWNER_1}/trip-planner"  # Fixie's legacy "<owner>/<handle>" agent id
    agents = emu.get_records("fixie/agents", tenant=OWNER_1, limit=1000).entries
    assert legacy in {e["record"]["agentId"] for e in agents}
    emu.delete_record("fixie/agents", legacy, tenant=OWNER_1)
    assert legacy not in {e["record"]["agentId"] for e in emu.get_records("fixie/agents", tenant=OWNER_1).entries}


def test_bad_and_rejected_entries_raise_their_codes(emu: EmulatorClient) -> None:
    bad = instance("i-1")
    bad["startTime"] = 5
    err = raised(emu.put_records, "ice/instances", [instance("i-0"), bad])
    assert (err.status, err.code) == (400, "InvalidEntry")
    assert err.message.startswith("ice/instances: entry 1 (i-1): field startTime")
    err = raised(emu.put_records, "ice/instances", [instance("i-1", tenant="999")])
    assert (err.status, err.code) == (409, "EntryRejected")
    assert emu.get_records("ice/instances", tenant="999").total == 0


def test_unknown_collection_is_not_found(emu: EmulatorClient) -> None:
    err = raised(emu.get_records, "ice/nothing")
    assert (err.status, err.code) == (404, "NotFound")


# -- tenants --


def test_tenants_create_list_and_delete(emu: EmulatorClient, url: str) -> None:
    owner = emu.create_tenant("fixie")
    assert set(owner) == {"owner", "api_keys"}
    assert owner in emu.list_tenants()["fixie"]
    assert fixie_get(url, owner["api_keys"][0], agent="unknown").status_code == 404  # the key works: not 401
    project = emu.create_tenant("metastudio", generate=True)
    assert emu.get_records("metastudio/smart_chat_rooms", tenant=project["project_id"]).total > 0
    listed = emu.list_tenants()
    assert {v: len(ts) for v, ts in listed.items()} == {"ice": 2, "metastudio": 3, "fixie": 3}
    emu.delete_tenant("fixie", owner["owner"])
    assert owner not in emu.list_tenants()["fixie"]
    assert fixie_get(url, owner["api_keys"][0], agent="unknown").status_code == 401


def test_tenant_errors(emu: EmulatorClient) -> None:
    err = raised(emu.delete_tenant, "fixie", "nobody")
    assert (err.status, err.code, err.message) == (404, "TenantNotFound", 'fixie has no tenant "nobody".')
    err = raised(emu.delete_tenant, "aws", "x")
    assert (err.status, err.code) == (404, "UnknownVendor")
    err = raised(emu.create_tenant, "aws")
    assert (err.status, err.code) == (400, "InvalidParameter")


# -- snapshot --


def test_snapshot_round_trip(emu: EmulatorClient) -> None:
    snapshot = emu.get_snapshot()
    assert (snapshot["format"], snapshot["version"], snapshot["seed"]) == ("agent-api-emulator/snapshot", 1, SEED)
    emu.put_records("ice/instances", [instance("i-1")])
    emu.create_tenant("ice")
    restored = emu.restore_snapshot(snapshot)
    assert isinstance(restored, Dataset) and restored.tenants == DEFAULT_TENANTS
    assert emu.get_snapshot() == snapshot


def test_bad_snapshot_is_invalid_snapshot(emu: EmulatorClient) -> None:
    err = raised(emu.restore_snapshot, {"format": "something else", "version": 1, "manifest": {"tenants": {}}})
    assert (err.status, err.code) == (400, "InvalidSnapshot")


# -- journal --


def test_journal_entries_filters_count_and_clear(emu: EmulatorClient, url: str) -> None:
    assert fixie_get(url, key=None).status_code == 401
    assert fixie_get(url).status_code == 200
    entries = emu.list_requests()
    assert all(isinstance(e, JournalEntry) for e in entries)
    newest, oldest = entries[0], entries[1]
    assert (newest.method, newest.path, newest.vendor, newest.operation) == (
        "GET",
        f"/api/v1/agents/{AGENT_1}/conversations",
        "fixie",
        "ListConversations",
    )
    assert (newest.status, newest.auth, newest.tenant, newest.query) == (200, "ok", OWNER_1, {"limit": "5"})
    assert newest.headers["authorization"] == "Bearer fixie-..."
    assert (oldest.status, oldest.auth, oldest.tenant) == (401, "missing", None)
    assert [e.id for e in emu.list_requests(status=401)] == [oldest.id]
    assert [e.id for e in emu.list_requests(vendor="fixie", auth="ok", tenant=OWNER_1)] == [newest.id]
    assert [e.id for e in emu.list_requests(since=oldest.id)] == [newest.id]
    assert [e.id for e in emu.list_requests(limit=1)] == [newest.id]
    since = datetime.fromtimestamp(oldest.ms / 1000, UTC)
    assert [e.id for e in emu.list_requests(since=since)] == [newest.id, oldest.id]
    assert emu.list_requests(since=since + timedelta(days=1)) == []
    assert emu.count_requests() == 2 and emu.count_requests(operation="ListConversations", code=oldest.code) == 1
    emu.clear_requests()
    assert emu.count_requests() == 0


def test_bad_journal_filter_is_invalid_parameter(emu: EmulatorClient) -> None:
    err = raised(emu.list_requests, since="yesterday")
    assert (err.status, err.code) == (400, "InvalidParameter")
    assert "since" in err.message


# -- faults --


def test_faults_add_list_fire_delete_and_clear(emu: EmulatorClient, url: str) -> None:
    first = emu.add_fault("fixie", error="UNAVAILABLE", count=1, latency_ms=(0, 1))
    second = emu.add_fault("fixie", operation="GetConversation", error={"status": 500, "code": 13, "message": "x"})
    assert (first, second) == ("fault-1", "fault-2")
    assert fixie_get(url).status_code == 503
    assert fixie_get(url).status_code == 200
    faults = emu.list_faults()
    assert all(isinstance(f, Fault) for f in faults)
    assert [(f.id, f.matched, f.fired) for f in faults] == [("fault-1", 2, 1), ("fault-2", 0, 0)]
    assert faults[0].rule == {
        "vendor": "fixie",
        "probability": 1.0,
        "count": 1,
        "latency_ms": [0, 1],
        "error": "UNAVAILABLE",
    }
    emu.delete_fault("fault-1")
    assert [f.id for f in emu.list_faults()] == ["fault-2"]
    err = raised(emu.delete_fault, "fault-1")
    assert (err.status, err.code, err.message) == (404, "FaultNotFound", 'No fault rule "fault-1".')
    emu.clear_faults()
    assert emu.list_faults() == []


def test_unknown_fault_error_name_is_invalid_parameter(emu: EmulatorClient) -> None:
    err = raised(emu.add_fault, "ice", error="Teapot")
    assert (err.status, err.code) == (400, "InvalidParameter")
    assert emu.list_faults() == []


# -- clock --


def test_clock_offset_and_freeze(emu: EmulatorClient) -> None:
    clock = emu.get_clock()
    assert isinstance(clock, ClockState) and (clock.offset_seconds, clock.frozen_at) == (0, None)
    assert emu.set_clock_offset(-3600).offset_seconds == -3600
    frozen = emu.freeze_clock(datetime(2025, 6, 1, 8, tzinfo=timezone(timedelta(hours=8))))
    assert (frozen.frozen_at, frozen.now) == ("2025-06-01T00:00:00.000Z", "2025-06-01T00:00:00.000Z")
    assert emu.freeze_clock(datetime(2025, 6, 2)).frozen_at == "2025-06-02T00:00:00.000Z"  # naive: UTC
    assert emu.freeze_clock("2025-06-03T00:00:00Z").frozen_at == "2025-06-03T00:00:00.000Z"
    frozen_later = "2025-06-03T00:00:00.000Z"
    assert emu.get_clock() == ClockState(offset_seconds=0, frozen_at=frozen_later, now=frozen_later)
    err = raised(emu.freeze_clock, "June 1st")
    assert (err.status, err.code) == (400, "InvalidParameter")


# -- transport and non-envelope answers --


def test_an_answer_without_the_envelope_keeps_its_status_and_text() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="Bad Gateway from a proxy"))
    with EmulatorClient("http://emulator.test", transport=transport) as client:
        err = raised(client.health)
    assert (err.status, err.code, err.message, err.request_id) == (
        502,
        "UnexpectedResponse",
        "Bad Gateway from a proxy",
        None,
    )


def test_wait_healthy_polls_until_the_server_answers(emu: EmulatorClient) -> None:
    assert emu.wait_healthy(timeout=5).status == "ok"
    with EmulatorClient("http://127.0.0.1:9") as nobody, pytest.raises(httpx.ConnectError):
        nobody.wait_healthy(timeout=0.2, interval=0.05)


# -- async --


def test_async_client_covers_every_endpoint(url: str) -> None:
    async def scenario() -> None:
        async with AsyncEmulatorClient(url) as emu:
            assert (await emu.wait_healthy(timeout=5)).status == "ok"
            assert (await emu.health()).seed == SEED
            assert (await emu.seed(7)).seed == 7
            assert (await emu.reset()).seed == SEED
            assert await emu.put_records("ice/instances", [instance("i-1")]) == PutResult(inserted=1, replaced=0)
            entries = await emu.get_records("ice/instances", tenant=ACCOUNT_1, limit=100_000)
            assert "i-1" in {e["instanceId"] for e in entries.entries}
            await emu.delete_record("ice/instances", "i-1", tenant=ACCOUNT_1)
            err = await raised_async(emu.delete_record("ice/instances", "i-1", tenant=ACCOUNT_1))
            assert (err.status, err.code) == (404, "RecordNotFound")
            tenant = await emu.create_tenant("ice")
            assert tenant in (await emu.list_tenants())["ice"]
            await emu.delete_tenant("ice", tenant["account_id"])
            snapshot = await emu.get_snapshot()
            assert (await emu.restore_snapshot(snapshot)).tenants == DEFAULT_TENANTS
            await asyncio.to_thread(fixie_get, url)
            assert [e.status for e in await emu.list_requests(vendor="fixie")] == [200]
            assert await emu.count_requests(status=200) == 1
            await emu.clear_requests()
            assert await emu.count_requests() == 0
            assert await emu.add_fault("metastudio", error="APIGW.0308") == "fault-1"
            assert [f.id for f in await emu.list_faults()] == ["fault-1"]
            await emu.delete_fault("fault-1")
            await emu.add_fault("ice", connection="reset")
            await emu.clear_faults()
            assert await emu.list_faults() == []
            assert (await emu.set_clock_offset(60)).offset_seconds == 60
            assert (await emu.freeze_clock("2025-01-01T00:00:00Z")).frozen_at == "2025-01-01T00:00:00.000Z"
            assert (await emu.get_clock()).frozen_at == "2025-01-01T00:00:00.000Z"
            err = await raised_async(emu.delete_tenant("fixie", "nobody"))
            assert (err.status, err.code) == (404, "TenantNotFound")

    asyncio.run(scenario())


async def raised_async(awaitable: Any) -> EmulatorError:
    with pytest.raises(EmulatorError) as info:
        await awaitable
    return info.value


def test_the_readme_example_runs(url: str, emu: EmulatorClient) -> None:
    """The README's admin-client example, verbatim but for the port."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**The admin client.**") : readme.index("## Contract testing")]
    (example,) = re.findall(r"```python\n(.*?)```", section, re.S)
    dialogues = emu.reset().records["ice/dialogues"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example.replace("http://127.0.0.1:8000", url), "README admin client", "exec"), {})
    assert out.getvalue().split() == ["0", str(dialogues)]
    assert emu.list_faults() == [] and len(emu.list_tenants()["ice"]) == 2  # the example's reset undid its changes
