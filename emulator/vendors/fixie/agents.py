"""Who may see an agent's conversations: its owner always; anyone, even without a key, for a published agent's
Get Conversation and the conversation writes (Start, Send, Stop, Regenerate). An agent the caller may not see
answers exactly like one that does not exist (404), the way the old client read 404 as "does not exist, or is
private"."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.errors import error
from emulator.core.operation import Call
from emulator.core.store import Store
from emulator.vendors.fixie import errors as E
from emulator.vendors.fixie.auth import ANONYMOUS
from emulator.vendors.fixie.records import AGENTS, PRIVATE, PUBLISHED

# What the operations an anonymous caller may use (on a published agent) answer 401 for, as their OpenAPI documents
# describe it.
KEYLESS_401 = "malformed or unknown API key; or no key for an agent that is not published"


@dataclass(frozen=True)
class AgentRef:
    agent_id: str
    owner: str
    published: bool


def store_of(call: Call) -> Store:
    return call.emulator.store


def find_agent(store: Store, agent_id: str) -> AgentRef | None:
    # Every call on a conversation looks its agent up first: the answer is remembered as one read (until a write).
    return store.remembered(("fixie.agent", agent_id), lambda: _search(store, agent_id))


def _search(store: Store, agent_id: str) -> AgentRef | None:
    for owner in store.tenants(AGENTS):
        for part in (PUBLISHED, PRIVATE):
            if store.get(AGENTS, owner, part, agent_id) is not None:
                return AgentRef(agent_id, owner, part == PUBLISHED)
    return None


def owned_agent(store: Store, caller: str, agent_id: str) -> AgentRef:
    """An agent of the caller's own (List Conversations)."""
    agent = find_agent(store, agent_id)
    if agent is None or agent.owner != caller:
        raise error(E.AGENT_NOT_FOUND, agent_id=agent_id)
    return agent


def readable_agent(store: Store, caller: str, agent_id: str) -> AgentRef:
    """An agent of the caller's own, or any published agent (Get Conversation and the conversation writes)."""
    agent = find_agent(store, agent_id)
    if agent is not None and (agent.published or agent.owner == caller):
        return agent
    if caller == ANONYMOUS:
        # Same answer whether the agent is private or absent: without a key nothing else is visible.
        raise error(E.MISSING_KEY, auth="missing")
    raise error(E.AGENT_NOT_FOUND, agent_id=agent_id)
