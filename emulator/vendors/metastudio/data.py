"""Generated MetaStudio data: per project, interactive dialog rooms covering every billing mode, language and TTS
provider, with realistic names and descriptions. One seed drives it all; times count back from `EPOCH_MS`.

Room names are "<purpose> with <host>" from small pools, so a fuzzy search for a purpose, a host or an avatar
finds several rooms; a few purposes hold `%`, `_`, accents and Chinese to exercise literal and Unicode matching.

Rooms are sparse, as the vendor's own example is (five of the sixteen fields): a create call requires only
`room_name`, so past the first few rooms every other field is left out at its own rate, and a share of rooms carry
exactly the example's five. Client code that reads an optional field unguarded fails here as it would in the cloud.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from emulator.core.ids import EPOCH_MS, hex32, iso_s, ms_from_iso, rng, uuid_from
from emulator.vendors.metastudio import jobs
from emulator.vendors.metastudio.job_records import JobEntry
from emulator.vendors.metastudio.records import RoomEntry, SmartChatRoomBaseInfo, VoiceConfig, VoiceConfigRsp
from emulator.vendors.metastudio.tenants import MetaStudioTenant
from emulator.vendors.metastudio.wiretypes import BillingMode, Language, TtsProvider

if TYPE_CHECKING:  # Faker is imported where text is generated, not at start-up
    from faker import Faker

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
# The first rooms carry every field (and walk every enum value), so even a small project shows each one; the next
# one has the shape of the vendor page's example, whatever the seed.
FULL_ROOMS = len(LANGUAGES)
EXAMPLE_FIELDS = frozenset({"room_id", "room_name", "room_description", "create_time", "update_time"})
EXAMPLE_SHARE = 0.1
# Share of the other rooms that leave each optional field out. `room_id`, `create_time` and `update_time` are the
# service's own, `room_name` is required on create: those are always there.
ABSENT_SHARE: dict[str, float] = {
    "room_description": 0.15,
    "robot_id": 0.2,
    "cover_url": 0.25,
    "model_infos": 0.1,
    "voice_config": 0.6,  # deprecated in favour of voice_config_list
    "billing_mode": 0.3,
    "reuse_resource": 0.4,
    "concurrency": 0.1,
    "client_nums": 0.4,
    "voice_config_list": 0.15,
    "default_language": 0.3,
    "exit_mute_threshold": 0.35,
}
MAX_VOICES = 3  # voice_config_list entries per room
BACKUP_COUNTS = (0, 0, 1, 2)  # backup avatars drawn per room (the main one drawn again is left out)
CLIENT_NUMS = (1, 64)
# Share of concurrency-billed rooms that keep a terminal count from client billing.
OLD_CLIENT_NUMS_SHARE = 0.25
REUSE_SHARE = 0.3  # of concurrency-billed rooms
CONCURRENCIES = (1, 1, 2, 3, 5, 8, 10, 20, 50)
NO_BACKUPS_SHARE = 0.5  # an avatar without backups leaves the list out rather than sending []
NO_LANGUAGE_DESC_SHARE = 0.2


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
    absent = rng(seed, "metastudio", project, "absent")  # its own stream: the values drawn from `r` stay put
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
        fields = _room(r, pools, tenant, i, billing, language, iso_s(created), iso_s(updated))
        room = SmartChatRoomBaseInfo(**_present(absent, fields, i))
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
) -> dict[str, Any]:
    """Every field of the room, as keyword arguments of `SmartChatRoomBaseInfo`."""
    room_id = str(uuid_from(r))
    host = r.choice(pools.hosts)
    avatar_id, avatar_name = r.choice(pools.avatars)
    backups = [a for a, _ in r.sample(pools.avatars, r.choice(BACKUP_COUNTS)) if a != avatar_id]
    concurrent = billing == "CONCURRENCY"
    # Rooms moved off client billing keep their old terminal count; the totals must only count client billing.
    client_nums = r.randint(*CLIENT_NUMS) if not concurrent or r.random() < OLD_CLIENT_NUMS_SHARE else 0
    region = tenant.region
    return {
        "room_id": room_id,
        "room_name": f"{r.choice(PURPOSES)} with {host}",
        "room_description": r.choice(pools.descriptions),
        "robot_id": r.choice(pools.robots),
        "cover_url": f"https://metastudio-{region}.obs.{region}.myhuaweicloud.com/{tenant.project_id}/covers/{room_id}.png",
        "model_infos": {"model_asset_id": avatar_id, "asset_name": avatar_name, "backup_model_asset_ids": backups},
        "voice_config": _voice(r, pools),
        "billing_mode": billing,
        "reuse_resource": concurrent and r.random() < REUSE_SHARE,
        "concurrency": r.choice(CONCURRENCIES) if concurrent else 0,
        "client_nums": client_nums,
        "voice_config_list": [_voice_rsp(r, pools, index + j, language) for j in range(r.randint(1, MAX_VOICES))],
        "default_language": language,
        "create_time": create_time,
        "update_time": update_time,
        "exit_mute_threshold": r.choice(EXIT_MUTE_THRESHOLDS),
    }


def _present(s: random.Random, fields: dict[str, Any], index: int) -> dict[str, Any]:
    """The fields a room carries. A field with a documented default (billing_mode, default_language) is left out
    only while it holds that default, and client_nums only where the billing mode ignores it, so what is served
    means the same and the totals (summed from the served fields) stay right."""
    # A fixed number of draws per room, so one room's shape never shifts the next one's.
    rolls = {name: s.random() for name in ABSENT_SHARE}
    example, no_backups = s.random() < EXAMPLE_SHARE, s.random() < NO_BACKUPS_SHARE
    no_desc = [s.random() < NO_LANGUAGE_DESC_SHARE for _ in range(MAX_VOICES)]
    if index < FULL_ROOMS:
        return fields
    if index == FULL_ROOMS or example:
        return {name: value for name, value in fields.items() if name in EXAMPLE_FIELDS}
    concurrency_billed = fields["billing_mode"] == "CONCURRENCY"
    keep_anyway = {
        "billing_mode": not concurrency_billed,
        "default_language": fields["default_language"] != "CN",
        "client_nums": not concurrency_billed,
    }
    out = {
        name: value
        for name, value in fields.items()
        if name not in ABSENT_SHARE or keep_anyway.get(name) or rolls[name] >= ABSENT_SHARE[name]
    }
    if "model_infos" in out and not out["model_infos"]["backup_model_asset_ids"] and no_backups:
        out["model_infos"] = {k: v for k, v in out["model_infos"].items() if k != "backup_model_asset_ids"}
    if "voice_config_list" in out:
        voices = out["voice_config_list"]
        out["voice_config_list"] = [_without(v, "language_desc") if no_desc[j] else v for j, v in enumerate(voices)]
    return out


def _without(voice: VoiceConfigRsp, name: str) -> VoiceConfigRsp:
    """The same voice with one field left out (absent, not null: records serialize only the fields they were given)."""
    return VoiceConfigRsp(**voice.model_dump(exclude={name}, exclude_unset=True))


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


# A room's latest dialog task (the one its hidden last_job_start_time names) lasted this long, in seconds.
JOB_SECONDS = (30, 3_600)
MUTE_TIMEOUT_SHARE = 0.3


def room_jobs(seed: int, tenant: MetaStudioTenant, room: RoomEntry) -> Iterator[JobEntry]:
    """The room's latest dialog task, ended (by a stop, or by silence), when the room ever ran one."""
    if room.last_job_start_time is None:
        return
    room_id = room.record.room_id
    r = rng(seed, "metastudio", tenant.project_id, "jobs", room_id)
    job_id = hex32(r)
    start_ms = ms_from_iso(room.last_job_start_time)
    running, details = jobs.new_job(seed, tenant, room, job_id, start_ms, None)
    end_ms = min(EPOCH_MS, start_ms + 1000 * r.randint(*JOB_SECONDS))
    reason = "MUTE_TIMEOUT" if r.random() < MUTE_TIMEOUT_SHARE else "NORMAL"
    record, shown = jobs.ended(running, details, end_ms, reason)
    yield JobEntry(tenant=tenant.project_id, room_id=room_id, details=shown, record=record)
