"""ShowSmartChatRoom: one room of the caller's project, with what the listing leaves out (video, background,
layers, subtitles, resources). A room from fixtures or generated data shows the listing's fields in Show's shape
(`model_asset_id`, voices without their `language_desc`) and what its entry's hidden `details` add, if any.
"""

from __future__ import annotations

from typing import Any

from emulator.core.errors import error
from emulator.core.operation import Call, ResponseModel
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.calls import NoQuery, check_app_user
from emulator.vendors.metastudio.configs import (
    BackgroundConfigInfo,
    ChatResourceConfigInfo,
    ChatSubtitleConfig,
    ChatVideoType,
    ChatVoiceConfig,
    LayerConfig,
    ReviewConfig,
    VideoConfig,
)
from emulator.vendors.metastudio.records import RoomEntry, VoiceConfig
from emulator.vendors.metastudio.wiretypes import BillingMode, Language

NAME = "ShowSmartChatRoom"


class ShowSmartChatRoomResponse(ResponseModel):
    room_name: str | None = None
    room_description: str | None = None
    video_config: VideoConfig | None = None
    model_asset_id: str | None = None
    voice_config: VoiceConfig | None = None
    voice_config_list: list[ChatVoiceConfig] | None = None
    robot_id: str | None = None
    billing_mode: BillingMode | None = None
    reuse_resource: bool | None = None
    concurrency: int | None = None
    client_nums: int | None = None
    default_language: Language | None = None
    background_config: BackgroundConfigInfo | None = None
    layer_config: list[LayerConfig] | None = None
    review_config: ReviewConfig | None = None
    chat_subtitle_config: ChatSubtitleConfig | None = None
    chat_video_type: ChatVideoType | None = None
    exit_mute_threshold: int | None = None
    enable_semantic_action: bool | None = None
    room_id: str
    create_time: str
    update_time: str | None = None
    cover_url: str | None = None
    is_pool_mode: bool | None = None
    chat_resource_config: list[ChatResourceConfigInfo] | None = None


SHOWN_IN_ORDER = tuple(ShowSmartChatRoomResponse.model_fields)


def shown(room: RoomEntry) -> dict[str, Any]:
    """The room as ShowSmartChatRoom (and UpdateSmartChatRoom) answer it, in the SDK model's field order."""
    listed = room.record.model_dump(mode="json", exclude_unset=True)
    values = {**listed, **(room.details.model_dump(mode="json", exclude_unset=True) if room.details else {})}
    model_asset_id = (listed.get("model_infos") or {}).get("model_asset_id")
    if model_asset_id is not None:
        values["model_asset_id"] = model_asset_id
    if "voice_config_list" in listed:
        values["voice_config_list"] = [
            {k: v for k, v in voice.items() if k != "language_desc"} for voice in listed["voice_config_list"]
        ]
    return {name: values[name] for name in SHOWN_IN_ORDER if name in values}


async def handle(call: Call, req: NoQuery) -> dict[str, Any]:
    check_app_user(call)
    room = backend.load_room(call.emulator.store, call.tenant, call.path["room_id"])
    if room is None:
        raise error(E.ROOM_NOT_FOUND)
    return shown(room)


OPERATION = RestOperation(
    method="GET",
    path="/v1/{project_id}/smart-chat-rooms/{room_id}",
    name=NAME,
    request_model=NoQuery,
    response_model=ShowSmartChatRoomResponse,
    handler=handle,
    summary="Queries the details of an interactive dialog.",
    errors={
        400: "Invalid parameter (MSS.00000003): an X-App-UserId with Chinese characters; the path project is not the "
        "caller's (MSS.00010009); no such room in the project (MSS.20010045).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
