"""StartSmartChatJob: start a dialog task in a room of the caller's project; answers where and how it runs.

A room runs at most its `concurrency` tasks at once (its `client_nums` when billed per client; none when it has
neither, as documented: "without concurrency, dialog tasks cannot start"); one more answers 403 MSS.20010135. A
started task sets the room's latest task start (which ListSmartChatRooms' start_time/end_time filter on) to the
emulator clock's now. `extend_param` is JSON text; its `client_id` (a string of up to 64 characters) becomes the
task's `client_id`, and text that is not a JSON object is carried without effect.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, model_validator

from emulator.core.casing import SnakeModel
from emulator.core.operation import Call, ResponseModel
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio import backend, jobs
from emulator.vendors.metastudio.calls import check_app_user, vendor_of
from emulator.vendors.metastudio.configs import ChatVideoType
from emulator.vendors.metastudio.job_records import (
    ChatLanguage,
    JobLanguage,
    RTCRoomInfoList,
    SmartChatSubtitleConfig,
    SmartChatVideoConfig,
    SmartChatVoiceConfig,
)
from emulator.vendors.metastudio.tenants import MetaStudioTenant
from emulator.vendors.metastudio.wiretypes import no_lone_surrogates

NAME = "StartSmartChatJob"
CLIENT_ID_MAX = 64


class StartSmartChatJobRequest(RequestModel):
    robot_id: str = Field(min_length=1, max_length=64, description="The application (robot) the task talks to.")


class SmartChatJobsReq(SnakeModel):
    extend_param: Annotated[str, Field(max_length=1024)] | None = Field(
        None, description="JSON text: city, client_id, extra_json_param."
    )

    @model_validator(mode="before")
    @classmethod
    def _unicode(cls, data: Any) -> Any:
        return no_lone_surrogates(data)

    def client_id(self) -> str | None:
        try:
            extended = json.loads(self.extend_param or "")
        except ValueError:
            return None
        client_id = extended.get("client_id") if isinstance(extended, dict) else None
        return client_id if isinstance(client_id, str) and len(client_id) <= CLIENT_ID_MAX else None


class StartSmartChatJobResponse(ResponseModel):
    job_id: str
    language: ChatLanguage | None = None
    rtc_room_info: RTCRoomInfoList | None = None
    chat_subtitle_config: SmartChatSubtitleConfig | None = None
    video_config: SmartChatVideoConfig | None = None
    voice_config_list: list[SmartChatVoiceConfig] | None = None
    chat_video_type: ChatVideoType | None = None
    region: str | None = None
    chat_access_address: str | None = None
    chat_access_rest_address: str | None = None
    is_transparent: bool | None = None
    default_language: JobLanguage | None = None


async def handle(call: Call, req: StartSmartChatJobRequest) -> dict[str, Any]:
    check_app_user(call)
    body: SmartChatJobsReq = call.body
    vendor = vendor_of(call)
    project = vendor.tenants.by_project(call.tenant) or MetaStudioTenant(project_id=call.tenant)
    job = backend.start_job(call.emulator, vendor, project, call.path["room_id"], body.client_id())
    assert job.details is not None
    return jobs.start_answer(job.record, job.details, project.region)


OPERATION = RestOperation(
    method="POST",
    path="/v1/{project_id}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs",
    name=NAME,
    request_model=StartSmartChatJobRequest,
    response_model=StartSmartChatJobResponse,
    body_model=SmartChatJobsReq,
    body_required=False,
    handler=handle,
    summary="Starts a virtual avatar intelligent interaction task.",
    errors={
        400: "Invalid body (MSS.00000002); Invalid parameter (MSS.00000003): robot_id missing or too long, "
        "extend_param too long, an X-App-UserId with Chinese characters; the path project is not the caller's "
        "(MSS.00010009); no such room in the project (MSS.20010045).",
        401: "Gateway authentication failed (APIGW.0301).",
        403: "Insufficient dialog resources (MSS.20010135): the room's concurrency is in use.",
        500: "Internal Error (MSS.00000004).",
    },
)
