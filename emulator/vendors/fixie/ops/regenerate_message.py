"""RegenerateMessage: a new reply in place of the conversation's latest one (it answers the same user message,
with a new id), streamed as JSON Lines of the new reply's turn. Only the latest message can be regenerated (409
otherwise, as documented). The `fixie` client sends an empty POST."""

from __future__ import annotations

from emulator.core.operation import Call, Result
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.core.vendor import Vendor
from emulator.vendors.fixie.agents import KEYLESS_401
from emulator.vendors.fixie.backend import conversations_of
from emulator.vendors.fixie.bodies import (
    CORPUS_ID,
    RUNTIME_PARAMETERS,
    SYSTEM_PROMPT,
    BodyModel,
    CorpusId,
    JsonObject,
    Text,
)
from emulator.vendors.fixie.ops.send_message import TURN_LINES
from emulator.vendors.fixie.records import ConversationTurn
from emulator.vendors.fixie.streams import LINES_TYPE, ReplyStreams, turn_line

NAME = "RegenerateMessage"


class RegenerateMessageRequest(RequestModel):
    """No query parameters."""


class RegenerateMessageBody(BodyModel):
    runtime_parameters: JsonObject | None = RUNTIME_PARAMETERS
    system_prompt: Text | None = SYSTEM_PROMPT
    corpus_id: CorpusId | None = CORPUS_ID


def operation(vendor: Vendor, streams: ReplyStreams) -> RestOperation:
    async def handle(call: Call, req: RegenerateMessageRequest) -> Result:
        where = conversations_of(call, vendor)
        begun = where.regenerate(call.path["conversationId"], call.path["messageId"])
        assert begun.turn_id is not None
        return streams.respond(where, begun, turn_line(begun.turn_id))

    return RestOperation(
        method="POST",
        path="/api/v1/agents/{agentId:path}/conversations/{conversationId}/messages/{messageId}/regenerate",
        name=NAME,
        request_model=RegenerateMessageRequest,
        response_model=ConversationTurn,
        handler=handle,
        summary="Regenerate Message",
        body_model=RegenerateMessageBody,
        body_required=False,
        media_type=LINES_TYPE,
        success_doc=TURN_LINES,
        errors={
            400: "the body is not a JSON object, a field has the wrong type, or corpusId is not a UUID",
            401: KEYLESS_401,
            404: "no such agent visible to the caller, no such conversation, or no such message in it",
            409: "10 ABORTED: the message is not the conversation's latest, is a user message, or is still being "
            "generated",
        },
    )
