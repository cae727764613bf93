"""ListAIAgentDialogues: defaults, every range edge, required parameters, the inclusive time window, Order,
RoundLimit, the clamp switch, full paging walks against the generated dataset, wire types, tenant separation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from emulator.vendors.ice import data

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_2 = "LTAI5tEmuDevAccessKey002"
ACTION = "ListAIAgentDialogues"
SESSIONS = data.sessions(SEED, ACCOUNT_1, 1.0)
SESSION = SESSIONS[0].session_id  # a long call session: several pages at every page size
CHAT_SESSION = SESSIONS[1].session_id
INT64_MAX = 2**63 - 1
ALL_TIME = {"StartTime": "0", "EndTime": str(INT64_MAX)}
DIALOGUE_KEYS = {
    "DialogueId": str,
    "RoundId": str,
    "Producer": str,
    "Text": str,
    "ReasoningText": str,
    "AttachedFileList": list,
    "Time": int,
    "Type": str,
    "Source": str,
    "NodeId": str,
    "Extend": str,
}

Call = Callable[..., httpx.Response]
ErrorCheck = Callable[..., dict[str, Any]]


def invalid(param: str) -> tuple[int, str, str]:
    return 400, "InvalidParameter", f'The specified parameter "{param}" is not valid.'


def dialogues(resp: httpx.Response) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert list(body) == ["RequestId", "Dialogues"]
    rows: list[dict[str, Any]] = body["Dialogues"]
    return rows


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [d["DialogueId"] for d in rows]


@pytest.fixture
def listing(shared_client: TestClient, ice_call: Call) -> Callable[..., httpx.Response]:
    def call(**params: Any) -> httpx.Response:
        return ice_call(shared_client, ACTION, **params)

    return call


# --- defaults ---------------------------------------------------------------------------------------------------


def test_defaults_are_page_1_of_20_newest_first(listing: Any, ice_oracle: Any) -> None:
    rows = dialogues(listing(SessionId=SESSION, **ALL_TIME))
    expected = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    assert len(expected) > 100
    assert rows == expected[::-1][:20]
    explicit = dialogues(listing(SessionId=SESSION, PageSize="20", PageNumber="1", Order="DESC", **ALL_TIME))
    assert explicit == rows


def test_every_field_has_its_wire_type(listing: Any) -> None:
    rows = dialogues(listing(SessionId=CHAT_SESSION, PageSize="100", **ALL_TIME))
    assert rows
    for row in rows:
        assert set(row) == set(DIALOGUE_KEYS)
        for key, kind in DIALOGUE_KEYS.items():
            assert type(row[key]) is kind, (key, row[key])
        assert row["Producer"] in ("user", "agent")
        assert row["Source"] == "chat"
        assert row["Type"] in ("normal", "announcement", "custom")
        for attached in row["AttachedFileList"]:
            assert set(attached) == {"Id", "Name", "Format", "Type", "Url"}
            assert type(attached["Type"]) is int
    assert any(row["Extend"] for row in rows)  # a JSON document as a string, never an object
    assert any(row["AttachedFileList"] for row in rows)


def test_call_sessions_use_the_call_types(listing: Any, ice_oracle: Any) -> None:
    rows = dialogues(listing(SessionId=SESSION, Order="ASC", PageSize="100", **ALL_TIME))
    assert {r["Source"] for r in rows} == {"call"}
    assert rows[0]["Type"] == "greeting" and rows[0]["Producer"] == "agent"
    assert {r["Type"] for r in rows} <= {"greeting", "normal", "speech"}


# --- range edges ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "count"), [("1", 1), ("2", 2), ("99", 99), ("100", 100)])
def test_page_size_inside_1_to_100(listing: Any, size: str, count: int) -> None:
    assert len(dialogues(listing(SessionId=SESSION, PageSize=size, **ALL_TIME))) == count


@pytest.mark.parametrize(
    "size", ["0", "101", "-1", "1000", str(INT64_MAX), "abc", "1.5", "20.0", " 20", "2_0", "", "２０", "1e2", "0x10"]
)
def test_page_size_outside_the_range_or_not_an_integer(listing: Any, ice_error: ErrorCheck, size: str) -> None:
    ice_error(listing(SessionId=SESSION, PageSize=size, **ALL_TIME), *invalid("PageSize"))


@pytest.mark.parametrize("number", ["1", "2", str(INT64_MAX)])
def test_page_number_edges_that_are_accepted(listing: Any, ice_oracle: Any, number: str) -> None:
    rows = dialogues(listing(SessionId=SESSION, PageNumber=number, PageSize="100", **ALL_TIME))
    expected = ice_oracle.dialogues[(ACCOUNT_1, SESSION)][::-1]
    offset = (int(number) - 1) * 100
    assert rows == expected[offset : offset + 100]


@pytest.mark.parametrize("number", ["0", "-1", str(INT64_MAX + 1), "abc", "1.5", "", "２"])
def test_page_number_outside_the_range_or_not_an_integer(listing: Any, ice_error: ErrorCheck, number: str) -> None:
    ice_error(listing(SessionId=SESSION, PageNumber=number, **ALL_TIME), *invalid("PageNumber"))


@pytest.mark.parametrize("param", ["StartTime", "EndTime"])
@pytest.mark.parametrize(
    "value", ["-1", str(INT64_MAX + 1), "99999999999999999999999", "abc", "1.5", "0.0", "1_0", "２０", "1e3"]
)
def test_times_outside_the_long_range_or_not_integers(
    listing: Any, ice_error: ErrorCheck, param: str, value: str
) -> None:
    params = {"SessionId": SESSION, **ALL_TIME, param: value}
    ice_error(listing(**params), *invalid(param))


def test_time_edges_zero_and_int64_max(listing: Any, ice_oracle: Any) -> None:
    everything = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    assert ids(dialogues(listing(SessionId=SESSION, StartTime="0", EndTime=str(INT64_MAX), Order="ASC"))) == ids(
        everything[:20]
    )
    assert dialogues(listing(SessionId=SESSION, StartTime="0", EndTime="0")) == []
    assert dialogues(listing(SessionId=SESSION, StartTime=str(INT64_MAX), EndTime=str(INT64_MAX))) == []


def test_start_after_end_is_an_empty_list(listing: Any, ice_oracle: Any) -> None:
    times = [d["Time"] for d in ice_oracle.dialogues[(ACCOUNT_1, SESSION)]]
    assert dialogues(listing(SessionId=SESSION, StartTime=str(times[10]), EndTime=str(times[5]))) == []


# --- required parameters -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["SessionId", "StartTime", "EndTime"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_each_required_parameter_missing_or_empty(listing: Any, ice_error: ErrorCheck, param: str, how: str) -> None:
    params = {"SessionId": SESSION, **ALL_TIME}
    if how == "absent":
        del params[param]
    else:
        params[param] = ""
    ice_error(listing(**params), 400, f"Missing{param}", f"{param} is mandatory for this action.")


def test_missing_is_reported_before_invalid_in_declaration_order(listing: Any, ice_error: ErrorCheck) -> None:
    ice_error(listing(PageSize="0", EndTime="x"), 400, "MissingSessionId", "SessionId is mandatory for this action.")
    ice_error(
        listing(SessionId=SESSION, PageSize="0", StartTime="x"),
        400,
        "MissingEndTime",
        "EndTime is mandatory for this action.",
    )
    ice_error(listing(SessionId=SESSION, PageSize="0", StartTime="x", EndTime="1"), *invalid("StartTime"))


# --- Order ----------------------------------------------------------------------------------------------------------


def test_order_asc_and_desc_are_mirror_images(listing: Any, ice_oracle: Any) -> None:
    expected = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    asc = dialogues(listing(SessionId=SESSION, Order="ASC", PageSize="100", **ALL_TIME))
    desc = dialogues(listing(SessionId=SESSION, Order="DESC", PageSize="100", **ALL_TIME))
    assert asc == expected[:100]
    assert desc == expected[::-1][:100]


@pytest.mark.parametrize("order", ["asc", "desc", "Asc", "ASCENDING", "", " ASC", "1"])
def test_order_is_an_exact_enum(listing: Any, ice_error: ErrorCheck, order: str) -> None:
    ice_error(listing(SessionId=SESSION, Order=order, **ALL_TIME), *invalid("Order"))


# --- the time window -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_start_and_end_time_are_inclusive(listing: Any, ice_oracle: Any, order: str) -> None:
    everything = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    lo, hi = everything[30]["Time"], everything[44]["Time"]
    rows = dialogues(listing(SessionId=SESSION, StartTime=str(lo), EndTime=str(hi), Order=order, PageSize="100"))
    expected = everything[30:45]
    assert rows == (expected if order == "ASC" else expected[::-1])
    # One millisecond inside either bound drops exactly that edge record.
    inner = dialogues(listing(SessionId=SESSION, StartTime=str(lo + 1), EndTime=str(hi - 1), Order="ASC"))
    assert inner == everything[31:44]
    single = dialogues(listing(SessionId=SESSION, StartTime=str(lo), EndTime=str(lo)))
    assert single == [everything[30]]


# --- RoundLimit -----------------------------------------------------------------------------------------------------


def latest_rounds(rows: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Independent reading of "latest N rounds": the dialogues of the last N distinct RoundIds of the window."""
    rounds: list[str] = []
    for row in rows:
        if not rounds or rounds[-1] != row["RoundId"]:
            rounds.append(row["RoundId"])
    keep = set(rounds[-n:])
    return [row for row in rows if row["RoundId"] in keep]


@pytest.mark.parametrize("limit", [1, 2, 5, 40])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_round_limit_returns_the_latest_rounds_and_ignores_paging(
    listing: Any, ice_oracle: Any, limit: int, order: str
) -> None:
    everything = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    expected = latest_rounds(everything, limit)
    assert len({r["RoundId"] for r in expected}) == limit
    rows = dialogues(
        listing(SessionId=SESSION, RoundLimit=str(limit), PageSize="1", PageNumber="3", Order=order, **ALL_TIME)
    )
    assert rows == (expected if order == "ASC" else expected[::-1])
    if limit == 40:
        assert len(rows) > 20  # more than one default page: paging really is ignored


def test_round_limit_counts_rounds_inside_the_window(listing: Any, ice_oracle: Any) -> None:
    everything = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    # End the window on the first message of a round that has more than one: only that part of it is included.
    cut = next(i for i in range(20, len(everything) - 1) if everything[i]["RoundId"] == everything[i + 1]["RoundId"])
    if everything[cut - 1]["RoundId"] == everything[cut]["RoundId"]:
        cut -= 1
    window = everything[5 : cut + 1]
    rows = dialogues(
        listing(
            SessionId=SESSION,
            StartTime=str(window[0]["Time"]),
            EndTime=str(window[-1]["Time"]),
            RoundLimit="3",
            Order="ASC",
        )
    )
    assert rows == latest_rounds(window, 3)
    assert rows[-1] == everything[cut]


def test_round_limit_larger_than_the_session_returns_the_whole_window(listing: Any, ice_oracle: Any) -> None:
    everything = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    rows = dialogues(listing(SessionId=SESSION, RoundLimit=str(INT64_MAX), Order="ASC", **ALL_TIME))
    assert rows == everything


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", "", str(INT64_MAX + 1)])
def test_round_limit_must_be_a_positive_integer(listing: Any, ice_error: ErrorCheck, limit: str) -> None:
    ice_error(listing(SessionId=SESSION, RoundLimit=limit, **ALL_TIME), *invalid("RoundLimit"))


def test_round_limit_on_an_empty_window(listing: Any) -> None:
    assert dialogues(listing(SessionId=SESSION, StartTime="0", EndTime="1", RoundLimit="3")) == []


# --- page size over the maximum: the clamp switch --------------------------------------------------------------------


def test_clamp_switch_turns_page_size_over_100_into_100(
    client_factory: Any, ice_call: Call, ice_error: ErrorCheck
) -> None:
    clamping = client_factory(auth="presence", ice_page_size_over_max="clamp")
    rows = dialogues(ice_call(clamping, ACTION, SessionId=SESSION, PageSize="500", **ALL_TIME))
    assert len(rows) == 100
    page_two = dialogues(ice_call(clamping, ACTION, SessionId=SESSION, PageSize="500", PageNumber="2", **ALL_TIME))
    assert ids(page_two) == ids(
        dialogues(ice_call(clamping, ACTION, SessionId=SESSION, PageSize="100", PageNumber="2", **ALL_TIME))
    )
    # Only the upper bound clamps: zero and garbage are still rejected.
    ice_error(ice_call(clamping, ACTION, SessionId=SESSION, PageSize="0", **ALL_TIME), *invalid("PageSize"))
    ice_error(ice_call(clamping, ACTION, SessionId=SESSION, PageSize="x", **ALL_TIME), *invalid("PageSize"))


# --- full paging walks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [7, 20, 100])
@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_paging_walk_covers_the_window_once_in_time_order(listing: Any, ice_oracle: Any, size: int, order: str) -> None:
    everything = ice_oracle.dialogues[(ACCOUNT_1, SESSION)]
    lo, hi = everything[3]["Time"], everything[-4]["Time"]
    expected = ice_oracle.window(ACCOUNT_1, SESSION, lo, hi)
    assert len(expected) == len(everything) - 6
    seen: list[dict[str, Any]] = []
    page = 1
    while True:
        rows = dialogues(
            listing(
                SessionId=SESSION,
                StartTime=str(lo),
                EndTime=str(hi),
                Order=order,
                PageSize=str(size),
                PageNumber=str(page),
            )
        )
        assert len(rows) <= size
        if not rows:
            break
        seen.extend(rows)
        page += 1
    assert page == -(-len(expected) // size) + 1  # every page but the last is full
    times = [r["Time"] for r in seen]
    assert times == sorted(times, reverse=order == "DESC")
    assert len(set(times)) == len(times)  # strictly ordered
    assert len(set(ids(seen))) == len(seen) == len(expected)  # no duplicate, no gap
    assert seen == (expected if order == "ASC" else expected[::-1])


def test_every_generated_session_walks_to_its_total(listing: Any, ice_oracle: Any) -> None:
    for session in SESSIONS:
        expected = ice_oracle.dialogues[(ACCOUNT_1, session.session_id)]
        seen: list[str] = []
        for page in range(1, 100):
            rows = dialogues(listing(SessionId=session.session_id, PageSize="100", PageNumber=str(page), **ALL_TIME))
            if not rows:
                break
            seen.extend(ids(rows))
        assert seen == ids(expected[::-1]), session.session_id


# --- unknown sessions and tenants ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "session", ["no-such-session", "d75ca4235cd54528849b919bbcb1a18", SESSION.upper(), " " + SESSION]
)
def test_unknown_session_is_an_empty_list(listing: Any, session: str) -> None:
    assert dialogues(listing(SessionId=session, **ALL_TIME)) == []


def test_another_account_cannot_see_the_session(shared_client: TestClient, ice_call: Call, listing: Any) -> None:
    assert dialogues(listing(SessionId=SESSION, **ALL_TIME))
    assert dialogues(ice_call(shared_client, ACTION, access_key=AK_2, SessionId=SESSION, **ALL_TIME)) == []
    own = data.sessions(SEED, "1000000000000002", 1.0)[0].session_id
    assert dialogues(ice_call(shared_client, ACTION, access_key=AK_2, SessionId=own, **ALL_TIME))
    assert dialogues(listing(SessionId=own, **ALL_TIME)) == []
