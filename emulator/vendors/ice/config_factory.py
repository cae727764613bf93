"""Deterministic builders for the ICE instance configs (RuntimeConfig, TemplateConfig, AgentConfig).

All randomness comes from the `random.Random` and the seeded `Faker` the caller passes in; the clock is never read.
Faker is only used to fill a `ConfigPools` of text once per Faker instance (or the caller passes a prebuilt one);
per-record choices are cheap `r` draws over those pools, so a builder costs tens of microseconds.

Values stay inside the ranges and enums documented in the SDK (shared/vendors/alibaba-ice.md §3.3); defaults are
over-represented because real agents mostly keep them.
"""

from __future__ import annotations

import base64
import json
import random
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from faker import Faker

from emulator.core.ids import EPOCH_MS, hex32
from emulator.vendors.ice.configs import (
    CHAT_MODES,
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
    AIAgentTemplateVoiceChat,
    AIAgentTtsConfig,
    AIAgentTurnDetectionConfig,
    AIAgentUserIdle,
    AIAgentVcrConfig,
    AIAgentVcrDelayedSwitch,
    AIAgentVcrSwitch,
    AIAgentVoiceprintConfig,
    AsrLanguageId,
    LlmRole,
    TtsEmotion,
    TtsModelId,
)

T = TypeVar("T")

# Attribute of the mode's sub-object on RuntimeConfig / TemplateConfig.
MODE_FIELDS: dict[str, str] = {
    "VoiceChat": "voice_chat",
    "VisionChat": "vision_chat",
    "AvatarChat3D": "avatar_chat_3d",
}

ASR_LANGUAGES: tuple[AsrLanguageId, ...] = ("zh_mandarin", "en", "zh_en", "es", "jp")
TTS_EMOTIONS: tuple[TtsEmotion, ...] = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm")
TTS_MODEL_IDS: tuple[TtsModelId, ...] = ("speech-01-turbo", "speech-02-turbo")
# The Minimax `LanguageId` values the SDK lists ("Supported values include", so kept as plain str in the model).
MINIMAX_LANGUAGES = (
    "Chinese", "Chinese,Yue", "English", "Arabic", "Russian", "Spanish", "French", "Portuguese", "German",
    "Turkish", "Dutch", "Ukrainian", "Vietnamese", "Indonesian", "Japanese", "Italian", "Korean", "Thai",
    "Polish", "Romanian", "Greek", "Czech", "Finnish", "Hindi", "auto",
)  # fmt: skip
# Preset ICE voices (the doc example uses "zhixiaoxia"), CosyVoice voices, Minimax system voices.
PRESET_VOICES = ("zhixiaoxia", "zhixiaobai", "zhixiaomei", "zhichu", "zhiyan", "aixia", "xiaoyun", "ruoxi")
COSYVOICE_VOICES = (
    "longxiaochun",
    "longwan",
    "longcheng",
    "longhua",
    "longxiaoxia",
    "longshu",
    "loongstella",
)
MINIMAX_VOICES = ("male-qn-qingse", "female-shaonv", "female-yujie", "presenter_male", "audiobook_female_1")
# Pronunciation rules: 1-9 Chinese characters each, no spaces.
PRONUNCIATIONS = (
    ("重庆", "崇庆"), ("银行", "银航"), ("长大", "涨大"), ("仇先生", "求先生"), ("单于", "缠于"),
    ("会计", "快计"), ("朝阳", "潮阳"), ("行长", "航长"), ("音乐", "音月"), ("阿房宫", "阿旁宫"),
)  # fmt: skip
# Back-channel phrases: at most 20 characters.
BACKCHANNEL_WORDS = (
    "嗯",
    "嗯嗯",
    "好的",
    "对",
    "是的",
    "明白",
    "我在听",
    "Mm-hmm",
    "Right",
    "I see",
    "Okay",
    "Got it",
)
INTERRUPT_WORDS = ("等一下", "停一下", "打断一下", "hold on", "wait", "stop", "one second", "excuse me")
TURN_END_WORDS = ("说完了", "就这些", "over", "that's all", "that's it", "完毕")
BAILIAN_APP_PARAMS = (
    "{}",
    '{"biz_params":{"user_defined_params":{}}}',
    '{"biz_params":{"channel":"app"}}',
    '{"has_thoughts":false}',
)
WORKFLOW_OVERRIDE_PARAMS = ("{}", '{"llm":{"temperature":0.7}}', '{"tts":{"speech_rate":1.0}}')
EXPERIMENTAL_CONFIGS = ("{}", '{"enable_audio_denoise":true}', '{"asr_punctuation":false}')
OPENAI_EXTRA_QUERIES = ("temperature=0.7", "temperature=0.3&top_p=0.8", "top_p=0.9&seed=42", "max_tokens=512")
MATCH_FUNCTIONS = ("hangup", "end_call", "hang_up_call", "finish_conversation")

_TEXT_SEP = (",", ":")


@dataclass(frozen=True, slots=True)
class ConfigPools:
    """Faker-derived text, built once and shared by every record built from the same Faker."""

    words: tuple[str, ...]
    sentences: tuple[str, ...]  # <= 100 characters
    questions: tuple[str, ...]
    greetings: tuple[str, ...]  # <= 128 characters
    prompts: tuple[str, ...]
    avatar_urls: tuple[str, ...]

    @classmethod
    def build(cls, fake: Faker, size: int = 48) -> ConfigPools:
        words = tuple(dict.fromkeys(w for w in fake.words(nb=size * 3) if w and " " not in w))
        names = [fake.first_name() for _ in range(size // 2)]
        companies = [fake.company() for _ in range(size // 2)]
        sentences = tuple(_clip(fake.sentence(nb_words=8), 100) for _ in range(size))
        questions = tuple(_clip(fake.sentence(nb_words=6).rstrip(".。") + "?", 100) for _ in range(size))
        greetings = tuple(
            _clip(
                f"Hi, I'm {names[i % len(names)]} from {companies[i % len(companies)]}. How can I help you?",
                128,
            )
            for i in range(size // 2)
        )
        prompts = tuple(
            f"You are {names[i % len(names)]}, a {fake.job()} at {companies[i % len(companies)]}. "
            f"{fake.sentence(nb_words=10)} Keep answers short and spoken."
            for i in range(size // 2)
        )
        domains = [fake.domain_name() for _ in range(8)]
        avatar_urls = tuple(
            f"https://{domains[i % len(domains)]}/avatars/{fake.hexify('^' * 16)}.png" for i in range(size // 2)
        )
        return cls(words or ("hello",), sentences, questions, greetings, prompts, avatar_urls)


_POOLS: dict[int, tuple[weakref.ref[Faker], ConfigPools]] = {}


def pools_for(fake: Faker) -> ConfigPools:
    """The `ConfigPools` of this Faker instance, built on first use (consuming the Faker's seeded state once)."""
    key = id(fake)
    hit = _POOLS.get(key)
    if hit is not None and hit[0]() is fake:
        return hit[1]
    pools = ConfigPools.build(fake)

    def forget(ref: weakref.ref[Faker]) -> None:
        entry = _POOLS.get(key)
        if entry is not None and entry[0] is ref:
            del _POOLS[key]

    _POOLS[key] = (weakref.ref(fake, forget), pools)
    return pools


# --- small helpers -----------------------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip()


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=_TEXT_SEP)


def _mode_field(mode: str) -> str:
    try:
        return MODE_FIELDS[mode]
    except KeyError:
        raise ValueError(f"unknown ICE chat mode {mode!r}; expected one of {', '.join(CHAT_MODES)}") from None


def _maybe(r: random.Random, p: float) -> bool:
    return r.random() < p


def _default_or(r: random.Random, default: int, lo: int, hi: int, p_default: float = 0.5) -> int:
    return default if r.random() < p_default else r.randint(lo, hi)


def _some(r: random.Random, pool: Sequence[T], lo: int, hi: int) -> list[T]:
    return r.sample(pool, min(len(pool), r.randint(lo, hi)))


def _unit_split(r: random.Random, n: int) -> list[float]:
    """n probabilities (two decimals, each >= 0.01) summing to 1."""
    if n <= 1:
        return [1.0] * n
    cuts = sorted(r.sample(range(1, 100), n - 1))
    bounds = [0, *cuts, 100]
    return [(bounds[i + 1] - bounds[i]) / 100 for i in range(n)]


def _voice_id(r: random.Random) -> str:
    return r.choice(PRESET_VOICES) if r.random() < 0.6 else r.choice(COSYVOICE_VOICES)


def _voice_id_list(r: random.Random, voice_id: str) -> list[str]:
    others = [v for v in r.sample(PRESET_VOICES + COSYVOICE_VOICES, 4) if v != voice_id]
    return [voice_id, *others[: r.randint(0, 3)]]


def _llm_history(r: random.Random, pools: ConfigPools, max_turns: int = 3) -> list[AIAgentLlmMessage]:
    msgs: list[AIAgentLlmMessage] = []
    if r.random() < 0.2:
        msgs.append(AIAgentLlmMessage(role="system", content=r.choice(pools.prompts)))
    for _ in range(r.randint(0, max_turns)):
        msgs.append(AIAgentLlmMessage(role="user", content=r.choice(pools.questions)))
        if r.random() < 0.08:  # a tool round-trip between the question and the answer
            role: LlmRole = r.choice(("function", "plugin", "tool"))
            msgs.append(AIAgentLlmMessage(role=role, content=_json_text({"result": r.choice(pools.words)})))
        msgs.append(AIAgentLlmMessage(role="assistant", content=r.choice(pools.sentences)))
    return msgs


def _voiceprint_id(r: random.Random) -> str:
    return f"vp_{r.getrandbits(64):016x}"


def _avatar_id(r: random.Random) -> str:
    return str(r.randint(1000, 99999))


def _auth_token(r: random.Random, app_id: str, channel_id: str, user_id: str, issued_ms: int) -> str:
    # ARTC tokens are base64 of a JSON object starting with "appid" (the doc's "eyJhcHBpZCI6ICIx..." decodes to
    # '{"appid": "1'), with Python-default separators.
    payload = {
        "appid": app_id,
        "channelid": channel_id,
        "userid": user_id,
        "nonce": "",
        "timestamp": issued_ms // 1000 + 86400,
        "token": f"{r.getrandbits(256):064x}",
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


# --- RuntimeConfig -----------------------------------------------------------------------------------------------


def runtime_config(r: random.Random, fake: Faker, mode: str, *, issued_ms: int | None = None) -> AIAgentRuntimeConfig:
    """The ARTC join parameters of one call: the mode's sub-object plus (SDK > 6.0.0) the same three at top level.

    `issued_ms` dates the token (default: a draw in the 90 days before `ids.EPOCH`).
    """
    field = _mode_field(mode)
    agent_user_id = hex32(r)
    channel_id = hex32(r)
    app_id = f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-{r.getrandbits(16):04x}"
    if issued_ms is None:
        issued_ms = EPOCH_MS - r.randrange(90 * 86_400_000)
    token = _auth_token(r, app_id, channel_id, agent_user_id, issued_ms)
    chat = AIAgentRuntimeChat(agent_user_id=agent_user_id, auth_token=token, channel_id=channel_id)
    fields: dict[str, Any] = {
        "agent_user_id": agent_user_id,
        "auth_token": token,
        "channel_id": channel_id,
        field: chat,
    }
    return AIAgentRuntimeConfig.model_validate(fields)


# --- TemplateConfig ----------------------------------------------------------------------------------------------


def _template_chat(r: random.Random, pools: ConfigPools, mode: str) -> AIAgentTemplateChat:
    use_voiceprint = r.random() < 0.15
    voice_id = _voice_id(r)
    d: dict[str, Any] = {
        "greeting": r.choice(pools.greetings) if r.random() < 0.7 else "",
        "llm_history": _llm_history(r, pools),
        "user_online_timeout": _default_or(r, 60, 10, 300, 0.7),
        "user_offline_timeout": _default_or(r, 5, 1, 60, 0.7),
        "workflow_override_params": r.choice(WORKFLOW_OVERRIDE_PARAMS),
        "enable_intelligent_segment": r.random() < 0.85,
        "bailian_app_params": r.choice(BAILIAN_APP_PARAMS),
        "llm_history_limit": _default_or(r, 10, 1, 50, 0.7),
        "asr_max_silence": _default_or(r, 400, 200, 1200),
        "wake_up_query": r.choice(pools.questions) if r.random() < 0.2 else "",
        "enable_voice_interrupt": r.random() < 0.85,
        "voice_id": voice_id,
        "use_voiceprint": use_voiceprint,
        "max_idle_time": _default_or(r, 600, 30, 3600, 0.7),
        "graceful_shutdown": r.random() < 0.3,
        "enable_push_to_talk": r.random() < 0.1,
    }
    if r.random() < 0.85:  # unset means adaptive volume
        d["volume"] = 100 if r.random() < 0.5 else r.randint(0, 400)
    if use_voiceprint or r.random() < 0.1:
        d["voiceprint_id"] = _voiceprint_id(r)
    if _maybe(r, 0.6):
        d["asr_language_id"] = r.choice(ASR_LANGUAGES)
    if _maybe(r, 0.5):
        d["vad_level"] = _default_or(r, 11, 0, 11)
    if _maybe(r, 0.4):
        d["asr_hot_words"] = _some(r, pools.words, 1, 8)
    if _maybe(r, 0.3):
        d["interrupt_words"] = _some(r, INTERRUPT_WORDS, 1, 3)
    if _maybe(r, 0.5):
        d["llm_system_prompt"] = r.choice(pools.prompts)
    if _maybe(r, 0.3):
        d["voice_id_list"] = _voice_id_list(r, voice_id)
    if _maybe(r, 0.2):
        d["char_break"] = r.random() < 0.5
    if mode == "VoiceChat":
        if _maybe(r, 0.5):
            d["avatar_url"] = r.choice(pools.avatar_urls)
            d["avatar_url_type"] = "USER"
        return AIAgentTemplateVoiceChat.model_validate(d)
    if mode == "AvatarChat3D":
        d["avatar_id"] = _avatar_id(r)
        return AIAgentTemplateAvatarChat3D.model_validate(d)
    return AIAgentTemplateChat.model_validate(d)


def template_config(
    r: random.Random, fake: Faker, mode: str, *, pools: ConfigPools | None = None
) -> AIAgentTemplateConfig:
    """The (deprecated) per-mode template: the chosen mode always, each other mode with probability 0.3."""
    _mode_field(mode)
    p = pools if pools is not None else pools_for(fake)
    fields: dict[str, Any] = {}
    for m in CHAT_MODES:
        if m == mode or r.random() < 0.3:
            fields[MODE_FIELDS[m]] = _template_chat(r, p, m)
    return AIAgentTemplateConfig.model_validate(fields)


# --- AgentConfig -------------------------------------------------------------------------------------------------


def _asr_config(r: random.Random, p: ConfigPools) -> AIAgentAsrConfig:
    vad_duration = 0 if r.random() < 0.4 else (r.randint(200, 500) if r.random() < 0.7 else r.randint(200, 2000))
    return AIAgentAsrConfig(
        asr_hot_words=_some(r, p.words, 0, 10),
        asr_language_id=r.choice(ASR_LANGUAGES),
        asr_max_silence=_default_or(r, 400, 200, 1200),
        custom_params="{}" if r.random() < 0.7 else _json_text({"vocabulary_id": f"vocab-{r.getrandbits(48):012x}"}),
        vad_duration=vad_duration,
        vad_level=_default_or(r, 11, 0, 11),
    )


def _tts_config(r: random.Random) -> AIAgentTtsConfig:
    rules = [
        AIAgentPronunciationRule(type="replacement", word=w, pronunciation=pr)
        for w, pr in _some(r, PRONUNCIATIONS, 0, 3)
    ]
    speech_rate = 1.0 if r.random() < 0.5 else round(r.uniform(0.5, 2.0), 2)
    if r.random() < 0.3:  # Minimax: the only provider with Emotion / ModelId / LanguageId
        voice_id = r.choice(MINIMAX_VOICES)
        d: dict[str, Any] = {
            "voice_id": voice_id,
            "voice_id_list": [voice_id],
            "model_id": r.choice(TTS_MODEL_IDS),
        }
        if r.random() < 0.6:
            d["emotion"] = r.choice(TTS_EMOTIONS)
        if r.random() < 0.5:
            d["language_id"] = r.choice(MINIMAX_LANGUAGES)
    else:
        voice_id = _voice_id(r)
        d = {"voice_id": voice_id, "voice_id_list": _voice_id_list(r, voice_id)}
    d["speech_rate"] = speech_rate
    d["pronunciation_rules"] = rules
    return AIAgentTtsConfig.model_validate(d)


def _llm_config(r: random.Random, p: ConfigPools) -> AIAgentLlmConfig:
    d: dict[str, Any] = {
        "bailian_app_params": r.choice(BAILIAN_APP_PARAMS),
        "function_map": (
            [AIAgentFunctionMapping(function="hangup", match_function=r.choice(MATCH_FUNCTIONS))]
            if r.random() < 0.3
            else []
        ),
        "history_sync_with_tts": r.random() < 0.3,
        "llm_complete_reply": r.random() < 0.1,
        "llm_history": _llm_history(r, p),
        "llm_history_limit": _default_or(r, 10, 1, 50, 0.7),
        "llm_system_prompt": r.choice(p.prompts),
    }
    if r.random() < 0.25:
        d["open_ai_extra_query"] = r.choice(OPENAI_EXTRA_QUERIES)
    if r.random() < 0.3:
        d["output_max_delay"] = r.randint(1000, 10000)
    if r.random() < 0.3:
        d["output_min_length"] = r.randint(0, 100)
    return AIAgentLlmConfig.model_validate(d)


def _turn_detection_config(r: random.Random) -> AIAgentTurnDetectionConfig:
    if r.random() < 0.6:
        return AIAgentTurnDetectionConfig(mode="Normal", semantic_wait_duration=-1, turn_end_words=[])
    wait = -1 if r.random() < 0.4 else (r.randint(0, 1500) if r.random() < 0.8 else r.randint(0, 10000))
    return AIAgentTurnDetectionConfig(
        mode="Semantic",
        eagerness=r.choice(("Low", "Medium", "High")),
        semantic_wait_duration=wait,
        turn_end_words=_some(r, TURN_END_WORDS, 0, 2),
    )


def _voiceprint_config(r: random.Random) -> AIAgentVoiceprintConfig:
    use = r.random() < 0.2
    mode = "Explicit" if r.random() < 0.7 else "Implicit"
    if not use:
        return AIAgentVoiceprintConfig(use_voiceprint=False, registration_mode=mode)
    return AIAgentVoiceprintConfig(use_voiceprint=True, voiceprint_id=_voiceprint_id(r), registration_mode=mode)


def _messages(r: random.Random, pool: Sequence[str], hi: int) -> list[AIAgentAutoSpeechMessage]:
    texts = _some(r, pool, 1, hi)
    return [
        AIAgentAutoSpeechMessage(text=_clip(t, 100), probability=pr)
        for t, pr in zip(texts, _unit_split(r, len(texts)), strict=True)
    ]


def _auto_speech_config(r: random.Random, p: ConfigPools) -> AIAgentAutoSpeechConfig:
    pending = AIAgentLlmPending(
        mode=r.choice(("random", "sequence")),
        wait_time=r.randint(1000, 3000) if r.random() < 0.7 else r.randint(500, 10000),
        messages=_messages(r, p.sentences, 4),
    )
    idle = AIAgentUserIdle(
        wait_time=r.randint(10_000, 60_000) if r.random() < 0.7 else r.randint(5_000, 600_000),
        max_repeats=r.randint(0, 10),
        hangup_end_word=r.choice(p.sentences),
        messages=_messages(r, p.questions, 3),
    )
    return AIAgentAutoSpeechConfig(llm_pending=pending, user_idle=idle)


def _back_channeling(r: random.Random) -> AIAgentBackChanneling:
    texts = _some(r, BACKCHANNEL_WORDS, 1, 5)
    words = [
        AIAgentBackChannelingWord(text=t, probability=pr)
        for t, pr in zip(texts, _unit_split(r, len(texts)), strict=True)
    ]
    return AIAgentBackChanneling(
        enabled=r.random() < 0.8,
        probability=round(r.uniform(0.1, 1.0), 2),
        trigger_stage="pause_detected",
        words=words,
    )


def _vcr_config(r: random.Random) -> AIAgentVcrConfig:
    def switch() -> AIAgentVcrSwitch:
        return AIAgentVcrSwitch(enabled=r.random() < 0.3)

    def delayed() -> AIAgentVcrDelayedSwitch:
        return AIAgentVcrDelayedSwitch(enabled=r.random() < 0.3, callback_delay=r.randint(200, 5000))

    return AIAgentVcrConfig(
        equipment=switch(),
        head_motion=switch(),
        look_away=switch(),
        people_count=switch(),
        still_frame_motion=delayed(),
        invalid_frame_motion=delayed(),
    )


def agent_config(r: random.Random, fake: Faker, *, pools: ConfigPools | None = None) -> AIAgentConfig:
    """A full AgentConfig: every sub-object filled (the deprecated `BackChannelingConfig` only sometimes)."""
    p = pools if pools is not None else pools_for(fake)
    back_channeling = [_back_channeling(r) for _ in range(r.choice((0, 0, 1, 1, 2)))]
    d: dict[str, Any] = {
        "greeting": r.choice(p.greetings) if r.random() < 0.8 else "",
        "wake_up_query": r.choice(p.questions) if r.random() < 0.2 else "",
        "max_idle_time": _default_or(r, 600, 30, 3600, 0.7),
        "user_online_timeout": _default_or(r, 60, 10, 300, 0.7),
        "user_offline_timeout": _default_or(r, 5, 1, 60, 0.7),
        "enable_push_to_talk": r.random() < 0.1,
        "graceful_shutdown": r.random() < 0.3,
        "enable_intelligent_segment": r.random() < 0.85,
        "workflow_override_params": r.choice(WORKFLOW_OVERRIDE_PARAMS),
        "experimental_config": r.choice(EXPERIMENTAL_CONFIGS),
        "asr_config": _asr_config(r, p),
        "tts_config": _tts_config(r),
        "llm_config": _llm_config(r, p),
        "interrupt_config": AIAgentInterruptConfig(
            enable_voice_interrupt=r.random() < 0.85,
            interrupt_words=_some(r, INTERRUPT_WORDS, 0, 3),
            keep_interrupt_words_for_llm=r.random() < 0.2,
            no_interrupt_mode="cache" if r.random() < 0.7 else "discard",
        ),
        "turn_detection_config": _turn_detection_config(r),
        "voiceprint_config": _voiceprint_config(r),
        "avatar_config": AIAgentAvatarConfig(avatar_id=_avatar_id(r)),
        "ambient_sound_config": AIAgentAmbientSoundConfig(
            resource_id=hex32(r), volume=0 if r.random() < 0.3 else r.randint(1, 100)
        ),
        "auto_speech_config": _auto_speech_config(r, p),
        "back_channeling_configs": back_channeling,
        "vcr_config": _vcr_config(r),
    }
    if r.random() < 0.8:  # unset means adaptive volume
        d["volume"] = 100 if r.random() < 0.5 else r.randint(0, 400)
    if r.random() < 0.3:
        d["avatar_url"] = r.choice(p.avatar_urls)
        d["avatar_url_type"] = "USER"
    if r.random() < 0.15:  # legacy writers filled the deprecated twin with the same rules
        d["back_channeling_config"] = back_channeling
    return AIAgentConfig.model_validate(d)
