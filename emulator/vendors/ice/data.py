"""Generated ICE data: per account, AI agents with instances in every status, and call and chat sessions with
dozens to hundreds of dialogue turns of every Type. One seed drives it all; times count back from `EPOCH`."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.core.fixtures import wire_json
from emulator.core.ids import EPOCH_MS, hex32, iso_s, rng
from emulator.core.pools import TextPools, seeded_faker
from emulator.core.store import Collection, Record
from emulator.vendors.ice.config_docs import agent_doc, runtime_doc, template_doc
from emulator.vendors.ice.config_pools import ConfigPools, pools_for
from emulator.vendors.ice.records import (
    DIALOGUES,
    INSTANCES,
    Dialogue,
    DialogueEntry,
    Instance,
    InstanceEntry,
    dialogue_record,
    instance_record,
)

if TYPE_CHECKING:  # Faker is imported where text is generated, not at start-up
    from faker import Faker

DAY_MS = 86_400_000
MODES = ("VoiceChat", "VisionChat", "AvatarChat3D")
# Instances per agent and sessions per account at scale 1: enough for several pages at default page sizes.
INSTANCES_PER_AGENT = (37, 23, 12)
SESSIONS_PER_ACCOUNT = 12
# Addresses an account's instances are started from (users come back): drawn once, as Faker drawing one per
# instance was a tenth of a build's time at 10^6 records.
EMAILS = 400


@dataclass(frozen=True)
class Session:
    session_id: str
    source: str  # "call" or "chat"
    rounds: int
    start_ms: int


def sessions(seed: int, account: str, scale: float) -> list[Session]:
    """The account's sessions; exposed so the README and tests can name real SessionIds."""
    r = rng(seed, "ice", account, "sessions")
    out = []
    for i in range(max(1, round(SESSIONS_PER_ACCOUNT * scale))):
        # Two long sessions first so the defaults always page; the rest vary from a dozen to 150 rounds.
        rounds = 120 + r.randrange(30) if i < 2 else r.randrange(12, 151)
        source = "call" if i % 2 == 0 else "chat"
        out.append(Session(hex32(r), source, rounds, EPOCH_MS - r.randrange(1, 90) * DAY_MS - r.randrange(DAY_MS)))
    return out


def sessions_in_key_order(seed: int, account: str, scale: float) -> list[Session]:
    """`sessions` in the order their dialogues are stored (by SessionId): a build appends each session's rows at the
    end of the table rather than into its middle (4% smaller, a little cheaper). Each session draws from its own
    random stream, so the order changes no record."""
    return sorted(sessions(seed, account, scale), key=lambda session: session.session_id)


def agents(seed: int, account: str) -> list[str]:
    r = rng(seed, "ice", account, "agents")
    return [hex32(r) for _ in INSTANCES_PER_AGENT]


def agent_mode(seed: int, account: str, agent_id: str) -> str:
    """The call mode of one of the account's generated agents; VoiceChat for any other agent id."""
    known = dict(zip(agents(seed, account), MODES, strict=True))
    return known.get(agent_id, "VoiceChat")


def call_log_url(instance_id: str) -> str:
    return f"https://ice-emulator-oss.oss-cn-shanghai.aliyuncs.com/call_logs/{instance_id}.json"


def dialogues(seed: int, account: str, session: Session, pools: TextPools) -> Iterator[DialogueEntry]:
    for doc in dialogue_docs(seed, account, session, pools):
        yield DialogueEntry(tenant=account, session_id=session.session_id, record=Dialogue.model_validate(doc))


def dialogue_docs(seed: int, account: str, session: Session, pools: TextPools) -> Iterator[dict[str, Any]]:
    """The session's dialogues as the wire documents `Dialogue` serializes to, read back from the text a build
    stores (`dialogue_texts`): the draws are written once."""
    for _, _, _, text in dialogue_texts(seed, account, session, pools, _Quoted.of(pools)):
        yield json.loads(text)


def _round_shape(r: random.Random, source: str, n: int) -> list[tuple[str, str]]:
    """(Producer, Type) of each message in round n."""
    if source == "call":
        if n == 0:
            return [("agent", "greeting")]
        shape = [("user", "normal"), ("agent", "normal")]
        return shape + [("agent", "speech")] if r.random() < 0.08 else shape
    if r.random() < 0.06:
        return [("agent", "announcement")]
    if r.random() < 0.05:
        return [("agent", "custom")]
    return [("user", "normal"), ("agent", "normal")]


def instances(seed: int, account: str, scale: float, fake: Faker) -> Iterator[InstanceEntry]:
    for agent_id, instance_id, start_time, doc in instance_docs(seed, account, scale, fake):
        record = Instance.model_validate(doc)
        yield InstanceEntry(
            tenant=account, ai_agent_id=agent_id, instance_id=instance_id, start_time=start_time, record=record
        )


def instance_docs(seed: int, account: str, scale: float, fake: Faker) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(agent id, instance id, start time, the wire document `Instance` serializes to) of each generated instance:
    a build stores the documents directly (see `config_docs`)."""
    pools, emails = _instance_pools(fake)
    pick = rng(seed, "ice", account, "emails")  # its own stream: the instances' ids are drawn as they always were
    for agent_id, count, mode in zip(agents(seed, account), _instance_counts(scale), MODES, strict=True):
        r = rng(seed, "ice", account, agent_id)
        for i in range(count):
            instance_id = hex32(r)
            # The three newest are still running or waiting; the rest are finished.
            status = ("Created", "Executing", "Executing")[i] if i < 3 else "Finished"
            start = EPOCH_MS - i * r.randrange(3, 9) * 3_600_000 - r.randrange(3_600_000)
            runtime = runtime_doc(r, mode)
            template = template_doc(r, pools, mode)
            agent = agent_doc(r, pools)
            user_data = f'{{"Email":"{pick.choice(emails)}","Preferences":{{"Language":"{r.choice(("en", "zh"))}"}}}}'
            doc = {
                "CallLogUrl": call_log_url(instance_id) if status == "Finished" else "",
                "RuntimeConfig": runtime,
                "Status": status,
                "TemplateConfig": template,
                "AgentConfig": agent,
                "UserData": user_data,
            }
            yield agent_id, instance_id, iso_s(start), doc


def _instance_counts(scale: float) -> list[int]:
    return [max(1, round(count * scale)) for count in INSTANCES_PER_AGENT]


def records(seed: int, account: str, scale: float) -> Iterator[tuple[Collection, Record]]:
    """The account's generated dataset as store records, in `IceVendor.generate_tenant`'s order, built from wire
    documents without the models (what `IceVendor.generate_records` yields; the tests check the two agree)."""
    fake = seeded_faker(seed, "ice", account)
    yield from instance_records(seed, account, scale, fake)
    yield from dialogue_records(seed, account, scale, TextPools.build(fake))


def instance_records(seed: int, account: str, scale: float, fake: Faker) -> Iterator[tuple[Collection, Record]]:
    for agent_id, instance_id, start_time, doc in instance_docs(seed, account, scale, fake):
        yield INSTANCES, instance_record(account, agent_id, instance_id, start_time, doc)


def dialogue_records(seed: int, account: str, scale: float, pools: TextPools) -> Iterator[tuple[Collection, Record]]:
    quoted = _Quoted.of(pools)
    for session in sessions_in_key_order(seed, account, scale):
        part = session.session_id
        for dialogue_id, round_id, ms, text in dialogue_texts(seed, account, session, pools, quoted):
            yield DIALOGUES, dialogue_record(account, part, dialogue_id, round_id, ms, text)


def _instance_pools(fake: Faker) -> tuple[ConfigPools, list[str]]:
    """What instances draw their text from, drawn first from the account's Faker (the dialogues' pools follow)."""
    return pools_for(fake), [fake.email() for _ in range(EMAILS)]


def dialogue_pools(seed: int, account: str) -> TextPools:
    """The text pools `records` draws dialogues from, without generating the instances before them: the account's
    Faker taken through the same draws (`_instance_pools`). A build generates instances and dialogues side by side
    with it (`IceVendor.generate_shard`)."""
    fake = seeded_faker(seed, "ice", account)
    _instance_pools(fake)
    return TextPools.build(fake)


@dataclass(frozen=True)
class _Quoted:
    """The pools' strings as JSON string literals, drawn by index as the pools are (same length, same draws)."""

    user_lines: list[str]
    agent_lines: list[str]
    reasoning: list[str]

    @classmethod
    def of(cls, pools: TextPools) -> _Quoted:
        return cls(*([_quote(t) for t in texts] for texts in (pools.user_lines, pools.agent_lines, pools.reasoning)))


_quote = wire_json
_EMPTY = _quote("")


def dialogue_texts(
    seed: int, account: str, session: Session, pools: TextPools, quoted: _Quoted
) -> Iterator[tuple[str, str, int, str]]:
    """(DialogueId, RoundId, Time, serialized document) of each of the session's dialogues, written out directly:
    a dict per record JSON-encoded would cost most of a dialogue (10^6 of them; the tests check each text is its
    `Dialogue` model's wire form)."""
    r = rng(seed, "ice", account, session.session_id)
    source = session.source
    now = session.start_ms
    node = f"node_{r.choice(('llm', 'intent', 'kb'))}_{r.randrange(1, 9)}" if r.random() < 0.5 else ""
    node_text = _quote(node)
    randrange, random_, choice = r.randrange, r.random, r.choice
    for n in range(session.rounds):
        round_id = hex32(r)
        for producer, kind in _round_shape(r, source, n):
            now += randrange(800, 9000)
            agent = producer == "agent"
            files = "[]"
            if source == "chat" and not agent and random_() < 0.1:
                fmt = choice(("png", "jpg", "pdf", "txt"))
                fid = hex32(r)
                files = wire_json([_file(fid, choice(pools.words), fmt)])
            extend = _EMPTY
            if random_() < 0.3:
                sentiment = choice(("positive", "neutral", "negative"))
                extend = _quote(f'{{"Sentiment":"{sentiment}","Intent":"{choice(pools.words)}"}}')
            dialogue_id = hex32(r)
            text = choice(quoted.agent_lines if agent else quoted.user_lines)
            reasoning = choice(quoted.reasoning) if agent and kind == "normal" and random_() < 0.4 else _EMPTY
            yield (
                dialogue_id,
                round_id,
                now,
                f'{{"DialogueId":"{dialogue_id}","RoundId":"{round_id}","Producer":"{producer}","Text":{text},'
                f'"ReasoningText":{reasoning},"AttachedFileList":{files},"Time":{now},"Type":"{kind}",'
                f'"Source":"{source}","NodeId":{node_text if agent else _EMPTY},"Extend":{extend}}}',
            )


def _file(fid: str, word: str, fmt: str) -> dict[str, Any]:
    return {
        "Id": fid,
        "Name": f"{word}.{fmt}",
        "Format": fmt,
        "Type": 0 if fmt in ("png", "jpg") else 1,
        "Url": f"https://ice-emulator-oss.oss-cn-shanghai.aliyuncs.com/attachments/{fid}.{fmt}",
    }
