"""Generated Fixie conversations, drawn and written out as their wire JSON directly: what a dataset build stores,
and what `data.conversation_docs` reads back for the model path. Building dicts and encoding them cost about a
third of a conversation (10^5 of them at scale); here the pools' lines are JSON-quoted once, and a tool call's
arguments and result are written from their quoted parts.
tests/core/test_generate_records.py checks each text is its `Conversation` model's wire form.

The draws are the data: the same ones in the same order, always. On the hot paths `Random.choice(seq)` and
`Random.randrange(a, b)` are written as what they are, `seq[r._randbelow(len(seq))]` and `a + r._randbelow(b - a)`
(CPython's random.py; tests/vendors/fixie/test_data_text.py checks the identity on this interpreter): the same
bits drawn, half the calls.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from emulator.core.fixtures import wire_json
from emulator.core.ids import EPOCH_MS, iso_ms, rng, uuid_str
from emulator.core.pools import TextPools
from emulator.vendors.fixie.data import (
    CITIES,
    DAY_MS,
    ERROR_DETAILS,
    HOUR_MS,
    LEADING_ENDINGS,
    MODELS,
    SECOND_MS,
)
from emulator.vendors.fixie.records import TurnState

Below = Callable[[int], int]  # Random._randbelow: a draw in range(n)

_USER_METADATA = tuple(f',"metadata":{{"source":"{s}","locale":"en-US"}}' for s in ("web", "mobile", "api"))
_MODEL_METADATA = tuple(f',"metadata":{{"model":"{m}","latencyMs":' for m in MODELS)
_ERROR_DETAILS = tuple(f',"errorDetail":{wire_json(d)}' for d in ERROR_DETAILS)
_FAILURE = json.dumps({"error": "upstream service unavailable"}, separators=(",", ":"))


@dataclass(frozen=True)
class Quoted:
    """The pools' lines as JSON, drawn by index exactly as the pools are (the same lengths). A tool's result is
    a JSON document inside a string (`json.dumps`, ASCII), so its words and names are quoted as `json.dumps` does."""

    user_lines: list[str]
    agent_lines: list[str]
    reasoning: list[str]
    titles: list[str]  # words, title-cased, as `json.dumps` writes them (search hits)
    citations: list[str]  # words as a text's `metadata` member citing them
    names: list[str]  # as `json.dumps` writes them

    @classmethod
    def of(cls, pools: TextPools) -> Quoted:
        citations = []
        for word in pools.words:
            title = word.title()
            cite = {"citations": [{"title": title, "url": f"https://docs.example.com/{title.lower()}"}]}
            citations.append(f',"metadata":{wire_json(cite)}')
        return cls(
            [wire_json(t) for t in pools.user_lines],
            [wire_json(t) for t in pools.agent_lines],
            [wire_json(t) for t in pools.reasoning],
            [json.dumps(w.title()) for w in pools.words],
            citations,
            [json.dumps(n) for n in pools.names],
        )


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
    random_, below = r.random, _below(r)
    greeting = random_() < 0.15
    count = r.randint(2, 30)
    if ending is None and random_() < 0.04:
        ending = "in-progress"
    last_is_assistant = (count % 2 == 1) if greeting else (count % 2 == 0)
    if ending is not None and not last_is_assistant:
        count += 1 if count < 30 else -1
    turns: list[str] = []
    ms = start_ms
    last_user_id: str | None = None
    for n in range(count):
        turn_id = uuid_str(r)
        if (n % 2 == 0) == greeting:
            if n == count - 1 and ending is not None:
                state = ending
            else:  # settled: done mostly, sometimes stopped or failed
                roll = random_()
                state = "error" if roll < 0.04 else "stopped" if roll < 0.09 else "done"
            turns.append(_assistant_turn(r, below, pools, quoted, turn_id, iso_ms(ms), state, last_user_id))
            ms += 20 * SECOND_MS + below(100 * SECOND_MS)
        else:
            turns.append(_user_turn(r, below, quoted, turn_id, iso_ms(ms)))
            last_user_id = turn_id
            ms += SECOND_MS + below(14 * SECOND_MS)
    id_ = uuid_str(r)
    return id_, start_ms, f'{{"id":"{id_}","turns":[{",".join(turns)}]}}'


def _below(r: random.Random) -> Below:
    return r._randbelow  # type: ignore[attr-defined,no-any-return]  # not in typeshed: see the module docstring


def _user_turn(r: random.Random, below: Below, quoted: Quoted, turn_id: str, timestamp: str) -> str:
    lines = quoted.user_lines
    content = lines[below(len(lines))]
    state = ',"state":"done"' if r.random() < 0.5 else ""
    metadata = _USER_METADATA[below(3)] if r.random() < 0.2 else ""
    return (
        f'{{"id":"{turn_id}","timestamp":"{timestamp}","role":"user","messages":[{{"kind":"text","content":'
        f'{content}{state}}}],"state":"done"{metadata}}}'
    )


def _assistant_turn(
    r: random.Random,
    below: Below,
    pools: TextPools,
    quoted: Quoted,
    turn_id: str,
    timestamp: str,
    state: TurnState,
    reply_to: str | None,
) -> str:
    random_ = r.random
    messages: list[str] = []
    streaming = True
    if random_() < 0.35:
        messages += _tool_use(r, quoted, pending=state == "in-progress" and random_() < 0.5)
        streaming = len(messages) > 1  # a pending call ends the messages (functionCall last)
    if state == "done":
        fragment_state = ',"state":"done"' if random_() < 0.7 else ""
        lines = quoted.agent_lines
        content = lines[below(len(lines))]
        cited = ""
        if messages and random_() < 0.5:  # after a tool call: cites a doc
            cited = quoted.citations[below(len(quoted.citations))]
        messages.append(f'{{"kind":"text","content":{content}{fragment_state}{cited}}}')
    elif (state in ("stopped", "in-progress") and streaming) or (state == "error" and streaming and random_() < 0.5):
        messages.append(_partial_text(r, below, pools))
    metadata = ""
    if random_() < 0.3:
        metadata = f"{_MODEL_METADATA[below(len(MODELS))]}{300 + below(8700)}}}"
    extra = _ERROR_DETAILS[below(len(ERROR_DETAILS))] if state == "error" else ""
    if reply_to is not None:
        extra += f',"inReplyToId":"{reply_to}"'
    return (
        f'{{"id":"{turn_id}","timestamp":"{timestamp}","role":"assistant","messages":[{",".join(messages)}],'
        f'"state":"{state}"{extra}{metadata}}}'
    )


def _partial_text(r: random.Random, below: Below, pools: TextPools) -> str:
    """A text fragment cut short while streaming."""
    lines = pools.agent_lines
    content = lines[below(len(lines))]
    content = wire_json(content[: 1 + below(max(2, len(content) // 2) - 1)])
    return f'{{"kind":"text","content":{content},"state":"in-progress"}}'


def _tool_use(r: random.Random, quoted: Quoted, *, pending: bool) -> list[str]:
    name, args, result = _tool(r, quoted)
    call = f'{{"kind":"functionCall","name":"{name}","args":{args}}}'
    if pending:
        return [call]
    failed = r.random() < 0.15
    reply = f'{{"kind":"functionResponse","name":"{name}","response":{wire_json(_FAILURE if failed else result)}'
    if failed:
        reply += ',"failed":true'
    if r.random() < 0.3:
        reply += f',"metadata":{{"durationMs":{r.randrange(40, 4000)}}}'
    return [call, reply + "}"]


def _tool(r: random.Random, quoted: Quoted) -> tuple[str, str, str]:
    """A function call: its name, its arguments as wire JSON, its result as `json.dumps` writes it."""
    pick = r.randrange(4)
    if pick == 0:
        query = r.choice(quoted.user_lines)
        hits = []
        for _ in range(2):
            title = r.choice(quoted.titles)
            hits.append(f'{{"title":{title},"score":{round(r.uniform(0.5, 1), 3)!r}}}')
        args = f'{{"query":{query},"maxResults":2,"corpusId":null}}'
        return "queryKnowledgeBase", args, f'{{"results":[{",".join(hits)}]}}'
    if pick == 1:
        order = f"ORD-{r.randrange(10**6):06d}"
        status = r.choice(("shipped", "processing", "delivered"))
        include_items = "true" if r.random() < 0.5 else "false"
        args = f'{{"orderId":"{order}","includeItems":{include_items}}}'
        return "lookupOrder", args, f'{{"orderId":"{order}","status":"{status}"}}'
    if pick == 2:
        city = r.choice(CITIES)
        temp = round(r.uniform(-5, 32), 1)
        return "getWeather", f'{{"city":"{city}","units":"metric"}}', f'{{"city":"{city}","temperatureC":{temp!r}}}'
    ticket = f"T-{r.randrange(10**5):05d}"
    subject = r.choice(quoted.reasoning)
    priority = r.choice(("low", "normal", "high"))
    args = f'{{"subject":{subject},"priority":"{priority}","urgent":false}}'
    return "createSupportTicket", args, f'{{"ticketId":"{ticket}","name":{r.choice(quoted.names)}}}'
