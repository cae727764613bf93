"""Generated MetaStudio data: per project, interactive dialog rooms covering every billing mode, language and TTS
provider, with realistic names and descriptions. One seed drives it all; times count back from `EPOCH_MS`.

Room names are "<purpose> with <host>" from small pools, so a fuzzy search for a purpose, a host or an avatar
finds several rooms; a few purposes hold `%`, `_`, accents and Chinese to exercise literal and Unicode matching.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

from faker import Faker

from emulator.core.ids import EPOCH_MS, hex32, iso_s, rng, uuid_from
from emulator.vendors.metastudio.records import (
    BillingMode,
    Language,
    ModelInfo,
    RoomEntry,
    SmartChatRoomBaseInfo,
    TtsProvider,
    VoiceConfig,
    VoiceConfigRsp,
)
from emulator.vendors.metastudio.tenants import MetaStudioTenant

ROOMS_PER_PROJECT = 57
# Creation times spread over about this long before EPOCH whatever the scale.
HISTORY_MS = 400 * 86_400_000
DAY_MS = 86_400_000
LAST_JOB_SHARE = 0.8
PURPOSES = (
    "Exhibition hall",
    "Customer service desk",
    "Bank lobby assistant",
    "Museum guide",
    "Hotel reception",
    "Campus tour",
    "Product launch",
    "Airport help desk",
    "Flash sale 50% off",
    "Lobby_kiosk",
    "Café concierge",
    "展厅讲解",
    "智能客服",
    "Hospital triage",
)
AVATAR_STYLES = ("Business", "Casual", "Anchor", "Guide", "Host")
BILLING_MODES: tuple[BillingMode, ...] = ("CONCURRENCY", "CLIENT", "CLIENT_TOKENS")
LANGUAGES: tuple[Language, ...] = ("CN", "EN", "ESP", "por", "Arabic", "Thai")
# Most rooms keep the defaults (CN, concurrency billing), as real projects do.
LANGUAGE_WEIGHTS = (60, 25, 5, 4, 3, 3)
BILLING_WEIGHTS = (70, 18, 12)
LANGUAGE_DESC: dict[Language, str] = {
    "CN": "Simplified Chinese",
    "EN": "English",
    "ESP": "Spanish",
    "por": "Portuguese",
    "Arabic": "Arabic",
    "Thai": "Thai",
}
T = TypeVar("T")
PROVIDERS: tuple[TtsProvider, ...] = ("HUAWEI_EI", "XIMALAYA", "MOBVOI")
EXIT_MUTE_THRESHOLDS = (0, 5, 10, 30, 60, 120)


@dataclass(frozen=True)
class ProjectPools:
    """Faker text and asset ids drawn once per project; rooms sample them with a seeded Random."""

    hosts: list[str]
    descriptions: list[str]
    avatars: list[tuple[str, str]]  # (model_asset_id, asset_name)
    voices: list[str]
    robots: list[str]

    @classmethod
    def build(cls, r: random.Random, fake: Faker) -> ProjectPools:
        return cls(
            hosts=[fake.first_name() for _ in range(12)],
            descriptions=[fake.sentence(nb_words=12) for _ in range(80)],
            avatars=[(hex32(r), f"{fake.first_name()} {r.choice(AVATAR_STYLES)}") for _ in range(8)],
            voices=[hex32(r) for _ in range(10)],
            robots=[hex32(r) for _ in range(6)],
        )


def rooms(seed: int, tenant: MetaStudioTenant, scale: float, fake: Faker) -> Iterator[RoomEntry]:
    project = tenant.project_id
    r = rng(seed, "metastudio", project, "rooms")
    pools = ProjectPools.build(r, fake)
    count = max(1, round(ROOMS_PER_PROJECT * scale))
    step = max(2_000, 2 * HISTORY_MS // count)
    created = EPOCH_MS
    for i in range(count):
        created -= 1_000 + r.randrange(step)
        updated = created + r.randrange(min(EPOCH_MS - created, 30 * DAY_MS) + 1)
        last_job = created + r.randrange(EPOCH_MS - created + 1) if r.random() < LAST_JOB_SHARE else None
        # The first rooms walk every enum value so even a small project shows each one.
        billing = BILLING_MODES[i] if i < len(BILLING_MODES) else _weighted(r, BILLING_MODES, BILLING_WEIGHTS)
        language = LANGUAGES[i] if i < len(LANGUAGES) else _weighted(r, LANGUAGES, LANGUAGE_WEIGHTS)
        room = _room(r, pools, tenant, i, billing, language, iso_s(created), iso_s(updated))
        yield RoomEntry(tenant=project, last_job_start_time=None if last_job is None else iso_s(last_job), record=room)


def _room(
    r: random.Random,
    pools: ProjectPools,
    tenant: MetaStudioTenant,
    index: int,
    billing: BillingMode,
    language: Language,
    create_time: str,
    update_time: str,
) -> SmartChatRoomBaseInfo:
    room_id = str(uuid_from(r))
    host = r.choice(pools.hosts)
    avatar_id, avatar_name = r.choice(pools.avatars)
    backups = [a for a, _ in r.sample(pools.avatars, r.choice((0, 0, 1, 2))) if a != avatar_id]
    concurrent = billing == "CONCURRENCY"
    # Rooms moved off client billing keep their old terminal count; the totals must only count client billing.
    client_nums = r.randint(1, 64) if not concurrent or r.random() < 0.25 else 0
    region = tenant.region
    return SmartChatRoomBaseInfo(
        room_id=room_id,
        room_name=f"{r.choice(PURPOSES)} with {host}",
        room_description=r.choice(pools.descriptions),
        robot_id=r.choice(pools.robots),
        cover_url=f"https://metastudio-{region}.obs.{region}.myhuaweicloud.com/{tenant.project_id}/covers/{room_id}.png",
        model_infos=ModelInfo(model_asset_id=avatar_id, asset_name=avatar_name, backup_model_asset_ids=backups),
        voice_config=_voice(r, pools),
        billing_mode=billing,
        reuse_resource=concurrent and r.random() < 0.3,
        concurrency=r.choice((1, 1, 2, 3, 5, 8, 10, 20, 50)) if concurrent else 0,
        client_nums=client_nums,
        voice_config_list=[_voice_rsp(r, pools, index + j, language) for j in range(r.randint(1, 3))],
        default_language=language,
        create_time=create_time,
        update_time=update_time,
        exit_mute_threshold=r.choice(EXIT_MUTE_THRESHOLDS),
    )


def _voice(r: random.Random, pools: ProjectPools) -> VoiceConfig:
    speed, pitch, volume = _prosody(r)
    return VoiceConfig(voice_asset_id=r.choice(pools.voices), speed=speed, pitch=pitch, volume=volume)


def _voice_rsp(r: random.Random, pools: ProjectPools, slot: int, default: Language) -> VoiceConfigRsp:
    speed, pitch, volume = _prosody(r)
    language = default if slot % 2 == 0 else r.choice(LANGUAGES)
    return VoiceConfigRsp(
        voice_asset_id=r.choice(pools.voices),
        speed=speed,
        pitch=pitch,
        volume=volume,
        provider=PROVIDERS[slot % len(PROVIDERS)],
        language=language,
        language_desc=LANGUAGE_DESC[language],
    )


def _prosody(r: random.Random) -> tuple[int, int, int]:
    """(speed, pitch, volume): mostly the defaults 100/100/140, otherwise anywhere in the documented ranges."""
    if r.random() < 0.6:
        return 100, 100, 140
    return r.randint(50, 200), r.randint(50, 200), r.randint(90, 240)


def _weighted(r: random.Random, values: tuple[T, ...], weights: tuple[int, ...]) -> T:
    return r.choices(values, weights)[0]
