"""Fixie records as the client's TypeScript types and the API docs describe them, and how fixtures and the store
hold them.

Optional fields are `field?: T` in the client types: absent, never null. A null in a fixture therefore counts as
absent and is not served.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, JsonValue, model_validator

from emulator.core.casing import CamelModel
from emulator.core.fixtures import Entry, FixtureCodec, wire
from emulator.core.ids import ms_from_iso
from emulator.core.store import Collection, Record


def _calendar_instant(value: str) -> str:
    datetime.fromisoformat(value)  # ValueError (a validation error) for e.g. month 13
    return value


# `2024-03-07T22:56:08.578Z`: UTC, milliseconds, Z, as the docs' examples write it.
Timestamp = Annotated[
    str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"), AfterValidator(_calendar_instant)
]
Metadata = dict[str, JsonValue]
TurnState = Literal["in-progress", "done", "stopped", "error"]
FragmentState = Literal["in-progress", "done"]


class FixieRecord(CamelModel):
    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


class TextMessage(FixieRecord):
    kind: Literal["text"]
    content: str
    # Streaming state of this fragment; may stay in-progress after its turn stopped or failed.
    state: FragmentState | None = None
    metadata: Metadata | None = None


class FunctionCallMessage(FixieRecord):
    kind: Literal["functionCall"]
    name: str | None = None
    args: dict[str, str | int | float | bool | None] | None = None  # scalars only, per the client types
    metadata: Metadata | None = None


class FunctionResponseMessage(FixieRecord):
    kind: Literal["functionResponse"]
    name: str
    response: str  # often a JSON document, as text
    failed: bool | None = None
    metadata: Metadata | None = None


Message = Annotated[TextMessage | FunctionCallMessage | FunctionResponseMessage, Field(discriminator="kind")]


class ConversationTurn(FixieRecord):
    id: str = Field(min_length=1)
    timestamp: Timestamp
    role: Literal["user", "assistant"]
    messages: list[Message]
    state: TurnState
    error_detail: str | None = None
    in_reply_to_id: str | None = None  # assistant turns: the user turn answered
    metadata: Metadata | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ConversationTurn:
        if self.role == "user" and self.state != "done":
            raise ValueError("user turns are always done")
        if self.role == "user" and self.in_reply_to_id is not None:
            raise ValueError("only assistant turns carry inReplyToId")
        if self.error_detail is not None and self.state != "error":
            raise ValueError("errorDetail belongs to turns in the error state only")
        return self


class Conversation(FixieRecord):
    id: str = Field(min_length=1)
    turns: list[ConversationTurn]

    @model_validator(mode="after")
    def _only_last_turn_streams(self) -> Conversation:
        if any(t.state == "in-progress" for t in self.turns[:-1]):
            raise ValueError("only the last turn of a conversation can be in-progress")
        return self

    def started_ms(self) -> int:
        """Conversations list newest first by their first turn; one without turns sorts oldest."""
        return ms_from_iso(self.turns[0].timestamp) if self.turns else 0


class Agent(FixieRecord):
    """Only what the conversation API needs to know of an agent (the agent service itself is not emulated)."""

    agent_id: str = Field(min_length=1)  # a UUID, or the legacy "<owner>/<handle>"
    handle: str = Field(min_length=1, pattern=r"^[^/]+$")
    display_name: str | None = None
    description: str | None = None


class AgentEntry(Entry):
    # Published agents answer Get Conversation without an API key.
    published: bool = False
    record: Agent

    @model_validator(mode="after")
    def _legacy_id_names_owner(self) -> AgentEntry:
        agent_id = self.record.agent_id
        if "/" in agent_id and agent_id != f"{self.tenant}/{self.record.handle}":
            raise ValueError('a legacy agentId with a slash must be "<tenant>/<handle>"')
        return self


class ConversationEntry(Entry):
    agent_id: str = Field(alias="agentId", min_length=1)
    record: Conversation


# Agents are partitioned by visibility, so a published agent is found without knowing its owner's key.
PUBLISHED = "published"
PRIVATE = "private"
AGENTS = Collection("fixie_agents")
CONVERSATIONS = Collection("fixie_conversations")


def _agent_record(e: AgentEntry) -> Record:
    part = PUBLISHED if e.published else PRIVATE
    return Record(e.tenant, part, e.record.agent_id, (e.record.agent_id,), wire(e.record))


def _agent_entry(tenant: str, part: str, id_: str, values: dict[str, Any], doc: str) -> dict[str, Any]:
    return {"tenant": tenant, "published": part == PUBLISHED, "record": json.loads(doc)}


def _conversation_record(e: ConversationEntry) -> Record:
    r = e.record
    return Record(e.tenant, e.agent_id, r.id, (r.started_ms(),), wire(r))


def conversation_record(tenant: str, agent_id: str, id_: str, started_ms: int, text: str) -> Record:
    """`_conversation_record` of a generated entry whose record serializes to `text` and whose first turn is at
    `started_ms`, without the models."""
    return Record(tenant, agent_id, id_, (started_ms,), text)


def _conversation_entry(tenant: str, part: str, id_: str, values: dict[str, Any], doc: str) -> dict[str, Any]:
    return {"tenant": tenant, "agentId": part, "record": json.loads(doc)}


AGENT_CODEC = FixtureCodec(AGENTS, "agents.json", AgentEntry, _agent_record, _agent_entry, "record.agentId")
CONVERSATION_CODEC = FixtureCodec(
    CONVERSATIONS, "conversations.json", ConversationEntry, _conversation_record, _conversation_entry, "record.id"
)
