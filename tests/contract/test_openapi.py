"""The checked-in OpenAPI documents are exactly what the code generates, and describe what it enforces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.openapi import build_specs, render_spec

OPENAPI = Path(__file__).resolve().parents[2] / "openapi"
SPECS = build_specs()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_checked_in_spec_matches_the_code(name: str) -> None:
    path = OPENAPI / f"{name}.json"
    assert path.exists(), f"missing {path}: run `emulator openapi export`"
    assert path.read_text(encoding="utf-8") == render_spec(SPECS[name]), (
        f"{path} drifted from the code: run `emulator openapi export` and commit the result"
    )


def test_no_stray_spec_files() -> None:
    assert {p.stem for p in OPENAPI.glob("*.json")} == set(SPECS)


EXPECTED_OPERATIONS = {
    "ice": {
        "ListAIAgentDialogues",
        "ListAIAgentInstance",
        "StartAIAgentInstance",
        "GenerateAIAgentCall",
        "DescribeAIAgentInstance",
        "UpdateAIAgentInstance",
        "StopAIAgentInstance",
    },
    "metastudio": {
        "ListSmartChatRooms",
        "CreateSmartChatRoom",
        "ShowSmartChatRoom",
        "UpdateSmartChatRoom",
        "DeleteSmartChatRoom",
        "StartSmartChatJob",
        "StopSmartChatJob",
        "ShowSmartChatJob",
        "ListSmartChatJob",
    },
    "fixie": {
        "ListConversations",
        "GetConversation",
        "StartConversation",
        "SendMessage",
        "StopGeneration",
        "RegenerateMessage",
    },
    "emulator": {
        "Health",
        "Reset",
        "Seed",
        "GetClock",
        "SetClock",
        "GetSnapshot",
        "RestoreSnapshot",
        "CreateTenant",
        "ListTenants",
        "DeleteTenant",
        "AddFault",
        "ListFaults",
        "ClearFaults",
        "DeleteFault",
        "ListRequests",
        "CountRequests",
        "ClearRequests",
        "GetIceDialogues",
        "PutIceDialogues",
        "DeleteIceDialogues",
    },  # fmt: skip
}


@pytest.mark.parametrize("name", sorted(EXPECTED_OPERATIONS))
def test_operation_ids_are_the_vendor_operation_names(name: str) -> None:
    ids = {op["operationId"] for ops in SPECS[name]["paths"].values() for op in ops.values()}
    assert EXPECTED_OPERATIONS[name] <= ids


# Successes that stream rather than answer one JSON document (errors are always JSON): Fixie's replies, JSON Lines.
STREAMED = dict.fromkeys(("StartConversation", "SendMessage", "RegenerateMessage"), "application/x-ndjson")


@pytest.mark.parametrize("name", ["ice", "metastudio", "fixie"])
def test_every_operation_documents_errors_and_security(name: str) -> None:
    spec = SPECS[name]
    assert spec["components"]["securitySchemes"] and spec["security"]
    for ops in spec["paths"].values():
        for op in ops.values():
            statuses = set(op["responses"])
            assert "200" in statuses, op["operationId"]
            assert "400" in statuses or "401" in statuses, op["operationId"]
            assert "422" not in statuses  # FastAPI's default is never answered
            for status, response in op["responses"].items():
                media = STREAMED.get(op["operationId"], "application/json") if status == "200" else "application/json"
                assert media in response["content"], (op["operationId"], status)


def test_ice_dialogue_parameters_carry_ranges_defaults_and_enums() -> None:
    op = SPECS["ice"]["paths"]["/_rpc/ListAIAgentDialogues"]["post"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["SessionId"]["required"] and params["StartTime"]["required"] and params["EndTime"]["required"]
    size = params["PageSize"]["schema"]
    assert (size["minimum"], size["maximum"], size["default"]) == (1, 100, 20)
    assert params["Order"]["schema"]["enum"] == ["ASC", "DESC"] and params["Order"]["schema"]["default"] == "DESC"
    assert "/?Action=ListAIAgentDialogues" in op["description"]


def test_specs_are_valid_json_documents() -> None:
    for path in OPENAPI.glob("*.json"):
        assert json.loads(path.read_text())["openapi"].startswith("3.")
