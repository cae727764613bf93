"""ListAIAgentInstance: defaults, range edges, the required AIAgentId, the inclusive ISO 8601 window, statuses,
nested config shapes, newest-first order, full walks against the generated dataset, tenant separation."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator.vendors.ice import data
from emulator.vendors.ice.ops.list_ai_agent_instance import ListAIAgentInstanceRequest

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_2 = "LTAI5tEmuDevAccessKey002"
ACTION = "ListAIAgentInstance"
ISO = "%Y-%m-%dT%H:%M:%SZ"
AGENTS = data.agents(SEED, ACCOUNT_1)
AGENT = AGENTS[0]  # the busiest agent: 37 instances
INSTANCE_KEYS = {"CallLogUrl", "RuntimeConfig", "Status", "TemplateConfig", "AgentConfig", "UserData"}

Call = Callable[..., httpx.Response]
ErrorCheck = Callable[..., dict[str, Any]]


def invalid(param: str) -> tuple[int, str, str]:
    return 400, "InvalidParameter", f'The specified parameter "{param}" is not valid.'


def instances(resp: httpx.Response) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert list(body) == ["Instances", "RequestId"]
    rows: list[dict[str, Any]] = body["Instances"]
    return rows


@pytest.fixture
def listing(shared_client: TestClient, ice_call: Call) -> Callable[..., httpx.Response]:
    def call(**params: Any) -> httpx.Response:
        return ice_call(shared_client, ACTION, **params)

    return call


def expected(oracle: Any, agent: str = AGENT, account: str = ACCOUNT_1) -> list[dict[str, Any]]:
    return [doc for _, doc in oracle.instances[(account, agent)]]


# --- defaults and edges -------------------------------------------------------------------------------------------


def test_defaults_are_the_10_newest(listing: Any, ice_oracle: Any) -> None:
    rows = instances(listing(AIAgentId=AGENT))
    assert rows == expected(ice_oracle)[:10]
    assert instances(listing(AIAgentId=AGENT, PageSize="10", PageNumber="1")) == rows


def test_page_size_zero_is_allowed_and_empty(listing: Any) -> None:
    assert instances(listing(AIAgentId=AGENT, PageSize="0")) == []
    assert instances(listing(AIAgentId=AGENT, PageSize="0", PageNumber="100")) == []


@pytest.mark.parametrize("size", [1, 9, 36, 37, 100])
def test_page_size_inside_0_to_100(listing: Any, ice_oracle: Any, size: int) -> None:
    assert instances(listing(AIAgentId=AGENT, PageSize=str(size))) == expected(ice_oracle)[:size]


@pytest.mark.parametrize("size", ["101", "-1", "abc", "1.5", "10.0", " 10", "1_0", "", "１０"])
def test_page_size_outside_the_range_or_not_an_integer(listing: Any, ice_error: ErrorCheck, size: str) -> None:
    ice_error(listing(AIAgentId=AGENT, PageSize=size), *invalid("PageSize"))


@pytest.mark.parametrize("number", ["1", "4", "5", "100"])
def test_page_number_inside_1_to_100(listing: Any, ice_oracle: Any, number: str) -> None:
    offset = (int(number) - 1) * 10
    assert instances(listing(AIAgentId=AGENT, PageNumber=number)) == expected(ice_oracle)[offset : offset + 10]


@pytest.mark.parametrize("number", ["0", "101", "-1", "abc", "", "1.0"])
def test_page_number_outside_the_range_or_not_an_integer(listing: Any, ice_error: ErrorCheck, number: str) -> None:
    ice_error(listing(AIAgentId=AGENT, PageNumber=number), *invalid("PageNumber"))


@pytest.mark.parametrize("value", [None, ""])
def test_missing_or_empty_agent_id(listing: Any, ice_error: ErrorCheck, value: str | None) -> None:
    params = {} if value is None else {"AIAgentId": value}
    ice_error(listing(PageSize="1000", **params), 400, "MissingAIAgentId", "AIAgentId is mandatory for this action.")


def test_clamp_switch_turns_page_size_over_100_into_100(
    client_factory: Any, ice_call: Call, ice_error: ErrorCheck, ice_oracle: Any
) -> None:
    clamping = client_factory(auth="presence", ice_page_size_over_max="clamp")
    assert instances(ice_call(clamping, ACTION, AIAgentId=AGENT, PageSize="500")) == expected(ice_oracle)
    # 500 clamps to 100, so page 2 starts past the 37 instances.
    assert instances(ice_call(clamping, ACTION, AIAgentId=AGENT, PageSize="500", PageNumber="2")) == []
    ice_error(ice_call(clamping, ACTION, AIAgentId=AGENT, PageSize="-1"), *invalid("PageSize"))


# --- the ISO 8601 window ------------------------------------------------------------------------------------------


def test_start_and_end_time_are_inclusive(listing: Any, ice_oracle: Any) -> None:
    rows = ice_oracle.instances[(ACCOUNT_1, AGENT)]  # newest first
    newest, oldest = rows[5][0], rows[12][0]
    assert len({start for start, _ in rows}) == len(rows)  # start times are distinct, so bounds are exact
    window = instances(listing(AIAgentId=AGENT, StartTime=oldest, EndTime=newest, PageSize="100"))
    assert window == [doc for _, doc in rows[5:13]]
    assert instances(listing(AIAgentId=AGENT, StartTime=oldest, EndTime=oldest)) == [rows[12][1]]
    assert instances(listing(AIAgentId=AGENT, StartTime=newest, PageSize="100")) == [doc for _, doc in rows[:6]]
    assert instances(listing(AIAgentId=AGENT, EndTime=oldest, PageSize="100")) == [doc for _, doc in rows[12:]]


def test_one_second_inside_either_bound_drops_that_instance(listing: Any, ice_oracle: Any) -> None:
    rows = ice_oracle.instances[(ACCOUNT_1, AGENT)]  # newest first

    def shift(stamp: str, seconds: int) -> str:
        moved = datetime.strptime(stamp, ISO) + timedelta(seconds=seconds)
        return moved.strftime(ISO)

    start, end = shift(rows[12][0], 1), shift(rows[5][0], -1)
    assert rows[11][0] >= start and rows[6][0] <= end
    assert instances(listing(AIAgentId=AGENT, StartTime=start, EndTime=end)) == [doc for _, doc in rows[6:12]]


def test_window_outside_the_data_is_empty(listing: Any) -> None:
    assert instances(listing(AIAgentId=AGENT, StartTime="1970-01-01T00:00:00Z", EndTime="2000-01-01T00:00:00Z")) == []
    assert instances(listing(AIAgentId=AGENT, StartTime="2099-01-01T00:00:00Z")) == []
    assert instances(listing(AIAgentId=AGENT, StartTime="2025-06-02T00:00:00Z", EndTime="2025-05-01T00:00:00Z")) == []


@pytest.mark.parametrize("param", ["StartTime", "EndTime"])
@pytest.mark.parametrize(
    "value",
    [
        "2023-01-01",
        "2023-01-01T00:00:00",
        "2023-01-01 00:00:00Z",
        "2023-01-01T00:00:00+08:00",
        "2023-13-01T00:00:00Z",
        "2023-01-32T00:00:00Z",
        "2023-01-01T24:00:00Z",
        "2023-01-01T00:00:00.000Z",
        "1672531200000",
        "abc",
        "２０２３-01-01T00:00:00Z",
    ],
)
def test_malformed_iso_times_are_invalid(listing: Any, ice_error: ErrorCheck, param: str, value: str) -> None:
    ice_error(listing(AIAgentId=AGENT, **{param: value}), *invalid(param))


def test_a_day_past_the_month_end_rolls_over(listing: Any, ice_oracle: Any) -> None:
    # The documented pattern admits 2025-02-31; it reads as 2025-03-03 (lenient Java parsing), never a 500.
    parsed = ListAIAgentInstanceRequest.model_validate({"AIAgentId": AGENT, "EndTime": "2025-02-31T10:20:30Z"})
    assert parsed.end_time == "2025-03-03T10:20:30Z"
    everything = [doc for _, doc in ice_oracle.instances[(ACCOUNT_1, AGENT)]]
    # The generated instances all start in the last days of May 2025: April 31st is May 1st, before all of them.
    assert instances(listing(AIAgentId=AGENT, StartTime="2025-04-31T00:00:00Z", PageSize="100")) == everything
    assert instances(listing(AIAgentId=AGENT, EndTime="2025-04-31T00:00:00Z")) == []


# --- records ----------------------------------------------------------------------------------------------------------


def test_every_status_appears_with_its_call_log(listing: Any) -> None:
    rows = instances(listing(AIAgentId=AGENT, PageSize="100"))
    assert [r["Status"] for r in rows[:3]] == ["Created", "Executing", "Executing"]
    assert {r["Status"] for r in rows[3:]} == {"Finished"}
    for row in rows:
        finished = row["Status"] == "Finished"
        assert row["CallLogUrl"].startswith("https://") == finished
        assert (row["CallLogUrl"] == "") == (not finished)


@pytest.mark.parametrize("agent", AGENTS)
def test_nested_configs_are_objects_and_user_data_a_json_string(listing: Any, agent: str) -> None:
    rows = instances(listing(AIAgentId=agent, PageSize="100"))
    assert rows
    for row in rows:
        assert set(row) == INSTANCE_KEYS
        for key in ("RuntimeConfig", "TemplateConfig", "AgentConfig"):
            assert isinstance(row[key], dict) and row[key], key
        assert isinstance(row["UserData"], str)
        assert isinstance(json.loads(row["UserData"]), dict)
        assert isinstance(row["Status"], str) and isinstance(row["CallLogUrl"], str)
        modes = {"VoiceChat", "VisionChat", "AvatarChat3D"}
        assert set(row["RuntimeConfig"]) & modes


def test_no_fields_outside_the_sdk_model(listing: Any) -> None:
    # DescribeAIAgentInstance has these; ListAIAgentInstance does not (vendor notes §3.2).
    for row in instances(listing(AIAgentId=AGENT, PageSize="100")):
        assert not {"InstanceId", "SessionId", "AIAgentId", "GmtCreate", "GmtModified"} & set(row)


# --- walks and tenants ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 10, 11, 100])
@pytest.mark.parametrize("agent", AGENTS)
def test_paging_walk_newest_first_without_gap_or_duplicate(
    listing: Any, ice_oracle: Any, size: int, agent: str
) -> None:
    want = expected(ice_oracle, agent)
    seen: list[dict[str, Any]] = []
    for page in range(1, 101):
        rows = instances(listing(AIAgentId=agent, PageSize=str(size), PageNumber=str(page)))
        if not rows:
            break
        assert len(rows) == min(size, len(want) - len(seen))
        seen.extend(rows)
    assert seen == want
    assert len(seen) == data.INSTANCES_PER_AGENT[AGENTS.index(agent)]


def test_unknown_agent_is_an_empty_list(listing: Any) -> None:
    assert instances(listing(AIAgentId="no-such-agent")) == []
    assert instances(listing(AIAgentId=AGENT.upper())) == []


def test_another_account_cannot_see_the_agent(shared_client: TestClient, ice_call: Call, listing: Any) -> None:
    assert instances(listing(AIAgentId=AGENT))
    assert instances(ice_call(shared_client, ACTION, access_key=AK_2, AIAgentId=AGENT)) == []
    own = data.agents(SEED, "1000000000000002")[0]
    assert instances(ice_call(shared_client, ACTION, access_key=AK_2, AIAgentId=own))
    assert instances(listing(AIAgentId=own)) == []
