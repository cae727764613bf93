"""The three config objects inside ICE `ListAIAgentInstance` `Instances[*]`: RuntimeConfig, TemplateConfig, AgentConfig.

Field lists and JSON types mirror the official SDK models (alibabacloud-ice20201109 6.20.2:
`_aiagent_runtime_config.py`, `_aiagent_template_config.py`, `_aiagent_config.py`); see
shared/vendors/alibaba-ice.md §3.3. Every field is optional because real records omit what was never set, so dump
with `exclude_unset=True` (or `exclude_none=True`) to reproduce a vendor record.

Enums are `Literal` only where the doc and the SDK docstring both give a closed set; ranges are noted in comments and
not enforced (the vendor does not promise to stay inside them; the factory does, and its tests check that).

SDK classes with identical shapes share one model here:
- `AIAgentRuntimeChat`: SDK `AIAgentRuntimeConfig{VoiceChat,VisionChat,AvatarChat3D}`.
- `AIAgentTemplateChat` (= SDK `...VisionChat`), subclassed by `AIAgentTemplateVoiceChat` and
  `AIAgentTemplateAvatarChat3D`.
- `AIAgentLlmMessage`: every SDK `...LlmHistory`.
- `AIAgentBackChanneling` / `AIAgentBackChannelingWord`: SDK `BackChannelingConfigs` and the deprecated
  `BackChannelingConfig`.
- `AIAgentAutoSpeechMessage`: SDK `...LlmPendingMessages` and `...UserIdleMessages`.
- `AIAgentVcrSwitch` / `AIAgentVcrDelayedSwitch`: the six `AIAgentConfigVcrConfig*` detectors.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from emulator.core.casing import JsonText, PascalModel
from emulator.vendors.ice.wire_types import Long


def _int_to_str(value: Any) -> Any:
    # The vendor's ListAIAgentInstance example writes `"AvatarId": 1231` although the SDK types it str.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


IdText = Annotated[str, BeforeValidator(_int_to_str)]

ChatMode = Literal["VoiceChat", "VisionChat", "AvatarChat3D"]
CHAT_MODES: tuple[ChatMode, ...] = ("VoiceChat", "VisionChat", "AvatarChat3D")

AsrLanguageId = Literal["zh_mandarin", "en", "zh_en", "es", "jp"]
LlmRole = Literal["user", "assistant", "system", "function", "plugin", "tool"]
TtsEmotion = Literal["happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm"]  # Minimax only
TtsModelId = Literal["speech-01-turbo", "speech-02-turbo"]  # Minimax only
PronunciationRuleType = Literal["replacement"]
BuiltinFunction = Literal["hangup"]
NoInterruptMode = Literal["cache", "discard"]
TurnDetectionMode = Literal["Normal", "Semantic"]
TurnDetectionEagerness = Literal["Low", "Medium", "High"]
VoiceprintRegistrationMode = Literal["Explicit", "Implicit"]
LlmPendingMode = Literal["random", "sequence"]
BackChannelingTriggerStage = Literal["pause_detected"]


# --- RuntimeConfig -----------------------------------------------------------------------------------------------


class AIAgentRuntimeChat(PascalModel):
    """One call mode's ARTC join parameters (all three "required" inside the chosen mode)."""

    agent_user_id: str | None = None
    auth_token: str | None = None
    channel_id: str | None = None


class AIAgentRuntimeConfig(PascalModel):
    # Top-level AgentUserId/AuthToken/ChannelId appeared after SDK 6.0.0.
    agent_user_id: str | None = None
    auth_token: str | None = None
    channel_id: str | None = None
    voice_chat: AIAgentRuntimeChat | None = None
    vision_chat: AIAgentRuntimeChat | None = None
    # to_pascal happens to give "AvatarChat3D" (it upper-cases a letter after a digit); pinned anyway.
    avatar_chat_3d: AIAgentRuntimeChat | None = Field(default=None, alias="AvatarChat3D")


# --- TemplateConfig (doc marks it deprecated in favour of AgentConfig) ------------------------------------------------


class AIAgentLlmMessage(PascalModel):
    role: LlmRole | None = None
    content: str | None = None


class AIAgentTemplateChat(PascalModel):
    """Fields shared by the three template modes; exactly the SDK's `AIAgentTemplateConfigVisionChat`."""

    asr_hot_words: list[str] | None = None  # at most 128
    asr_language_id: AsrLanguageId | None = None
    asr_max_silence: Long | None = None  # ms, 200-1200, default 400
    bailian_app_params: JsonText | None = None  # JSON text
    char_break: bool | None = None
    enable_intelligent_segment: bool | None = None  # default true
    enable_push_to_talk: bool | None = None  # default false
    enable_voice_interrupt: bool | None = None  # default true
    graceful_shutdown: bool | None = None  # default false; finishes speaking for at most 10 s
    greeting: str | None = None  # at most 128 characters
    interrupt_words: list[str] | None = None
    llm_history: list[AIAgentLlmMessage] | None = None  # SDK to_map always writes this key, [] when unset
    llm_history_limit: Long | None = None  # default 10
    llm_system_prompt: str | None = None
    max_idle_time: Long | None = None  # s, default 600
    use_voiceprint: bool | None = None  # default false
    user_offline_timeout: Long | None = None  # s, default 5
    user_online_timeout: Long | None = None  # s, default 60
    vad_level: Long | None = None  # 0-11, default 11, 0 disables VAD
    voice_id: str | None = None  # at most 64 characters
    voice_id_list: list[str] | None = None
    voiceprint_id: str | None = None
    volume: Long | None = None  # 0-400 (percent of workflow volume); unset = adaptive
    wake_up_query: str | None = None
    workflow_override_params: JsonText | None = None  # JSON text
    # On the vendor's own example response, though no SDK version models it (the SDKs drop unknown keys).
    app_id: str | None = None


class AIAgentTemplateMessageChat(PascalModel):
    """Only on the vendor's example response; no SDK version models it."""

    app_id: str | None = None


class AIAgentTemplateVoiceChat(AIAgentTemplateChat):
    avatar_url: str | None = None
    avatar_url_type: str | None = None  # e.g. "USER"; no closed set documented


class AIAgentTemplateAvatarChat3D(AIAgentTemplateChat):
    avatar_id: IdText | None = None


class AIAgentTemplateConfig(PascalModel):
    voice_chat: AIAgentTemplateVoiceChat | None = None
    vision_chat: AIAgentTemplateChat | None = None
    avatar_chat_3d: AIAgentTemplateAvatarChat3D | None = Field(default=None, alias="AvatarChat3D")
    message_chat: AIAgentTemplateMessageChat | None = None  # vendor example only, not in the SDK


# --- AgentConfig -------------------------------------------------------------------------------------------------


class AIAgentAsrConfig(PascalModel):
    asr_hot_words: list[str] | None = None  # at most 128
    asr_language_id: AsrLanguageId | None = None
    asr_max_silence: Long | None = None  # ms, 200-1200, default 400
    custom_params: JsonText | None = None  # passthrough for proprietary ASR, JSON text
    vad_duration: Long | None = None  # ms, 200-2000; 0 or unset disables
    vad_level: Long | None = None  # 0-11, default 11


class AIAgentPronunciationRule(PascalModel):
    type: PronunciationRuleType | None = None
    word: str | None = None  # 1-9 Chinese characters, no spaces
    pronunciation: str | None = None  # 1-9 Chinese characters, no spaces


class AIAgentTtsConfig(PascalModel):
    voice_id: str | None = None  # at most 64 characters
    voice_id_list: list[str] | None = None
    speech_rate: float | None = None  # 0.5-2.0, default 1.0
    emotion: TtsEmotion | None = None
    model_id: TtsModelId | None = None
    language_id: str | None = None  # Minimax language name ("Chinese,Yue", "English", ...) or "auto"
    pronunciation_rules: list[AIAgentPronunciationRule] | None = None  # at most 20; SDK always writes the key


class AIAgentFunctionMapping(PascalModel):
    function: BuiltinFunction | None = None
    match_function: str | None = None


class AIAgentLlmConfig(PascalModel):
    bailian_app_params: JsonText | None = None  # JSON text
    function_map: list[AIAgentFunctionMapping] | None = None  # SDK always writes the key
    history_sync_with_tts: bool | None = Field(default=None, alias="HistorySyncWithTTS")  # default false
    llm_complete_reply: bool | None = None
    llm_history: list[AIAgentLlmMessage] | None = None  # SDK always writes the key
    llm_history_limit: Long | None = None  # default 10
    llm_system_prompt: str | None = None
    # URL query text "k1=v1&k2=v2" (not JSON). The SDK attribute is `open_aiextra_query`.
    open_ai_extra_query: str | None = Field(default=None, alias="OpenAIExtraQuery")
    output_max_delay: Long | None = None  # ms, 1000-10000; 0 or unset = no limit
    output_min_length: Long | None = None  # characters, 0-100; 0 or unset = no buffering


class AIAgentInterruptConfig(PascalModel):
    enable_voice_interrupt: bool | None = None  # default true
    interrupt_words: list[str] | None = None
    keep_interrupt_words_for_llm: bool | None = Field(default=None, alias="KeepInterruptWordsForLLM")
    no_interrupt_mode: NoInterruptMode | None = None  # default "cache"


class AIAgentTurnDetectionConfig(PascalModel):
    mode: TurnDetectionMode | None = None  # default "Normal"
    eagerness: TurnDetectionEagerness | None = None  # Semantic mode only
    semantic_wait_duration: Long | None = None  # ms, -1 = automatic (default) or 0-10000
    turn_end_words: list[str] | None = None


class AIAgentVoiceprintConfig(PascalModel):
    use_voiceprint: bool | None = None  # default false
    voiceprint_id: str | None = None
    registration_mode: VoiceprintRegistrationMode | None = None  # default "Explicit"


class AIAgentAvatarConfig(PascalModel):
    avatar_id: IdText | None = None


class AIAgentAmbientSoundConfig(PascalModel):
    resource_id: str | None = None
    volume: Long | None = None  # 0-100, 0 = off


class AIAgentAutoSpeechMessage(PascalModel):
    text: str | None = None  # at most 100 characters
    probability: float | None = None  # 0-1; a message list's probabilities sum to 1


class AIAgentLlmPending(PascalModel):
    mode: LlmPendingMode | None = None
    wait_time: Long | None = None  # ms, 500-10000
    messages: list[AIAgentAutoSpeechMessage] | None = None  # at most 10; SDK always writes the key


class AIAgentUserIdle(PascalModel):
    wait_time: Long | None = None  # ms, 5000-600000
    max_repeats: Long | None = None  # 0-10
    hangup_end_word: str | None = None
    messages: list[AIAgentAutoSpeechMessage] | None = None  # at most 10; SDK always writes the key


class AIAgentAutoSpeechConfig(PascalModel):
    llm_pending: AIAgentLlmPending | None = None
    user_idle: AIAgentUserIdle | None = None


class AIAgentBackChannelingWord(PascalModel):
    text: str | None = None  # at most 20 characters
    probability: float | None = None  # 0-1; a rule's words sum to 1


class AIAgentBackChanneling(PascalModel):
    enabled: bool | None = None
    probability: float | None = None  # 0-1
    trigger_stage: BackChannelingTriggerStage | None = None
    words: list[AIAgentBackChannelingWord] | None = None  # at most 10; SDK always writes the key


class AIAgentVcrSwitch(PascalModel):
    enabled: bool | None = None  # default false


class AIAgentVcrDelayedSwitch(PascalModel):
    enabled: bool | None = None
    callback_delay: Long | None = None  # ms, 200-5000


class AIAgentVcrConfig(PascalModel):
    equipment: AIAgentVcrSwitch | None = None
    head_motion: AIAgentVcrSwitch | None = None
    look_away: AIAgentVcrSwitch | None = None
    people_count: AIAgentVcrSwitch | None = None
    still_frame_motion: AIAgentVcrDelayedSwitch | None = None
    invalid_frame_motion: AIAgentVcrDelayedSwitch | None = None


class AIAgentConfig(PascalModel):
    """The newer replacement for TemplateConfig (present from SDK 6.5.0)."""

    greeting: str | None = None
    wake_up_query: str | None = None
    max_idle_time: Long | None = None  # s, default 600
    user_online_timeout: Long | None = None  # s, default 60
    user_offline_timeout: Long | None = None  # s, default 5
    enable_push_to_talk: bool | None = None
    graceful_shutdown: bool | None = None
    enable_intelligent_segment: bool | None = None
    volume: Long | None = None  # 0-400; unset = adaptive
    workflow_override_params: JsonText | None = None  # JSON text
    experimental_config: JsonText | None = None  # JSON text
    avatar_url: str | None = None
    avatar_url_type: str | None = None
    asr_config: AIAgentAsrConfig | None = None
    tts_config: AIAgentTtsConfig | None = None
    llm_config: AIAgentLlmConfig | None = None
    interrupt_config: AIAgentInterruptConfig | None = None
    turn_detection_config: AIAgentTurnDetectionConfig | None = None
    voiceprint_config: AIAgentVoiceprintConfig | None = None
    avatar_config: AIAgentAvatarConfig | None = None
    ambient_sound_config: AIAgentAmbientSoundConfig | None = None
    auto_speech_config: AIAgentAutoSpeechConfig | None = None
    back_channeling_configs: list[AIAgentBackChanneling] | None = None  # SDK always writes the key
    back_channeling_config: list[AIAgentBackChanneling] | None = None  # deprecated; SDK always writes the key
    vcr_config: AIAgentVcrConfig | None = None
