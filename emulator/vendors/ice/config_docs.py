"""Deterministic builders for the ICE instance configs (RuntimeConfig, TemplateConfig, AgentConfig), as the wire
documents the models in `configs` serialize to (`config_factory` validates them into those models).

A dataset build stores these documents as they are: building ~60 pydantic models per instance cost most of an ICE
instance's ~350 us. So each builder draws from `r` in a fixed order (the order the draws had when the models were
built field by field: changing it changes every generated instance), then `_wire` lays the keys out in the model's
field order, which is the order pydantic serializes. tests/core/test_generate_records.py checks both paths agree.

All randomness comes from the `random.Random` and the `ConfigPools` the caller passes in; the clock is never read.
Values stay inside the ranges and enums documented in the SDK (shared/vendors/alibaba-ice.md §3.3); defaults are
over-represented because real agents mostly keep them.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

from emulator.core.ids import EPOCH_MS, hex32
from emulator.vendors.ice import configs as C
from emulator.vendors.ice.config_pools import (
    ASR_LANGUAGES,
    BACKCHANNEL_WORDS,
    BAILIAN_APP_PARAMS,
    COSYVOICE_VOICES,
    EXPERIMENTAL_CONFIGS,
    INTERRUPT_WORDS,
    MATCH_FUNCTIONS,
    MINIMAX_LANGUAGES,
    MINIMAX_VOICES,
    MODE_FIELDS,
    OPENAI_EXTRA_QUERIES,
    PRESET_VOICES,
    PRONUNCIATIONS,
    TTS_EMOTIONS,
    TTS_MODEL_IDS,
    TURN_END_WORDS,
    WORKFLOW_OVERRIDE_PARAMS,
    ConfigPools,
    clip,
)

T = TypeVar("T")
Doc = dict[str, Any]


@cache
def _keys(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(f.alias or name for name, f in model.model_fields.items())


def _wire(model: type[BaseModel], doc: Doc) -> Doc:
    """`doc` (wire keys, in draw order) with its keys in `model`'s field order."""
    return {k: doc[k] for k in _keys(model) if k in doc}


def mode_key(mode: str) -> str:
    """The wire key of a chat mode's sub-object (the mode's own name), or ValueError for another mode."""
    if mode not in MODE_FIELDS:
        raise ValueError(f"unknown ICE chat mode {mode!r}; expected one of {', '.join(C.CHAT_MODES)}")
    return mode


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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


def _llm_history(r: random.Random, pools: ConfigPools, max_turns: int = 3) -> list[Doc]:
    msgs: list[Doc] = []
    if r.random() < 0.2:
        msgs.append({"Role": "system", "Content": r.choice(pools.prompts)})
    for _ in range(r.randint(0, max_turns)):
        msgs.append({"Role": "user", "Content": r.choice(pools.questions)})
        if r.random() < 0.08:  # a tool round-trip between the question and the answer
            role = r.choice(("function", "plugin", "tool"))
            msgs.append({"Role": role, "Content": _json_text({"result": r.choice(pools.words)})})
        msgs.append({"Role": "assistant", "Content": r.choice(pools.sentences)})
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


def runtime_doc(r: random.Random, mode: str, *, issued_ms: int | None = None) -> Doc:
    """The ARTC join parameters of one call: the mode's sub-object plus (SDK > 6.0.0) the same three at top level.

    `issued_ms` dates the token (default: a draw in the 90 days before `ids.EPOCH`).
    """
    key = mode_key(mode)
    agent_user_id = hex32(r)
    channel_id = hex32(r)
    app_id = f"{r.getrandbits(32):08x}-{r.getrandbits(16):04x}-{r.getrandbits(16):04x}"
    if issued_ms is None:
        issued_ms = EPOCH_MS - r.randrange(90 * 86_400_000)
    token = _auth_token(r, app_id, channel_id, agent_user_id, issued_ms)
    chat = {"AgentUserId": agent_user_id, "AuthToken": token, "ChannelId": channel_id}
    return {**chat, key: chat.copy()}


# --- TemplateConfig ----------------------------------------------------------------------------------------------


def _template_chat(r: random.Random, pools: ConfigPools, mode: str) -> Doc:
    use_voiceprint = r.random() < 0.15
    voice_id = _voice_id(r)
    d: Doc = {
        "Greeting": r.choice(pools.greetings) if r.random() < 0.7 else "",
        "LlmHistory": _llm_history(r, pools),
        "UserOnlineTimeout": _default_or(r, 60, 10, 300, 0.7),
        "UserOfflineTimeout": _default_or(r, 5, 1, 60, 0.7),
        "WorkflowOverrideParams": r.choice(WORKFLOW_OVERRIDE_PARAMS),
        "EnableIntelligentSegment": r.random() < 0.85,
        "BailianAppParams": r.choice(BAILIAN_APP_PARAMS),
        "LlmHistoryLimit": _default_or(r, 10, 1, 50, 0.7),
        "AsrMaxSilence": _default_or(r, 400, 200, 1200),
        "WakeUpQuery": r.choice(pools.questions) if r.random() < 0.2 else "",
        "EnableVoiceInterrupt": r.random() < 0.85,
        "VoiceId": voice_id,
        "UseVoiceprint": use_voiceprint,
        "MaxIdleTime": _default_or(r, 600, 30, 3600, 0.7),
        "GracefulShutdown": r.random() < 0.3,
        "EnablePushToTalk": r.random() < 0.1,
    }
    if r.random() < 0.85:  # unset means adaptive volume
        d["Volume"] = 100 if r.random() < 0.5 else r.randint(0, 400)
    if use_voiceprint or r.random() < 0.1:
        d["VoiceprintId"] = _voiceprint_id(r)
    if r.random() < 0.6:
        d["AsrLanguageId"] = r.choice(ASR_LANGUAGES)
    if r.random() < 0.5:
        d["VadLevel"] = _default_or(r, 11, 0, 11)
    if r.random() < 0.4:
        d["AsrHotWords"] = _some(r, pools.words, 1, 8)
    if r.random() < 0.3:
        d["InterruptWords"] = _some(r, INTERRUPT_WORDS, 1, 3)
    if r.random() < 0.5:
        d["LlmSystemPrompt"] = r.choice(pools.prompts)
    if r.random() < 0.3:
        d["VoiceIdList"] = _voice_id_list(r, voice_id)
    if r.random() < 0.2:
        d["CharBreak"] = r.random() < 0.5
    if mode == "VoiceChat":
        if r.random() < 0.5:
            d["AvatarUrl"] = r.choice(pools.avatar_urls)
            d["AvatarUrlType"] = "USER"
        return _wire(C.AIAgentTemplateVoiceChat, d)
    if mode == "AvatarChat3D":
        d["AvatarId"] = _avatar_id(r)
        return _wire(C.AIAgentTemplateAvatarChat3D, d)
    return _wire(C.AIAgentTemplateChat, d)


def template_doc(r: random.Random, pools: ConfigPools, mode: str) -> Doc:
    """The (deprecated) per-mode template: the chosen mode always, each other mode with probability 0.3."""
    mode_key(mode)
    # CHAT_MODES is in the model's field order, so the sub-objects are too.
    return {m: _template_chat(r, pools, m) for m in C.CHAT_MODES if m == mode or r.random() < 0.3}


# --- AgentConfig -------------------------------------------------------------------------------------------------


def _asr_config(r: random.Random, p: ConfigPools) -> Doc:
    vad_duration = 0 if r.random() < 0.4 else (r.randint(200, 500) if r.random() < 0.7 else r.randint(200, 2000))
    return {
        "AsrHotWords": _some(r, p.words, 0, 10),
        "AsrLanguageId": r.choice(ASR_LANGUAGES),
        "AsrMaxSilence": _default_or(r, 400, 200, 1200),
        "CustomParams": "{}" if r.random() < 0.7 else _json_text({"vocabulary_id": f"vocab-{r.getrandbits(48):012x}"}),
        "VadDuration": vad_duration,
        "VadLevel": _default_or(r, 11, 0, 11),
    }


def _tts_config(r: random.Random) -> Doc:
    rules = [{"Type": "replacement", "Word": w, "Pronunciation": pr} for w, pr in _some(r, PRONUNCIATIONS, 0, 3)]
    speech_rate = 1.0 if r.random() < 0.5 else round(r.uniform(0.5, 2.0), 2)
    if r.random() < 0.3:  # Minimax: the only provider with Emotion / ModelId / LanguageId
        voice_id = r.choice(MINIMAX_VOICES)
        d: Doc = {"VoiceId": voice_id, "VoiceIdList": [voice_id], "ModelId": r.choice(TTS_MODEL_IDS)}
        if r.random() < 0.6:
            d["Emotion"] = r.choice(TTS_EMOTIONS)
        if r.random() < 0.5:
            d["LanguageId"] = r.choice(MINIMAX_LANGUAGES)
    else:
        voice_id = _voice_id(r)
        d = {"VoiceId": voice_id, "VoiceIdList": _voice_id_list(r, voice_id)}
    d["SpeechRate"] = speech_rate
    d["PronunciationRules"] = rules
    return _wire(C.AIAgentTtsConfig, d)


def _llm_config(r: random.Random, p: ConfigPools) -> Doc:
    d: Doc = {
        "BailianAppParams": r.choice(BAILIAN_APP_PARAMS),
        "FunctionMap": (
            [{"Function": "hangup", "MatchFunction": r.choice(MATCH_FUNCTIONS)}] if r.random() < 0.3 else []
        ),
        "HistorySyncWithTTS": r.random() < 0.3,
        "LlmCompleteReply": r.random() < 0.1,
        "LlmHistory": _llm_history(r, p),
        "LlmHistoryLimit": _default_or(r, 10, 1, 50, 0.7),
        "LlmSystemPrompt": r.choice(p.prompts),
    }
    if r.random() < 0.25:
        d["OpenAIExtraQuery"] = r.choice(OPENAI_EXTRA_QUERIES)
    if r.random() < 0.3:
        d["OutputMaxDelay"] = r.randint(1000, 10000)
    if r.random() < 0.3:
        d["OutputMinLength"] = r.randint(0, 100)
    return d  # drawn in field order


def _turn_detection_config(r: random.Random) -> Doc:
    if r.random() < 0.6:
        return {"Mode": "Normal", "SemanticWaitDuration": -1, "TurnEndWords": []}
    wait = -1 if r.random() < 0.4 else (r.randint(0, 1500) if r.random() < 0.8 else r.randint(0, 10000))
    eagerness = r.choice(("Low", "Medium", "High"))
    return {"Mode": "Semantic", "Eagerness": eagerness, "SemanticWaitDuration": wait,
            "TurnEndWords": _some(r, TURN_END_WORDS, 0, 2)}  # fmt: skip


def _voiceprint_config(r: random.Random) -> Doc:
    use = r.random() < 0.2
    mode = "Explicit" if r.random() < 0.7 else "Implicit"
    if not use:
        return {"UseVoiceprint": False, "RegistrationMode": mode}
    return {"UseVoiceprint": True, "VoiceprintId": _voiceprint_id(r), "RegistrationMode": mode}


def _messages(r: random.Random, pool: Sequence[str], hi: int) -> list[Doc]:
    texts = _some(r, pool, 1, hi)
    return [{"Text": clip(t, 100), "Probability": pr} for t, pr in zip(texts, _unit_split(r, len(texts)), strict=True)]


def _auto_speech_config(r: random.Random, p: ConfigPools) -> Doc:
    pending = {
        "Mode": r.choice(("random", "sequence")),
        "WaitTime": r.randint(1000, 3000) if r.random() < 0.7 else r.randint(500, 10000),
        "Messages": _messages(r, p.sentences, 4),
    }
    idle = {
        "WaitTime": r.randint(10_000, 60_000) if r.random() < 0.7 else r.randint(5_000, 600_000),
        "MaxRepeats": r.randint(0, 10),
        "HangupEndWord": r.choice(p.sentences),
        "Messages": _messages(r, p.questions, 3),
    }
    return {"LlmPending": pending, "UserIdle": idle}


def _back_channeling(r: random.Random) -> Doc:
    texts = _some(r, BACKCHANNEL_WORDS, 1, 5)
    words = [{"Text": t, "Probability": pr} for t, pr in zip(texts, _unit_split(r, len(texts)), strict=True)]
    enabled = r.random() < 0.8
    probability = round(r.uniform(0.1, 1.0), 2)
    return {"Enabled": enabled, "Probability": probability, "TriggerStage": "pause_detected", "Words": words}


def _vcr_config(r: random.Random) -> Doc:
    def switch() -> Doc:
        return {"Enabled": r.random() < 0.3}

    def delayed() -> Doc:
        enabled = r.random() < 0.3
        return {"Enabled": enabled, "CallbackDelay": r.randint(200, 5000)}

    return {"Equipment": switch(), "HeadMotion": switch(), "LookAway": switch(), "PeopleCount": switch(),
            "StillFrameMotion": delayed(), "InvalidFrameMotion": delayed()}  # fmt: skip


def agent_doc(r: random.Random, p: ConfigPools) -> Doc:
    """A full AgentConfig: every sub-object filled (the deprecated `BackChannelingConfig` only sometimes)."""
    back_channeling = [_back_channeling(r) for _ in range(r.choice((0, 0, 1, 1, 2)))]
    d: Doc = {
        "Greeting": r.choice(p.greetings) if r.random() < 0.8 else "",
        "WakeUpQuery": r.choice(p.questions) if r.random() < 0.2 else "",
        "MaxIdleTime": _default_or(r, 600, 30, 3600, 0.7),
        "UserOnlineTimeout": _default_or(r, 60, 10, 300, 0.7),
        "UserOfflineTimeout": _default_or(r, 5, 1, 60, 0.7),
        "EnablePushToTalk": r.random() < 0.1,
        "GracefulShutdown": r.random() < 0.3,
        "EnableIntelligentSegment": r.random() < 0.85,
        "WorkflowOverrideParams": r.choice(WORKFLOW_OVERRIDE_PARAMS),
        "ExperimentalConfig": r.choice(EXPERIMENTAL_CONFIGS),
        "AsrConfig": _asr_config(r, p),
        "TtsConfig": _tts_config(r),
        "LlmConfig": _llm_config(r, p),
        "InterruptConfig": {
            "EnableVoiceInterrupt": r.random() < 0.85,
            "InterruptWords": _some(r, INTERRUPT_WORDS, 0, 3),
            "KeepInterruptWordsForLLM": r.random() < 0.2,
            "NoInterruptMode": "cache" if r.random() < 0.7 else "discard",
        },
        "TurnDetectionConfig": _turn_detection_config(r),
        "VoiceprintConfig": _voiceprint_config(r),
        "AvatarConfig": {"AvatarId": _avatar_id(r)},
        "AmbientSoundConfig": {"ResourceId": hex32(r), "Volume": 0 if r.random() < 0.3 else r.randint(1, 100)},
        "AutoSpeechConfig": _auto_speech_config(r, p),
        "BackChannelingConfigs": back_channeling,
        "VcrConfig": _vcr_config(r),
    }
    if r.random() < 0.8:  # unset means adaptive volume
        d["Volume"] = 100 if r.random() < 0.5 else r.randint(0, 400)
    if r.random() < 0.3:
        d["AvatarUrl"] = r.choice(p.avatar_urls)
        d["AvatarUrlType"] = "USER"
    if r.random() < 0.15:  # legacy writers filled the deprecated twin with the same rules
        d["BackChannelingConfig"] = back_channeling
    return _wire(C.AIAgentConfig, d)
