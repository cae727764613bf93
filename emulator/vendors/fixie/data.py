"""Generated Fixie data: per owner three agents (two UUIDs, one legacy `owner/handle`; one published) with ~45
conversations each at scale 1, of 2-30 turns, covering every message kind, turn state and fragment state.
One seed drives it all; times count back from `EPOCH_MS`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emulator.core.ids import rng, uuid_from
from emulator.core.pools import TextPools
from emulator.vendors.fixie.records import Agent, AgentEntry, Conversation, ConversationEntry, TurnState

Doc = dict[str, Any]  # a record as its wire JSON object
SECOND_MS = 1000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000


@dataclass(frozen=True)
class AgentShape:
    handle: str
    display_name: str
    description: str
    published: bool
    legacy_id: bool  # "<owner>/<handle>" instead of a UUID
    conversations: int  # at scale 1


AGENT_SHAPES = (
    AgentShape("support-sidekick", "Support Sidekick", "Answers order and billing questions.", False, False, 47),
    AgentShape("docs-navigator", "Docs Navigator", "Finds answers in the product docs.", True, False, 45),
    AgentShape("trip-planner", "Trip Planner", "Plans trips and checks the weather.", False, True, 43),
)
# The first conversations of every agent end in these ways, so each appears whatever the seed;
# later ones draw at random.
LEADING_ENDINGS: tuple[TurnState, ...] = ("in-progress", "error", "stopped")
ERROR_DETAILS = (
    "The model provider returned an error: 429 Too Many Requests",
    "Upstream connection reset while streaming the response",
    "Function call timed out after 30 seconds",
    "This conversation exceeds the model's context window of 8192 tokens",
)
MODELS = ("gpt-4-1106-preview", "gpt-3.5-turbo", "claude-2.1", "mistral-medium")
CITIES = ("Seattle", "Lisbon", "Osaka", "Nairobi", "Montreal", "Reykjavik", "Cusco", "Hanoi")


def agents(seed: int, owner: str) -> list[AgentEntry]:
    r = rng(seed, "fixie", owner, "agents")
    out = []
    for shape in AGENT_SHAPES:
        uuid = str(uuid_from(r))  # drawn for every agent so ids stay put if a shape changes form
        agent_id = f"{owner}/{shape.handle}" if shape.legacy_id else uuid
        record = Agent(
            agent_id=agent_id,
            handle=shape.handle,
            display_name=shape.display_name,
            description=shape.description,
        )
        out.append(AgentEntry(tenant=owner, published=shape.published, record=record))
    return out


def conversations(seed: int, owner: str, agent_id: str, count: int, pools: TextPools) -> Iterator[ConversationEntry]:
    for doc in conversation_docs(seed, owner, agent_id, count, pools):
        yield ConversationEntry(tenant=owner, agent_id=agent_id, record=Conversation.model_validate(doc))


def conversation_docs(seed: int, owner: str, agent_id: str, count: int, pools: TextPools) -> Iterator[Doc]:
    """The agent's conversations as the wire documents `Conversation` serializes to (absent fields left out, as
    the models drop nulls). They are drawn once, as text (`data_text`, what a build stores), and read back here."""
    from emulator.vendors.fixie import data_text  # it draws with this module's constants

    for _, _, text in data_text.conversation_texts(seed, owner, agent_id, count, pools, data_text.Quoted.of(pools)):
        yield json.loads(text)


def scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))
