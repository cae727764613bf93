"""What a dialog task looks like, derived from its room, its project and the seed: used alike by StartSmartChatJob
and by the generated data, so a generated job and a started one have the same shape.

Everything an SDK user reads back (RTC room, user ids and signatures, access addresses) is a digest of the seed
and the job id: the same seed and order of calls answer the same values in every process.
"""

from __future__ import annotations

import hashlib
from typing import Any

from emulator.core.ids import digest_uuid, iso_s, ms_from_iso
from emulator.vendors.metastudio.job_records import (
    ChatLanguage,
    JobDetails,
    RTCRoomInfoList,
    RTCUserInfo,
    SmartChatJobBaseInfo,
    SmartChatSubtitleConfig,
    SmartChatVideoConfig,
    SmartChatVoiceConfig,
    UserType,
)
from emulator.vendors.metastudio.records import RoomEntry
from emulator.vendors.metastudio.tenants import MetaStudioTenant

# How long an RTC signature handed to the end user stays valid.
SIGNATURE_TTL_S = 86_400
# The listing's languages as the start answer names them (the SDK's LanguageEnum: zh_CN, en_US, ...).
CHAT_LANGUAGE: dict[str, ChatLanguage] = {"CN": "zh_CN", "EN": "en_US"}
LANDSCAPE = SmartChatVideoConfig(width=1920, height=1080)
PORTRAIT = SmartChatVideoConfig(width=1080, height=1920)
# Link state while a job runs: no end user has connected yet.
WAITING_FOR_LINK = 0
# StartSmartChatJob's body fields, in the SDK model's order.
START_ANSWER = (
    "job_id",
    "language",
    "rtc_room_info",
    "chat_subtitle_config",
    "video_config",
    "voice_config_list",
    "chat_video_type",
    "region",
    "chat_access_address",
    "chat_access_rest_address",
    "is_transparent",
    "default_language",
)
# Who the RTC room is handed out for: the end user's client and the avatar's inference side.
RTC_USERS: tuple[UserType, ...] = ("END_USER", "INFERENCE_USER")


def new_job(
    seed: int, tenant: MetaStudioTenant, room: RoomEntry, job_id: str, start_ms: int, client_id: str | None
) -> tuple[SmartChatJobBaseInfo, JobDetails]:
    """A job that has just started in `room` (state PROCESSING), and what ShowSmartChatJob adds to it."""
    listed, details = room.record, room.details
    started = iso_s(start_ms)
    voices = [SmartChatVoiceConfig(**v.model_dump(exclude_unset=True)) for v in listed.voice_config_list or []]
    subtitles = details.chat_subtitle_config if details else None
    chat_video_type = details.chat_video_type if details else None
    fields: dict[str, Any] = {
        "job_id": job_id,
        "state": "PROCESSING",
        "start_time": started,
        "create_time": started,
        "lastupdate_time": started,
        "chat_subtitle_config": None
        if subtitles is None
        else SmartChatSubtitleConfig(**subtitles.model_dump(exclude_none=True)),
        "video_config": _video(room),
        "voice_config_list": voices or None,
        "chat_video_type": chat_video_type,
        "is_transparent": False,
        "default_language": listed.default_language or "CN",
        "client_id": client_id,
        "is_pool_mode": bool(details and details.is_pool_mode),
    }
    record = SmartChatJobBaseInfo(**{k: v for k, v in fields.items() if v is not None})
    language = listed.default_language or "CN"
    job_details = JobDetails(
        rtc_room_info=_rtc(seed, tenant.project_id, job_id, start_ms),
        chat_state=WAITING_FOR_LINK,
        language=CHAT_LANGUAGE.get(language, language),
        chat_access_address=f"wss://{_host(tenant)}/v1/digital-human-chat/{job_id}",
        chat_access_rest_address=f"https://{_host(tenant)}/v1/digital-human-chat/{job_id}",
    )
    return record, job_details


def ended(
    record: SmartChatJobBaseInfo, details: JobDetails | None, end_ms: int, reason: str
) -> tuple[SmartChatJobBaseInfo, JobDetails | None]:
    """The job once stopped (NORMAL) or timed out: SUCCEED, with its end, duration and finish reason."""
    start_ms = ms_from_iso(record.start_time or record.create_time)
    ended_at = iso_s(max(end_ms, start_ms))
    update = {
        "state": "SUCCEED",
        "end_time": ended_at,
        "lastupdate_time": ended_at,
        # From the times as shown (whole seconds), so end_time - start_time == duration.
        "duration": (ms_from_iso(ended_at) - start_ms) / 1000,
        "job_finish_reason": reason,
    }
    done = SmartChatJobBaseInfo(**{**record.model_dump(exclude_unset=True), **update})
    if details is None:
        return done, None
    return done, JobDetails(**details.model_dump(exclude_unset=True, exclude={"chat_state"}))


def start_answer(record: SmartChatJobBaseInfo, details: JobDetails, region: str) -> dict[str, Any]:
    """StartSmartChatJob's body, in the SDK model's field order."""
    listed = record.model_dump(mode="json", exclude_unset=True)
    extra = details.model_dump(mode="json", exclude_unset=True)
    merged = {**listed, **extra, "region": region}
    return {name: merged[name] for name in START_ANSWER if name in merged}


def _video(room: RoomEntry) -> SmartChatVideoConfig:
    details = room.details
    if details and details.video_config:
        return SmartChatVideoConfig(width=details.video_config.width, height=details.video_config.height)
    portrait = details is not None and details.chat_video_type in ("MOBILE", "HUB")
    return PORTRAIT if portrait else LANDSCAPE


def _host(tenant: MetaStudioTenant) -> str:
    return f"metastudio.{tenant.region}.myhuaweicloud.com"


def _rtc(seed: int, project: str, job_id: str, start_ms: int) -> RTCRoomInfoList:
    """The RTC room the job's streams meet in: the project's RTC app, one room per job, two users."""
    expires = start_ms // 1000 + SIGNATURE_TTL_S
    users = [
        RTCUserInfo(
            user_type=user_type,
            user_id=f"{user_type.lower()}-{job_id[:24]}",
            signature=signature(seed, job_id, user_type),
            ctime=expires,
        )
        for user_type in RTC_USERS
    ]
    return RTCRoomInfoList(app_id=rtc_app_id(seed, project), room_id=rtc_room_id(seed, job_id), users=users)


def rtc_app_id(seed: int, project: str) -> str:
    """The project's RTC app."""
    return digest_uuid(seed, ["metastudio.rtc_app", project]).hex


def rtc_room_id(seed: int, job_id: str) -> str:
    """The job's RTC room."""
    return str(digest_uuid(seed, ["metastudio.rtc_room", job_id]))


def signature(seed: int, job_id: str, user_type: UserType) -> str:
    """The signature the user joins the job's RTC room with."""
    return hashlib.sha256(f"{seed}:{job_id}:{user_type}".encode()).hexdigest()
