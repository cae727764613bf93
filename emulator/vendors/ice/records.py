"""ICE records as the SDK models them (alibabacloud-ice20201109), and how fixtures and the store hold them."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Field

from emulator.core.casing import JsonText, PascalModel
from emulator.core.fixtures import Entry, FixtureCodec, wire, wire_doc
from emulator.core.ids import ms_from_iso
from emulator.core.params import JSON_INTEGER
from emulator.core.store import Collection, Record, Store, StoredRow
from emulator.vendors.ice.configs import AIAgentConfig, AIAgentRuntimeConfig, AIAgentTemplateConfig
from emulator.vendors.ice.wire_types import IsoUtc, Long


class AttachedFile(PascalModel):
    id: str | None = None
    name: str | None = None
    format: str | None = None
    type: Long | None = None
    url: str | None = None


class Dialogue(PascalModel):
    dialogue_id: str
    round_id: str | None = None
    producer: Literal["user", "agent"] | None = None
    text: str | None = None
    reasoning_text: str | None = None
    attached_file_list: list[AttachedFile] | None = None
    time: Long = Field(ge=0)  # ms since the Unix epoch
    type: Literal["greeting", "normal", "speech", "announcement", "custom"] | None = None
    source: Literal["chat", "call"] | None = None
    node_id: str | None = None
    extend: JsonText | None = None  # a JSON document as a string, not an object


class Instance(PascalModel):
    call_log_url: str | None = None
    runtime_config: AIAgentRuntimeConfig | None = None
    status: Literal["Created", "Executing", "Finished"] | None = None
    template_config: AIAgentTemplateConfig | None = None
    agent_config: AIAgentConfig | None = None
    user_data: JsonText | None = None  # a JSON document as a string, not an object


class DialogueEntry(Entry):
    session_id: str = Field(alias="sessionId", min_length=1)
    record: Dialogue


class InstanceEntry(Entry):
    ai_agent_id: str = Field(alias="aiAgentId", min_length=1)
    # Not on the wire: the instance's identity and its start time, which StartTime/EndTime filter on.
    instance_id: str = Field(alias="instanceId", min_length=1)
    start_time: IsoUtc = Field(alias="startTime")
    record: Instance
    # Optional and hidden, what DescribeAIAgentInstance adds (generated instances have none; see `describe`): the
    # session its dialogues are listed under, and when it last changed (started, updated or stopped).
    session_id: str | None = Field(None, alias="sessionId", min_length=1)
    modified_time: IsoUtc | None = Field(None, alias="modifiedTime")
    # Dialogue rounds generated into the session so far; present on instances that talk while running (those
    # started through the API), absent on a record of the past.
    generated_rounds: Annotated[int, Field(ge=0, le=2**31 - 1), JSON_INTEGER] | None = Field(
        None, alias="generatedRounds"
    )

    @property
    def live_session(self) -> str | None:
        """The session this instance still adds dialogue rounds to, if it does."""
        running = self.record.status != "Finished"
        return self.session_id if running and self.generated_rounds is not None else None


DIALOGUES = Collection(
    "ice_dialogues",
    columns=("time", "round", "round_id"),
    monotonic=("time", "round"),
    run_counters=(("round", "round_id"),),
)
INSTANCES = Collection(
    "ice_instances",
    columns=("start_ms", "start_time", "session_id", "modified_time", "generated_rounds", "live_session"),
    monotonic=("start_ms",),
    lookups=("live_session",),
)
# Hidden entry fields stored as columns, by column: exported only when set, so older exports stay byte-identical.
OPTIONAL_INSTANCE_FIELDS = {
    "session_id": "sessionId",
    "modified_time": "modifiedTime",
    "generated_rounds": "generatedRounds",
}


def _dialogue_record(e: DialogueEntry) -> Record:
    r = e.record
    values = {"time": r.time, "round_id": r.round_id}
    return Record(e.tenant, e.session_id, r.dialogue_id, (r.time,), wire(r), values)


def dialogue_record(tenant: str, session_id: str, dialogue_id: str, round_id: str, ms: int, text: str) -> Record:
    """`_dialogue_record` of a generated entry whose record serializes to `text`, without the models."""
    return Record(tenant, session_id, dialogue_id, (ms,), text, {"time": ms, "round_id": round_id})


def _dialogue_entry(tenant: str, part: str, id_: str, values: dict[str, Any], doc: str) -> dict[str, Any]:
    return {"tenant": tenant, "sessionId": part, "record": json.loads(doc)}


def _instance_record(e: InstanceEntry) -> Record:
    ms = ms_from_iso(e.start_time)
    values: dict[str, Any] = {"start_ms": ms, "start_time": e.start_time, "live_session": e.live_session}
    values.update({column: getattr(e, column) for column in OPTIONAL_INSTANCE_FIELDS})
    return Record(e.tenant, e.ai_agent_id, e.instance_id, (ms,), wire(e.record), values)


def instance_record(tenant: str, agent_id: str, instance_id: str, start_time: str, doc: dict[str, Any]) -> Record:
    """`_instance_record` of a generated entry (no hidden fields set) whose record serializes to `doc`."""
    ms = ms_from_iso(start_time)
    values = {"start_ms": ms, "start_time": start_time, "live_session": None}
    values.update(dict.fromkeys(OPTIONAL_INSTANCE_FIELDS))
    return Record(tenant, agent_id, instance_id, (ms,), wire_doc(doc), values)


def _instance_entry(tenant: str, part: str, id_: str, values: dict[str, Any], doc: str) -> dict[str, Any]:
    record = json.loads(doc)
    entry = {
        "tenant": tenant,
        "aiAgentId": part,
        "instanceId": id_,
        "startTime": values["start_time"],
        "record": record,
    }
    entry.update(
        {key: values[column] for column, key in OPTIONAL_INSTANCE_FIELDS.items() if values[column] is not None}
    )
    return entry


DIALOGUE_CODEC = FixtureCodec(
    DIALOGUES, "dialogues.json", DialogueEntry, _dialogue_record, _dialogue_entry, "record.DialogueId"
)
INSTANCE_CODEC = FixtureCodec(
    INSTANCES, "instances.json", InstanceEntry, _instance_record, _instance_entry, "instanceId"
)


def instance_entry(tenant: str, row: StoredRow) -> InstanceEntry:
    """A stored instance back as its fixture entry (hidden fields included): what a partial update starts from."""
    return InstanceEntry.model_validate(_instance_entry(tenant, row.part, row.id, row.values, row.doc))


def load_instance(store: Store, tenant: str, instance_id: str) -> InstanceEntry | None:
    row = store.row(INSTANCES, tenant, instance_id)
    return None if row is None else instance_entry(tenant, row)
