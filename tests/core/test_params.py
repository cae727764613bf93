"""Request bodies and parameters become one `ParamProblem` naming the wire field at fault, which each vendor maps to
its own invalid-parameter code; ids minted for created records follow the seed and the order of writes."""

from __future__ import annotations

import sqlite3
from typing import Annotated

import pytest
from pydantic import BaseModel, BeforeValidator, Field

from emulator.core.params import ParamProblem, ParsedParams, RequestModel, clamp_over, parse_body, parse_params
from emulator.core.records import mint_id
from emulator.core.state import ControlState, create_tables


class Voice(BaseModel):
    speed: Annotated[int, Field(ge=50, le=200)] = 100


class RoomBody(BaseModel):
    room_name: Annotated[str, Field(min_length=1, max_length=256)]
    voice_config: Voice | None = None
    tags: list[str] = []


def problem_of(raw: bytes, *, required: bool = True) -> ParamProblem:
    with pytest.raises(ParamProblem) as caught:
        parse_body(RoomBody, raw, {}, required=required)
    return caught.value


def test_a_valid_body_is_the_model() -> None:
    body = parse_body(RoomBody, b'{"room_name": "a", "voice_config": {"speed": 60}}', {})
    assert body == RoomBody(room_name="a", voice_config=Voice(speed=60))


def test_an_empty_required_body_is_missing_and_an_optional_one_is_an_empty_object() -> None:
    assert (problem_of(b"").kind, problem_of(b"").param) == ("missing", "body")
    assert (problem_of(b" \n").kind, problem_of(b" \n").param) == ("missing", "body")
    assert problem_of(b"", required=False).param == "room_name"  # {} lacks the required name


def test_a_body_that_is_not_json_is_one_invalid_body() -> None:
    for raw in (b"{", b"\xff\xfe", b"room_name=a"):
        problem = problem_of(raw)
        assert (problem.kind, problem.param, problem.reason) == ("invalid", "body", "json_invalid")


def test_a_nested_field_is_named_by_its_dotted_path() -> None:
    problem = problem_of(b'{"room_name": "a", "voice_config": {"speed": 10}}')
    assert (problem.kind, problem.param, problem.value) == ("invalid", "voice_config.speed", 10)
    assert problem_of(b'{"room_name": "a", "tags": ["x", 3]}').param == "tags.1"


def test_missing_comes_before_malformed_and_a_non_object_body_names_the_body() -> None:
    problem = problem_of(b'{"voice_config": {"speed": 10}}')
    assert (problem.kind, problem.param) == ("missing", "room_name")
    assert problem_of(b"[1, 2]").param == "body"


def test_query_parameters_keep_their_flat_names() -> None:
    class Query(BaseModel):
        limit: Annotated[int, Field(ge=1, le=100)] = 10

    with pytest.raises(ParamProblem) as caught:
        parse_params(Query, {"limit": "0"}, {})
    assert (caught.value.kind, caught.value.param) == ("invalid", "limit")


def test_minted_ids_follow_seed_scope_and_write_order() -> None:
    def ids(seed: int, scope: str, count: int) -> list[str]:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        create_tables(conn)
        state = ControlState(conn, lambda _: None)
        return [mint_id(state, seed, scope, "tenant-a").hex for _ in range(count)]

    first = ids(7, "ice.instance", 3)
    assert first == ids(7, "ice.instance", 3)  # another process, same seed and order: same ids
    assert len(set(first)) == 3
    assert set(first).isdisjoint(ids(8, "ice.instance", 3))
    assert set(first).isdisjoint(ids(7, "fixie.conversation", 3))


class PageQuery(RequestModel):
    page: Annotated[int, Field(alias="Page", ge=1, le=100), clamp_over("clamp")] = 1


class TaggedQuery(RequestModel):
    # A parameter whose text holds a document (as ICE's JSON-carrying parameters do) parses to a mutable value.
    tags: Annotated[list[str], BeforeValidator(lambda text: text.split(","))] = []


def test_a_repeated_request_is_parsed_once_and_its_switches_count() -> None:
    parsed = ParsedParams()
    first = parsed.parse(PageQuery, {"Page": "3"}, {"clamp": False})
    assert first.page == 3
    assert parsed.parse(PageQuery, {"Page": "3"}, {"clamp": False}) is first  # remembered
    assert parsed.parse(PageQuery, {"Page": "4"}, {"clamp": False}).page == 4
    # The same parameters under another switch are another parse: over the bound, clamped or refused.
    assert parsed.parse(PageQuery, {"Page": "500"}, {"clamp": True}).page == 100
    for _ in range(2):  # a refusal is raised every time, never remembered as an answer
        with pytest.raises(ParamProblem) as caught:
            parsed.parse(PageQuery, {"Page": "500"}, {"clamp": False})
        assert (caught.value.kind, caught.value.param) == ("invalid", "Page")


def test_a_parse_holding_a_mutable_value_is_not_shared() -> None:
    parsed = ParsedParams()
    first = parsed.parse(TaggedQuery, {"tags": "a,b"}, {})
    again = parsed.parse(TaggedQuery, {"tags": "a,b"}, {})
    assert again == first and again is not first
    assert again.tags is not first.tags
