"""StopGeneration: stop a reply being generated. It keeps the text it got to (the fragment stays in-progress, as
the docs describe) and ends `stopped`; its stream ends with that snapshot. A turn that is not generating is left
as it is. The `fixie` client sends an empty POST and does not read the answer: `{}` (google.protobuf.Empty)."""

from __future__ import annotations

from typing import Any

from emulator.core.casing import CamelModel
from emulator.core.operation import Call
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.core.vendor import Vendor
from emulator.vendors.fixie.agents import KEYLESS_401
from emulator.vendors.fixie.backend import conversations_of

NAME = "StopGeneration"


class StopGenerationRequest(RequestModel):
    """No query parameters (and no body)."""


class StopGenerationResponse(CamelModel):
    """Empty."""


def operation(vendor: Vendor) -> RestOperation:
    async def handle(call: Call, req: StopGenerationRequest) -> dict[str, Any]:
        conversations_of(call, vendor).stop(call.path["conversationId"], call.path["messageId"])
        return {}

    return RestOperation(
        method="POST",
        path="/api/v1/agents/{agentId:path}/conversations/{conversationId}/messages/{messageId}/stop",
        name=NAME,
        request_model=StopGenerationRequest,
        response_model=StopGenerationResponse,
        handler=handle,
        summary="Stop Generation",
        errors={
            401: KEYLESS_401,
            404: "no such agent visible to the caller, no such conversation, or no such message in it",
        },
    )
