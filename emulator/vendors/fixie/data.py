"""Generated Fixie data: per owner three agents (two UUIDs, one legacy `owner/handle`; one published) with ~45
conversations each at scale 1, of 2-30 turns, covering every message kind, turn state and fragment state.
One seed drives it all; times count back from `EPOCH_MS`."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emulator.core.ids import EPOCH_MS, iso_ms, rng, uuid_from, uuid_str
from emulator.core.pools import TextPools
from emulator.vendors.fixie.records import Agent, AgentEntry, Conversation, ConversationEntry, FragmentState, TurnState

Args = dict[str, str | int | float | bool | None]  # a function call's arguments: scalars only
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
    the models drop nulls): a build stores these directly, as validating the models would cost most of the build
    at scale (the tests check they agree)."""
    r = rng(seed, "fixie", owner, agent_id)
    for i in range(count):
        ending = LEADING_ENDINGS[i] if i < len(LEADING_ENDINGS) else None
        # The live (in-progress) one is the newest: a UI polling it is what `useFixie` does.
        start = EPOCH_MS - (r.randrange(2 * HOUR_MS, 3 * HOUR_MS) if i == 0 else r.randrange(3 * HOUR_MS, 120 * DAY_MS))
        yield _conversation(r, pools, start, ending)


def scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def _conversation(r: random.Random, pools: TextPools, start_ms: int, ending: TurnState | None) -> Doc:
    greeting = r.random() < 0.15  # the agent speaks first (generateInitialMessage): its turn replies to nothing
    count = r.randint(2, 30)
    if ending is None and r.random() < 0.04:
        ending = "in-progress"
    last_is_assistant = (count % 2 == 1) if greeting else (count % 2 == 0)
    if ending is not None and not last_is_assistant:
        count += 1 if count < 30 else -1
    turns: list[Doc] = []
    ms = start_ms
    last_user_id: str | None = None
    for n in range(count):
        assistant = (n % 2 == 0) == greeting
        turn_id = uuid_str(r)
        if assistant:
            final = n == count - 1
            state = ending if final and ending is not None else _settled_state(r)
            turns.append(_assistant_turn(r, pools, turn_id, ms, state, last_user_id))
            ms += r.randrange(20 * SECOND_MS, 120 * SECOND_MS)
        else:
            turns.append(_user_turn(r, pools, turn_id, ms))
            last_user_id = turn_id
            ms += r.randrange(SECOND_MS, 15 * SECOND_MS)
    return {"id": uuid_str(r), "turns": turns}


def _settled_state(r: random.Random) -> TurnState:
    roll = r.random()
    return "error" if roll < 0.04 else "stopped" if roll < 0.09 else "done"


def _user_turn(r: random.Random, pools: TextPools, turn_id: str, ms: int) -> Doc:
    text: Doc = {"kind": "text", "content": r.choice(pools.user_lines)}
    if r.random() < 0.5:
        text["state"] = "done"
    turn: Doc = {"id": turn_id, "timestamp": iso_ms(ms), "role": "user", "messages": [text], "state": "done"}
    if r.random() < 0.2:
        turn["metadata"] = {"source": r.choice(("web", "mobile", "api")), "locale": "en-US"}
    return turn


def _assistant_turn(
    r: random.Random, pools: TextPools, turn_id: str, ms: int, state: TurnState, reply_to: str | None
) -> Doc:
    messages: list[Doc] = []
    if r.random() < 0.35:
        messages += _tool_use(r, pools, pending=state == "in-progress" and r.random() < 0.5)
    streaming = messages[-1]["kind"] != "functionCall" if messages else True
    if state == "done":
        messages.append(_text(r, pools, "done" if r.random() < 0.7 else None, citations=bool(messages)))
    elif state in ("stopped", "in-progress") and streaming:
        # Cut off mid-stream: the fragment stays in-progress even though the stopped turn is settled.
        messages.append(_text(r, pools, "in-progress", partial=True))
    elif state == "error" and streaming and r.random() < 0.5:
        messages.append(_text(r, pools, "in-progress", partial=True))
    metadata = {"model": r.choice(MODELS), "latencyMs": r.randrange(300, 9000)} if r.random() < 0.3 else None
    turn: Doc = {"id": turn_id, "timestamp": iso_ms(ms), "role": "assistant", "messages": messages, "state": state}
    if state == "error":
        turn["errorDetail"] = r.choice(ERROR_DETAILS)
    if reply_to is not None:
        turn["inReplyToId"] = reply_to
    if metadata is not None:
        turn["metadata"] = metadata
    return turn


def _text(
    r: random.Random, pools: TextPools, state: FragmentState | None, *, partial: bool = False, citations: bool = False
) -> Doc:
    content = r.choice(pools.agent_lines)
    if partial:
        content = content[: r.randrange(1, max(2, len(content) // 2))]
    text: Doc = {"kind": "text", "content": content}
    if state is not None:
        text["state"] = state
    if citations and r.random() < 0.5:
        title = r.choice(pools.words).title()
        text["metadata"] = {"citations": [{"title": title, "url": f"https://docs.example.com/{title.lower()}"}]}
    return text


def _tool_use(r: random.Random, pools: TextPools, *, pending: bool) -> list[Doc]:
    """A function call and (unless still pending) its response; a failed call answers with an error document."""
    name, args, result = _tool(r, pools)
    call: Doc = {"kind": "functionCall", "name": name, "args": args}
    if pending:
        return [call]
    failed = r.random() < 0.15
    response = json.dumps({"error": "upstream service unavailable"} if failed else result, separators=(",", ":"))
    reply: Doc = {"kind": "functionResponse", "name": name, "response": response}
    if failed:
        reply["failed"] = True
    if r.random() < 0.3:
        reply["metadata"] = {"durationMs": r.randrange(40, 4000)}
    return [call, reply]


def _tool(r: random.Random, pools: TextPools) -> tuple[str, Args, object]:
    pick = r.randrange(4)
    if pick == 0:
        query = r.choice(pools.user_lines)
        hits = [{"title": r.choice(pools.words).title(), "score": round(r.uniform(0.5, 1), 3)} for _ in range(2)]
        return "queryKnowledgeBase", {"query": query, "maxResults": 2, "corpusId": None}, {"results": hits}
    if pick == 1:
        order = f"ORD-{r.randrange(10**6):06d}"
        status = r.choice(("shipped", "processing", "delivered"))
        return "lookupOrder", {"orderId": order, "includeItems": r.random() < 0.5}, {"orderId": order, "status": status}
    if pick == 2:
        city = r.choice(CITIES)
        temp = round(r.uniform(-5, 32), 1)
        return "getWeather", {"city": city, "units": "metric"}, {"city": city, "temperatureC": temp}
    ticket = f"T-{r.randrange(10**5):05d}"
    args: Args = {
        "subject": r.choice(pools.reasoning),
        "priority": r.choice(("low", "normal", "high")),
        "urgent": False,
    }
    return "createSupportTicket", args, {"ticketId": ticket, "name": r.choice(pools.names)}
