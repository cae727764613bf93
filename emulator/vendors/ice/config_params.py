"""The config objects as request parameters (StartAIAgentInstance, GenerateAIAgentCall, UpdateAIAgentInstance).

The SDKs' "shrink" requests send RuntimeConfig, TemplateConfig, AgentConfig and ChatSyncConfig as JSON text in the
query string. Each is parsed here and validated against the record model of `configs` it becomes, tightened for
input: JSON types are strict (a boolean is `true`/`false`, an integer a JSON integer, text a JSON string) and the
ranges and lengths the SDK documents (shared/vendors/alibaba-ice.md §3.3) are enforced. The record models stay
lenient: stored data and fixtures are not held to what a request must meet.

A field holding JSON text is marked with `JSON_TEXT_PARAM`, so the OpenAPI document describes it as a query
parameter with `application/json` content of the object's schema, which is what a client has to send.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BeforeValidator, ConfigDict, Field, JsonValue, model_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from emulator.core.casing import PascalModel
from emulator.core.params import JSON_INTEGER
from emulator.vendors.ice.configs import (
    AIAgentAmbientSoundConfig,
    AIAgentAsrConfig,
    AIAgentAutoSpeechConfig,
    AIAgentAutoSpeechMessage,
    AIAgentAvatarConfig,
    AIAgentBackChanneling,
    AIAgentBackChannelingWord,
    AIAgentConfig,
    AIAgentFunctionMapping,
    AIAgentInterruptConfig,
    AIAgentLlmConfig,
    AIAgentLlmMessage,
    AIAgentLlmPending,
    AIAgentPronunciationRule,
    AIAgentRuntimeChat,
    AIAgentRuntimeConfig,
    AIAgentTemplateAvatarChat3D,
    AIAgentTemplateChat,
    AIAgentTemplateConfig,
    AIAgentTemplateMessageChat,
    AIAgentTemplateVoiceChat,
    AIAgentTtsConfig,
    AIAgentTurnDetectionConfig,
    AIAgentUserIdle,
    AIAgentVcrConfig,
    AIAgentVcrDelayedSwitch,
    AIAgentVcrSwitch,
    AIAgentVoiceprintConfig,
)

# The OpenAPI marker of a query parameter carrying a JSON document (see emulator.vendors.ice.routes).
JSON_TEXT_KEY = "x-json-text"
JSON_TEXT_PARAM: JsonDict = {JSON_TEXT_KEY: True}
# Strict JSON types; keys this SDK version does not know are ignored, as the service's deserializer does (a newer
# SDK may send fields added since), rather than refused as a fixture typo is.
STRICT = ConfigDict(strict=True, extra="ignore", defer_build=True)  # built at first use, see WireModel


def _integral(text: str) -> float | int:
    # 3.0 is an integer to JSON Schema (and to the Java services behind the gateway): let integer fields take it.
    value = float(text)
    return int(value) if value.is_integer() else value


def _no_constant(text: str) -> NoReturn:
    raise ValueError(f"{text} is not JSON")


def _parse_json_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value, parse_float=_integral, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise PydanticCustomError("json_invalid", "not a JSON document") from None


# Annotated[<Model>, JSON_TEXT]: a query parameter whose value is the model as JSON text.
JSON_TEXT = BeforeValidator(_parse_json_text)

# The integer 0 as a setting's "off": a Literal alone matches `false` too (False == 0 in Python), which JSON does not.
Off = Annotated[Literal[0], JSON_INTEGER]

Probability = Annotated[float, Field(ge=0, le=1)]
Volume = Annotated[int, Field(ge=0, le=400)]  # percent of the workflow's volume; unset = adaptive
VadLevel = Annotated[int, Field(ge=0, le=11)]  # 0 turns voice activity detection off
AsrMaxSilence = Annotated[int, Field(ge=200, le=1200)]  # ms
VoiceId = Annotated[str, Field(max_length=64)]
HotWords = Annotated[list[str], Field(max_length=128)]


# --- RuntimeConfig -----------------------------------------------------------------------------------------------


class RuntimeChatParam(AIAgentRuntimeChat):
    """One call mode's ARTC join parameters: all three required inside the mode."""

    model_config = STRICT
    agent_user_id: str = Field(min_length=1)
    auth_token: str = Field(min_length=1)
    channel_id: str = Field(min_length=1)


TOP_LEVEL_JOIN = ["AgentUserId", "AuthToken", "ChannelId"]
MODES = ["VoiceChat", "VisionChat", "AvatarChat3D"]
# The rule below, for the OpenAPI document: the top-level three, or a call mode's object.
JOIN_ALTERNATIVES: list[JsonValue] = [
    {"required": list[JsonValue](TOP_LEVEL_JOIN), "properties": {k: {"type": "string"} for k in TOP_LEVEL_JOIN}}
]
JOIN_ALTERNATIVES += [{"required": [mode], "properties": {mode: {"type": "object"}}} for mode in MODES]


class RuntimeConfigParam(AIAgentRuntimeConfig):
    """Where the agent joins: the three top-level fields together, or (deprecated form) one call mode's object."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra={"anyOf": JOIN_ALTERNATIVES})
    agent_user_id: str | None = Field(None, min_length=1)
    auth_token: str | None = Field(None, min_length=1)
    channel_id: str | None = Field(None, min_length=1)
    voice_chat: RuntimeChatParam | None = None
    vision_chat: RuntimeChatParam | None = None
    avatar_chat_3d: RuntimeChatParam | None = Field(default=None, alias="AvatarChat3D")

    @model_validator(mode="after")
    def _joins_a_channel(self) -> RuntimeConfigParam:
        top_level = self.agent_user_id and self.auth_token and self.channel_id
        if not top_level and not (self.voice_chat or self.vision_chat or self.avatar_chat_3d):
            raise ValueError("names no channel to join: AgentUserId, AuthToken and ChannelId, or a call mode")
        return self


# --- TemplateConfig (deprecated) ----------------------------------------------------------------------------------


class LlmMessageParam(AIAgentLlmMessage):
    model_config = STRICT


class TemplateChatParam(AIAgentTemplateChat):
    model_config = STRICT
    llm_history: list[LlmMessageParam] | None = None  # type: ignore[assignment]
    asr_hot_words: HotWords | None = None
    asr_max_silence: AsrMaxSilence | None = None
    greeting: Annotated[str, Field(max_length=128)] | None = None
    vad_level: VadLevel | None = None
    voice_id: VoiceId | None = None
    volume: Volume | None = None


class TemplateVoiceChatParam(TemplateChatParam, AIAgentTemplateVoiceChat):
    pass


class TemplateAvatarChat3DParam(TemplateChatParam, AIAgentTemplateAvatarChat3D):
    pass


class TemplateMessageChatParam(AIAgentTemplateMessageChat):
    model_config = STRICT


class TemplateConfigParam(AIAgentTemplateConfig):
    model_config = STRICT
    message_chat: TemplateMessageChatParam | None = None
    voice_chat: TemplateVoiceChatParam | None = None
    vision_chat: TemplateChatParam | None = None
    avatar_chat_3d: TemplateAvatarChat3DParam | None = Field(default=None, alias="AvatarChat3D")


# --- AgentConfig ---------------------------------------------------------------------------------------------------


class AsrConfigParam(AIAgentAsrConfig):
    model_config = STRICT
    asr_hot_words: HotWords | None = None
    asr_max_silence: AsrMaxSilence | None = None
    vad_duration: Off | Annotated[int, Field(ge=200, le=2000)] | None = None  # ms; 0 turns it off
    vad_level: VadLevel | None = None


class PronunciationRuleParam(AIAgentPronunciationRule):
    model_config = STRICT


class TtsConfigParam(AIAgentTtsConfig):
    model_config = STRICT
    voice_id: VoiceId | None = None
    speech_rate: Annotated[float, Field(ge=0.5, le=2.0)] | None = None
    pronunciation_rules: Annotated[list[PronunciationRuleParam], Field(max_length=20)] | None = None  # type: ignore[assignment]


class FunctionMappingParam(AIAgentFunctionMapping):
    model_config = STRICT


class LlmConfigParam(AIAgentLlmConfig):
    model_config = STRICT
    function_map: list[FunctionMappingParam] | None = None  # type: ignore[assignment]
    llm_history: list[LlmMessageParam] | None = None  # type: ignore[assignment]
    output_max_delay: Off | Annotated[int, Field(ge=1000, le=10000)] | None = None  # ms; 0 = no limit
    output_min_length: Annotated[int, Field(ge=0, le=100)] | None = None  # characters; 0 = no buffering


class InterruptConfigParam(AIAgentInterruptConfig):
    model_config = STRICT


class TurnDetectionConfigParam(AIAgentTurnDetectionConfig):
    model_config = STRICT
    semantic_wait_duration: Annotated[int, Field(ge=-1, le=10000)] | None = None  # ms; -1 = automatic


class VoiceprintConfigParam(AIAgentVoiceprintConfig):
    model_config = STRICT


class AvatarConfigParam(AIAgentAvatarConfig):
    model_config = STRICT


class AmbientSoundConfigParam(AIAgentAmbientSoundConfig):
    model_config = STRICT
    volume: Annotated[int, Field(ge=0, le=100)] | None = None  # 0 = off


class AutoSpeechMessageParam(AIAgentAutoSpeechMessage):
    model_config = STRICT
    text: Annotated[str, Field(max_length=100)] | None = None
    probability: Probability | None = None


AutoSpeechMessages = Annotated[list[AutoSpeechMessageParam], Field(max_length=10)]


class LlmPendingParam(AIAgentLlmPending):
    model_config = STRICT
    wait_time: Annotated[int, Field(ge=500, le=10000)] | None = None  # ms
    messages: AutoSpeechMessages | None = None  # type: ignore[assignment]


class UserIdleParam(AIAgentUserIdle):
    model_config = STRICT
    wait_time: Annotated[int, Field(ge=5000, le=600000)] | None = None  # ms
    max_repeats: Annotated[int, Field(ge=0, le=10)] | None = None
    messages: AutoSpeechMessages | None = None  # type: ignore[assignment]


class AutoSpeechConfigParam(AIAgentAutoSpeechConfig):
    model_config = STRICT
    llm_pending: LlmPendingParam | None = None
    user_idle: UserIdleParam | None = None


class BackChannelingWordParam(AIAgentBackChannelingWord):
    model_config = STRICT
    text: Annotated[str, Field(max_length=20)] | None = None
    probability: Probability | None = None


class BackChannelingParam(AIAgentBackChanneling):
    model_config = STRICT
    probability: Probability | None = None
    words: Annotated[list[BackChannelingWordParam], Field(max_length=10)] | None = None  # type: ignore[assignment]


class VcrSwitchParam(AIAgentVcrSwitch):
    model_config = STRICT


class VcrDelayedSwitchParam(AIAgentVcrDelayedSwitch):
    model_config = STRICT
    callback_delay: Annotated[int, Field(ge=200, le=5000)] | None = None  # ms


class VcrConfigParam(AIAgentVcrConfig):
    model_config = STRICT
    equipment: VcrSwitchParam | None = None
    head_motion: VcrSwitchParam | None = None
    look_away: VcrSwitchParam | None = None
    people_count: VcrSwitchParam | None = None
    still_frame_motion: VcrDelayedSwitchParam | None = None
    invalid_frame_motion: VcrDelayedSwitchParam | None = None


class AgentConfigParam(AIAgentConfig):
    model_config = STRICT
    volume: Volume | None = None
    asr_config: AsrConfigParam | None = None
    tts_config: TtsConfigParam | None = None
    llm_config: LlmConfigParam | None = None
    interrupt_config: InterruptConfigParam | None = None
    turn_detection_config: TurnDetectionConfigParam | None = None
    voiceprint_config: VoiceprintConfigParam | None = None
    avatar_config: AvatarConfigParam | None = None
    ambient_sound_config: AmbientSoundConfigParam | None = None
    auto_speech_config: AutoSpeechConfigParam | None = None
    back_channeling_configs: list[BackChannelingParam] | None = None  # type: ignore[assignment]
    back_channeling_config: list[BackChannelingParam] | None = None  # type: ignore[assignment]  # deprecated
    vcr_config: VcrConfigParam | None = None


# --- ChatSyncConfig ------------------------------------------------------------------------------------------------


class ChatSyncConfigParam(PascalModel):
    """Where the call's transcript is mirrored: an IM agent and the receiving user (accepted; not modelled)."""

    model_config = STRICT
    im_ai_agent_id: str | None = Field(None, alias="IMAIAgentId")
    receiver_id: str | None = None
