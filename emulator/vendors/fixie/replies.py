"""Assistant replies without a model: what a reply says, and how it streams, follow from the seed, the conversation,
the turn and the user's message alone (the same inputs give the same bytes in any process).

A reply opens, echoes the user's message (shortened) and adds one to three sentences drawn from fixed phrase
tables. It streams in steps on the emulator's clock, `word_ms` per word revealed: an empty in-progress turn, a
few in-progress snapshots with more of the text, then the final turn. A message holding `ERROR_TRIGGER` makes the
reply fail halfway, in the `error` state with an `errorDetail`, its text fragment cut off and still in-progress.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from emulator.core.ids import rng
from emulator.vendors.fixie.data import ERROR_DETAILS
from emulator.vendors.fixie.records import TextMessage, TurnState

# Put anywhere in a user's message: the reply to it ends in the `error` state (README, "Fidelity notes").
ERROR_TRIGGER = "emulator:error"
ECHO_CHARS = 120  # the echo of a long message is cut here (at a word), so replies stay short
STEPS = 4  # snapshots with text per reply, the final one included

OPENERS = (
    "Sure thing.",
    "Good question.",
    "Happy to help.",
    "Let me take a look.",
    "Here is what I found.",
    "Thanks for asking.",
    "Of course.",
    "Right away.",
)
GREETINGS = (
    "Hi there! How can I help you today?",
    "Hello! What can I do for you?",
    "Welcome back! What would you like to work on?",
    "Hi! Ask me anything about your account, orders or trips.",
)
NOUNS = (
    "the order history",
    "your account settings",
    "the billing page",
    "the release notes page",
    "the shipping estimate",
    "the API key",
    "the weather forecast",
    "the travel itinerary",
    "the product docs",
    "the support ticket",
    "the refund policy",
    "the team workspace",
)
SENTENCES = (
    "The short answer is that {a} depends on {b}.",
    "Most people start with {a} and then check {b}.",
    "I would look at {a} first, since it usually explains {b}.",
    "If {a} is not enough, {b} is the next place to check.",
    "In my notes, {a} and {b} come up together often.",
    "You can find {a} right next to {b}.",
    "Once {a} is updated, {b} follows within a few minutes.",
    "Nothing in {a} looks unusual, and {b} agrees.",
)


@dataclass(frozen=True)
class Step:
    """One snapshot of a reply: due `at_ms` after the turn began."""

    at_ms: int
    state: TurnState
    messages: tuple[TextMessage, ...]
    error_detail: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str  # everything the reply would say if it ran to the end
    steps: tuple[Step, ...]  # steps[0] is the empty in-progress turn; the last one is final

    @property
    def final(self) -> Step:
        return self.steps[-1]


def plan_reply(seed: int, conversation_id: str, turn_id: str, prompt: str | None, word_ms: int) -> Reply:
    """The reply `turn_id` gives in `conversation_id` to `prompt` (None: the agent speaks first, a greeting)."""
    r = rng(seed, "fixie.reply", conversation_id, turn_id, prompt or "")
    text = _text(r, prompt)
    words = text.split(" ")
    fails = prompt is not None and ERROR_TRIGGER in prompt
    shown = max(1, len(words) // 2) if fails else len(words)
    steps = [Step(0, "in-progress", ())]
    for count in sorted({-(-shown * k // STEPS) for k in range(1, STEPS)} - {shown}):
        steps.append(Step(count * word_ms, "in-progress", (_fragment(words[:count]),)))
    if fails:
        cut = _fragment(words[:shown])  # cut off mid-stream: the fragment never finished
        steps.append(Step((shown + 1) * word_ms, "error", (cut,), r.choice(ERROR_DETAILS)))
    else:
        steps.append(Step(shown * word_ms, "done", (_fragment(words, done=True),)))
    return Reply(text, tuple(steps))


def _fragment(words: list[str], *, done: bool = False) -> TextMessage:
    return TextMessage(kind="text", content=" ".join(words), state="done" if done else "in-progress")


def _text(r: random.Random, prompt: str | None) -> str:
    if prompt is None:
        parts = [r.choice(GREETINGS)]
    else:
        parts = [r.choice(OPENERS), f'You said: "{echo(prompt)}".']
    for _ in range(r.randint(1, 3)):
        a, b = r.sample(NOUNS, 2)
        parts.append(r.choice(SENTENCES).format(a=a, b=b))
    return " ".join(parts)


def echo(prompt: str) -> str:
    """The user's message on one line, cut at a word past ECHO_CHARS."""
    flat = " ".join(prompt.split())
    if len(flat) <= ECHO_CHARS:
        return flat
    return flat[:ECHO_CHARS].rsplit(" ", 1)[0] + "…"
