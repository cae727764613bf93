"""GetConversation: one conversation of an agent, exactly as List Conversations shows it. Works without an API key
for a published agent (the `useFixie` hook polls it that way)."""

from __future__ import annotations

from typing import Any

from emulator.core.errors import error
from emulator.core.operation import Call
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.agents import KEYLESS_401, readable_agent, store_of
from emulator.vendors.fixie.records import CONVERSATIONS, Conversation
from emulator.vendors.fixie.responses import DOCUMENT


class GetConversationRequest(RequestModel):
    """No query parameters."""


NAME = "GetConversation"


async def handle(call: Call, req: GetConversationRequest) -> dict[str, Any]:
    store = store_of(call)
    agent = readable_agent(store, call.tenant, call.path["agentId"])
    conversation_id = call.path["conversationId"]
    doc = store.get(CONVERSATIONS, agent.owner, agent.agent_id, conversation_id)
    if doc is None:
        raise error(E.CONVERSATION_NOT_FOUND, conversation_id=conversation_id)
    return {DOCUMENT: doc}


OPERATION = RestOperation(
    method="GET",
    path="/api/v1/agents/{agentId:path}/conversations/{conversationId}",
    name=NAME,
    request_model=GetConversationRequest,
    response_model=Conversation,
    handler=handle,
    summary="Get Conversation",
    errors={
        401: KEYLESS_401,
        404: "no such agent visible to the caller, or no such conversation",
    },
)
