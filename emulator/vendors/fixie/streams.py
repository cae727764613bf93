"""Replies as the API streams them: JSON Lines, one compact snapshot per line (whole conversations for Start,
the reply's turn for Send and Regenerate), the last one final. The client's reader splits on newlines and parses
each line; it does not look at the media type.

A reply runs on the emulator's clock, independent of who reads its stream: each step is stored when the clock
reaches it (so Get Conversation, as `useFixie` polls it, shows the same snapshots), a Stop is seen at the next
look, and a client that hangs up does not stop the reply. With a frozen clock a reply waits at its first snapshot
until the clock is moved or the reply is stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from enum import Enum

from fastapi import Response
from fastapi.responses import StreamingResponse

from emulator.core.fixtures import wire
from emulator.core.ids import ms_from_iso
from emulator.vendors.fixie.backend import AgentConversations, Begun
from emulator.vendors.fixie.records import Conversation
from emulator.vendors.fixie.responses import CORS_HEADERS

LINES_TYPE = "application/x-ndjson"
POLL_SECONDS = 0.02  # how often a waiting reply looks at the clock and the store (a Stop takes this long to show)

log = logging.getLogger("emulator")

# A stored conversation document -> the line it streams as (None: nothing to send for it).
Line = Callable[[str], str | None]


class Seen(Enum):
    DUE = "due"  # the clock reached the next step
    SETTLED = "settled"  # the reply was stopped (or otherwise ended) by someone else
    GONE = "gone"  # the conversation or the turn is no longer stored (deleted, reset)


def conversation_line(doc: str) -> str | None:
    return doc + "\n"


def turn_line(turn_id: str) -> Line:
    def line(doc: str) -> str | None:
        turn = next((t for t in Conversation.model_validate_json(doc).turns if t.id == turn_id), None)
        return None if turn is None else wire(turn) + "\n"

    return line


class ReplyStreams:
    """The replies one app is generating: each runs as a task of its own, its stream only reads along."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task[None]] = set()

    def respond(
        self,
        where: AgentConversations,
        begun: Begun,
        line: Line,
        *,
        final_only: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        all_headers = {**CORS_HEADERS, **(headers or {})}
        if begun.reply is None:  # nothing to generate: the one snapshot there is
            return Response(line(begun.doc) or "", 200, all_headers, media_type=LINES_TYPE)
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        task = asyncio.get_running_loop().create_task(generate(where, begun, queue.put_nowait))
        self.running.add(task)
        task.add_done_callback(self._finished)
        return StreamingResponse(read_along(queue, line, final_only), 200, all_headers, media_type=LINES_TYPE)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a Fixie reply failed", exc_info=task.exception())


async def read_along(queue: asyncio.Queue[str | None], line: Line, final_only: bool) -> AsyncIterator[bytes]:
    last: str | None = None
    while (doc := await queue.get()) is not None:
        text = line(doc)
        if text is None:
            continue
        if not final_only:
            yield text.encode()
        last = text
    if final_only and last is not None:
        yield last.encode()


async def generate(where: AgentConversations, begun: Begun, emit: Callable[[str | None], None]) -> None:
    """Store each step of the reply when its time comes; emit every document stored (None when done)."""
    assert begun.reply is not None and begun.turn_id is not None
    conversation = Conversation.model_validate_json(begun.doc)
    conversation_id, began = conversation.id, ms_from_iso(conversation.turns[-1].timestamp)
    try:
        emit(begun.doc)  # the first step, stored by the write that began the reply
        for step in begun.reply.steps[1:]:
            while True:
                seen, doc = await wait_for(where, conversation_id, begun.turn_id, began + step.at_ms)
                if seen is Seen.GONE:
                    return
                if seen is Seen.SETTLED:
                    emit(doc)
                    return
                stored = where.advance(conversation_id, begun.turn_id, step)
                if stored is not None:
                    emit(stored)
                    break
    finally:
        emit(None)


async def wait_for(where: AgentConversations, conversation_id: str, turn_id: str, due_ms: int) -> tuple[Seen, str]:
    """Until the clock reaches `due_ms`, or the reply is no longer generating."""
    emu = where.emu
    while True:
        emu.sync()  # the clock, as another worker or the control plane may have moved it
        doc = where.doc(conversation_id)
        if doc is None:
            return Seen.GONE, ""
        turns = Conversation.model_validate_json(doc).turns
        if not any(t.id == turn_id for t in turns):
            return Seen.GONE, doc
        if turns[-1].id != turn_id or turns[-1].state != "in-progress":
            return Seen.SETTLED, doc
        now = emu.clock.now_ms()
        if now >= due_ms:
            return Seen.DUE, doc
        await asyncio.sleep(min(POLL_SECONDS, (due_ms - now) / 1000))
