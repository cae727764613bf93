"""Fixie's domain rules for writes, shared by the admin API and Fixie's own write operations: a conversation
belongs to an agent of its owner, and an agent's conversations go with it.

A conversation is one record holding all its turns, so every change (a new conversation, a user message and its
reply, a reply's next snapshot, a stop, a regenerated reply) replaces that record through `put_entries`, validated
like a fixture. List Conversations therefore counts and orders (by first turn) exactly what is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.core.errors import error
from emulator.core.fixtures import FixtureCodec
from emulator.core.ids import iso_ms
from emulator.core.operation import Call
from emulator.core.records import mint_id, put_entries
from emulator.core.store import Store
from emulator.core.store_write import delete_partition
from emulator.core.vendor import EntryRejected, Vendor
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.agents import AgentRef, find_agent, readable_agent
from emulator.vendors.fixie.records import (
    AGENT_CODEC,
    CONVERSATION_CODEC,
    CONVERSATIONS,
    Conversation,
    ConversationEntry,
    ConversationTurn,
    Metadata,
    TextMessage,
)
from emulator.vendors.fixie.replies import Reply, Step, plan_reply

if TYPE_CHECKING:
    from emulator.core.context import Emulator


def check_entries(store: Store, codec: FixtureCodec[Any], entries: Sequence[Any]) -> None:
    if codec is not CONVERSATION_CODEC:
        return
    for index, entry in enumerate(entries):
        assert isinstance(entry, ConversationEntry)
        agent = find_agent(store, entry.agent_id)
        if agent is None or agent.owner != entry.tenant:
            reason = f'agent "{entry.agent_id}" of "{entry.tenant}" does not exist'
            raise EntryRejected(index, entry.record.id, reason, field="agentId")


def on_delete(store: Store, codec: FixtureCodec[Any], tenant: str, id_: str) -> None:
    if codec is AGENT_CODEC:
        delete_partition(store, CONVERSATIONS, tenant, id_)


@dataclass(frozen=True)
class Begun:
    """What a write that asks for a reply leaves: the conversation as stored, and the reply now generating (its
    first step stored as the last turn), unless nothing was asked of the agent."""

    doc: str
    turn_id: str | None = None
    reply: Reply | None = None


def conversations_of(call: Call, vendor: Vendor) -> AgentConversations:
    """The conversations of the agent a write names: one of the caller's own, or any published agent."""
    emu = call.emulator
    return AgentConversations(emu, vendor, readable_agent(emu.store, call.tenant, call.path["agentId"]))


@dataclass(frozen=True)
class AgentConversations:
    """One agent's conversations, stored as its owner's records (whoever calls: a published agent's visitors too)."""

    emu: Emulator
    vendor: Vendor
    agent: AgentRef

    # -- reads --
    def doc(self, conversation_id: str) -> str | None:
        return self.emu.store.get(CONVERSATIONS, self.agent.owner, self.agent.agent_id, conversation_id)

    def load(self, conversation_id: str) -> Conversation | None:
        doc = self.doc(conversation_id)
        return None if doc is None else Conversation.model_validate_json(doc)

    def require(self, conversation_id: str) -> Conversation:
        conversation = self.load(conversation_id)
        if conversation is None:
            raise error(E.CONVERSATION_NOT_FOUND, conversation_id=conversation_id)
        return conversation

    # -- writes --
    def start(self, message: str | None, metadata: Metadata | None, greet: bool) -> Begun:
        """A new conversation: the user's first message and the reply to it, or the agent's greeting (`greet`
        without a message), or no turns at all."""
        now = self._now()
        with self.emu.store.transaction():
            conversation_id = str(self._mint("fixie.conversation", self.agent.agent_id))
            turns: list[ConversationTurn] = []
            if message:
                turns.append(self._user_turn(conversation_id, now, message, metadata))
            if not (message or greet):
                return Begun(self._put(Conversation(id=conversation_id, turns=turns)))
            return self._reply(conversation_id, turns, now, turns[-1] if turns else None)

    def send(self, conversation_id: str, message: str, metadata: Metadata | None) -> Begun:
        now = self._now()
        with self.emu.store.transaction():
            turns = self.require(conversation_id).turns
            if turns and turns[-1].state == "in-progress":
                raise error(E.STILL_GENERATING, conversation_id=conversation_id)
            user = self._user_turn(conversation_id, now, message, metadata)
            return self._reply(conversation_id, [*turns, user], now, user)

    def regenerate(self, conversation_id: str, message_id: str) -> Begun:
        """A new reply in place of the latest one, answering the same user message (the old reply goes, as the
        `useFixie` hook shows it)."""
        now = self._now()
        with self.emu.store.transaction():
            turns = self.require(conversation_id).turns
            self._index(turns, message_id)
            latest = turns[-1]
            if latest.id != message_id:
                raise error(E.NOT_LATEST, message_id=message_id)
            if latest.role == "user":
                raise error(E.NOT_AGENT_MESSAGE, message_id=message_id)
            if latest.state == "in-progress":
                raise error(E.STILL_GENERATING, conversation_id=conversation_id)
            asked = next((t for t in turns if t.id == latest.in_reply_to_id and t.role == "user"), None)
            return self._reply(conversation_id, turns[:-1], now, asked)

    def stop(self, conversation_id: str, message_id: str) -> None:
        """The turn stops where its text got to (its fragment stays in-progress); a turn that is not generating is
        left as it is."""
        with self.emu.store.transaction():
            turns = list(self.require(conversation_id).turns)
            index = self._index(turns, message_id)
            if turns[index].state == "in-progress":
                turns[index] = _with(turns[index], state="stopped")
                self._put(Conversation(id=conversation_id, turns=turns))

    def advance(self, conversation_id: str, turn_id: str, step: Step) -> str | None:
        """Store a reply's next step, if the reply is still the generating last turn (not stopped, regenerated,
        deleted or reset away meanwhile); the conversation as stored, else None."""
        with self.emu.store.transaction():
            conversation = self.load(conversation_id)
            turns = list(conversation.turns) if conversation is not None else []
            if not turns or turns[-1].id != turn_id or turns[-1].state != "in-progress":
                return None
            turns[-1] = _at_step(turns[-1], step)
            return self._put(Conversation(id=conversation_id, turns=turns))

    # -- helpers --
    def _reply(
        self, conversation_id: str, turns: list[ConversationTurn], now: str, asked: ConversationTurn | None
    ) -> Begun:
        """Append the reply to `asked` (None: the agent speaks first) at its first step, and store the result."""
        turn_id = str(self._mint("fixie.turn", conversation_id))
        reply = plan_reply(self.emu.seed, conversation_id, turn_id, _text_of(asked), self.emu.settings.fixie_word_ms)
        first = ConversationTurn(
            id=turn_id,
            timestamp=now,
            role="assistant",
            messages=[],
            state="in-progress",
            in_reply_to_id=asked.id if asked is not None else None,
        )
        doc = self._put(Conversation(id=conversation_id, turns=[*turns, _at_step(first, reply.steps[0])]))
        return Begun(doc, turn_id, reply)

    def _user_turn(self, conversation_id: str, now: str, message: str, metadata: Metadata | None) -> ConversationTurn:
        turn_id = str(self._mint("fixie.turn", conversation_id))
        text = TextMessage(kind="text", content=message)
        return ConversationTurn(
            id=turn_id, timestamp=now, role="user", messages=[text], state="done", metadata=metadata
        )

    def _put(self, conversation: Conversation) -> str:
        """Replace the record (checked like any fixture entry); the document as stored."""
        record = conversation.model_dump(mode="json", by_alias=True, exclude_unset=True)
        entry = {"tenant": self.agent.owner, "agentId": self.agent.agent_id, "record": record}
        put_entries(self.emu.store, self.emu.state, self.vendor, CONVERSATION_CODEC, [entry])
        doc = self.doc(conversation.id)
        assert doc is not None
        return doc

    def _mint(self, scope: str, parent: str) -> Any:
        return mint_id(self.emu.state, self.emu.seed, scope, self.agent.owner, parent)

    def _now(self) -> str:
        return iso_ms(self.emu.clock.now_ms())

    @staticmethod
    def _index(turns: Sequence[ConversationTurn], message_id: str) -> int:
        for index, turn in enumerate(turns):
            if turn.id == message_id:
                return index
        raise error(E.MESSAGE_NOT_FOUND, message_id=message_id)


def _at_step(turn: ConversationTurn, step: Step) -> ConversationTurn:
    return _with(turn, state=step.state, messages=list(step.messages), error_detail=step.error_detail)


def _with(turn: ConversationTurn, **changes: Any) -> ConversationTurn:
    """The turn with some fields replaced (None: absent), as a record validates it."""
    fields = {**turn.model_dump(by_alias=False, exclude_unset=True), **changes}
    return ConversationTurn.model_validate({k: v for k, v in fields.items() if v is not None})


def _text_of(turn: ConversationTurn | None) -> str | None:
    """What a user turn said (its text fragments), as a reply's prompt; None for no turn."""
    if turn is None:
        return None
    return " ".join(m.content for m in turn.messages if isinstance(m, TextMessage))
