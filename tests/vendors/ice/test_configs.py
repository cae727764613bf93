"""ICE instance config models (emulator.vendors.ice.configs) and their builders (config_factory).

The models are checked against the official SDK (alibabacloud-ice20201109): every wire key of a fully populated SDK
object must be one of our aliases with the same JSON type, and we must have no alias the SDK lacks.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import sys
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_ice20201109 import models as sdk  # type: ignore[import-untyped]
from faker import Faker
from pydantic import BaseModel, Field, ValidationError

from emulator.vendors.ice import config_factory as F
from emulator.vendors.ice.configs import (
    CHAT_MODES,
    AIAgentConfig,
    AIAgentLlmConfig,
    AIAgentRuntimeConfig,
    AIAgentTemplateAvatarChat3D,
    AIAgentTemplateConfig,
)

# --- (a) the vendor page example (shared/seeds/001_eae938a90a451682.txt, ListAIAgentInstance "Sample success") ----

PAGE_RUNTIME_CONFIG: dict[str, Any] = {
    "VoiceChat": {
        "AuthToken": "eyJhcHBpZCI6ICIxMjM0MTIzNxxxxx",
        "AgentUserId": "877ae632caae49b1afc81c2e8194ffb4",
        "ChannelId": "70f22d5784194938a7e387052f2b3208",
    },
    "AuthToken": "eyJhcHBpZCI6ICIxMjM0MTIzNxxxxx",
    "AgentUserId": "877ae632caae49b1afc81c2e8194ffb4",
    "VisionChat": {
        "AuthToken": "eyJhcHBpZCI6ICIxMjM0MTIzNxxxxx",
        "AgentUserId": "877ae632caae49b1afc81c2e8194ffb4",
        "ChannelId": "70f22d5784194938a7e387052f2b3208",
    },
    "ChannelId": "70f22d5784194938a7e387052f2b3208\n",
    "AvatarChat3D": {
        "AuthToken": "eyJhcHBpZCI6ICIxMjM0MTIzNxxxxx",
        "AgentUserId": "877ae632caae49b1afc81c2e8194ffb4",
        "ChannelId": "70f22d5784194938a7e387052f2b3208",
    },
}

PAGE_TEMPLATE_CONFIG: dict[str, Any] = {
    "VoiceChat": {
        "Greeting": "",
        "LlmHistory": [{"Role": "user", "Content": ""}],
        "UserOnlineTimeout": 60,
        "UserOfflineTimeout": 5,
        "WorkflowOverrideParams": {},
        "EnableIntelligentSegment": True,
        "AvatarUrlType": "USER",
        "BailianAppParams": {},
        "LlmHistoryLimit": 10,
        "AsrMaxSilence": 400,
        "AvatarUrl": "http://example.com/a.jpg",
        "WakeUpQuery": "",
        "AppId": "",
        "Volume": 100,
        "EnableVoiceInterrupt": True,
        "VoiceprintId": "uniqueId",
        "VoiceId": "zhixiaoxia",
        "UseVoiceprint": False,
        "MaxIdleTime": 600,
        "GracefulShutdown": True,
        "EnablePushToTalk": False,
    },
    "MessageChat": {"AppId": ""},
    "VisionChat": {
        "Greeting": "Good morning, my friend!\n",
        "LlmHistory": [{"Role": "user", "Content": ""}],
        "UserOnlineTimeout": 60,
        "UserOfflineTimeout": 5,
        "WorkflowOverrideParams": {},
        "EnableIntelligentSegment": True,
        "BailianAppParams": {},
        "LlmHistoryLimit": 10,
        "AsrMaxSilence": 400,
        "WakeUpQuery": "",
        "AppId": "",
        "Volume": 100,
        "EnableVoiceInterrupt": True,
        "VoiceprintId": "uniqueId",
        "VoiceId": "zhixiaoxia",
        "UseVoiceprint": False,
        "MaxIdleTime": 600,
        "GracefulShutdown": False,
        "EnablePushToTalk": False,
    },
    "AvatarChat3D": {
        "Greeting": "",
        "LlmHistory": [{"Role": "user", "Content": ""}],
        "UserOnlineTimeout": 60,
        "UserOfflineTimeout": 5,
        "WorkflowOverrideParams": {},
        "EnableIntelligentSegment": True,
        "BailianAppParams": {},
        "LlmHistoryLimit": 10,
        "AsrMaxSilence": 400,
        "WakeUpQuery": "",
        "AppId": "",
        "Volume": 100,
        "AvatarId": 1231,
        "EnableVoiceInterrupt": True,
        "VoiceprintId": "uniqueId",
        "VoiceId": "zhixiaoxia",
        "UseVoiceprint": False,
        "MaxIdleTime": 600,
        "GracefulShutdown": True,
        "EnablePushToTalk": False,
    },
}

# Keys on the vendor's example that no SDK version models. The service sends them, so the models keep them (the
# SDKs drop unknown keys); they are the only aliases allowed beyond the SDK's.
PAGE_KEYS_NOT_IN_SDK = {("MessageChat",), ("VoiceChat", "AppId"), ("VisionChat", "AppId"), ("AvatarChat3D", "AppId")}
PAGE_ONLY_ALIASES = {"AIAgentTemplateConfig": {"MessageChat"}} | {
    f"AIAgentTemplateConfig.{mode}": {"AppId"} for mode in ("VoiceChat", "VisionChat", "AvatarChat3D")
}
JSON_TEXT_KEYS = ("BailianAppParams", "WorkflowOverrideParams")


def _dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_page_runtime_config_round_trips() -> None:
    assert _dump(AIAgentRuntimeConfig.model_validate(PAGE_RUNTIME_CONFIG)) == PAGE_RUNTIME_CONFIG


def test_page_template_config_keeps_the_keys_the_sdk_lacks() -> None:
    model = AIAgentTemplateConfig.model_validate(PAGE_TEMPLATE_CONFIG)
    dumped = _dump(model)
    for path in PAGE_KEYS_NOT_IN_SDK:
        node = dumped
        for key in path:
            node = node[key]
        assert node == PAGE_TEMPLATE_CONFIG[path[0]] if len(path) == 1 else node == ""


def test_page_template_config_round_trips() -> None:
    page = copy.deepcopy(PAGE_TEMPLATE_CONFIG)
    expected = copy.deepcopy(page)
    expected["AvatarChat3D"]["AvatarId"] = "1231"  # int on the page, str in the SDK
    for mode in CHAT_MODES:
        for key in JSON_TEXT_KEYS:  # JSON text in the SDK; the page shows the decoded object
            assert expected[mode][key] == {}
            expected[mode][key] = "{}"

    model = AIAgentTemplateConfig.model_validate(page)
    assert isinstance(model.avatar_chat_3d, AIAgentTemplateAvatarChat3D)
    assert model.avatar_chat_3d.avatar_id == "1231"
    assert _dump(model) == expected
    # and the emitted form is a fixed point
    assert _dump(AIAgentTemplateConfig.model_validate(expected)) == expected


def test_avatar_id_accepts_int_and_emits_str_but_not_bool() -> None:
    assert _dump(AIAgentConfig.model_validate({"AvatarConfig": {"AvatarId": 7}})) == {"AvatarConfig": {"AvatarId": "7"}}
    with pytest.raises(ValidationError):
        AIAgentConfig.model_validate({"AvatarConfig": {"AvatarId": True}})


# --- (b) determinism -------------------------------------------------------------------------------------------


def _faker(seed: int | str) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return fake


def _build_all(seed: int) -> list[str]:
    r = random.Random(seed)
    fake = _faker(seed)
    out: list[str] = []
    for i in range(30):
        mode = CHAT_MODES[i % 3]
        out.append(F.runtime_config(r, fake, mode).model_dump_json())
        out.append(F.template_config(r, fake, mode).model_dump_json())
        out.append(F.agent_config(r, fake).model_dump_json())
    return out


def test_builders_are_deterministic() -> None:
    assert _build_all(11) == _build_all(11)


def test_different_seeds_differ() -> None:
    a, b = _build_all(11), _build_all(12)
    assert all(x != y for x, y in zip(a, b, strict=True))


def test_explicit_pools_equal_cached_pools() -> None:
    fake = _faker(5)
    assert F.pools_for(fake) is F.pools_for(fake)
    assert F.pools_for(fake) != F.pools_for(_faker(6))
    explicit = F.ConfigPools.build(_faker(5))
    a = F.agent_config(random.Random(1), _faker(5), pools=explicit)
    b = F.agent_config(random.Random(1), _faker(5))
    assert a.model_dump_json() == b.model_dump_json()


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="MessageChat"):
        F.runtime_config(random.Random(1), _faker(1), "MessageChat")
    with pytest.raises(ValueError):
        F.template_config(random.Random(1), _faker(1), "voicechat")


# --- (c) documented ranges -------------------------------------------------------------------------------------

N = 300
HEX32 = re.compile(r"[0-9a-f]{32}")
ASR_LANGS = {"zh_mandarin", "en", "zh_en", "es", "jp"}
ROLES = {"user", "assistant", "system", "function", "plugin", "tool"}


def _compact_json(text: str) -> None:
    assert json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) == text


def _unit_sum(probabilities: list[float]) -> None:
    assert all(0 < p <= 1 for p in probabilities)
    assert abs(sum(probabilities) - 1) < 1e-9


def _samples() -> Iterator[tuple[str, AIAgentRuntimeConfig, AIAgentTemplateConfig, AIAgentConfig]]:
    r = random.Random(2024)
    fake = _faker(2024)
    for i in range(N):
        mode = CHAT_MODES[i % 3]
        yield mode, F.runtime_config(r, fake, mode), F.template_config(r, fake, mode), F.agent_config(r, fake)


@pytest.fixture(scope="module")
def samples() -> list[tuple[str, AIAgentRuntimeConfig, AIAgentTemplateConfig, AIAgentConfig]]:
    return list(_samples())


def test_generated_configs_revalidate_unchanged(
    samples: list[tuple[str, AIAgentRuntimeConfig, AIAgentTemplateConfig, AIAgentConfig]],
) -> None:
    for _, rt, tc, ac in samples:
        for model in (rt, tc, ac):
            wire = _dump(model)
            assert _dump(type(model).model_validate(wire)) == wire
            assert json.loads(model.model_dump_json(exclude_unset=True)) == wire


def test_runtime_config_shape(
    samples: list[tuple[str, AIAgentRuntimeConfig, AIAgentTemplateConfig, AIAgentConfig]],
) -> None:
    for mode, rt, _, _ in samples:
        wire = _dump(rt)
        assert set(wire) == {"AgentUserId", "AuthToken", "ChannelId", mode}
        assert wire[mode] == {k: wire[k] for k in ("AgentUserId", "AuthToken", "ChannelId")}
        assert HEX32.fullmatch(wire["AgentUserId"]) and HEX32.fullmatch(wire["ChannelId"])
        token = json.loads(base64.b64decode(wire["AuthToken"], validate=True))
        assert wire["AuthToken"].startswith("eyJhcHBpZCI6")  # '{"appid":', like the page's example token
        assert token["channelid"] == wire["ChannelId"] and token["userid"] == wire["AgentUserId"]


def test_template_config_ranges(
    samples: list[tuple[str, AIAgentRuntimeConfig, AIAgentTemplateConfig, AIAgentConfig]],
) -> None:
    seen: dict[str, set[Any]] = {"lang": set(), "role": set(), "vad": set(), "extra_modes": set()}
    silences: list[int] = []
    volumes: list[int] = []
    for mode, _, tc, _ in samples:
        wire = _dump(tc)
        assert mode in wire and set(wire) <= set(CHAT_MODES)
        seen["extra_modes"] |= set(wire) - {mode}
        for m, chat in wire.items():
            assert 200 <= chat["AsrMaxSilence"] <= 1200
            silences.append(chat["AsrMaxSilence"])
            if "VadLevel" in chat:
                assert 0 <= chat["VadLevel"] <= 11
                seen["vad"].add(chat["VadLevel"])
            if "Volume" in chat:
                assert 0 <= chat["Volume"] <= 400
                volumes.append(chat["Volume"])
            if "AsrLanguageId" in chat:
                assert chat["AsrLanguageId"] in ASR_LANGS
                seen["lang"].add(chat["AsrLanguageId"])
            assert len(chat["Greeting"]) <= 128
            assert len(chat["VoiceId"]) <= 64
            assert len(chat.get("AsrHotWords", [])) <= 128
            for msg in chat["LlmHistory"]:
                assert msg["Role"] in ROLES and isinstance(msg["Content"], str)
                seen["role"].add(msg["Role"])
            assert chat["LlmHistoryLimit"] >= 1 and chat["MaxIdleTime"] > 0
            assert chat["UserOnlineTimeout"] > 0 and chat["UserOfflineTimeout"] > 0
            if chat["UseVoiceprint"]:
                assert chat["VoiceprintId"]
            for key in JSON_TEXT_KEYS:
                _compact_json(chat[key])
            assert ("AvatarId" in chat) == (m == "AvatarChat3D")
            assert "AvatarUrl" not in chat or m == "VoiceChat"
    assert seen["lang"] == ASR_LANGS and seen["role"] == ROLES
    assert {0, 11} <= seen["vad"] and seen["extra_modes"] == set(CHAT_MODES)
    assert min(silences) < 300 and max(silences) > 1100
    assert min(volumes) < 50 and max(volumes) > 350


def test_agent_config_ranges(
    samples: list[tuple[str, AIAgentRuntimeConfig, AIAgentTemplateConfig, AIAgentConfig]],
) -> None:
    rates: list[float] = []
    turn_modes: set[str] = set()
    emotions: set[str] = set()
    for _, _, _, ac in samples:
        w = _dump(ac)
        for key in ("AsrConfig", "TtsConfig", "LlmConfig", "InterruptConfig", "TurnDetectionConfig",
                    "VoiceprintConfig", "AvatarConfig", "AmbientSoundConfig", "AutoSpeechConfig",
                    "BackChannelingConfigs", "VcrConfig"):  # fmt: skip
            assert key in w
        assert "Volume" not in w or 0 <= w["Volume"] <= 400
        for key in ("WorkflowOverrideParams", "ExperimentalConfig"):
            _compact_json(w[key])

        asr = w["AsrConfig"]
        assert 200 <= asr["AsrMaxSilence"] <= 1200 and 0 <= asr["VadLevel"] <= 11
        assert asr["VadDuration"] == 0 or 200 <= asr["VadDuration"] <= 2000
        assert asr["AsrLanguageId"] in ASR_LANGS and len(asr["AsrHotWords"]) <= 128
        _compact_json(asr["CustomParams"])

        tts = w["TtsConfig"]
        assert 0.5 <= tts["SpeechRate"] <= 2.0
        rates.append(tts["SpeechRate"])
        assert len(tts["VoiceId"]) <= 64 and tts["VoiceId"] in tts["VoiceIdList"]
        assert len(tts["PronunciationRules"]) <= 20
        for rule in tts["PronunciationRules"]:
            assert rule["Type"] == "replacement"
            for text in (rule["Word"], rule["Pronunciation"]):
                assert 1 <= len(text) <= 9 and " " not in text
        if "Emotion" in tts:
            emotions.add(tts["Emotion"])
            assert "ModelId" in tts  # Minimax-only fields travel together

        llm = w["LlmConfig"]
        _compact_json(llm["BailianAppParams"])
        assert all(f == {"Function": "hangup", "MatchFunction": f["MatchFunction"]} for f in llm["FunctionMap"])
        assert all(m["Role"] in ROLES for m in llm["LlmHistory"])
        assert "OutputMaxDelay" not in llm or 1000 <= llm["OutputMaxDelay"] <= 10000
        assert "OutputMinLength" not in llm or 0 <= llm["OutputMinLength"] <= 100
        if "OpenAIExtraQuery" in llm:
            assert re.fullmatch(r"\w+=[^&=]+(&\w+=[^&=]+)*", llm["OpenAIExtraQuery"])

        assert w["InterruptConfig"]["NoInterruptMode"] in {"cache", "discard"}

        td = w["TurnDetectionConfig"]
        turn_modes.add(td["Mode"])
        assert td["SemanticWaitDuration"] == -1 or 0 <= td["SemanticWaitDuration"] <= 10000
        assert ("Eagerness" in td) == (td["Mode"] == "Semantic")
        assert td.get("Eagerness", "Low") in {"Low", "Medium", "High"}

        vp = w["VoiceprintConfig"]
        assert vp["RegistrationMode"] in {"Explicit", "Implicit"}
        assert not vp["UseVoiceprint"] or vp["VoiceprintId"]

        assert w["AvatarConfig"]["AvatarId"].isdigit()
        assert 0 <= w["AmbientSoundConfig"]["Volume"] <= 100

        pending = w["AutoSpeechConfig"]["LlmPending"]
        assert pending["Mode"] in {"random", "sequence"} and 500 <= pending["WaitTime"] <= 10000
        idle = w["AutoSpeechConfig"]["UserIdle"]
        assert 5000 <= idle["WaitTime"] <= 600000 and 0 <= idle["MaxRepeats"] <= 10
        for msgs in (pending["Messages"], idle["Messages"]):
            assert 1 <= len(msgs) <= 10 and all(len(m["Text"]) <= 100 for m in msgs)
            _unit_sum([m["Probability"] for m in msgs])

        for rule in w["BackChannelingConfigs"] + w.get("BackChannelingConfig", []):
            assert rule["TriggerStage"] == "pause_detected" and 0 <= rule["Probability"] <= 1
            assert 1 <= len(rule["Words"]) <= 10 and all(len(x["Text"]) <= 20 for x in rule["Words"])
            _unit_sum([x["Probability"] for x in rule["Words"]])

        vcr = w["VcrConfig"]
        assert set(vcr) == {"Equipment", "HeadMotion", "LookAway", "PeopleCount", "StillFrameMotion",
                            "InvalidFrameMotion"}  # fmt: skip
        for key in ("StillFrameMotion", "InvalidFrameMotion"):
            assert 200 <= vcr[key]["CallbackDelay"] <= 5000
    assert min(rates) < 0.7 and max(rates) > 1.8 and 1.0 in rates
    assert turn_modes == {"Normal", "Semantic"} and len(emotions) >= 5


# --- (d) every alias is an SDK wire key, every SDK key is an alias, same JSON type -----------------------------

_SDK_SAMPLE: dict[Any, Any] = {str: "s", int: 7, bool: True, float: 0.5}


def _populated(cls: type[Any]) -> Any:
    """An SDK model instance with every attribute set, recursively (lists hold one element)."""
    hints = typing.get_type_hints(cls.__init__, globalns=vars(sys.modules[cls.__module__]))
    kwargs: dict[str, Any] = {}
    for name, hint in hints.items():
        if name == "return":
            continue
        if hint in _SDK_SAMPLE:
            kwargs[name] = _SDK_SAMPLE[hint]
        elif typing.get_origin(hint) is list:
            (item,) = typing.get_args(hint)
            kwargs[name] = [_SDK_SAMPLE[item] if item in _SDK_SAMPLE else _populated(item)]
        else:
            kwargs[name] = _populated(hint)
    return cls(**kwargs)


def _non_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        (only,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return only
    return annotation


def _our_kind(annotation: Any) -> str:
    a = _non_none(annotation)
    if typing.get_origin(a) is typing.Annotated:
        a = typing.get_args(a)[0]
    if typing.get_origin(a) is typing.Literal:
        (kind,) = {type(v).__name__ for v in typing.get_args(a)}
        return kind
    if typing.get_origin(a) is list:
        return f"list[{_our_kind(typing.get_args(a)[0])}]"
    return str(a.__name__)


def _sdk_kind(value: Any) -> str:
    if isinstance(value, list):
        return f"list[{_sdk_kind(value[0])}]"
    return "object" if isinstance(value, dict) else type(value).__name__


def _alias_problems(sdk_map: dict[str, Any], model: type[BaseModel], path: str) -> list[str]:
    ours = {f.alias or name: f for name, f in model.model_fields.items()}
    problems = [f"{path}.{k}: SDK key missing from {model.__name__}" for k in sorted(set(sdk_map) - set(ours))]
    allowed = PAGE_ONLY_ALIASES.get(path, set())
    extra = set(ours) - set(sdk_map) - allowed
    problems += [f"{path}.{k}: {model.__name__} alias not in the SDK" for k in sorted(extra)]
    for key in sorted(set(ours) & set(sdk_map)):
        value, ann = sdk_map[key], _non_none(ours[key].annotation)
        nested = typing.get_args(ann)[0] if typing.get_origin(ann) is list else ann
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            if isinstance(value, list):
                value = value[0]
            if isinstance(value, dict):
                problems += _alias_problems(value, nested, f"{path}.{key}")
            else:
                problems.append(f"{path}.{key}: SDK {_sdk_kind(sdk_map[key])}, ours an object")
        elif _sdk_kind(value) != _our_kind(ann):
            problems.append(f"{path}.{key}: SDK {_sdk_kind(value)}, ours {_our_kind(ann)}")
    return problems


PAIRS = [
    (sdk.AIAgentRuntimeConfig, AIAgentRuntimeConfig),
    (sdk.AIAgentTemplateConfig, AIAgentTemplateConfig),
    (sdk.AIAgentConfig, AIAgentConfig),
]


@pytest.mark.parametrize(("sdk_cls", "ours"), PAIRS, ids=lambda c: c.__name__)
def test_aliases_match_sdk_wire_keys(sdk_cls: type[Any], ours: type[BaseModel]) -> None:
    wire = _populated(sdk_cls).to_map()
    assert _alias_problems(wire, ours, sdk_cls.__name__) == []


def test_populated_sdk_object_covers_every_sdk_key() -> None:
    # Guards the check above against a populate() that silently skips attributes.
    def count(m: dict[str, Any]) -> int:
        n = 0
        for v in m.values():
            n += 1
            if isinstance(v, list) and v and isinstance(v[0], dict):
                n += count(v[0])
            elif isinstance(v, dict):
                n += count(v)
        return n

    assert [count(_populated(s).to_map()) for s, _ in PAIRS] == [15, 87, 108]


class _WrongLlm(AIAgentLlmConfig):
    open_ai_extra_query: str | None = Field(default=None, alias="OpenAiExtraQuery")  # SDK: OpenAIExtraQuery
    invented: str | None = None  # not in the SDK
    llm_history_limit: str | None = None  # type: ignore[assignment]  # SDK: int


class _WrongAgent(AIAgentConfig):
    llm_config: _WrongLlm | None = None


def test_alias_check_can_fail() -> None:
    wire = _populated(sdk.AIAgentConfig).to_map()
    assert _alias_problems(wire, _WrongAgent, "X") == [
        "X.LlmConfig.OpenAIExtraQuery: SDK key missing from _WrongLlm",
        "X.LlmConfig.Invented: _WrongLlm alias not in the SDK",
        "X.LlmConfig.OpenAiExtraQuery: _WrongLlm alias not in the SDK",
        "X.LlmConfig.LlmHistoryLimit: SDK int, ours str",
    ]
