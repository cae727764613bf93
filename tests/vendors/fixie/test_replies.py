"""Generated replies: the same seed and the same input give the same bytes; every input and the seed matter; the
steps stream on the clock as the reply's words do; the error trigger ends a reply in `error`."""

from __future__ import annotations

import pytest

from emulator.core.fixtures import wire
from emulator.vendors.fixie.records import ConversationTurn
from emulator.vendors.fixie.replies import ECHO_CHARS, ERROR_TRIGGER, GREETINGS, Reply, Step, echo, plan_reply

SEED = 20201109
CONVERSATION = "0b7c8f33-5d1e-4e5a-9d59-2f7f0e3c1a10"
TURN = "7a0e6a2c-1c7b-4a37-8a3e-9b1f4f0d2e55"


def turn_bytes(step: Step) -> str:
    """A step as the wire turn it becomes."""
    turn = ConversationTurn(
        id=TURN,
        timestamp="2025-06-01T00:00:00.000Z",
        role="assistant",
        messages=list(step.messages),
        state=step.state,
        error_detail=step.error_detail,
    )
    return wire(turn)


def stream_bytes(reply: Reply) -> list[str]:
    return [turn_bytes(step) for step in reply.steps]


def test_same_seed_and_input_give_the_same_bytes() -> None:
    for prompt in ("Where is my order?", None, f"please {ERROR_TRIGGER}", "", "héllo 👋 \n\t twice  spaced"):
        first = plan_reply(SEED, CONVERSATION, TURN, prompt, 7)
        again = plan_reply(SEED, CONVERSATION, TURN, prompt, 7)
        assert first == again
        assert stream_bytes(first) == stream_bytes(again)


@pytest.mark.parametrize(
    "changed",
    [
        {"seed": SEED + 1},
        {"conversation_id": "1b7c8f33-5d1e-4e5a-9d59-2f7f0e3c1a10"},
        {"turn_id": "8a0e6a2c-1c7b-4a37-8a3e-9b1f4f0d2e55"},
        {"prompt": "Where is my parcel?"},
    ],
)
def test_each_input_changes_the_reply(changed: dict[str, object]) -> None:
    inputs: dict[str, object] = {"seed": SEED, "conversation_id": CONVERSATION, "turn_id": TURN}
    base = plan_reply(**inputs, prompt="Where is my order?", word_ms=5)  # type: ignore[arg-type]
    other = plan_reply(**{**inputs, "prompt": "Where is my order?", **changed}, word_ms=5)  # type: ignore[arg-type]
    assert other.text != base.text


def test_reply_echoes_the_message_and_streams_word_by_word() -> None:
    reply = plan_reply(SEED, CONVERSATION, TURN, "Where is my order?", 10)
    assert 'You said: "Where is my order?".' in reply.text
    first, *partials, final = reply.steps
    assert first == Step(0, "in-progress", ())
    assert partials and all(s.state == "in-progress" for s in partials)
    texts = [s.messages[0].content for s in partials]
    assert all(reply.text.startswith(t) for t in texts) and texts == sorted(texts, key=len)
    assert all(s.messages[0].state == "in-progress" for s in partials)
    # Each snapshot is due when its words have been "generated": word_ms per word shown.
    for step in [*partials, final]:
        assert step.at_ms == len(step.messages[0].content.split(" ")) * 10
    assert final.state == "done" and final.error_detail is None
    assert final.messages[0].content == reply.text and final.messages[0].state == "done"


def test_zero_word_ms_settles_at_once() -> None:
    reply = plan_reply(SEED, CONVERSATION, TURN, "Hi", 0)
    assert {s.at_ms for s in reply.steps} == {0} and reply.final.state == "done"


def test_error_trigger_fails_the_reply_halfway() -> None:
    reply = plan_reply(SEED, CONVERSATION, TURN, f"Check this {ERROR_TRIGGER} please", 4)
    final = reply.final
    assert final.state == "error" and final.error_detail
    words = reply.text.split(" ")
    cut = final.messages[0]
    assert cut.state == "in-progress" and cut.content == " ".join(words[: len(words) // 2])
    assert final.at_ms == (len(words) // 2 + 1) * 4
    assert all(s.state == "in-progress" for s in reply.steps[:-1])


def test_no_prompt_is_a_greeting() -> None:
    reply = plan_reply(SEED, CONVERSATION, TURN, None, 5)
    assert reply.text.startswith(GREETINGS) and "You said" not in reply.text
    assert reply.final.state == "done"


def test_long_messages_are_echoed_short() -> None:
    long = "word " * 500
    assert len(echo(long)) <= ECHO_CHARS + 1 and echo(long).endswith("…")
    reply = plan_reply(SEED, CONVERSATION, TURN, long, 5)
    assert len(reply.text.split(" ")) < 100  # the stream's length does not grow with the message
    assert echo("  two\n lines ") == "two lines"
