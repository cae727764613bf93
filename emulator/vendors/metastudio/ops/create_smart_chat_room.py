"""CreateSmartChatRoom: a new interactive dialog room in the caller's project; answers its id.

The room is listed at once, newest first, and counts towards the listing's totals. The body (the SDK's
`CreateSmartChatRoomReq`, also UpdateSmartChatRoom's) carries the documented ranges, lengths, enums and defaults:
a field out of range, of the wrong JSON type or unknown is an invalid parameter; a body that is absent or not a JSON
object is an invalid body. There is no client token: every call makes a room (the SDK sends none either).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool, model_validator

from emulator.core.casing import SnakeModel
from emulator.core.operation import Call, ResponseModel
from emulator.core.params import JSON_INTEGER
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend
from emulator.vendors.metastudio.calls import NoQuery, check_app_user, vendor_of
from emulator.vendors.metastudio.configs import (
    BackgroundConfigInfo,
    ChatResourceConfig,
    ChatSubtitleConfig,
    ChatVideoType,
    ChatVoiceConfig,
    LayerConfig,
    ReviewConfig,
    VideoConfig,
)
from emulator.vendors.metastudio.records import VoiceConfig
from emulator.vendors.metastudio.wiretypes import BillingMode, Language, no_lone_surrogates

NAME = "CreateSmartChatRoom"


class CreateSmartChatRoomReq(SnakeModel):
    room_name: Annotated[str, Field(min_length=1, max_length=256)]
    room_description: Annotated[str, Field(max_length=1024)] | None = None
    video_config: VideoConfig | None = None
    model_asset_id: Annotated[str, Field(max_length=64)] | None = None
    voice_config: VoiceConfig | None = None
    voice_config_list: list[ChatVoiceConfig] | None = None
    robot_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    billing_mode: BillingMode = "CONCURRENCY"
    reuse_resource: StrictBool = False  # may use concurrency not allocated to a room (not in client billing)
    # No default: a room without concurrency cannot start dialog tasks.
    concurrency: Annotated[int, Field(ge=0, le=1024), JSON_INTEGER] | None = None
    client_nums: Annotated[int, Field(ge=0, le=1024), JSON_INTEGER] | None = None
    default_language: Language = "CN"
    background_config: BackgroundConfigInfo | None = None
    layer_config: list[LayerConfig] | None = None
    review_config: ReviewConfig | None = None
    chat_subtitle_config: ChatSubtitleConfig | None = None
    chat_video_type: ChatVideoType | None = None
    exit_mute_threshold: Annotated[int, Field(ge=0, le=1440), JSON_INTEGER] | None = None
    enable_semantic_action: StrictBool | None = None
    chat_resource_config: list[ChatResourceConfig] | None = None

    @model_validator(mode="before")
    @classmethod
    def _unicode(cls, data: Any) -> Any:
        return no_lone_surrogates(data)

    def with_defaults(self) -> dict[str, Any]:
        """Every field given or defaulted (null counts as not given), as wire JSON."""
        return self.model_dump(mode="json", exclude_none=True)

    def sent(self) -> dict[str, Any]:
        """Only the fields the body carried (an update changes those alone)."""
        return {k: v for k, v in self.with_defaults().items() if k in self.model_fields_set}


class CreateSmartChatRoomResponse(ResponseModel):
    room_id: str


async def handle(call: Call, req: NoQuery) -> dict[str, Any]:
    check_app_user(call)
    body: CreateSmartChatRoomReq = call.body
    room_id = backend.create_room(call.emulator, vendor_of(call), call.tenant, body.with_defaults())
    return {"room_id": room_id}


OPERATION = RestOperation(
    method="POST",
    path="/v1/{project_id}/smart-chat-rooms",
    name=NAME,
    request_model=NoQuery,
    response_model=CreateSmartChatRoomResponse,
    body_model=CreateSmartChatRoomReq,
    handler=handle,
    summary="Creates an interactive dialog.",
    errors={
        400: "Invalid body (MSS.00000002): absent, not JSON, not an object; Invalid parameter (MSS.00000003): a "
        "field out of range, of another type or unknown, or an X-App-UserId with Chinese characters; the path "
        "project is not the caller's (MSS.00010009).",
        401: "Gateway authentication failed (APIGW.0301).",
        500: "Internal Error (MSS.00000004).",
    },
)
