"""Generated Fixie conversations, drawn and written out as their wire JSON directly: what a dataset build stores,
and what `data.conversation_docs` reads back for the model path. Building dicts and encoding them cost about a
third of a conversation (10^5 of them at scale); here the pools' lines are JSON-quoted once.
tests/core/test_generate_records.py checks each text is its `Conversation` model's wire form.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from emulator.core.fixtures import wire_json
from emulator.core.ids import EPOCH_MS, iso_ms, rng, uuid_str
from emulator.core.pools import TextPools
from emulator.vendors.fixie.data import (
    DAY_MS,
    ERROR_DETAILS,
    HOUR_MS,
    LEADING_ENDINGS,
    MODELS,
    SECOND_MS,
    _settled_state,
    _tool,
)
from emulator.vendors.fixie.records import TurnState


@dataclass(frozen=True)
class Quoted:
    """The pools' lines as JSON string literals, drawn by index exactly as the pools are."""

    user_lines: list[str]
    agent_lines: list[str]

    @classmethod
    def of(cls, pools: TextPools) -> Quoted:
        return cls([wire_json(t) for t in pools.user_lines], [wire_json(t) for t in pools.agent_lines])


def conversation_texts(
    seed: int, owner: str, agent_id: str, count: int, pools: TextPools, quoted: Quoted
) -> Iterator[tuple[str, int, str]]:
    """(id, start in ms, serialized document) of each of the agent's conversations."""
    r = rng(seed, "fixie", owner, agent_id)
    for i in range(count):
        ending = LEADING_ENDINGS[i] if i < len(LEADING_ENDINGS) else None
        start = EPOCH_MS - (r.randrange(2 * HOUR_MS, 3 * HOUR_MS) if i == 0 else r.randrange(3 * HOUR_MS, 120 * DAY_MS))
        yield _conversation(r, pools, quoted, start, ending)


def _conversation(
    r: random.Random, pools: TextPools, quoted: Quoted, start_ms: int, ending: TurnState | None
) -> tuple[str, int, str]:
    greeting = r.random() < 0.15
    count = r.randint(2, 30)
    if ending is None and r.random() < 0.04:
        ending = "in-progress"
    last_is_assistant = (count % 2 == 1) if greeting else (count % 2 == 0)
    if ending is not None and not last_is_assistant:
        count += 1 if count < 30 else -1
    turns: list[str] = []
    ms = start_ms
    last_user_id: str | None = None
    for n in range(count):
        assistant = (n % 2 == 0) == greeting
        turn_id = uuid_str(r)
        if assistant:
            final = n == count - 1
            state = ending if final and ending is not None else _settled_state(r)
            turns.append(_assistant_turn(r, pools, quoted, turn_id, ms, state, last_user_id))
            ms += r.randrange(20 * SECOND_MS, 120 * SECOND_MS)
        else:
            turns.append(_user_turn(r, quoted, turn_id, ms))
            last_user_id = turn_id
            ms += r.randrange(SECOND_MS, 15 * SECOND_MS)
    id_ = uuid_str(r)
    return id_, start_ms, f'{{"id":"{id_}","turns":[{",".join(turns)}]}}'


def _user_turn(r: random.Random, quoted: Quoted, turn_id: str, ms: int) -> str:
    content = r.choice(quoted.user_lines)
    state = ',"state":"done"' if r.random() < 0.5 else ""
    metadata = ""
    if r.random() < 0.2:
        metadata = f',"metadata":{{"source":"{r.choice(("web", "mobile", "api"))}","locale":"en-US"}}'
    return (
        f'{{"id":"{turn_id}","timestamp":"{iso_ms(ms)}","role":"user","messages":[{{"kind":"text","content":'
        f'{content}{state}}}],"state":"done"{metadata}}}'
    )


def _assistant_turn(
    r: random.Random, pools: TextPools, quoted: Quoted, turn_id: str, ms: int, state: TurnState, reply_to: str | None
) -> str:
    messages: list[str] = []
    streaming = True
    if r.random() < 0.35:
        messages += _tool_use(r, pools, pending=state == "in-progress" and r.random() < 0.5)
        streaming = len(messages) > 1  # a pending call ends the messages (functionCall last)
    if state == "done":
        messages.append(_text(r, pools, quoted, "done" if r.random() < 0.7 else None, citations=bool(messages)))
    elif state in ("stopped", "in-progress") and streaming:
        messages.append(_text(r, pools, quoted, "in-progress", partial=True))
    elif state == "error" and streaming and r.random() < 0.5:
        messages.append(_text(r, pools, quoted, "in-progress", partial=True))
    metadata = ""
    if r.random() < 0.3:
        metadata = f',"metadata":{{"model":"{r.choice(MODELS)}","latencyMs":{r.randrange(300, 9000)}}}'
    extra = f',"errorDetail":{wire_json(r.choice(ERROR_DETAILS))}' if state == "error" else ""
    if reply_to is not None:
        extra += f',"inReplyToId":"{reply_to}"'
    return (
        f'{{"id":"{turn_id}","timestamp":"{iso_ms(ms)}","role":"assistant","messages":[{",".join(messages)}],'
        f'"state":"{state}"{extra}{metadata}}}'
    )


def _text(
    r: random.Random,
    pools: TextPools,
    quoted: Quoted,
    state: TurnState | None,
    *,
    partial: bool = False,
    citations: bool = False,
) -> str:
    if partial:
        content = r.choice(pools.agent_lines)
        content = wire_json(content[: r.randrange(1, max(2, len(content) // 2))])
    else:
        content = r.choice(quoted.agent_lines)
    text = f'{{"kind":"text","content":{content}'
    if state is not None:
        text += f',"state":"{state}"'
    if citations and r.random() < 0.5:
        title = r.choice(pools.words).title()
        cite = wire_json({"citations": [{"title": title, "url": f"https://docs.example.com/{title.lower()}"}]})
        text += f',"metadata":{cite}'
    return text + "}"


def _tool_use(r: random.Random, pools: TextPools, *, pending: bool) -> list[str]:
    name, args, result = _tool(r, pools)
    call = f'{{"kind":"functionCall","name":"{name}","args":{wire_json(args)}}}'
    if pending:
        return [call]
    failed = r.random() < 0.15
    response = json.dumps({"error": "upstream service unavailable"} if failed else result, separators=(",", ":"))
    reply = f'{{"kind":"functionResponse","name":"{name}","response":{wire_json(response)}'
    if failed:
        reply += ',"failed":true'
    if r.random() < 0.3:
        reply += f',"metadata":{{"durationMs":{r.randrange(40, 4000)}}}'
    return [call, reply + "}"]
