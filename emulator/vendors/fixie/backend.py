"""Fixie's domain rules for writes, shared by the admin API and (later) Fixie's own write operations: a conversation
belongs to an agent of its owner, and an agent's conversations go with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator.core.fixtures import FixtureCodec
from emulator.core.store import Store
from emulator.core.store_write import delete_partition
from emulator.core.vendor import EntryRejected
from emulator.vendors.fixie.agents import find_agent
from emulator.vendors.fixie.records import AGENT_CODEC, CONVERSATION_CODEC, CONVERSATIONS, ConversationEntry


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
