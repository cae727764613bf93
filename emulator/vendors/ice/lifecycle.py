"""ICE's domain writes: agent instances started, updated and stopped, and how one is described. The write operations
(StartAIAgentInstance, GenerateAIAgentCall, UpdateAIAgentInstance, StopAIAgentInstance) call these; every write is
one transaction through the instance codec, so a write is checked as a fixture entry is and lands where
ListAIAgentInstance pages (newest first by start time, ties by id).

Choices where the vendor is silent (README, fidelity notes): a started instance is `Executing` at once (the
emulator has no RTC side whose connection would move it on from `Created`); an instance started without a
SessionId gets a new one, so its dialogues can be listed; times are to the second, as the documented GmtCreate
example is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.ids import iso_s, ms_from_iso, rng
from emulator.core.records import mint_id
from emulator.core.store_write import put_records
from emulator.vendors.ice import errors as E
from emulator.vendors.ice.data import call_log_url
from emulator.vendors.ice.records import INSTANCE_CODEC, INSTANCES, Instance, InstanceEntry, load_instance
from emulator.vendors.ice.rounds import bring_up_to_date, catch_up

Wire = dict[str, Any]
# Where a generated instance without a stored GmtModified ended, at most (a call lasts 1 to 30 minutes).
CALL_SECONDS = (60, 1800)


def start(
    emu: Emulator,
    account: str,
    agent_id: str,
    runtime_config: Callable[[str], Wire],
    *,
    session_id: str | None,
    optional: Wire,
) -> InstanceEntry:
    """A new running instance of the agent; `runtime_config` gives its RuntimeConfig from its new id, `optional`
    the other record fields that were given (TemplateConfig, AgentConfig, UserData)."""
    with emu.store.transaction():
        instance_id = mint_id(emu.state, emu.seed, "ice.instance", account).hex
        session = session_id or mint_id(emu.state, emu.seed, "ice.session", account).hex
        started = iso_s(emu.clock.now_ms())
        fields = {"CallLogUrl": "", "RuntimeConfig": runtime_config(instance_id), "Status": "Executing", **optional}
        entry = InstanceEntry(
            tenant=account,
            ai_agent_id=agent_id,
            instance_id=instance_id,
            start_time=started,
            record=Instance.model_validate(fields),
            session_id=session,
            modified_time=started,
            generated_rounds=0,
        )
        put_records(emu.store, INSTANCES, [INSTANCE_CODEC.record(entry)])
    return entry


def _running(emu: Emulator, account: str, instance_id: str) -> InstanceEntry:
    entry = load_instance(emu.store, account, instance_id)
    if entry is None:
        raise error(E.INSTANCE_NOT_FOUND)
    if entry.record.status == "Finished":
        raise error(E.INSTANCE_FINISHED)
    return entry


def _store(emu: Emulator, entry: InstanceEntry, record: Wire, modified_ms: int) -> None:
    changed = entry.model_copy(update={"record": Instance.model_validate(record), "modified_time": iso_s(modified_ms)})
    put_records(emu.store, INSTANCES, [INSTANCE_CODEC.record(changed)])


def stop(emu: Emulator, account: str, instance_id: str) -> None:
    """Finish a running instance: the rounds due by now are written, none after; its call log gets a URL."""
    with emu.store.transaction():
        entry = _running(emu, account, instance_id)
        stopped_ms = ms_from_iso(iso_s(emu.clock.now_ms()))  # GmtModified's precision
        entry = catch_up(emu, entry, stopped_ms)
        record = {**_wire(entry.record), "Status": "Finished", "CallLogUrl": call_log_url(instance_id)}
        _store(emu, entry, record, stopped_ms)


# What UpdateAIAgentInstance may change (the SDK lists them); other fields given are left as they are.
AGENT_CONFIG_UPDATABLE = (
    ("TtsConfig", "VoiceId"),
    ("InterruptConfig", "EnableVoiceInterrupt"),
    ("Greeting",),
    ("Volume",),
    ("EnablePushToTalk",),
    ("VoiceprintConfig", "UseVoiceprint"),
    ("LlmConfig", "BailianAppParams"),
)
TEMPLATE_CONFIG_UPDATABLE = tuple(
    (mode, name)
    for mode in ("VoiceChat", "VisionChat", "AvatarChat3D")
    for name in (
        "VoiceId", "EnableVoiceInterrupt", "Greeting", "Volume", "EnablePushToTalk", "UseVoiceprint", "AsrMaxSilence"
    )
)  # fmt: skip


def merged(current: Wire | None, given: Wire, paths: Iterable[tuple[str, ...]]) -> Wire:
    """`current` with the values `given` has at `paths` (sub-objects created as needed)."""
    out: Wire = json.loads(json.dumps(current or {}))  # a deep copy
    for path in paths:
        source: Any = given
        for key in path:
            source = source.get(key) if isinstance(source, dict) else None
        if source is None:
            continue
        target = out
        for key in path[:-1]:
            child = target.get(key)
            if not isinstance(child, dict):  # absent, or stored as null: the field comes in a new object
                child = target[key] = {}
            target = child
        target[path[-1]] = source
    return out


def update(
    emu: Emulator,
    account: str,
    instance_id: str,
    *,
    agent_config: Wire | None,
    template_config: Wire | None,
    user_data: str | None,
) -> None:
    with emu.store.transaction():
        entry = _running(emu, account, instance_id)
        record = _wire(entry.record)
        for key, given, paths in (
            ("AgentConfig", agent_config, AGENT_CONFIG_UPDATABLE),
            ("TemplateConfig", template_config, TEMPLATE_CONFIG_UPDATABLE),
        ):
            changed = merged(record.get(key), given or {}, paths)
            if changed or key in record:  # an instance without the config does not gain an empty one
                record[key] = changed
        if user_data is not None:
            record["UserData"] = user_data
        _store(emu, entry, record, emu.clock.now_ms())


def describe(emu: Emulator, account: str, instance_id: str) -> Wire:
    """DescribeAIAgentInstance's `Instance`. A generated or fixture instance lacking the hidden fields has an
    empty SessionId (the documented default) and, if finished, a GmtModified drawn from the seed."""
    entry = load_instance(emu.store, account, instance_id)
    if entry is None:
        raise error(E.INSTANCE_NOT_FOUND)
    if entry.live_session is not None:
        bring_up_to_date(emu, account, entry.live_session)
    modified = entry.modified_time or _derived_end(emu.seed, entry)
    return {
        **_wire(entry.record),
        "SessionId": entry.session_id or "",
        "GmtCreate": gmt(entry.start_time),
        "GmtModified": gmt(modified),
    }


def _derived_end(seed: int, entry: InstanceEntry) -> str:
    if entry.record.status != "Finished":
        return entry.start_time
    seconds = rng(seed, "ice", entry.tenant, entry.instance_id, "call").randrange(*CALL_SECONDS)
    return iso_s(ms_from_iso(entry.start_time) + seconds * 1000)


def gmt(iso: str) -> str:
    """yyyy-MM-ddTHH:mm:ssZ as the documented GmtCreate writes it: 2025-07-18T06:39:08.000+00:00."""
    return iso.removesuffix("Z") + ".000+00:00"


def _wire(record: Instance) -> Wire:
    wire: Wire = json.loads(record.model_dump_json(by_alias=True, exclude_unset=True))
    return wire
