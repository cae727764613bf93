"""List Conversations: defaults, offset/limit edges, the clamp switch, paging walks, order, tenant separation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from emulator.vendors.fixie.ops.list_conversations import ListConversationsResponse

LIST = "/api/v1/agents/{}/conversations"
Expect = Callable[[Any, int, int, str], None]


def page(api: TestClient, tenant: Any, agent: str, query: str = "") -> dict[str, Any]:
    response = api.get(LIST.format(agent) + query, headers=tenant.auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    ListConversationsResponse.model_validate(body)  # the declared response model describes every answer
    return body


def started(conversation: dict[str, Any]) -> str:
    return str(conversation["turns"][0]["timestamp"])


def test_defaults_first_page_of_twenty(api: TestClient, t1: Any) -> None:
    """No limit sent: twenty served, and `requestedPageSize` says none was requested (0, proto3's unset)."""
    body = page(api, t1, t1.private)
    assert list(body) == ["conversations", "pageInfo"]
    assert body["pageInfo"] == {"requestedPageSize": 0, "requestedOffset": 0, "totalResultCount": 47}
    assert len(body["conversations"]) == 20


def test_zero_limit_means_default(api: TestClient, t1: Any) -> None:
    assert page(api, t1, t1.private, "?limit=0") == page(api, t1, t1.private)


def test_default_limit_follows_setting(client_factory: Callable[..., TestClient], t1: Any) -> None:
    api = client_factory(fixie_default_limit=7)
    for query in ("", "?limit=0"):
        body = page(api, t1, t1.private, query)
        assert body["pageInfo"]["requestedPageSize"] == 0
        assert len(body["conversations"]) == 7


@pytest.mark.parametrize(
    ("query", "requested", "applied", "served"),
    [("", 0, 20, 20), ("?limit=0", 0, 20, 20), ("?limit=5", 5, 5, 5), ("?limit=500", 500, 100, 47)],
)
def test_requested_page_size_echoes_the_request_or_with_the_setting_the_size_applied(
    client_factory: Callable[..., TestClient], t1: Any, query: str, requested: int, applied: int, served: int
) -> None:
    """The docs: "The number of results requested". `--fixie-requested-page-size applied` echoes the page size
    the service chose instead (the default for none or 0, 100 for more)."""
    for setting, echoed in (("requested", requested), ("applied", applied)):
        body = page(client_factory(fixie_requested_page_size=setting), t1, t1.private, query)
        assert body["pageInfo"] == {"requestedPageSize": echoed, "requestedOffset": 0, "totalResultCount": 47}
        assert len(body["conversations"]) == served


@pytest.mark.parametrize(
    ("query", "size", "offset", "count"),
    [
        ("?limit=1", 1, 0, 1),
        ("?limit=100", 100, 0, 47),
        ("?limit=%2B5", 5, 0, 5),  # Go's ParseInt takes a sign
        ("?limit=007", 7, 0, 7),
        ("?offset=0", 0, 0, 20),
        ("?offset=40", 0, 40, 7),
        ("?offset=46&limit=5", 5, 46, 1),
        ("?offset=47", 0, 47, 0),  # past the end: empty, true total
        ("?offset=2147483647&limit=100", 100, 2147483647, 0),
        ("?limit=5&unknown=x&pageSize=3", 5, 0, 5),  # unknown parameters are ignored
        ("?limit=3&limit=4", 4, 0, 4),  # repeated: the last wins
    ],
)
def test_offset_and_limit_accepted(api: TestClient, t1: Any, query: str, size: int, offset: int, count: int) -> None:
    body = page(api, t1, t1.private, query)
    assert body["pageInfo"] == {"requestedPageSize": size, "requestedOffset": offset, "totalResultCount": 47}
    assert len(body["conversations"]) == count


SYNTAX = 'parsing field "{}": strconv.ParseInt: parsing {}: invalid syntax'
RANGE = 'parsing field "{}": strconv.ParseInt: parsing {}: value out of range'


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=-1", "limit must not be negative"),
        ("offset=-1", "offset must not be negative"),
        ("limit=-2147483648", "limit must not be negative"),
        ("limit=abc", SYNTAX.format("limit", '"abc"')),
        ("limit=1.5", SYNTAX.format("limit", '"1.5"')),
        ("limit=1e2", SYNTAX.format("limit", '"1e2"')),
        ("limit=", SYNTAX.format("limit", '""')),
        ("limit=%201", SYNTAX.format("limit", '" 1"')),
        ("limit=+5", SYNTAX.format("limit", '" 5"')),  # a query's "+" is a space, to Go as to Python
        ("limit=1_0", SYNTAX.format("limit", '"1_0"')),
        ("limit=%EF%BC%95", SYNTAX.format("limit", '"５"')),  # fullwidth 5: a digit to Python, not to Go
        ("limit=%D9%A3", SYNTAX.format("limit", '"٣"')),  # Arabic-Indic 3
        ("limit=%22%5C%0A", SYNTAX.format("limit", r'"\"\\\n"')),  # Go's %q escaping
        ("offset=abc", SYNTAX.format("offset", '"abc"')),
        ("limit=2147483648", RANGE.format("limit", '"2147483648"')),
        ("limit=-2147483649", RANGE.format("limit", '"-2147483649"')),
        ("offset=2147483648", RANGE.format("offset", '"2147483648"')),
        ("offset=" + "9" * 5000, RANGE.format("offset", '"' + "9" * 5000 + '"')),
    ],
)
def test_bad_offset_or_limit(api: TestClient, t1: Any, expect_error: Expect, query: str, message: str) -> None:
    expect_error(api.get(LIST.format(t1.private) + "?" + query, headers=t1.auth), 400, 3, message)


@pytest.mark.parametrize("limit", ["101", "2147483647"])
def test_limit_over_maximum_clamps_by_default(api: TestClient, t1: Any, limit: str) -> None:
    body = page(api, t1, t1.private, f"?limit={limit}")
    assert body["pageInfo"]["requestedPageSize"] == int(limit)  # what was requested, not the 100 served
    assert len(body["conversations"]) == 47


def test_limit_over_maximum_rejected_when_switched(
    client_factory: Callable[..., TestClient], t1: Any, expect_error: Expect
) -> None:
    api = client_factory(fixie_limit_over_max="reject")
    for limit in ("101", "2147483647"):
        response = api.get(LIST.format(t1.private) + f"?limit={limit}", headers=t1.auth)
        expect_error(response, 400, 3, "limit exceeds the maximum allowed value")
    assert page(api, t1, t1.private, "?limit=100")["pageInfo"]["requestedPageSize"] == 100
    # The int32 check still comes first.
    response = api.get(LIST.format(t1.private) + "?limit=2147483648", headers=t1.auth)
    expect_error(response, 400, 3, RANGE.format("limit", '"2147483648"'))


@pytest.mark.parametrize("limit", [1, 7, 20, 46, 47, 100])
def test_paging_walk_covers_every_conversation_once_newest_first(api: TestClient, t1: Any, limit: int) -> None:
    everything = page(api, t1, t1.private, "?limit=100")["conversations"]
    seen: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = page(api, t1, t1.private, f"?offset={offset}&limit={limit}")
        assert body["pageInfo"] == {"requestedPageSize": limit, "requestedOffset": offset, "totalResultCount": 47}
        seen += body["conversations"]
        if len(body["conversations"]) < limit:
            break
        offset += limit
    assert seen == everything
    assert len({c["id"] for c in seen}) == 47
    starts = [started(c) for c in seen]
    assert starts == sorted(starts, reverse=True)


def test_every_agent_is_listed_with_its_own_conversations(api: TestClient, t1: Any) -> None:
    ids: list[set[str]] = []
    for agent, total in zip(t1.agents, (47, 45, 43), strict=True):
        body = page(api, t1, agent, "?limit=100")
        assert body["pageInfo"]["totalResultCount"] == total == len(body["conversations"])
        ids.append({c["id"] for c in body["conversations"]})
    assert not (ids[0] & ids[1] or ids[1] & ids[2] or ids[0] & ids[2])


def test_legacy_owner_slash_handle_agent_id(api: TestClient, t1: Any) -> None:
    assert t1.legacy == "emu-dev-user-001/trip-planner"
    body = page(api, t1, t1.legacy, "?offset=40&limit=10")
    assert body["pageInfo"] == {"requestedPageSize": 10, "requestedOffset": 40, "totalResultCount": 43}
    assert len(body["conversations"]) == 3


def test_tenants_see_only_their_own_agents(api: TestClient, t1: Any, t2: Any, expect_error: Expect) -> None:
    mine = {c["id"] for c in page(api, t2, t2.private, "?limit=100")["conversations"]}
    theirs = {c["id"] for c in page(api, t1, t1.private, "?limit=100")["conversations"]}
    assert mine and theirs and not mine & theirs
    for agent in t1.agents:  # published or not, another owner's agent is not listable: 404, never revealed
        response = api.get(LIST.format(agent), headers=t2.auth)
        expect_error(response, 404, 5, f'agent "{agent}" not found')


def test_unknown_agent(api: TestClient, t1: Any, expect_error: Expect) -> None:
    for agent in ("00000000-0000-4000-8000-000000000000", "emu-dev-user-001/nope", "a/b/c"):
        expect_error(api.get(LIST.format(agent), headers=t1.auth), 404, 5, f'agent "{agent}" not found')


def test_same_seed_same_bytes(app_factory: Callable[..., Any], t1: Any) -> None:
    bodies = []
    for _ in range(2):
        api = TestClient(app_factory())
        bodies.append([api.get(LIST.format(a) + "?limit=100", headers=t1.auth).content for a in t1.agents])
    assert bodies[0] == bodies[1]


def test_other_seed_other_data(app_factory: Callable[..., Any]) -> None:
    from emulator.vendors.fixie import data

    agents = [data.agents(seed, "emu-dev-user-001")[0].record.agent_id for seed in (1, 2)]
    assert agents[0] != agents[1]
    key = {"Authorization": "Bearer fixie-emu-dev-key-001"}
    body = TestClient(app_factory(seed=1)).get(LIST.format(agents[0]), headers=key).json()
    assert body["pageInfo"]["totalResultCount"] == 47


def test_scale_multiplies_conversations(client_factory: Callable[..., TestClient], t1: Any) -> None:
    api = client_factory(scale=2)
    assert page(api, t1, t1.private)["pageInfo"]["totalResultCount"] == 94
