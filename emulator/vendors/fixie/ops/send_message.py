"""SendMessage: a user message in an existing conversation, answered by a reply streamed as JSON Lines of the
reply's turn (`AssistantConversationTurn` snapshots). The `fixie` client sends `{message, metadata}`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from emulator.core.operation import Call, Result
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.core.vendor import Vendor
from emulator.vendors.fixie.agents import KEYLESS_401
from emulator.vendors.fixie.backend import conversations_of
from emulator.vendors.fixie.bodies import MESSAGE_METADATA, RUNTIME_PARAMETERS, BodyModel, JsonObject, Text
from emulator.vendors.fixie.records import ConversationTurn
from emulator.vendors.fixie.replies import ERROR_TRIGGER
from emulator.vendors.fixie.streams import LINES_TYPE, ReplyStreams, turn_line

NAME = "SendMessage"
PATH = "/api/v1/agents/{agentId:path}/conversations/{conversationId}/messages"


class SendMessageRequest(RequestModel):
    """No query parameters."""


class SendMessageBody(BodyModel):
    message: Text = Field(
        min_length=1,
        description=f"The message to send (required; empty counts as missing). Holding `{ERROR_TRIGGER}`, it gets "
        "a reply that fails (state `error`).",
    )
    metadata: JsonObject | None = MESSAGE_METADATA
    runtime_parameters: JsonObject | None = RUNTIME_PARAMETERS


# The stream of a reply's turn, shared with RegenerateMessage.
TURN_LINES: dict[str, Any] = {
    "description": "JSON Lines: one compact snapshot of the reply's turn per line (the schema is each line's); "
    "the last line is final (`done`, `error` or `stopped`).",
}


def operation(vendor: Vendor, streams: ReplyStreams) -> RestOperation:
    async def handle(call: Call, req: SendMessageRequest) -> Result:
        body: SendMessageBody = call.body
        where = conversations_of(call, vendor)
        begun = where.send(call.path["conversationId"], body.message, body.metadata)
        assert begun.turn_id is not None
        return streams.respond(where, begun, turn_line(begun.turn_id))

    return RestOperation(
        method="POST",
        path=PATH,
        name=NAME,
        request_model=SendMessageRequest,
        response_model=ConversationTurn,
        handler=handle,
        summary="Send Message",
        body_model=SendMessageBody,
        media_type=LINES_TYPE,
        success_doc=TURN_LINES,
        errors={
            400: "no body, the body is not a JSON object, message is missing or empty, or a field has the wrong type",
            401: KEYLESS_401,
            404: "no such agent visible to the caller, or no such conversation",
            409: "10 ABORTED: the conversation's last reply is still being generated",
        },
    )
