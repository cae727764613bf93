"""Parameters of the lifecycle actions (StartAIAgentInstance, GenerateAIAgentCall, UpdateAIAgentInstance,
StopAIAgentInstance, DescribeAIAgentInstance), in-process: required ones, JSON-text configs with their documented
ranges, lengths and JSON types, what is stored from them, the instance errors and tenant separation."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from emulator.vendors.ice.config_params import AgentConfigParam

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_2 = "LTAI5tEmuDevAccessKey002"
AGENT = "lifecycle-agent"
RUNTIME = {"AgentUserId": "agent-user", "AuthToken": "agent-token", "ChannelId": "channel-1"}

Call = Callable[..., httpx.Response]
ErrorCheck = Callable[..., dict[str, Any]]


def invalid(param: str) -> tuple[int, str, str]:
    return 400, "InvalidParameter", f'The specified parameter "{param}" is not valid.'


def missing(param: str) -> tuple[int, str, str]:
    return 400, f"Missing{param}", f"{param} is mandatory for this action."


NOT_FOUND = (404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
FINISHED = (403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.")


@pytest.fixture
def ice(reset_client: TestClient, ice_call: Call) -> Callable[..., httpx.Response]:
    """An action on the module's app (reset before each test); JSON-text parameters may be given as objects."""

    def call(action: str, access_key: str = "LTAI5tEmuDevAccessKey001", **params: Any) -> httpx.Response:
        wire = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
        return ice_call(reset_client, action, access_key=access_key, **wire)

    return call


def ok(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def start(ice: Callable[..., httpx.Response], **params: Any) -> str:
    instance_id: str = ok(ice("StartAIAgentInstance", **{"AIAgentId": AGENT, "RuntimeConfig": RUNTIME, **params}))[
        "InstanceId"
    ]
    return instance_id


def described(ice: Callable[..., httpx.Response], instance_id: str) -> dict[str, Any]:
    instance: dict[str, Any] = ok(ice("DescribeAIAgentInstance", InstanceId=instance_id))["Instance"]
    return instance


# --- required parameters ----------------------------------------------------------------------------------------


def test_start_needs_the_agent_then_the_runtime_config(ice: Any, ice_error: ErrorCheck) -> None:
    ice_error(ice("StartAIAgentInstance"), *missing("AIAgentId"))
    ice_error(ice("StartAIAgentInstance", RuntimeConfig=RUNTIME), *missing("AIAgentId"))
    ice_error(ice("StartAIAgentInstance", AIAgentId=AGENT), *missing("RuntimeConfig"))
    ice_error(ice("StartAIAgentInstance", AIAgentId=AGENT, RuntimeConfig=""), *missing("RuntimeConfig"))
    ice_error(ice("StartAIAgentInstance", AIAgentId="", RuntimeConfig=RUNTIME), *missing("AIAgentId"))


@pytest.mark.parametrize("action", ["StopAIAgentInstance", "DescribeAIAgentInstance", "UpdateAIAgentInstance"])
def test_instance_actions_need_the_instance_id(ice: Any, ice_error: ErrorCheck, action: str) -> None:
    ice_error(ice(action), *missing("InstanceId"))
    ice_error(ice(action, InstanceId=""), *missing("InstanceId"))


def test_generate_needs_only_the_agent(ice: Any, ice_error: ErrorCheck) -> None:
    ice_error(ice("GenerateAIAgentCall"), *missing("AIAgentId"))
    assert ok(ice("GenerateAIAgentCall", AIAgentId=AGENT))["InstanceId"]


# --- RuntimeConfig ------------------------------------------------------------------------------------------------


JOIN = {"AgentUserId": "u", "AuthToken": "t", "ChannelId": "c"}


@pytest.mark.parametrize(
    "runtime",
    [
        JOIN,
        {"VoiceChat": JOIN},
        {"VisionChat": JOIN},
        {"AvatarChat3D": JOIN},
        {**JOIN, "VoiceChat": JOIN},
        {"AgentUserId": "u", "VoiceChat": JOIN},  # a partial top level beside a complete mode
        {**JOIN, "FieldOfALaterSdk": 1},  # unknown keys are ignored, not refused
    ],
)
def test_runtime_config_names_a_channel_to_join(ice: Any, runtime: dict[str, Any]) -> None:
    instance_id = start(ice, RuntimeConfig=runtime)
    stored = described(ice, instance_id)["RuntimeConfig"]
    assert stored == {k: v for k, v in runtime.items() if k != "FieldOfALaterSdk"}


@pytest.mark.parametrize(
    "runtime",
    [
        "{}",  # no channel at all
        '{"AgentUserId": "u", "AuthToken": "t"}',  # the top level incomplete and no mode
        '{"VoiceChat": {"AgentUserId": "u", "ChannelId": "c"}}',  # a mode without its token
        '{"VoiceChat": {"AgentUserId": "", "AuthToken": "t", "ChannelId": "c"}}',
        '{"AgentUserId": 1, "AuthToken": "t", "ChannelId": "c"}',  # not a JSON string
        '{"VoiceChat": "u"}',
        "not json",
        '{"AgentUserId": "u"',  # cut short
        "[]",
        "null",
        '"text"',
        "NaN",
    ],
)
def test_runtime_config_that_joins_nothing_or_is_not_an_object(ice: Any, ice_error: ErrorCheck, runtime: str) -> None:
    ice_error(ice("StartAIAgentInstance", AIAgentId=AGENT, RuntimeConfig=runtime), *invalid("RuntimeConfig"))


# --- AgentConfig and TemplateConfig: documented ranges, lengths and JSON types ----------------------------------

AGENT_CONFIG_EDGES = [
    ("Volume", 0, 400, [-1, 401]),
    ("AsrConfig.AsrMaxSilence", 200, 1200, [199, 1201]),
    ("AsrConfig.VadLevel", 0, 11, [-1, 12]),
    ("AsrConfig.VadDuration", 200, 2000, [1, 199, 2001]),
    ("TtsConfig.SpeechRate", 0.5, 2.0, [0.49, 2.01]),
    ("LlmConfig.OutputMaxDelay", 1000, 10000, [1, 999, 10001]),
    ("LlmConfig.OutputMinLength", 0, 100, [-1, 101]),
    ("TurnDetectionConfig.SemanticWaitDuration", -1, 10000, [-2, 10001]),
    ("AmbientSoundConfig.Volume", 0, 100, [-1, 101]),
    ("AutoSpeechConfig.LlmPending.WaitTime", 500, 10000, [499, 10001]),
    ("AutoSpeechConfig.UserIdle.WaitTime", 5000, 600000, [4999, 600001]),
    ("AutoSpeechConfig.UserIdle.MaxRepeats", 0, 10, [-1, 11]),
    ("VcrConfig.StillFrameMotion.CallbackDelay", 200, 5000, [199, 5001]),
]


def nested(path: str, value: Any) -> dict[str, Any]:
    doc: Any = value
    for key in reversed(path.split(".")):
        doc = {key: doc}
    result: dict[str, Any] = doc
    return result


@pytest.mark.parametrize(("path", "low", "high", "outside"), AGENT_CONFIG_EDGES)
def test_agent_config_ranges(
    ice: Any, ice_error: ErrorCheck, path: str, low: Any, high: Any, outside: list[Any]
) -> None:
    for value in (low, high):
        config = nested(path, value)
        assert described(ice, start(ice, AgentConfig=config))["AgentConfig"] == config
    for value in outside:
        resp = ice("StartAIAgentInstance", AIAgentId=AGENT, RuntimeConfig=RUNTIME, AgentConfig=nested(path, value))
        ice_error(resp, *invalid("AgentConfig"))


@pytest.mark.parametrize("path", ["AsrConfig.VadDuration", "LlmConfig.OutputMaxDelay"])
def test_zero_turns_a_setting_off_below_its_range(ice: Any, path: str) -> None:
    config = nested(path, 0)
    assert described(ice, start(ice, AgentConfig=config))["AgentConfig"] == config


@pytest.mark.parametrize(
    "config",
    [
        {"EnablePushToTalk": "true"},  # a JSON string, not a boolean
        {"EnablePushToTalk": 1},
        {"Volume": "100"},
        {"Volume": True},
        {"LlmConfig": {"OutputMaxDelay": False}},  # not the 0 that turns it off
        {"AsrConfig": {"VadDuration": False}},
        {"Volume": 1.5},
        {"Greeting": 7},
        {"TtsConfig": {"VoiceId": "v" * 65}},
        {"TtsConfig": {"PronunciationRules": [{"Type": "replacement", "Word": "a", "Pronunciation": "b"}] * 21}},
        {"TtsConfig": {"Emotion": "bored"}},
        {"AsrConfig": {"AsrLanguageId": "fr"}},
        {"AsrConfig": {"AsrHotWords": ["w"] * 129}},
        {"AutoSpeechConfig": {"LlmPending": {"Messages": [{"Text": "x"}] * 11}}},
        {"AutoSpeechConfig": {"LlmPending": {"Messages": [{"Text": "x" * 101}]}}},
        {"AutoSpeechConfig": {"LlmPending": {"Messages": [{"Probability": 1.1}]}}},
        {"BackChannelingConfigs": [{"Words": [{"Text": "x" * 21}]}]},
        {"BackChannelingConfigs": [{"Probability": -0.1}]},
        {"LlmConfig": {"LlmHistory": [{"Role": "robot", "Content": "x"}]}},
        {"TurnDetectionConfig": {"Mode": "Fast"}},
        {"AsrConfig": []},
    ],
)
def test_agent_config_types_enums_and_lengths(ice: Any, ice_error: ErrorCheck, config: dict[str, Any]) -> None:
    resp = ice("StartAIAgentInstance", AIAgentId=AGENT, RuntimeConfig=RUNTIME, AgentConfig=config)
    ice_error(resp, *invalid("AgentConfig"))


def test_an_integral_number_is_an_integer_and_unknown_keys_are_dropped(ice: Any) -> None:
    instance_id = start(ice, AgentConfig='{"Volume": 300.0, "AsrConfig": {"VadLevel": 5, "Later": true}, "X": 1}')
    assert described(ice, instance_id)["AgentConfig"] == {"Volume": 300, "AsrConfig": {"VadLevel": 5}}


@pytest.mark.parametrize(
    "config",
    [
        {"VoiceChat": {"Greeting": "g" * 129}},
        {"VoiceChat": {"VoiceId": "v" * 65}},
        {"VisionChat": {"AsrMaxSilence": 1201}},
        {"AvatarChat3D": {"VadLevel": 12}},
        {"VoiceChat": {"Volume": 401}},
        {"VoiceChat": {"EnableVoiceInterrupt": "false"}},
        {"VoiceChat": {"LlmHistory": [{"Role": "user", "Content": 1}]}},
        {"VoiceChat": []},
    ],
)
def test_template_config_limits(ice: Any, ice_error: ErrorCheck, config: dict[str, Any]) -> None:
    resp = ice("StartAIAgentInstance", AIAgentId=AGENT, RuntimeConfig=RUNTIME, TemplateConfig=config)
    ice_error(resp, *invalid("TemplateConfig"))


def test_template_config_at_its_limits_is_stored(ice: Any) -> None:
    config = {
        "VoiceChat": {"Greeting": "g" * 128, "VoiceId": "v" * 64, "AsrMaxSilence": 1200, "AvatarUrl": "u"},
        "AvatarChat3D": {"VadLevel": 0, "Volume": 400, "AvatarId": "a"},
    }
    assert described(ice, start(ice, TemplateConfig=config))["TemplateConfig"] == config


def test_chat_sync_config_is_checked_though_not_kept(ice: Any, ice_error: ErrorCheck) -> None:
    start(ice, ChatSyncConfig={"IMAIAgentId": "im", "ReceiverId": "r"})
    resp = ice("StartAIAgentInstance", AIAgentId=AGENT, RuntimeConfig=RUNTIME, ChatSyncConfig={"ReceiverId": 5})
    ice_error(resp, *invalid("ChatSyncConfig"))


# --- GenerateAIAgentCall ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expire", ["-1", "604801", "abc", "1.5", "", " 60"])
def test_generate_expire_outside_0_to_604800(ice: Any, ice_error: ErrorCheck, expire: str) -> None:
    ice_error(ice("GenerateAIAgentCall", AIAgentId=AGENT, Expire=expire), *invalid("Expire"))


def token_of(body: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(base64.b64decode(body["Token"]))
    return payload


def test_generate_expire_defaults_to_an_hour_and_dates_the_token(ice: Any, reset_client: TestClient) -> None:
    reset_client.put("/_emulator/clock", json={"frozen_at": "2030-01-01T00:00:00Z"})
    start_s = 1893456000
    assert token_of(ok(ice("GenerateAIAgentCall", AIAgentId=AGENT)))["timestamp"] == start_s + 3600
    assert token_of(ok(ice("GenerateAIAgentCall", AIAgentId=AGENT, Expire="0")))["timestamp"] == start_s
    assert token_of(ok(ice("GenerateAIAgentCall", AIAgentId=AGENT, Expire="604800")))["timestamp"] == start_s + 604800


def test_generate_user_id_up_to_64_characters(ice: Any, ice_error: ErrorCheck) -> None:
    body = ok(ice("GenerateAIAgentCall", AIAgentId=AGENT, UserId="u" * 64))
    assert body["UserId"] == "u" * 64 and token_of(body)["userid"] == "u" * 64
    ice_error(ice("GenerateAIAgentCall", AIAgentId=AGENT, UserId="u" * 65), *invalid("UserId"))


# --- UpdateAIAgentInstance --------------------------------------------------------------------------------------


def test_update_merges_only_the_documented_fields(ice: Any) -> None:
    original = {"Greeting": "hello", "LlmConfig": {"LlmSystemPrompt": "be brief"}, "TtsConfig": {"VoiceId": "a"}}
    instance_id = start(ice, AgentConfig=original, TemplateConfig={"VoiceChat": {"Greeting": "t", "VadLevel": 3}})
    change = {
        "Greeting": "welcome",
        "Volume": 120,
        "TtsConfig": {"VoiceId": "b", "SpeechRate": 1.5},  # SpeechRate is not updatable
        "InterruptConfig": {"EnableVoiceInterrupt": False},
        "VoiceprintConfig": {"UseVoiceprint": True},
        "LlmConfig": {"LlmSystemPrompt": "ignored", "BailianAppParams": '{"a":1}'},
        "MaxIdleTime": 30,  # not updatable
    }
    template_change = {"VoiceChat": {"Greeting": "t2", "AsrMaxSilence": 800, "VadLevel": 9}}
    ok(ice("UpdateAIAgentInstance", InstanceId=instance_id, AgentConfig=change, TemplateConfig=template_change))
    instance = described(ice, instance_id)
    assert instance["AgentConfig"] == {
        "Greeting": "welcome",
        "LlmConfig": {"LlmSystemPrompt": "be brief", "BailianAppParams": '{"a":1}'},
        "TtsConfig": {"VoiceId": "b"},
        "Volume": 120,
        "InterruptConfig": {"EnableVoiceInterrupt": False},
        "VoiceprintConfig": {"UseVoiceprint": True},
    }
    assert instance["TemplateConfig"] == {"VoiceChat": {"Greeting": "t2", "VadLevel": 3, "AsrMaxSilence": 800}}


def test_update_replaces_user_data_and_dates_the_change(ice: Any, reset_client: TestClient) -> None:
    reset_client.put("/_emulator/clock", json={"frozen_at": "2030-01-01T00:00:00Z"})
    instance_id = start(ice, UserData='{"v":1}')
    reset_client.put("/_emulator/clock", json={"frozen_at": "2030-01-01T00:02:03Z"})
    ok(ice("UpdateAIAgentInstance", InstanceId=instance_id, UserData="plain text"))
    instance = described(ice, instance_id)
    assert instance["UserData"] == "plain text"
    assert "AgentConfig" not in instance and "TemplateConfig" not in instance  # none given, none gained
    assert (instance["GmtCreate"], instance["GmtModified"]) == (
        "2030-01-01T00:00:00.000+00:00",
        "2030-01-01T00:02:03.000+00:00",
    )


def test_update_checks_configs_as_start_does(ice: Any, ice_error: ErrorCheck) -> None:
    instance_id = start(ice)
    ice_error(
        ice("UpdateAIAgentInstance", InstanceId=instance_id, AgentConfig={"Volume": 401}), *invalid("AgentConfig")
    )
    resp = ice("UpdateAIAgentInstance", InstanceId=instance_id, TemplateConfig="{")
    ice_error(resp, *invalid("TemplateConfig"))


# --- unknown, finished and other accounts' instances --------------------------------------------------------------


@pytest.mark.parametrize("action", ["StopAIAgentInstance", "DescribeAIAgentInstance", "UpdateAIAgentInstance"])
def test_an_unknown_instance(ice: Any, ice_error: ErrorCheck, action: str) -> None:
    ice_error(ice(action, InstanceId="0" * 32), *NOT_FOUND)


@pytest.mark.parametrize("action", ["StopAIAgentInstance", "DescribeAIAgentInstance", "UpdateAIAgentInstance"])
def test_another_accounts_instance_is_unknown(ice: Any, ice_error: ErrorCheck, action: str) -> None:
    instance_id = start(ice)
    ice_error(ice(action, access_key=AK_2, InstanceId=instance_id), *NOT_FOUND)
    assert described(ice, instance_id)["Status"] == "Executing"  # untouched


def test_a_finished_instance_can_be_neither_stopped_nor_updated(ice: Any, ice_error: ErrorCheck) -> None:
    instance_id = start(ice)
    ok(ice("StopAIAgentInstance", InstanceId=instance_id))
    ice_error(ice("StopAIAgentInstance", InstanceId=instance_id), *FINISHED)
    ice_error(ice("UpdateAIAgentInstance", InstanceId=instance_id, UserData="x"), *FINISHED)
    assert described(ice, instance_id)["Status"] == "Finished"


def test_documented_long_bounds_are_accepted_and_only_wider_values_refused() -> None:
    """The OpenAPI document states a Java long's bounds as floats hold them exactly: a contract tool generating up
    to them must never meet a refusal (schemathesis found -2.1e23 documented as a plain integer, then refused)."""
    spec = json.loads((Path(__file__).resolve().parents[3] / "openapi" / "ice.json").read_text())
    bounds = spec["components"]["schemas"]["AgentConfigParam"]["properties"]["UserOfflineTimeout"]["anyOf"][0]
    low, high = int(bounds["minimum"]), int(bounds["maximum"])
    for value in (low, high):
        assert (
            AgentConfigParam.model_validate_json(json.dumps({"UserOfflineTimeout": value})).user_offline_timeout
            == value
        )
    for value in (low - 1, 2**63):
        with pytest.raises(ValidationError):
            AgentConfigParam.model_validate_json(json.dumps({"UserOfflineTimeout": value}))


def test_update_sets_a_field_under_a_parent_stored_as_null(ice: Any) -> None:
    # A parent stored as null takes the updated field as a new object (a 500 before).
    instance_id = start(ice, AgentConfig={"Greeting": "hi", "TtsConfig": None}, TemplateConfig={"VoiceChat": None})
    change = {"TtsConfig": {"VoiceId": "b"}, "InterruptConfig": {"EnableVoiceInterrupt": True}}
    template_change = {"VoiceChat": {"Greeting": "t"}}
    ok(ice("UpdateAIAgentInstance", InstanceId=instance_id, AgentConfig=change, TemplateConfig=template_change))
    instance = described(ice, instance_id)
    assert instance["AgentConfig"] == {
        "Greeting": "hi",
        "TtsConfig": {"VoiceId": "b"},
        "InterruptConfig": {"EnableVoiceInterrupt": True},
    }
    assert instance["TemplateConfig"] == {"VoiceChat": {"Greeting": "t"}}
