"""The control plane (`/_emulator/*`) as a Fixie user meets it through the official npm client `fixie@6.3.4`.

Records, tenants, fault rules and snapshots are set up with plain `requests`; what they do is asserted on what the
client saw: `requestJson` for List Conversations, `getConversation` for Get Conversation, errors as the client throws
them (`FixieClientError`, or fetch's and JSON.parse's own). tests/js/fixie_control_plane.mjs runs the client steps;
one node process serves the whole module (one batch of steps per line), so node starts once.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

JS = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS / "fixie_control_plane.mjs"
NPM_CI = "npm ci --prefix tests/js --ignore-scripts --no-audit --no-fund"
SCALE = 0.05
OWNER = "emu-dev-user-001"
KEY = "fixie-emu-dev-key-001"
AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"  # owner 1, private
PUBLISHED_AGENT = "ac431f72-b5dd-4348-a868-9a2d0ab32a8b"  # owner 1, published
NEW_AGENT = "6f1c2b9e-3d4a-4e5f-8a7b-1c2d3e4f5a6b"
TIMEOUT = 10


# -- the npm client, driven by one long-lived node process --------------------------------------------------------


class NodeClient:
    """`node fixie_control_plane.mjs --serve`: one plan per stdin line, one report per stdout line."""

    def __init__(self, node: str) -> None:
        self.proc = subprocess.Popen(
            [node, str(SCRIPT), "--serve"],
            cwd=JS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _pump(stream: Any, sink: Callable[[str], None]) -> None:
        for line in stream:
            sink(line)

    def run(self, url: str, steps: list[dict[str, Any]], api_key: str | None = KEY) -> dict[str, dict[str, Any]]:
        """Run the steps in order with one client per (url, key); the report of each step by its name."""
        names = [s["name"] for s in steps]
        assert len(set(names)) == len(names), "step names must be unique"
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"url": url, "apiKey": api_key, "steps": steps}) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=120)
        except queue.Empty:
            pytest.fail(f"node gave no report; stderr: {''.join(self.stderr)}")
        report = json.loads(line)
        assert [s["name"] for s in report["steps"]] == names
        return {s["name"]: s for s in report["steps"]}

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def js() -> Iterator[NodeClient]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the official Fixie client is a JavaScript package")
    if not (JS / "node_modules" / "fixie" / "package.json").exists():
        pytest.skip(f"tests/js/node_modules is missing: install the official client with `{NPM_CI}`")
    client = NodeClient(node)
    yield client
    client.close()


def lst(name: str, agent: str, query: str | None = None, **extra: Any) -> dict[str, Any]:
    step = {"name": name, "op": "list", "agentId": agent, **extra}
    if query is not None:
        step["query"] = query
    return step


def get(name: str, agent: str, conversation: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "op": "get", "agentId": agent, "conversationId": conversation, **extra}


def ok(step: dict[str, Any]) -> Any:
    assert step["ok"], step.get("error")
    return step["json"]


def ids(page: dict[str, Any]) -> list[str]:
    return [c["id"] for c in page["conversations"]]


def page_info(size: int, offset: int, total: int) -> dict[str, int]:
    return {"requestedPageSize": size, "requestedOffset": offset, "totalResultCount": total}


def list_url(url: str, agent: str) -> str:
    return f"{url}/api/v1/agents/{agent}/conversations"


def client_error(step: dict[str, Any], url: str, status: int, status_text: str) -> dict[str, Any]:
    """Assert the step failed with the client's FixieClientError for an HTTP error; its body, parsed."""
    assert not step["ok"], "expected the client to throw"
    err = step["error"]
    assert err["isFixieClientError"] is True
    assert err["name"] == "FixieClientError"
    assert (err["statusCode"], err["statusText"]) == (status, status_text)
    assert err["message"] == f"Error accessing Fixie API: {url}"
    assert err["detail"] == step["raw"]  # the client keeps the raw body text
    body: dict[str, Any] = json.loads(err["detail"])
    return body


def rpc_status(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "details": []}


# -- control-plane calls ------------------------------------------------------------------------------------------


def create_tenant(url: str) -> tuple[str, str]:
    r = requests.post(f"{url}/_emulator/tenants", json={"vendor": "fixie"}, timeout=TIMEOUT)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert set(doc) == {"owner", "api_keys"} and len(doc["api_keys"]) == 1
    return doc["owner"], doc["api_keys"][0]


def put(url: str, collection: str, entries: list[dict[str, Any]]) -> tuple[int, Any]:
    r = requests.put(f"{url}/_emulator/records/fixie/{collection}", json=entries, timeout=TIMEOUT)
    return r.status_code, r.json()


def delete(url: str, collection: str, record_id: str, tenant: str) -> int:
    r = requests.delete(
        f"{url}/_emulator/records/fixie/{collection}/{record_id}", params={"tenant": tenant}, timeout=TIMEOUT
    )
    return r.status_code


def records(url: str, collection: str, tenant: str) -> dict[str, Any]:
    r = requests.get(f"{url}/_emulator/records/fixie/{collection}", params={"tenant": tenant}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def add_fault(url: str, **rule: Any) -> str:
    r = requests.post(f"{url}/_emulator/faults", json={"vendor": "fixie", **rule}, timeout=TIMEOUT)
    assert r.status_code == 201, r.text
    fault_id: str = r.json()["id"]
    return fault_id


def fault_counts(url: str) -> dict[str, tuple[int, int]]:
    r = requests.get(f"{url}/_emulator/faults", timeout=TIMEOUT)
    return {f["id"]: (f["matched"], f["fired"]) for f in r.json()["faults"]}


def journal(url: str, **filters: Any) -> list[dict[str, Any]]:
    r = requests.get(f"{url}/_emulator/requests", params=filters, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["requests"]
    return entries


def journal_count(url: str, **filters: Any) -> int:
    r = requests.get(f"{url}/_emulator/requests/count", params=filters, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    count: int = r.json()["count"]
    return count


def agent_entry(owner: str, agent_id: str, handle: str, published: bool = False) -> dict[str, Any]:
    record = {"agentId": agent_id, "handle": handle, "displayName": handle.replace("-", " ").title()}
    return {"tenant": owner, "published": published, "record": record}


def conversation(conversation_id: str, started: str, text: str) -> dict[str, Any]:
    """A user turn and the assistant's answer two seconds later, fields in the order the API writes them."""
    start = datetime.strptime(started, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    answered = (start + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    user_turn = f"{conversation_id}-t1"
    return {
        "id": conversation_id,
        "turns": [
            {
                "id": user_turn,
                "timestamp": started,
                "role": "user",
                "messages": [{"kind": "text", "content": text}],
                "state": "done",
            },
            {
                "id": f"{conversation_id}-t2",
                "timestamp": answered,
                "role": "assistant",
                "messages": [{"kind": "text", "content": f"Answer to: {text}", "state": "done"}],
                "state": "done",
                "inReplyToId": user_turn,
            },
        ],
    }


def conversation_entry(owner: str, agent_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {"tenant": owner, "agentId": agent_id, "record": record}


# -- 1. records ---------------------------------------------------------------------------------------------------


def test_records_written_are_what_the_client_lists_and_gets(live_factory: Callable[..., str], js: NodeClient) -> None:
    """PUT agents/conversations into a created tenant: the client lists them newest first with the right total and
    gets them as stored; a replace changes without duplicating; deletes (of a conversation, of its agent) follow;
    a conversation of a missing agent is refused."""
    url = live_factory(scale=SCALE)
    owner, key = create_tenant(url)
    assert put(url, "agents", [agent_entry(owner, NEW_AGENT, "records-probe")]) == (200, {"inserted": 1, "replaced": 0})
    conv_a = conversation("conv-a", "2025-01-01T09:00:00.000Z", "first")
    conv_b = conversation("conv-b", "2025-02-02T10:30:00.250Z", "second")
    conv_c = conversation("conv-c", "2025-03-03T11:45:59.999Z", "third")
    entries = [conversation_entry(owner, NEW_AGENT, c) for c in (conv_b, conv_a, conv_c)]
    assert put(url, "conversations", entries) == (200, {"inserted": 3, "replaced": 0})

    seen = js.run(
        url,
        [lst("all", NEW_AGENT), lst("page", NEW_AGENT, "offset=1&limit=1"), get("b", NEW_AGENT, "conv-b")],
        api_key=key,
    )
    assert ids(ok(seen["all"])) == ["conv-c", "conv-b", "conv-a"]
    assert ok(seen["all"])["pageInfo"] == page_info(0, 0, 3)
    assert ok(seen["all"])["conversations"] == [conv_c, conv_b, conv_a]
    assert ids(ok(seen["page"])) == ["conv-b"]
    assert ok(seen["page"])["pageInfo"] == page_info(1, 1, 3)
    assert ok(seen["b"]) == conv_b
    assert seen["b"]["raw"] == json.dumps(conv_b, separators=(",", ":"))

    # Same id again: replaced in place, and its new first turn makes it the newest.
    conv_a2 = conversation("conv-a", "2025-04-04T12:00:00.000Z", "first, edited")
    assert put(url, "conversations", [conversation_entry(owner, NEW_AGENT, conv_a2)]) == (
        200,
        {"inserted": 0, "replaced": 1},
    )
    assert records(url, "conversations", owner)["total"] == 3
    seen = js.run(url, [lst("all", NEW_AGENT), get("a", NEW_AGENT, "conv-a")], api_key=key)
    assert ok(seen["all"])["conversations"] == [conv_a2, conv_c, conv_b]
    assert ok(seen["all"])["pageInfo"] == page_info(0, 0, 3)
    assert ok(seen["a"]) == conv_a2

    assert delete(url, "conversations", "conv-c", owner) == 204
    seen = js.run(url, [lst("all", NEW_AGENT), get("c", NEW_AGENT, "conv-c")], api_key=key)
    assert ids(ok(seen["all"])) == ["conv-a", "conv-b"]
    assert ok(seen["all"])["pageInfo"] == page_info(0, 0, 2)
    body = client_error(seen["c"], f"{list_url(url, NEW_AGENT)}/conv-c", 404, "Not Found")
    assert body == rpc_status(5, 'conversation "conv-c" not found')

    assert delete(url, "agents", NEW_AGENT, owner) == 204
    seen = js.run(url, [lst("all", NEW_AGENT), get("a", NEW_AGENT, "conv-a")], api_key=key)
    body = client_error(seen["all"], list_url(url, NEW_AGENT), 404, "Not Found")
    assert body == rpc_status(5, f'agent "{NEW_AGENT}" not found')
    client_error(seen["a"], f"{list_url(url, NEW_AGENT)}/conv-a", 404, "Not Found")
    assert records(url, "conversations", owner) == {"entries": [], "total": 0}
    assert records(url, "agents", owner) == {"entries": [], "total": 0}

    orphan = conversation_entry(owner, NEW_AGENT, conversation("conv-z", "2025-05-05T00:00:00.000Z", "orphan"))
    status, body = put(url, "conversations", [orphan])
    assert status == 409
    assert body["error"]["code"] == "EntryRejected"
    assert body["error"]["message"] == (
        f'fixie/conversations: entry 0 (conv-z): field agentId: agent "{NEW_AGENT}" of "{owner}" does not exist'
    )
    assert records(url, "conversations", owner)["total"] == 0


# -- 2. tenants ---------------------------------------------------------------------------------------------------


def test_created_tenant_key_works_at_once_stays_in_its_tenant_and_dies_with_it(
    live_factory: Callable[..., str], js: NodeClient
) -> None:
    """A new tenant's key lists its own agent at once; neither it nor the default key sees the other's agent (404,
    worded as for an agent that does not exist); after the tenant is deleted its key is refused (401)."""
    url = live_factory(scale=SCALE)
    owner, key = create_tenant(url)
    listed = requests.get(f"{url}/_emulator/tenants", timeout=TIMEOUT).json()["tenants"]["fixie"]
    assert {"owner": owner, "api_keys": [key]} in listed
    assert put(url, "agents", [agent_entry(owner, NEW_AGENT, "tenant-probe")]) == (200, {"inserted": 1, "replaced": 0})
    conv = conversation("conv-t", "2025-01-15T08:00:00.000Z", "hello")
    assert put(url, "conversations", [conversation_entry(owner, NEW_AGENT, conv)])[0] == 200
    unknown = "00000000-0000-4000-8000-000000000000"

    seen = js.run(
        url,
        [
            lst("own", NEW_AGENT),
            get("own-get", NEW_AGENT, "conv-t"),
            lst("foreign", AGENT),
            lst("unknown", unknown),
            lst("default-on-new", NEW_AGENT, apiKey=KEY),
            lst("default-own", AGENT, apiKey=KEY),
        ],
        api_key=key,
    )
    assert ok(seen["own"]) == {"conversations": [conv], "pageInfo": page_info(0, 0, 1)}
    assert ok(seen["own-get"]) == conv
    body = client_error(seen["foreign"], list_url(url, AGENT), 404, "Not Found")
    assert body == rpc_status(5, f'agent "{AGENT}" not found')
    body = client_error(seen["unknown"], list_url(url, unknown), 404, "Not Found")
    assert body == rpc_status(5, f'agent "{unknown}" not found')  # a foreign agent is never revealed
    body = client_error(seen["default-on-new"], list_url(url, NEW_AGENT), 404, "Not Found")
    assert body == rpc_status(5, f'agent "{NEW_AGENT}" not found')
    assert ok(seen["default-own"])["pageInfo"]["totalResultCount"] >= 1

    r = requests.delete(f"{url}/_emulator/tenants/fixie/{owner}", timeout=TIMEOUT)
    assert r.status_code == 204
    seen = js.run(url, [lst("gone", NEW_AGENT), lst("default-own", AGENT, apiKey=KEY)], api_key=key)
    body = client_error(seen["gone"], list_url(url, NEW_AGENT), 401, "Unauthorized")
    assert body == rpc_status(16, "invalid API key")
    assert ok(seen["default-own"])["pageInfo"]["totalResultCount"] >= 1
    assert records(url, "agents", owner)["total"] == 0
    assert records(url, "conversations", owner)["total"] == 0
    r = requests.delete(f"{url}/_emulator/tenants/fixie/{owner}", timeout=TIMEOUT)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "TenantNotFound")


# -- 3. faults ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_error", "status", "status_text", "code", "message", "retry_after"),
    [
        ("RESOURCE_EXHAUSTED", 429, "Too Many Requests", 8, "Resource has been exhausted (e.g. check quota).", "1"),
        ("UNAVAILABLE", 503, "Service Unavailable", 14, "The service is currently unavailable.", "1"),
        ("INTERNAL", 500, "Internal Server Error", 13, "Internal Server Error", None),
        ({"status": 409, "code": "ABORTED", "message": "m"}, 409, "Conflict", 10, "m", None),
    ],
    ids=["RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "custom-ABORTED"],
)
def test_error_fault_reaches_the_client_as_a_fixie_client_error(
    live_factory: Callable[..., str],
    js: NodeClient,
    rule_error: Any,
    status: int,
    status_text: str,
    code: int,
    message: str,
    retry_after: str | None,
) -> None:
    """An error rule answers in Fixie's envelope (with Retry-After where the SDKs look for it); the npm client throws
    FixieClientError with that status and body; once the rule's count is spent the next call works."""
    url = live_factory(scale=SCALE)
    add_fault(url, error=rule_error, count=2)
    r = requests.get(list_url(url, AGENT), headers={"Authorization": f"Bearer {KEY}"}, timeout=TIMEOUT)
    assert r.status_code == status
    assert r.headers.get("Retry-After") == retry_after
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == rpc_status(code, message)

    seen = js.run(url, [lst("faulted", AGENT), lst("after", AGENT)])
    assert client_error(seen["faulted"], list_url(url, AGENT), status, status_text) == rpc_status(code, message)
    assert ok(seen["after"])["pageInfo"]["totalResultCount"] >= 1
    assert fault_counts(url) == {"fault-1": (3, 2)}


def test_fault_for_one_operation_leaves_the_other_alone(live_factory: Callable[..., str], js: NodeClient) -> None:
    """A GetConversation rule fails getConversation and does not touch (or count) ListConversations."""
    url = live_factory(scale=SCALE)
    add_fault(url, operation="GetConversation", error="UNAVAILABLE")
    first = js.run(url, [lst("list", AGENT)])["list"]
    conversation_id = ids(ok(first))[0]
    seen = js.run(url, [get("get", AGENT, conversation_id), lst("list-again", AGENT)])
    body = client_error(seen["get"], f"{list_url(url, AGENT)}/{conversation_id}", 503, "Service Unavailable")
    assert body == rpc_status(14, "The service is currently unavailable.")
    assert ok(seen["list-again"]) == ok(first)
    assert fault_counts(url) == {"fault-1": (1, 1)}


def test_fault_count_fires_exactly_that_many_times(live_factory: Callable[..., str], js: NodeClient) -> None:
    """count 2: the first two matching calls fail, every later one succeeds; the journal names the rule that fired."""
    url = live_factory(scale=SCALE)
    rule = add_fault(url, error="INTERNAL", count=2)
    seen = js.run(url, [lst(f"call-{i}", AGENT) for i in range(5)])
    assert [s["ok"] for s in seen.values()] == [False, False, True, True, True]
    for i in (0, 1):
        client_error(seen[f"call-{i}"], list_url(url, AGENT), 500, "Internal Server Error")
    assert fault_counts(url) == {rule: (5, 2)}
    entries = journal(url, vendor="fixie")  # newest first
    assert [(e["status"], e["fault"]) for e in reversed(entries)] == [
        (500, rule),
        (500, rule),
        (200, None),
        (200, None),
        (200, None),
    ]


def test_fault_probability_draws_are_the_same_on_two_servers_with_one_seed(
    live_factory: Callable[..., str], js: NodeClient
) -> None:
    """probability 0.5 over 20 calls: some but not all fire, and the same call numbers fire on two fresh servers
    started with the same seed."""
    urls = [live_factory(scale=SCALE, seed=4242) for _ in range(2)]
    agents = {records(url, "agents", OWNER)["entries"][0]["record"]["agentId"] for url in urls}  # ids follow the seed
    assert len(agents) == 1
    agent = agents.pop()
    for url in urls:
        add_fault(url, error="UNAVAILABLE", probability=0.5)
    steps = [lst(f"{n}-{i}", agent, url=url) for n, url in enumerate(urls) for i in range(20)]
    seen = js.run(urls[0], steps)
    fired = []
    for n, url in enumerate(urls):
        calls = [seen[f"{n}-{i}"] for i in range(20)]
        failed = [i for i, step in enumerate(calls) if not step["ok"]]
        for i in failed:
            client_error(calls[i], list_url(url, agent), 503, "Service Unavailable")
        assert fault_counts(url) == {"fault-1": (20, len(failed))}
        fired.append(failed)
    assert fired[0] == fired[1]
    assert 0 < len(fired[0]) < 20


@pytest.mark.parametrize(
    ("how", "cause"),
    [
        ("reset", {"name": "Error", "code": "ECONNRESET", "message": "read ECONNRESET"}),
        ("close", {"name": "SocketError", "code": "UND_ERR_SOCKET", "message": "other side closed"}),
    ],
    ids=["reset", "close"],
)
def test_connection_fault_is_a_network_error_and_the_next_call_works(
    live_factory: Callable[..., str], js: NodeClient, how: str, cause: dict[str, str]
) -> None:
    """A dropped connection reaches the client as its network error (FixieClientError statusCode 0 wrapping fetch's
    TypeError "fetch failed" and the socket error); the journal shows no status; the next call is answered."""
    url = live_factory(scale=SCALE)
    rule = add_fault(url, connection=how, count=1)
    seen = js.run(url, [lst("dropped", AGENT), lst("after", AGENT)])
    dropped = seen["dropped"]
    assert not dropped["ok"]
    assert dropped["raw"] is None
    assert dropped["error"] == {
        "isFixieClientError": True,
        "name": "FixieClientError",
        "message": f"Network error accessing {list_url(url, AGENT)}",
        "statusCode": 0,
        "statusText": "Network error",
        "detail": {"name": "TypeError", "message": "fetch failed", "cause": cause},
        "code": cause["code"],
    }
    assert ok(seen["after"])["pageInfo"]["totalResultCount"] >= 1
    entries = journal(url, vendor="fixie")
    assert [(e["status"], e["fault"]) for e in reversed(entries)] == [(None, rule), (200, None)]


def test_malformed_fault_breaks_the_clients_json_parse(live_factory: Callable[..., str], js: NodeClient) -> None:
    """malformed: true sends the first half of the real body with status 200: requestJson's response.json() throws
    JSON.parse's SyntaxError (not a FixieClientError)."""
    url = live_factory(scale=SCALE)
    rule = add_fault(url, malformed=True, count=1)
    seen = js.run(url, [lst("garbled", AGENT), lst("whole", AGENT)])
    garbled, whole = seen["garbled"], seen["whole"]
    assert not garbled["ok"]
    err = garbled["error"]
    assert (err["isFixieClientError"], err["name"], err["statusCode"]) == (False, "SyntaxError", None)
    assert "JSON" in err["message"]
    full = whole["raw"].encode()
    assert garbled["raw"].encode() == full[: len(full) // 2]
    entries = journal(url, vendor="fixie")
    assert [(e["status"], e["fault"]) for e in reversed(entries)] == [(200, rule), (200, None)]


def test_latency_fault_delays_the_answer(live_factory: Callable[..., str], js: NodeClient) -> None:
    """latency_ms 300 delays the answer by at least 0.3 s (as the client and the journal measure it) and leaves the
    answer itself alone."""
    url = live_factory(scale=SCALE)
    rule = add_fault(url, latency_ms=300, count=1)
    seen = js.run(url, [lst("slow", AGENT), lst("fast", AGENT)])
    assert seen["slow"]["ms"] >= 300
    ok(seen["slow"])
    assert seen["slow"]["raw"] == seen["fast"]["raw"]
    slow, fast = reversed(journal(url, vendor="fixie"))
    assert (slow["status"], slow["fault"], fast["fault"]) == (200, rule, None)
    assert slow["duration_ms"] >= 300


# -- 4. journal ---------------------------------------------------------------------------------------------------


def test_journal_records_the_clients_calls(live_factory: Callable[..., str], js: NodeClient) -> None:
    """The npm client's calls are journaled with vendor, operation, owner, status, code and auth verdict, the key
    cut to 6 characters; filters and /count agree; an unknown /api path is journaled as a 404 without operation."""
    url = live_factory(scale=SCALE)
    bad_key = "not-a-real-key-0001"
    first = js.run(url, [lst("list", AGENT, "offset=0&limit=5")])["list"]
    conversation_id = ids(ok(first))[0]
    seen = js.run(
        url,
        [
            get("get", AGENT, conversation_id),
            get("get-missing", AGENT, "no-such-conversation"),
            lst("bad-key", AGENT, apiKey=bad_key),
        ],
    )
    ok(seen["get"])
    client_error(seen["get-missing"], f"{list_url(url, AGENT)}/no-such-conversation", 404, "Not Found")
    assert client_error(seen["bad-key"], list_url(url, AGENT), 401, "Unauthorized") == rpc_status(16, "invalid API key")
    r = requests.get(f"{url}/api/v1/nope", timeout=TIMEOUT)
    assert r.status_code == 404

    entries = journal(url)
    assert [e["path"] for e in entries] == [
        "/api/v1/nope",
        f"/api/v1/agents/{AGENT}/conversations",
        f"/api/v1/agents/{AGENT}/conversations/no-such-conversation",
        f"/api/v1/agents/{AGENT}/conversations/{conversation_id}",
        f"/api/v1/agents/{AGENT}/conversations",
    ]
    ids_seen = [e["id"] for e in entries]
    assert ids_seen == sorted(ids_seen, reverse=True)
    view = ["method", "vendor", "operation", "tenant", "status", "code", "auth", "fault"]
    assert [{k: e[k] for k in view} for e in entries] == [
        dict(zip(view, ["GET", "fixie", None, None, 404, "5", None, None], strict=True)),
        dict(zip(view, ["GET", "fixie", "ListConversations", None, 401, "16", "unknown_key", None], strict=True)),
        dict(zip(view, ["GET", "fixie", "GetConversation", OWNER, 404, "5", "ok", None], strict=True)),
        dict(zip(view, ["GET", "fixie", "GetConversation", OWNER, 200, None, "ok", None], strict=True)),
        dict(zip(view, ["GET", "fixie", "ListConversations", OWNER, 200, None, "ok", None], strict=True)),
    ]
    nope, bad, missing, got, listed = entries
    assert listed["query"] == {"offset": "0", "limit": "5"}
    assert got["query"] == {}
    for e in (listed, got, missing):
        assert e["headers"]["authorization"] == "Bearer " + KEY[:6] + "..."
        assert e["headers"]["user-agent"] == "node"  # the client's own fetch
        assert (e["body"], e["body_size"]) == ("", 0)
    assert bad["headers"]["authorization"] == "Bearer " + bad_key[:6] + "..."
    assert "authorization" not in nope["headers"]
    assert KEY not in json.dumps(entries) and bad_key not in json.dumps(entries)

    filters: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
        ({"vendor": "fixie"}, entries),
        ({"operation": "GetConversation"}, [missing, got]),
        ({"status": 404}, [nope, missing]),
        ({"vendor": "fixie", "operation": "ListConversations", "status": 200}, [listed]),
        ({"tenant": OWNER}, [missing, got, listed]),
        ({"auth": "unknown_key"}, [bad]),
        ({"code": "16"}, [bad]),
        ({"since": str(listed["id"])}, [nope, bad, missing, got]),
        ({"vendor": "ice"}, []),
    ]
    for query, expected in filters:
        assert journal(url, **query) == expected, query
        assert journal_count(url, **query) == len(expected), query
    assert journal(url, limit=2) == [nope, bad]


# -- 5. snapshot --------------------------------------------------------------------------------------------------


def test_snapshot_restores_what_the_client_sees_and_serves_from_a_file(
    live_factory: Callable[..., str], js: NodeClient, tmp_path: Path
) -> None:
    """GET snapshot, mutate (replace and add conversations, delete an agent and a tenant), POST it back: every
    answer the client gets is byte-identical to before; a new server started from the saved file answers the same."""
    url = live_factory(scale=SCALE)
    owner, key = create_tenant(url)
    assert put(url, "agents", [agent_entry(owner, NEW_AGENT, "snapshot-probe")])[0] == 200
    mine = conversation("conv-s", "2025-02-20T20:20:20.020Z", "snapshot me")
    assert put(url, "conversations", [conversation_entry(owner, NEW_AGENT, mine)])[0] == 200
    stored = records(url, "conversations", OWNER)["entries"]
    private = [e["record"]["id"] for e in stored if e["agentId"] == AGENT]
    published = [e["record"]["id"] for e in stored if e["agentId"] == PUBLISHED_AGENT]
    assert private and published

    steps = [
        lst("list-private", AGENT, "offset=0&limit=100"),
        get("get-private", AGENT, private[0]),
        lst("list-published", PUBLISHED_AGENT),
        get("get-published-anonymous", PUBLISHED_AGENT, published[0], apiKey=None),
        lst("list-new", NEW_AGENT, apiKey=key),
        get("get-new", NEW_AGENT, "conv-s", apiKey=key),
    ]
    before = js.run(url, steps)
    for step in before.values():
        ok(step)
    assert ok(before["get-new"]) == mine

    r = requests.get(f"{url}/_emulator/snapshot", timeout=TIMEOUT)
    assert r.status_code == 200
    snapshot = r.json()
    path = tmp_path / "snapshot.json"
    path.write_bytes(r.content)

    edited = conversation(private[0], "2025-06-30T00:00:00.000Z", "edited after the snapshot")
    extra = conversation("conv-extra", "2025-07-01T00:00:00.000Z", "added after the snapshot")
    status, _ = put(
        url,
        "conversations",
        [conversation_entry(OWNER, AGENT, edited), conversation_entry(OWNER, PUBLISHED_AGENT, extra)],
    )
    assert status == 200
    during = js.run(url, [get("get-private", AGENT, private[0]), lst("list-published", PUBLISHED_AGENT)])
    assert ok(during["get-private"]) == edited
    assert ids(ok(during["list-published"]))[0] == "conv-extra"
    assert delete(url, "agents", AGENT, OWNER) == 204
    assert requests.delete(f"{url}/_emulator/tenants/fixie/{owner}", timeout=TIMEOUT).status_code == 204
    during = js.run(url, steps)
    client_error(during["list-private"], list_url(url, AGENT) + "?offset=0&limit=100", 404, "Not Found")
    client_error(during["list-new"], list_url(url, NEW_AGENT), 401, "Unauthorized")

    r = requests.post(f"{url}/_emulator/snapshot", json=snapshot, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    assert r.json()["tenants"]["fixie"] == 3
    assert r.json()["records"]["fixie/conversations"] == len(snapshot["records"]["fixie/conversations"])
    after = js.run(url, steps)
    assert {n: s["raw"] for n, s in after.items()} == {n: s["raw"] for n, s in before.items()}
    assert {n: s["json"] for n, s in after.items()} == {n: s["json"] for n, s in before.items()}
    assert requests.get(f"{url}/_emulator/snapshot", timeout=TIMEOUT).json() == snapshot

    served = live_factory(scale=SCALE, fixtures=path)
    from_file = js.run(served, steps)
    assert {n: s["raw"] for n, s in from_file.items()} == {n: s["raw"] for n, s in before.items()}
    assert requests.get(f"{served}/_emulator/snapshot", timeout=TIMEOUT).json() == snapshot
