"""StartConversation: a new conversation with an agent, streamed as JSON Lines of whole-conversation snapshots (the
user's first message and the reply to it, or the agent's greeting), its id in `X-Fixie-Conversation-Id`. The
`fixie` client sends `{message, metadata}`, or an empty POST when it has no message."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from emulator.core.operation import Call, Result
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.core.vendor import Vendor
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.agents import KEYLESS_401
from emulator.vendors.fixie.backend import conversations_of
from emulator.vendors.fixie.bodies import (
    CORPUS_ID,
    MESSAGE_METADATA,
    RUNTIME_PARAMETERS,
    SYSTEM_PROMPT,
    BodyModel,
    CorpusId,
    JsonObject,
    Text,
)
from emulator.vendors.fixie.records import Conversation
from emulator.vendors.fixie.replies import ERROR_TRIGGER
from emulator.vendors.fixie.streams import LINES_TYPE, ReplyStreams, conversation_line

NAME = "StartConversation"
HEADER = "X-Fixie-Conversation-Id"


class StartConversationRequest(RequestModel):
    """No query parameters."""


class StartConversationBody(BodyModel):
    model_config = {
        "json_schema_extra": {
            # generateInitialMessage may be false only without a message ("" counts as none).
            "if": {"properties": {"generateInitialMessage": {"const": False}}, "required": ["generateInitialMessage"]},
            "then": {"properties": {"message": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 0}]}}},
        }
    }

    message: Text | None = Field(
        default=None,
        description="The message to begin the conversation with; omitted (or empty), the agent speaks first. A "
        f"message holding `{ERROR_TRIGGER}` gets a reply that fails (state `error`).",
    )
    metadata: JsonObject | None = MESSAGE_METADATA
    runtime_parameters: JsonObject | None = RUNTIME_PARAMETERS
    system_prompt: Text | None = SYSTEM_PROMPT
    corpus_id: CorpusId | None = CORPUS_ID
    generate_initial_message: bool | None = Field(
        default=True,
        description="If false, the conversation starts with no turns at all; may be false only without a message.",
    )
    stream: bool | None = Field(
        default=True,
        description="Sent by fixie 7.x. False: the answer waits for the reply to settle and holds only the final "
        "snapshot (still one JSON line).",
    )

    @model_validator(mode="after")
    def _initial_message(self) -> StartConversationBody:
        if self.generate_initial_message is False and self.message:
            raise PydanticCustomError(E.INITIAL_MESSAGE, "generateInitialMessage is false but a message is given")
        return self


def operation(vendor: Vendor, streams: ReplyStreams) -> RestOperation:
    async def handle(call: Call, req: StartConversationRequest) -> Result:
        body: StartConversationBody = call.body
        where = conversations_of(call, vendor)
        begun = where.start(body.message or None, body.metadata, greet=body.generate_initial_message is not False)
        conversation_id = Conversation.model_validate_json(begun.doc).id
        headers = {HEADER: conversation_id}
        return streams.respond(where, begun, conversation_line, final_only=body.stream is False, headers=headers)

    return RestOperation(
        method="POST",
        path="/api/v1/agents/{agentId:path}/conversations",
        name=NAME,
        request_model=StartConversationRequest,
        response_model=Conversation,
        handler=handle,
        summary="Start Conversation",
        body_model=StartConversationBody,
        body_required=False,
        media_type=LINES_TYPE,
        success_doc=SUCCESS,
        errors={
            400: "the body is not a JSON object, a field has the wrong type, corpusId is not a UUID, or "
            "generateInitialMessage is false with a message",
            401: KEYLESS_401,
            404: "no such agent visible to the caller",
        },
    )


SUCCESS: dict[str, Any] = {
    "description": "JSON Lines: one compact Conversation snapshot per line as the reply streams (the schema is "
    "each line's); the last line is final (the reply `done`, `error` or `stopped`).",
    "headers": {
        HEADER: {"description": "The new conversation's id.", "required": True, "schema": {"type": "string"}},
    },
}
