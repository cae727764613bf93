"""MetaStudio records as the SDK models them (huaweicloudsdkmetastudio `SmartChatRoomBaseInfo`, 16 fields), and
how fixtures and the store hold them.

Every wire field is optional, as in the SDK (the vendor page's own example sends five of them); `room_id` and
`create_time` are required because they are the room's identity and its place in the listing order.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field

from emulator.core.casing import SnakeModel
from emulator.core.fixtures import Entry, FixtureCodec, wire
from emulator.core.ids import ms_from_iso
from emulator.core.params import JSON_INTEGER
from emulator.core.store import Collection, Record
from emulator.vendors.metastudio.configs import RoomDetails
from emulator.vendors.metastudio.wiretypes import BillingMode, Language, Rfc3339, TtsProvider

# Strict JSON integers: the same models take the create/update body's `voice_config`.
Speed = Annotated[int, Field(ge=50, le=200), JSON_INTEGER]
Pitch = Annotated[int, Field(ge=50, le=200), JSON_INTEGER]
Volume = Annotated[int, Field(ge=90, le=240), JSON_INTEGER]


class ModelInfo(SnakeModel):
    model_asset_id: str | None = None
    asset_name: str | None = None  # the avatar ("image") name `model_name` searches
    backup_model_asset_ids: list[str] | None = None


class VoiceConfig(SnakeModel):
    voice_asset_id: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    speed: Speed | None = None
    pitch: Pitch | None = None
    volume: Volume | None = None


class VoiceConfigRsp(SnakeModel):
    voice_asset_id: str | None = None
    speed: Speed | None = None
    pitch: Pitch | None = None
    volume: Volume | None = None
    provider: TtsProvider | None = None
    language: Language | None = None
    language_desc: str | None = None


class SmartChatRoomBaseInfo(SnakeModel):
    room_id: str = Field(min_length=1)
    room_name: str | None = None
    room_description: str | None = None
    robot_id: str | None = None
    cover_url: str | None = None
    model_infos: ModelInfo | None = None  # one object despite the plural name
    voice_config: VoiceConfig | None = None
    billing_mode: BillingMode | None = None
    reuse_resource: bool | None = None
    concurrency: Annotated[int, Field(ge=0, le=1024)] | None = None
    client_nums: Annotated[int, Field(ge=0, le=1024)] | None = None
    voice_config_list: list[VoiceConfigRsp] | None = None
    default_language: Language | None = None
    create_time: Rfc3339
    update_time: Rfc3339 | None = None
    exit_mute_threshold: Annotated[int, Field(ge=0, le=1440)] | None = None


class RoomEntry(Entry):
    # Not on the wire: when the room's latest dialog task started (start_time/end_time filter on it); null when
    # the room never ran one.
    last_job_start_time: Rfc3339 | None = Field(None, alias="lastJobStartTime")
    # Rooms made by CreateSmartChatRoom: the order they were made in, which puts the newest first among rooms
    # created within the same second (create_time has whole seconds). Absent for generated and fixture rooms.
    create_seq: Annotated[int, Field(ge=1), JSON_INTEGER] | None = Field(None, alias="createSeq")
    # What ShowSmartChatRoom adds to the listing's fields; absent when the room has none of them.
    details: RoomDetails | None = None
    record: SmartChatRoomBaseInfo


ROOMS = Collection(
    "metastudio_smart_chat_rooms",
    columns=(
        "create_ms",
        "last_job_ms",
        "last_job_start_time",
        "room_name_fold",
        "asset_name_fold",
        "concurrency",
        "client_nums_client",
        "client_nums_token",
        "create_seq",
        "details",
    ),
    monotonic=("create_ms",),
    prefix_sums=("concurrency", "client_nums_client", "client_nums_token"),
    indexed=("last_job_ms",),
)
ROOM_PART = ""  # one partition per project: the project is the tenant


def fold(text: str) -> str:
    """Case-insensitive matching for any script (SQLite's lower() folds ASCII only)."""
    return text.casefold()


def descending_text(value: str) -> tuple[int, ...]:
    """A sort key that orders strings in reverse, so room_id still ascends when a page is read newest first."""
    return (*(-ord(c) for c in value), 1)


def _room_record(e: RoomEntry) -> Record:
    room = e.record
    create_ms = ms_from_iso(room.create_time)
    client_nums = room.client_nums or 0
    values = {
        "create_ms": create_ms,
        "last_job_ms": None if e.last_job_start_time is None else ms_from_iso(e.last_job_start_time),
        "last_job_start_time": e.last_job_start_time,
        "room_name_fold": fold(room.room_name or ""),
        "asset_name_fold": fold((room.model_infos.asset_name if room.model_infos else None) or ""),
        "concurrency": room.concurrency or 0,
        "client_nums_client": client_nums if room.billing_mode == "CLIENT" else 0,
        "client_nums_token": client_nums if room.billing_mode == "CLIENT_TOKENS" else 0,
        "create_seq": e.create_seq,
        "details": None if e.details is None else wire(e.details),
    }
    sort_key = (create_ms, e.create_seq or 0, descending_text(room.room_id))
    return Record(e.tenant, ROOM_PART, room.room_id, sort_key, wire(room), values)


def _room_entry(tenant: str, part: str, id_: str, values: dict[str, Any], doc: str) -> dict[str, Any]:
    entry = {"tenant": tenant, "lastJobStartTime": values["last_job_start_time"]}
    return {**entry, **written_keys(values), "record": json.loads(doc)}


def written_keys(values: dict[str, Any]) -> dict[str, Any]:
    """An entry's keys of records made through the API (their creation order and full details): only records that
    have them carry them, so exports of generated ones stay as they were."""
    keys: dict[str, Any] = {}
    if values.get("create_seq") is not None:
        keys["createSeq"] = values["create_seq"]
    if values.get("details") is not None:
        keys["details"] = json.loads(values["details"])
    return keys


ROOM_CODEC = FixtureCodec(ROOMS, "smart_chat_rooms.json", RoomEntry, _room_record, _room_entry, "record.room_id")
