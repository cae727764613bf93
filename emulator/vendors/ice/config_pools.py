"""What the ICE instance config builders draw from: the documented enums and preset values, and `ConfigPools`, text
drawn once per seeded Faker (per-record choices are cheap `random.Random` draws over these)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.vendors.ice.configs import AsrLanguageId, TtsEmotion, TtsModelId

if TYPE_CHECKING:  # Faker is imported where text is generated, not at start-up
    from faker import Faker

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
        sentences = tuple(clip(fake.sentence(nb_words=8), 100) for _ in range(size))
        questions = tuple(clip(fake.sentence(nb_words=6).rstrip(".。") + "?", 100) for _ in range(size))
        greetings = tuple(
            clip(
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


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip()
