"""ListSmartChatRooms behaviour: defaults, parameter ranges, filters, totals, order and paging.

Expected results are computed from the vendor's generated entries (`api.entries()`), never from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from emulator.core.ids import iso_s as iso
from emulator.core.ids import ms_from_iso
from emulator.core.rest import query_parameters
from emulator.vendors.metastudio.ops import list_smart_chat_rooms as op
from emulator.vendors.metastudio.records import RoomEntry

INVALID = {"error_code": "MSS.00000003", "error_msg": "Invalid parameter"}
ROOM_FIELDS = [
    "room_id", "room_name", "room_description", "robot_id", "cover_url", "model_infos", "voice_config",
    "billing_mode", "reuse_resource", "concurrency", "client_nums", "voice_config_list", "default_language",
    "create_time", "update_time", "exit_mute_threshold",
]  # fmt: skip


def ids(rooms: Iterable[dict[str, Any]]) -> list[str]:
    return [r["room_id"] for r in rooms]


def newest_first(entries: Iterable[RoomEntry]) -> list[str]:
    ordered = sorted(entries, key=lambda e: e.record.room_id)
    ordered.sort(key=lambda e: ms_from_iso(e.record.create_time), reverse=True)
    return [e.record.room_id for e in ordered]


def totals(entries: list[RoomEntry]) -> dict[str, int]:
    rooms = [e.record for e in entries]
    return {
        "count": len(rooms),
        "count_concurrency": sum(r.concurrency or 0 for r in rooms),
        "count_client_nums": sum(r.client_nums or 0 for r in rooms if r.billing_mode == "CLIENT"),
        "count_client_nums_token": sum(r.client_nums or 0 for r in rooms if r.billing_mode == "CLIENT_TOKENS"),
    }


def counts_of(body: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in body.items() if k != "smart_chat_rooms"}


# --- defaults and ranges -------------------------------------------------------------------------------


def test_defaults_are_offset_0_limit_10(api: Any) -> None:
    body = api.ok()
    entries = api.entries()
    assert len(entries) == 57
    assert body["count"] == 57
    assert ids(body["smart_chat_rooms"]) == newest_first(entries)[:10]
    assert api.get().content == api.get({"offset": 0, "limit": 10}).content


@pytest.mark.parametrize(
    ("query", "returned"),
    [
        ("limit=1", 1),
        ("limit=100", 57),
        ("offset=0", 10),
        ("offset=50", 7),
        ("offset=57", 0),
        ("offset=2147483647", 0),
        ("limit=", 10),  # an empty value is not supplied: the default applies
        ("offset=&limit=3", 3),
        ("limit=%2B5", 5),  # a Java integer parse takes a leading sign
        ("limit=007", 7),
    ],
)
def test_values_in_range_are_served(api: Any, query: str, returned: int) -> None:
    body = api.ok(query)
    assert len(body["smart_chat_rooms"]) == returned
    assert body["count"] == 57  # the whole set, whatever the page


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=1.5",
        "limit=1.0",
        "limit=abc",
        "limit=1e2",
        "limit=0x10",
        "limit=1_0",
        "limit=%2010",
        "limit=99999999999999999999999999",
        "limit=%EF%BC%91%EF%BC%90",  # fullwidth "１０"
        "limit=%D9%A1",  # Arabic-Indic digit one
        "offset=-1",
        "offset=2147483648",
        "offset=9223372036854775808",
        "offset=1.0",
        "offset=ten",
        "offset=%E4%B8%80",  # "一"
    ],
)
def test_values_out_of_range_or_malformed_are_invalid_parameter(api: Any, query: str) -> None:
    response = api.get(query)
    assert response.status_code == 400
    assert response.json() == INVALID
    assert response.headers["content-type"] == "application/json"


def test_the_request_model_states_ranges_and_defaults_as_json_schema() -> None:
    """The OpenAPI document is generated from the same model that enforces the ranges."""
    props = op.ListSmartChatRoomsRequest.model_json_schema(by_alias=True)["properties"]
    assert (props["offset"]["minimum"], props["offset"]["maximum"], props["offset"]["default"]) == (0, 2**31 - 1, 0)
    assert (props["limit"]["minimum"], props["limit"]["maximum"], props["limit"]["default"]) == (1, 100, 10)
    assert "pattern" in props["start_time"]["anyOf"][0]


def test_unknown_parameters_are_ignored(api: Any) -> None:
    assert api.get("robot_id=x&sort_key=room_name").content == api.get().content


@pytest.mark.parametrize("user_id", ["用户1", "user-展", "𠀀x", "々", "〇"])
def test_app_user_id_with_chinese_characters_is_invalid_parameter(api: Any, user_id: str) -> None:
    """Documented: "Third-party user ID, which does not allow Chinese characters". Clients send the UTF-8 bytes."""
    response = api.client.get(
        "/v1/0123456789abcdef0123456789abcdef/smart-chat-rooms",
        headers={"X-Auth-Token": "emu-dev-iam-token-0000000001", "X-App-UserId": user_id.encode()},
    )
    assert response.status_code == 400 and response.json() == INVALID
    assert "x-request-id" in response.headers


@pytest.mark.parametrize(
    "user_id", [b"user-1", b"", "usér ü".encode(), "ｕｓｅｒ".encode(), "a，b。".encode(), "사용자".encode(),
                "ユーザー".encode(), b"\xff\xfe"]
)  # fmt: skip
def test_app_user_id_in_other_scripts_is_served_and_scopes_nothing(api: Any, user_id: bytes) -> None:
    """Latin, full-width Latin, Chinese punctuation, Hangul, kana (not Han) and non-UTF-8 bytes all pass."""
    response = api.client.get(
        "/v1/0123456789abcdef0123456789abcdef/smart-chat-rooms",
        headers={"X-Auth-Token": "emu-dev-iam-token-0000000001", "X-App-UserId": user_id},
    )
    assert response.status_code == 200 and response.content == api.get().content


# --- record shape --------------------------------------------------------------------------------------


def test_rooms_carry_the_16_fields_in_order_with_json_types_and_never_null(api: Any) -> None:
    body = api.ok({"limit": 100})
    assert list(body) == ["count", "count_concurrency", "count_client_nums", "count_client_nums_token",
                          "smart_chat_rooms"]  # fmt: skip
    op.ListSmartChatRoomsResponse.model_validate(body)
    rooms = body["smart_chat_rooms"]
    assert list(rooms[0]) == ROOM_FIELDS  # the newest rooms carry every field
    for room in rooms:
        assert list(room) == [f for f in ROOM_FIELDS if f in room]
        assert {"room_id", "room_name", "create_time", "update_time"} <= set(room)
        assert None not in room.values()
        if "model_infos" in room:
            assert set(room["model_infos"]) <= {"model_asset_id", "asset_name", "backup_model_asset_ids"}
        assert isinstance(room.get("reuse_resource", False), bool)
        for key in ("concurrency", "client_nums", "exit_mute_threshold"):
            assert type(room.get(key, 0)) is int
        assert all(isinstance(v["speed"], int) for v in room.get("voice_config_list", []))
        assert room["create_time"].endswith("Z") and room["update_time"] >= room["create_time"]


def test_rooms_are_sparse_like_the_vendors_example(api: Any) -> None:
    """The vendor page's example room has five fields: generated rooms leave optional fields out too, so code that
    reads one unguarded fails here as it would in the cloud."""
    rooms = api.ok({"limit": 100})["smart_chat_rooms"]
    example = ["room_id", "room_name", "room_description", "create_time", "update_time"]
    assert 3 <= sum(list(room) == example for room in rooms) <= 12
    for field in ROOM_FIELDS:
        present = sum(field in room for room in rooms)
        if field in ("room_id", "room_name", "create_time", "update_time"):
            assert present == 57
        else:
            assert 10 <= present <= 54, field  # absent from a realistic share of rooms, present in most
    models = [r["model_infos"] for r in rooms if "model_infos" in r]
    assert any("backup_model_asset_ids" not in m for m in models)
    assert any(m.get("backup_model_asset_ids") for m in models)
    voices = [v for r in rooms for v in r.get("voice_config_list", [])]
    assert any("language_desc" not in v for v in voices) and any("language_desc" in v for v in voices)


def test_absent_fields_keep_their_meaning(api: Any) -> None:
    """A field with a documented default is left out only while it holds it; client-billed rooms keep their count."""
    rooms = api.ok({"limit": 100})["smart_chat_rooms"]
    described = [r for r in rooms if "voice_config_list" in r or "concurrency" in r]  # not example-shaped
    assert any("billing_mode" not in r for r in described) and any("default_language" not in r for r in described)
    billed = [r for r in rooms if r.get("billing_mode") in ("CLIENT", "CLIENT_TOKENS")]
    assert billed and all("client_nums" in r for r in billed)


def test_sparse_rooms_are_the_same_for_the_same_seed(api: Any, api_factory: Any) -> None:
    again = api_factory(auth="off")
    assert again.get({"limit": 100}).content == api.get({"limit": 100}).content
    other = api_factory(seed=7)
    shapes = [list(r) for r in other.ok({"limit": 100})["smart_chat_rooms"]]
    assert shapes != [list(r) for r in api.ok({"limit": 100})["smart_chat_rooms"]]


def test_generated_rooms_cover_every_enum_value(api: Any) -> None:
    rooms = api.ok({"limit": 100})["smart_chat_rooms"]
    assert {r["billing_mode"] for r in rooms if "billing_mode" in r} == {"CONCURRENCY", "CLIENT", "CLIENT_TOKENS"}
    languages = {r["default_language"] for r in rooms if "default_language" in r}
    assert languages == {"CN", "EN", "ESP", "por", "Arabic", "Thai"}
    providers = {v["provider"] for r in rooms for v in r.get("voice_config_list", [])}
    assert providers == {"XIMALAYA", "HUAWEI_EI", "MOBVOI"}
    assert any(r["model_infos"].get("backup_model_asset_ids") for r in rooms if "model_infos" in r)
    assert not any(r.get("reuse_resource") for r in rooms if r.get("billing_mode", "CONCURRENCY") != "CONCURRENCY")


# --- order and paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, 10, 100])
def test_full_walk_has_no_gap_no_duplicate_and_keeps_order(api: Any, limit: int) -> None:
    rooms, counts = api.walk(limit)
    expected = newest_first(api.entries())
    assert ids(rooms) == expected
    assert len(set(ids(rooms))) == len(expected) == 57
    assert set(counts) == {57}


def test_filtered_walk_matches_the_filtered_set(api: Any) -> None:
    rooms, counts = api.walk(4, room_name="with a")
    expected = [e for e in api.entries() if "with a" in (e.record.room_name or "").casefold()]
    assert ids(rooms) == newest_first(expected)
    assert set(counts) == {len(expected)} and len(expected) > 4


def test_offset_past_the_end_is_an_empty_page_with_the_true_totals(api: Any) -> None:
    body = api.ok({"offset": 1000, "room_name": "hall"})
    expected = [e for e in api.entries() if "hall" in (e.record.room_name or "").casefold()]
    assert body["smart_chat_rooms"] == []
    assert counts_of(body) == totals(expected)


# --- fuzzy filters -------------------------------------------------------------------------------------


def name_matches(entries: list[RoomEntry], needle: str) -> list[RoomEntry]:
    return [e for e in entries if needle.casefold() in (e.record.room_name or "").casefold()]


def avatar_matches(entries: list[RoomEntry], needle: str) -> list[RoomEntry]:
    names = {e.record.room_id: e.record.model_infos.asset_name if e.record.model_infos else "" for e in entries}
    return [e for e in entries if needle.casefold() in (names[e.record.room_id] or "").casefold()]


@pytest.mark.parametrize(
    "needle", ["hall", "HALL", "Exhibition Hall", "with a", "%", "50%", "_", "lobby_", "CAFÉ", "展厅"]
)
def test_room_name_is_a_case_insensitive_literal_substring(api: Any, needle: str) -> None:
    expected = name_matches(api.entries(), needle)
    body = api.ok({"room_name": needle, "limit": 100})
    assert 0 < len(expected) < 57, "the dataset should give this search a proper subset"
    assert ids(body["smart_chat_rooms"]) == newest_first(expected)
    assert counts_of(body) == totals(expected)


def test_percent_and_underscore_are_not_wildcards(api: Any) -> None:
    assert api.ok({"room_name": "%"})["count"] < 57
    assert api.ok({"room_name": "a_b"})["count"] == 0
    assert api.ok({"room_name": "h%l"})["count"] == 0


def test_model_name_matches_the_avatar_asset_name(api: Any) -> None:
    entries = api.entries()
    first_name = entries[0].record.model_infos.asset_name.split()[0]
    for needle in (first_name, first_name.upper(), first_name[1:3].lower()):
        expected = avatar_matches(entries, needle)
        body = api.ok({"model_name": needle, "limit": 100})
        assert expected and ids(body["smart_chat_rooms"]) == newest_first(expected)
        assert counts_of(body) == totals(expected)


def test_room_name_and_model_name_combine(api: Any) -> None:
    entries = api.entries()
    avatar = entries[0].record.model_infos.asset_name.split()[0]
    expected = avatar_matches(name_matches(entries, "with a"), avatar)
    body = api.ok({"room_name": "with a", "model_name": avatar, "limit": 100})
    assert 0 < len(expected) < len(name_matches(entries, "with a"))
    assert ids(body["smart_chat_rooms"]) == newest_first(expected)


def test_empty_or_unmatched_filters(api: Any) -> None:
    assert api.get("room_name=&model_name=").content == api.get().content
    body = api.ok({"room_name": "no such room anywhere"})
    assert body == {"count": 0, "count_concurrency": 0, "count_client_nums": 0, "count_client_nums_token": 0,
                    "smart_chat_rooms": []}  # fmt: skip


# --- time window ---------------------------------------------------------------------------------------


def job_ms(e: RoomEntry) -> int | None:
    return None if e.last_job_start_time is None else ms_from_iso(e.last_job_start_time)


def create_ms(e: RoomEntry) -> int | None:
    return ms_from_iso(e.record.create_time)


def window(
    entries: list[RoomEntry], key: Callable[[RoomEntry], int | None], lo: int | None, hi: int | None
) -> list[RoomEntry]:
    out = []
    for e in entries:
        value = key(e)
        if value is not None and (lo is None or value >= lo) and (hi is None or value <= hi):
            out.append(e)
    return out


@pytest.mark.parametrize(("setting", "key"), [("last_job", job_ms), ("create_time", create_ms)])
@pytest.mark.parametrize("bounds", ["start", "end", "both"])
def test_time_window_filters_on_the_configured_field(api_factory: Any, setting: str, key: Any, bounds: str) -> None:
    api = api_factory(metastudio_time_field=setting)
    entries = api.entries()
    times = sorted(v for v in map(key, entries) if v is not None)
    lo = times[len(times) // 4] if bounds in ("start", "both") else None
    hi = times[3 * len(times) // 4] if bounds in ("end", "both") else None
    query = {"limit": 100}
    if lo is not None:
        query["start_time"] = iso(lo)
    if hi is not None:
        query["end_time"] = iso(hi)
    expected = window(entries, key, lo, hi)
    body = api.ok(query)
    assert 0 < len(expected) < 57
    assert ids(body["smart_chat_rooms"]) == newest_first(expected)
    assert counts_of(body) == totals(expected)


def test_rooms_that_never_ran_a_job_do_not_match_a_time_filter(api: Any) -> None:
    entries = api.entries()
    with_job = [e for e in entries if e.last_job_start_time is not None]
    assert 0.6 < len(with_job) / len(entries) < 0.95  # most rooms ran a job, not all
    assert api.ok({"start_time": "1970-01-01T00:00:00Z"})["count"] == len(with_job)
    assert api.ok({"end_time": "2999-12-31T23:59:59Z"})["count"] == len(with_job)


def test_time_filter_combines_with_names(api_factory: Any) -> None:
    for setting, key in (("last_job", job_ms), ("create_time", create_ms)):
        api = api_factory(metastudio_time_field=setting)
        entries = api.entries()
        lo = sorted(v for v in map(key, entries) if v is not None)[10]
        expected = window(name_matches(entries, "with a"), key, lo, None)
        body = api.ok({"room_name": "with a", "start_time": iso(lo), "limit": 100})
        assert ids(body["smart_chat_rooms"]) == newest_first(expected)


def test_offsets_name_the_same_instant_as_z(api: Any) -> None:
    utc = api.get({"start_time": "2025-03-01T00:00:00Z", "end_time": "2025-04-01T00:00:00Z"})
    shifted = api.get({"start_time": "2025-03-01T08:00:00+08:00", "end_time": "2025-03-31T19:00:00-05:00"})
    assert utc.status_code == 200
    assert utc.json()["count"] == shifted.json()["count"]
    fraction = api.ok({"start_time": "2025-03-01T00:00:00.000Z", "end_time": "2025-04-01T00:00:00.999999Z"})
    assert fraction["count"] == utc.json()["count"]


@pytest.mark.parametrize(
    "query",
    [
        {"start_time": "2025-01-01"},
        {"start_time": "2025-01-01T00:00:00"},  # no zone
        {"start_time": "2025-01-01 00:00:00Z"},
        {"start_time": "2025-01-01T00:00:00+0800"},
        {"start_time": "2025-13-01T00:00:00Z"},
        {"end_time": "2025-01-01T24:00:00Z"},
        {"end_time": "1735689600"},
        {"end_time": "yesterday"},
        {"end_time": "２０２５-01-01T00:00:00Z"},
    ],
)
def test_malformed_times_are_invalid_parameter(api: Any, query: dict[str, str]) -> None:
    response = api.get(query)
    assert response.status_code == 400
    assert response.json() == INVALID


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("2025-02-29T00:00:00Z", "2025-03-01T00:00:00Z"),
        ("2024-02-30T12:00:00+08:00", "2024-03-01T12:00:00+08:00"),
        ("2025-09-31T23:59:59.5Z", "2025-10-01T23:59:59.5Z"),
    ],
)
def test_a_day_past_the_months_end_rolls_over(api: Any, given: str, meant: str) -> None:
    """Every time the documented pattern admits is an instant (as ICE's times are): the OpenAPI document and the
    behaviour agree, and the window means what Java's lenient parsing makes of it."""
    for field in ("start_time", "end_time"):
        assert api.get({field: given, "limit": 100}).content == api.get({field: meant, "limit": 100}).content


def test_blank_paging_values_are_documented_as_allowed() -> None:
    """`offset=` and `limit=` count as not supplied; the OpenAPI parameters say so with allowEmptyValue."""
    params = {p["name"]: p for p in query_parameters(op.ListSmartChatRoomsRequest)}
    assert params["offset"]["allowEmptyValue"] is True and params["limit"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in params["start_time"] and "allowEmptyValue" not in params["room_name"]


@pytest.mark.parametrize(
    "query",
    [
        {"start_time": "2025-02-01T00:00:00Z", "end_time": "2025-01-31T23:59:59Z"},
        {"start_time": "2025-01-01T09:00:00+08:00", "end_time": "2025-01-01T00:59:59Z"},
        {"start_time": "2025-02-01T00:00:00Z", "end_time": "2025-01-31T23:59:59Z", "room_name": "a"},
    ],
)
def test_reversed_window_selects_nothing(api: Any, query: dict[str, str]) -> None:
    body = api.ok(query)
    assert body["count"] == 0 and body["smart_chat_rooms"] == []
    assert body["count_concurrency"] == body["count_client_nums"] == body["count_client_nums_token"] == 0


def test_start_equal_to_end_is_a_valid_window(api: Any) -> None:
    entry = next(e for e in api.entries() if e.last_job_start_time is not None)
    t = entry.last_job_start_time
    body = api.ok({"start_time": t, "end_time": t})
    assert entry.record.room_id in ids(body["smart_chat_rooms"])


# --- totals --------------------------------------------------------------------------------------------


def test_totals_over_a_full_walk_match_an_independent_sum(api: Any) -> None:
    rooms, _ = api.walk(9)
    body = api.ok()
    assert counts_of(body)["count"] == len(rooms)
    # Absent fields count as nothing; a room without billing_mode is billed by concurrency (the default).
    assert body["count_concurrency"] == sum(r.get("concurrency", 0) for r in rooms)
    client = sum(r.get("client_nums", 0) for r in rooms if r.get("billing_mode") == "CLIENT")
    assert body["count_client_nums"] == client
    tokens = sum(r.get("client_nums", 0) for r in rooms if r.get("billing_mode") == "CLIENT_TOKENS")
    assert body["count_client_nums_token"] == tokens
    # The dataset keeps client_nums on some concurrency-billed rooms, so billing mode must matter.
    assert sum(r.get("client_nums", 0) for r in rooms) > body["count_client_nums"] + tokens
    assert any("concurrency" not in r for r in rooms) and any("billing_mode" not in r for r in rooms)
    assert body["count_concurrency"] > 0 and body["count_client_nums"] > 0 and tokens > 0


def test_tenant_sum_scope_sums_every_room_while_count_stays_filtered(api_factory: Any) -> None:
    api = api_factory(metastudio_sum_scope="tenant")
    entries = api.entries()
    body = api.ok({"room_name": "hall"})
    everything = totals(entries)
    assert body["count"] == len(name_matches(entries, "hall")) < 57
    assert {k: v for k, v in counts_of(body).items() if k != "count"} == {
        k: v for k, v in everything.items() if k != "count"
    }


def test_unfiltered_and_create_time_listings_never_scan(api_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The O(log n) path: no Filtered scan unless a filter does not follow the sort order."""

    def no_scan(*args: object) -> None:
        raise AssertionError("Filtered used")

    monkeypatch.setattr(op, "Filtered", no_scan)
    api = api_factory(metastudio_time_field="create_time")
    assert api.get({"offset": 20}).status_code == 200
    assert api.get({"start_time": "2025-01-01T00:00:00Z", "end_time": "2025-05-01T00:00:00Z"}).status_code == 200
    assert api.get({"room_name": "hall"}).status_code == 500  # the scan path really is the monkeypatched one
