"""Interactive dialog tasks ("smart chat jobs") as the SDK models them, and how fixtures and the store hold them.

A job belongs to one room: the store partitions a project's jobs by room id, newest first, with a running total
of the jobs still running, so the concurrency check and a room's listing are a few index seeks. The stored
document is the listing's `SmartChatJobBaseInfo`; what ShowSmartChatJob adds (RTC room, access addresses, link
state) is kept beside it as the entry's hidden `details`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field

from emulator.core.casing import SnakeModel
from emulator.core.fixtures import Entry, FixtureCodec, wire
from emulator.core.ids import ms_from_iso
from emulator.core.params import INT32_MAX
from emulator.core.store import Collection, Record
from emulator.vendors.metastudio.configs import ChatSubtitleConfig, ChatVideoType
from emulator.vendors.metastudio.records import descending_text, written_keys
from emulator.vendors.metastudio.wiretypes import Rfc3339, TtsProvider

JobState = Literal["WAITING", "PROCESSING", "SUCCEED", "FAILED", "CANCELED", "HEARTBEAT", "IDLE", "DELETING"]
# A job holds one of the room's concurrent channels while it is in one of these states.
RUNNING_STATES: tuple[JobState, ...] = ("WAITING", "PROCESSING")
JobLanguage = Literal["CN", "EN", "ESP", "por", "Arabic", "Thai", "fr"]
# The start answer's and the job's `language` (the SDK's LanguageEnum).
ChatLanguage = Literal["zh_CN", "en_US", "CN", "EN", "ESP", "por", "Arabic", "Thai", "fr"]
UserType = Literal["CAPTURE", "ANIMATION", "RENDER", "PLAYER", "INFERENCE_USER", "END_USER"]


class ErrorResponse(SnakeModel):
    error_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    error_msg: Annotated[str, Field(min_length=1, max_length=256)] | None = None


class SmartChatSubtitleConfig(ChatSubtitleConfig):
    pass


class SmartChatVideoConfig(SnakeModel):
    width: Annotated[int, Field(ge=0, le=3840)] | None = None
    height: Annotated[int, Field(ge=0, le=3840)] | None = None


class SmartChatVoiceConfig(SnakeModel):
    # No length limits on the strings: a job carries its room's voices as the room lists them.
    voice_asset_id: str | None = None
    speed: Annotated[int, Field(ge=50, le=200)] | None = None
    pitch: Annotated[int, Field(ge=50, le=200)] | None = None
    volume: Annotated[int, Field(ge=90, le=240)] | None = None
    provider: TtsProvider | None = None
    language: JobLanguage | None = None
    language_desc: str | None = None


class SmartChatJobBaseInfo(SnakeModel):
    """A job as ListSmartChatJob shows it (and the core of what the other job operations show)."""

    job_id: Annotated[str, Field(min_length=1, max_length=64)]
    state: JobState | None = None
    duration: Annotated[float, Field(ge=0, le=INT32_MAX)] | None = None  # seconds, once the job has ended
    start_time: Rfc3339 | None = None
    end_time: Rfc3339 | None = None
    error_info: ErrorResponse | None = None
    create_time: Rfc3339
    lastupdate_time: Rfc3339 | None = None
    chat_subtitle_config: SmartChatSubtitleConfig | None = None
    video_config: SmartChatVideoConfig | None = None
    voice_config_list: list[SmartChatVoiceConfig] | None = None
    chat_video_type: ChatVideoType | None = None
    is_transparent: bool | None = None
    default_language: JobLanguage | None = None
    client_id: Annotated[str, Field(max_length=64)] | None = None
    is_pool_mode: bool | None = None
    job_finish_reason: Literal["NORMAL", "MUTE_TIMEOUT"] | None = None


class RTCUserInfo(SnakeModel):
    user_type: UserType | None = None
    user_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    signature: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    ctime: Annotated[int, Field(ge=0, le=4294967295)] | None = None  # when the signature expires, Unix seconds


class RTCRoomInfoList(SnakeModel):
    app_id: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    room_id: Annotated[str, Field(min_length=1, max_length=36)] | None = None
    users: list[RTCUserInfo] | None = None


Address = Annotated[str, Field(min_length=1, max_length=128)]


class JobDetails(SnakeModel):
    """What ShowSmartChatJob shows beyond the listing's fields (a fixture entry's hidden `details`)."""

    rtc_room_info: RTCRoomInfoList | None = None
    chat_state: Annotated[int, Field(ge=0, le=32)] | None = None  # 0 waiting for a link ... 4 going to sleep
    language: ChatLanguage | None = None
    chat_access_address: Address | None = None
    chat_access_rest_address: Address | None = None


class JobEntry(Entry):
    room_id: str = Field(alias="roomId", min_length=1)  # the room the job ran in (its partition)
    # Jobs started through the API: the order they were started in (newest first within one second).
    create_seq: Annotated[int, Field(ge=1)] | None = Field(None, alias="createSeq")
    details: JobDetails | None = None
    record: SmartChatJobBaseInfo


JOBS = Collection(
    "metastudio_smart_chat_jobs",
    columns=("create_ms", "running", "state", "create_seq", "details"),
    prefix_sums=("running",),
    indexed=("state",),
)


def _job_record(e: JobEntry) -> Record:
    job = e.record
    create_ms = ms_from_iso(job.create_time)
    values = {
        "create_ms": create_ms,
        "running": int(job.state in RUNNING_STATES),
        "state": job.state,
        "create_seq": e.create_seq,
        "details": None if e.details is None else wire(e.details),
    }
    sort_key = (create_ms, e.create_seq or 0, descending_text(job.job_id))
    return Record(e.tenant, e.room_id, job.job_id, sort_key, wire(job), values)


def _job_entry(tenant: str, part: str, id_: str, values: dict[str, Any], doc: str) -> dict[str, Any]:
    return {"tenant": tenant, "roomId": part, **written_keys(values), "record": json.loads(doc)}


JOB_CODEC = FixtureCodec(JOBS, "smart_chat_jobs.json", JobEntry, _job_record, _job_entry, "record.job_id")
