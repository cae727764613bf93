"""The conversation of a running agent instance: one dialogue round (a user turn, then the agent's answer) every
`ice_round_seconds` of emulator clock, written into the instance's session so ListAIAgentDialogues shows it grow.

No background task: a read of the session (ListAIAgentDialogues, DescribeAIAgentInstance) first writes the rounds
that have come due (`bring_up_to_date`), and StopAIAgentInstance writes those due by the stop, after which none are
added. Round k of an instance started at S fills [S + k·P, S + (k+1)·P) (P the period) and is written once its
window has passed; its ids, times and text come from the seed, the account, the instance and k alone, so the same
clock gives the same transcript however the reads were spread, in any worker. The count written so far is kept on
the instance (`generatedRounds`), and both are written in one transaction taken under the write lock, after
re-reading the count: two workers catching up the same session write each round once.
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.core.context import Emulator
from emulator.core.ids import digest_uuid, ms_from_iso, rng
from emulator.core.pools import seeded_faker
from emulator.core.settings import Settings
from emulator.core.store_write import put_records
from emulator.vendors.ice.records import (
    DIALOGUE_CODEC,
    DIALOGUES,
    INSTANCE_CODEC,
    INSTANCES,
    Dialogue,
    DialogueEntry,
    InstanceEntry,
    instance_entry,
)

LINES = 24  # lines of each kind drawn per instance; a round picks one of each


@dataclass(frozen=True)
class RoundSchedule:
    period_ms: int
    max_rounds: int

    @classmethod
    def of(cls, settings: Settings) -> RoundSchedule:
        return cls(settings.ice_round_seconds * 1000, settings.ice_max_rounds)

    def due(self, start_ms: int, limit_ms: int) -> int:
        """How many rounds of an instance started at `start_ms` are complete by `limit_ms`."""
        return max(0, min(self.max_rounds, (limit_ms - start_ms) // self.period_ms))


@dataclass(frozen=True)
class InstanceLines:
    """What the two sides say during one instance's call, drawn once from a Faker seeded for that instance."""

    user: list[str]
    agent: list[str]

    @classmethod
    def build(cls, seed: int, account: str, instance_id: str) -> InstanceLines:
        fake = seeded_faker(seed, "ice", account, instance_id, "lines")
        user = [fake.sentence(nb_words=9).rstrip(".") + "?" for _ in range(LINES)]
        return cls(user, [fake.paragraph(nb_sentences=2) for _ in range(LINES)])


def round_dialogues(
    seed: int, entry: InstanceEntry, k: int, schedule: RoundSchedule, lines: InstanceLines
) -> list[DialogueEntry]:
    """Round k of the instance: the user's turn in the first half of its window, the agent's in the second."""
    account, instance_id = entry.tenant, entry.instance_id
    assert entry.session_id is not None
    r = rng(seed, "ice", account, instance_id, "round", k)
    window = ms_from_iso(entry.start_time) + k * schedule.period_ms
    half = schedule.period_ms // 2
    round_id = digest_uuid(seed, ["ice.round", account, instance_id, str(k)]).hex
    turns = (
        ("user", window + r.randrange(half), r.choice(lines.user)),
        ("agent", window + half + r.randrange(schedule.period_ms - half), r.choice(lines.agent)),
    )
    return [
        DialogueEntry(
            tenant=account,
            session_id=entry.session_id,
            record=Dialogue(
                dialogue_id=digest_uuid(seed, ["ice.dialogue", account, instance_id, str(k), producer]).hex,
                round_id=round_id,
                producer=producer,
                text=text,
                reasoning_text="",
                attached_file_list=[],
                time=at,
                type="normal",
                source="call",
                node_id="",
                extend="",
            ),
        )
        for producer, at, text in turns
    ]


def catch_up(emu: Emulator, entry: InstanceEntry, limit_ms: int) -> InstanceEntry:
    """Write the rounds of `entry` complete by `limit_ms` that are not written yet; the entry as now stored.
    Call inside `emu.store.transaction()`, with `entry` read in it."""
    schedule = RoundSchedule.of(emu.settings)
    done = entry.generated_rounds
    due = schedule.due(ms_from_iso(entry.start_time), limit_ms)
    if done is None or entry.session_id is None or due <= done:
        return entry
    lines = InstanceLines.build(emu.seed, entry.tenant, entry.instance_id)
    dialogues = [d for k in range(done, due) for d in round_dialogues(emu.seed, entry, k, schedule, lines)]
    put_records(emu.store, DIALOGUES, [DIALOGUE_CODEC.record(d) for d in dialogues])
    updated = entry.model_copy(update={"generated_rounds": due})
    put_records(emu.store, INSTANCES, [INSTANCE_CODEC.record(updated)])
    return updated


def bring_up_to_date(emu: Emulator, account: str, session_id: str) -> None:
    """Before a read of the session: write the rounds its running instances owe by now (usually none: one
    indexed lookup, no write)."""
    store, now = emu.store, emu.clock.now_ms()
    schedule = RoundSchedule.of(emu.settings)

    def behind() -> list[InstanceEntry]:
        rows = store.find(INSTANCES, account, "live_session", session_id)
        entries = [instance_entry(account, row) for row in rows]
        return [e for e in entries if schedule.due(ms_from_iso(e.start_time), now) > (e.generated_rounds or 0)]

    if not behind():
        return
    with store.transaction():
        for entry in behind():  # read again under the write lock: another worker may have caught up meanwhile
            catch_up(emu, entry, now)
