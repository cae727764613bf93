"""MetaStudio's domain writes: rooms made, changed and deleted, dialog tasks started and stopped, shared by the
vendor's own operations and (for the rules) the admin API's record writes.

Every write runs in one store transaction (the write lock is taken first, so concurrent creates from any worker
queue up) and stores whole fixture entries through `put_entries` / `delete_entry`, the admin API's own path: the
listing's order, count and running totals are kept by the store on every write. Ids come from `mint_id`, times
from the emulator's clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.fixtures import Entry, FixtureCodec
from emulator.core.ids import iso_s
from emulator.core.records import delete_entry, mint_id, put_entries
from emulator.core.store import Store
from emulator.core.store_write import delete_partition
from emulator.core.vendor import EntryRejected, Vendor
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio import jobs
from emulator.vendors.metastudio.data import LANGUAGE_DESC
from emulator.vendors.metastudio.job_records import JOB_CODEC, JOBS, RUNNING_STATES, JobEntry
from emulator.vendors.metastudio.records import ROOM_CODEC, ROOM_PART, ROOMS, RoomEntry, SmartChatRoomBaseInfo
from emulator.vendors.metastudio.tenants import MetaStudioTenant

VENDOR = "metastudio"
# Body fields the listing shows as they are sent, and those only ShowSmartChatRoom shows.
LISTED = (
    "room_name",
    "room_description",
    "robot_id",
    "voice_config",
    "billing_mode",
    "reuse_resource",
    "concurrency",
    "client_nums",
    "default_language",
    "exit_mute_threshold",
)
SHOWN = (
    "video_config",
    "background_config",
    "layer_config",
    "review_config",
    "chat_subtitle_config",
    "chat_video_type",
    "enable_semantic_action",
    "chat_resource_config",
)


# -- reads --
def load_room(store: Store, tenant: str, room_id: str) -> RoomEntry | None:
    entry = _load(store, ROOM_CODEC, tenant, room_id, ROOM_PART)
    assert entry is None or isinstance(entry, RoomEntry)
    return entry


def load_job(store: Store, tenant: str, room_id: str, job_id: str) -> JobEntry | None:
    """A job of this room (a job id of another room of the project is not found here)."""
    entry = _load(store, JOB_CODEC, tenant, job_id, room_id)
    assert entry is None or isinstance(entry, JobEntry)
    return entry


def _load(store: Store, codec: FixtureCodec[Any], tenant: str, id_: str, part: str) -> Entry | None:
    """A stored record back as its fixture entry (one index seek on the tenant and id)."""
    row = store.row(codec.collection, tenant, id_)
    if row is None or row.part != part:
        return None
    entry: Entry = codec.entry_model.model_validate(codec.to_entry(tenant, part, id_, row.values, row.doc))
    return entry


# -- rooms --
def create_room(emu: Emulator, vendor: Vendor, tenant: str, sent: dict[str, Any]) -> str:
    """A new room from the create body's fields (defaults included); its id."""
    with emu.store.transaction():
        _require_tenant(emu, tenant)
        room_id = str(mint_id(emu.state, emu.seed, "metastudio.room", tenant))
        created = iso_s(emu.clock.now_ms())
        record = {"room_id": room_id, "create_time": created}
        entry = RoomEntry(
            tenant=tenant,
            create_seq=emu.state.next_seq("metastudio.room_order"),
            details=None,
            record=SmartChatRoomBaseInfo(**record),
        )
        _store(emu, vendor, ROOM_CODEC, _changed(entry, sent, created))
    return room_id


def update_room(emu: Emulator, vendor: Vendor, tenant: str, room_id: str, sent: dict[str, Any]) -> RoomEntry:
    """The room with the body's fields replaced (each sent field whole; fields not sent stay)."""
    with emu.store.transaction():
        room = load_room(emu.store, tenant, room_id)
        if room is None:
            raise error(E.ROOM_NOT_FOUND)
        changed = _changed(room, sent, iso_s(emu.clock.now_ms()))
        _store(emu, vendor, ROOM_CODEC, changed)
    return changed


def delete_room(emu: Emulator, vendor: Vendor, tenant: str, room_id: str) -> None:
    """The room and its dialog tasks (see `on_delete`)."""
    if not delete_entry(emu.store, vendor, ROOM_CODEC, tenant, room_id):
        raise error(E.ROOM_NOT_FOUND)


def _changed(room: RoomEntry, sent: dict[str, Any], now: str) -> RoomEntry:
    record = room.record.model_dump(mode="json", exclude_unset=True)
    details = {} if room.details is None else room.details.model_dump(mode="json", exclude_unset=True)
    record.update({name: sent[name] for name in LISTED if name in sent})
    details.update({name: sent[name] for name in SHOWN if name in sent})
    if "model_asset_id" in sent:  # a new avatar: the old one's name and backups no longer apply
        record["model_infos"] = {"model_asset_id": sent["model_asset_id"]}
    if "voice_config_list" in sent:
        voices = sent["voice_config_list"]
        record["voice_config_list"] = [{**v, "language_desc": LANGUAGE_DESC[v["language"]]} for v in voices]
    record["update_time"] = now
    return RoomEntry.model_validate(
        {**room.model_dump(mode="json", by_alias=True), "details": details or None, "record": record}
    )


# -- dialog tasks --
def running_limit(room: SmartChatRoomBaseInfo) -> int:
    """How many tasks may run at once: the concurrency, or the terminals when the room is billed per client. A
    room without one ("no concurrency by default") cannot start any."""
    if room.billing_mode in ("CLIENT", "CLIENT_TOKENS"):
        return room.client_nums or 0
    return room.concurrency or 0


def start_job(
    emu: Emulator, vendor: Vendor, project: MetaStudioTenant, room_id: str, client_id: str | None
) -> JobEntry:
    """A task that starts now in the room, when a concurrent channel is free; the room's latest task start."""
    tenant = project.project_id
    with emu.store.transaction():
        room = load_room(emu.store, tenant, room_id)
        if room is None:
            raise error(E.ROOM_NOT_FOUND)
        running = emu.store.span(JOBS, tenant, room_id).sum("running")
        limit = running_limit(room.record)
        if running >= limit:
            raise error(E.RESOURCE_EXHAUSTED, running=running, limit=limit)
        job_id = mint_id(emu.state, emu.seed, "metastudio.job", tenant, room_id).hex
        now_ms = emu.clock.now_ms()
        record, details = jobs.new_job(emu.seed, project, room, job_id, now_ms, client_id)
        seq = emu.state.next_seq("metastudio.job_order")
        job = JobEntry(tenant=tenant, room_id=room_id, create_seq=seq, details=details, record=record)
        _store(emu, vendor, JOB_CODEC, job)
        _store(emu, vendor, ROOM_CODEC, room.model_copy(update={"last_job_start_time": iso_s(now_ms)}))
    return job


def stop_job(emu: Emulator, vendor: Vendor, tenant: str, room_id: str, job_id: str) -> JobEntry:
    """The task ended now (NORMAL); a task that has already ended stays as it is."""
    with emu.store.transaction():
        if load_room(emu.store, tenant, room_id) is None:
            raise error(E.ROOM_NOT_FOUND)
        job = load_job(emu.store, tenant, room_id, job_id)
        if job is None:
            raise error(E.JOB_NOT_FOUND)
        if job.record.state not in RUNNING_STATES:
            return job
        record, details = jobs.ended(job.record, job.details, emu.clock.now_ms(), "NORMAL")
        stopped = job.model_copy(update={"record": record, "details": details})
        _store(emu, vendor, JOB_CODEC, stopped)
    return stopped


def _store(emu: Emulator, vendor: Vendor, codec: FixtureCodec[Any], entry: Entry) -> None:
    """One entry through the admin API's own write path (validated as fixture files are)."""
    put_entries(emu.store, emu.state, vendor, codec, [entry.model_dump(mode="json", by_alias=True, exclude_none=True)])


def _require_tenant(emu: Emulator, tenant: str) -> None:
    # With auth off any path project is accepted; records may only belong to a served project.
    if emu.state.tenant(VENDOR, tenant) is None:
        raise error(E.PROJECT_MISMATCH)


# -- rules for every write (admin API included) --
def check_entries(store: Store, codec: FixtureCodec[Any], entries: Sequence[Any]) -> None:
    """A dialog task belongs to a room of its project."""
    if codec is not JOB_CODEC:
        return
    for index, entry in enumerate(entries):
        assert isinstance(entry, JobEntry)
        if store.locate(ROOMS, entry.tenant, entry.room_id) is None:
            reason = f'room "{entry.room_id}" of "{entry.tenant}" does not exist'
            raise EntryRejected(index, entry.record.job_id, reason, field="roomId")


def on_delete(store: Store, codec: FixtureCodec[Any], tenant: str, id_: str) -> None:
    """A room's dialog tasks go with it."""
    if codec is ROOM_CODEC:
        delete_partition(store, JOBS, tenant, id_)
