"""A dataset build stores what `Vendor.generate_records` yields, which vendors produce without their models (fast at
scale): it must be exactly the records of the entries `generate_tenant` yields, field for field and byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import RootModel

from emulator.core.context import default_manifest
from emulator.core.store import Record
from emulator.vendors import VENDOR_TYPES


def _same(fast: Record, slow: Record) -> None:
    assert (fast.tenant, fast.part, fast.id, fast.sort_key) == (slow.tenant, slow.part, slow.id, slow.sort_key)
    assert fast.doc == slow.doc
    assert fast.values == slow.values
    assert [type(v) for v in fast.values.values()] == [type(v) for v in slow.values.values()]


SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
)


@given(st.dictionaries(st.text(), VALUES, max_size=4))
def test_wire_doc_writes_what_pydantic_writes_for_the_same_values(doc: dict[str, Any]) -> None:
    """Documents written without their models are the bytes the models would give: escapes, non-ASCII text,
    integers and float forms (1e-7, 1e+16) included."""
    from emulator.core.fixtures import wire_doc, wire_json

    assert wire_doc(doc) == RootModel[dict[str, Any]](doc).model_dump_json()
    for value in doc.values():
        assert wire_json(value) == RootModel[Any](value).model_dump_json()


@pytest.mark.parametrize("vendor_type", VENDOR_TYPES, ids=lambda v: v.name)
@pytest.mark.parametrize(("seed", "scale"), [(20201109, 1.0), (7, 0.3), (123456789, 1.7)])
def test_records_are_the_entries_records(vendor_type: Any, seed: int, scale: float) -> None:
    tenants = default_manifest()["tenants"][vendor_type.name]
    vendor = vendor_type(tenants)
    for tenant in vendor.tenants_manifest():
        slow = [(codec.collection, codec.record(entry)) for codec, entry in vendor.generate_tenant(seed, scale, tenant)]
        fast = list(vendor.generate_records(seed, scale, tenant))
        assert [coll for coll, _ in fast] == [coll for coll, _ in slow]
        for (_, a), (_, b) in zip(fast, slow, strict=True):
            _same(a, b)


@pytest.mark.parametrize("vendor_type", VENDOR_TYPES, ids=lambda v: v.name)
@pytest.mark.parametrize(("seed", "scale"), [(20201109, 1.0), (7, 0.3), (123456789, 1.7)])
def test_a_tenant_s_parts_in_order_are_its_records(vendor_type: Any, seed: int, scale: float) -> None:
    """A build may generate a tenant in parts, side by side (`Vendor.build_shards`): together they are the tenant's
    records, each collection's in order, byte for byte."""
    vendor = vendor_type(default_manifest()["tenants"][vendor_type.name])
    for tenant in vendor.tenants_manifest():
        whole = list(vendor.generate_records(seed, scale, tenant))
        shards = vendor.build_shards(scale, tenant)
        parts = [item for shard in range(shards) for item in vendor.generate_shard(seed, scale, tenant, shard)]
        for coll in {coll.name: coll for coll, _ in whole}.values():
            in_parts = [rec for c, rec in parts if c == coll]
            in_whole = [rec for c, rec in whole if c == coll]
            assert len(in_parts) == len(in_whole) > 0
            for a, b in zip(in_parts, in_whole, strict=True):
                _same(a, b)
        assert len(parts) == len(whole)
    assert vendor.build_shards(scale, tenant) == (2 if vendor_type.name == "ice" else 1)
    with pytest.raises(ValueError, match="part"):
        list(vendor.generate_shard(seed, scale, tenant, 5))


@pytest.mark.parametrize(("seed", "scale"), [(20201109, 1.0), (7, 0.3), (123456789, 1.7)])
def test_ice_records_from_documents_are_the_entries_records(seed: int, scale: float) -> None:
    """`ice.data.records` builds instances (and dialogues) as wire documents, never as models."""
    from emulator.vendors.ice import data

    vendor = next(v for v in VENDOR_TYPES if v.name == "ice")(default_manifest()["tenants"]["ice"])
    for tenant in vendor.tenants_manifest():
        slow = [(codec.collection, codec.record(entry)) for codec, entry in vendor.generate_tenant(seed, scale, tenant)]
        fast = list(data.records(seed, vendor.tenant_id(tenant), scale))
        assert [coll for coll, _ in fast] == [coll for coll, _ in slow]
        for (_, a), (_, b) in zip(fast, slow, strict=True):
            _same(a, b)


def test_config_documents_are_what_the_models_serialize_to() -> None:
    """Each builder's document, validated into its model and serialized as records are, comes back unchanged (keys
    in field order included), over every mode and many draws."""
    import json
    import random

    from emulator.core.fixtures import wire, wire_doc
    from emulator.core.pools import seeded_faker
    from emulator.vendors.ice import config_docs, configs
    from emulator.vendors.ice.config_pools import pools_for

    r = random.Random(5)
    pools = pools_for(seeded_faker(5, "ice", "configs"))
    for i in range(200):
        mode = configs.CHAT_MODES[i % 3]
        for model, doc in (
            (configs.AIAgentRuntimeConfig, config_docs.runtime_doc(r, mode)),
            (configs.AIAgentTemplateConfig, config_docs.template_doc(r, pools, mode)),
            (configs.AIAgentConfig, config_docs.agent_doc(r, pools)),
        ):
            assert wire(model.model_validate(doc)) == wire_doc(doc)
            assert json.loads(wire_doc(doc)) == doc


@pytest.mark.parametrize(("seed", "scale"), [(20201109, 1.0), (7, 0.3), (123456789, 1.7)])
def test_dialogue_texts_are_the_models_wire_form(seed: int, scale: float) -> None:
    """`ice.data.dialogue_texts` writes each dialogue out directly (the documents are read back from it): every text
    is exactly what its `Dialogue` model serializes to, with the ids and time it is listed under."""
    from emulator.core.fixtures import wire_doc
    from emulator.core.pools import TextPools, seeded_faker
    from emulator.vendors.ice import data
    from emulator.vendors.ice.records import Dialogue

    account = "1000000000000001"
    pools = TextPools.build(seeded_faker(seed, "ice", account))
    quoted = data._Quoted.of(pools)
    kinds = set()
    for session in data.sessions(seed, account, scale):
        for dialogue_id, round_id, ms, text in data.dialogue_texts(seed, account, session, pools, quoted):
            doc = Dialogue.model_validate_json(text).model_dump(mode="json", by_alias=True)
            assert wire_doc(doc) == text
            assert (dialogue_id, round_id, ms) == (doc["DialogueId"], doc["RoundId"], doc["Time"])
            kinds.add((doc["Source"], doc["Type"], bool(doc["AttachedFileList"]), bool(doc["Extend"])))
    assert len(kinds) >= 6  # calls and chats, several types, with and without files and extensions


@pytest.mark.parametrize(("seed", "count"), [(20201109, 400), (7, 150), (123456789, 300)])
def test_conversation_texts_are_the_models_wire_form(seed: int, count: int) -> None:
    """`fixie.data_text` writes each conversation out directly (the documents are read back from it): every text is
    exactly what its `Conversation` model serializes to, with the id and start it is listed under."""
    from emulator.core.fixtures import wire_doc
    from emulator.core.ids import ms_from_iso
    from emulator.core.pools import TextPools, seeded_faker
    from emulator.vendors.fixie import data_text
    from emulator.vendors.fixie.records import Conversation

    pools = TextPools.build(seeded_faker(seed, "fixie", "owner"))
    texts = list(data_text.conversation_texts(seed, "owner", "agent", count, pools, data_text.Quoted.of(pools)))
    for id_, start_ms, text in texts:
        model = Conversation.model_validate_json(text)
        doc = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert wire_doc(doc) == text
        assert (id_, start_ms) == (doc["id"], ms_from_iso(doc["turns"][0]["timestamp"]))
    states = {t["state"] for _, _, text in texts for t in json.loads(text)["turns"] if "state" in t}
    assert {"done", "error", "stopped", "in-progress"} <= states  # every ending drawn, not one shape


def test_metastudio_records_from_documents_are_the_entries_records() -> None:
    """`metastudio.data_text` writes rooms and jobs out directly: over many seeds (every optional field present and
    absent, backups and language descriptions left out, rooms with and without a job) and a project whose region
    and id need escaping in JSON, its records are the entries' records."""
    vendor = next(v for v in VENDOR_TYPES if v.name == "metastudio")(default_manifest()["tenants"]["metastudio"])
    odd = {"project_id": 'p"\\é/1', "region": 'ap-"south\\east-\u2028'}
    shapes: set[tuple[str, ...]] = set()
    for seed in range(40):
        for tenant in [*vendor.tenants_manifest(), odd]:
            slow = [(c.collection, c.record(e)) for c, e in vendor.generate_tenant(seed, 0.4, tenant)]
            fast = list(vendor.generate_records(seed, 0.4, tenant))
            assert [coll for coll, _ in fast] == [coll for coll, _ in slow]
            for (_, a), (_, b) in zip(fast, slow, strict=True):
                _same(a, b)
                doc = json.loads(b.doc)
                shapes.add(tuple(doc))
                shapes.update(tuple(v) for v in doc.get("voice_config_list", []))
                shapes.add(tuple(doc.get("model_infos", {})))
    fields = {name for shape in shapes for name in shape}
    assert {"room_description", "exit_mute_threshold", "job_finish_reason"} <= fields
    assert ("model_asset_id", "asset_name") in shapes  # backups left out
    assert any("provider" in s and "language_desc" not in s for s in shapes)
    assert any("job_id" in s and "voice_config_list" not in s for s in shapes)
    assert ("room_id", "room_name", "room_description", "create_time", "update_time") in shapes  # the example's
