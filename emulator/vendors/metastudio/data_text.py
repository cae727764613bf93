"""Generated MetaStudio rooms and their dialog tasks as store records, written out as wire JSON directly: what a
dataset build stores (`MetaStudioVendor.generate_records`).

`data.rooms` and `data.room_jobs` build each room and job as models (a dozen per room) and serialize them, most of
a record's cost at 10^6 records. Here the same values are drawn from the same streams in the same order (see
`data._room`, `data._present` and `data.room_jobs`: changing the order there changes every generated record), and
the documents are laid out in the models' field order with unset fields absent, as `wire(model)` writes them.
tests/core/test_generate_records.py checks both paths give the same records.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import neg
from typing import TYPE_CHECKING

from emulator.core.draws import Draws
from emulator.core.fixtures import wire_json
from emulator.core.ids import EPOCH_MS, hex32, iso_s, rng, uuid_str, uuid_text
from emulator.core.store import Collection, Record
from emulator.vendors.metastudio import jobs
from emulator.vendors.metastudio.data import (
    ABSENT_SHARE,
    BACKUP_COUNTS,
    BILLING_MODES,
    BILLING_WEIGHTS,
    CLIENT_NUMS,
    CONCURRENCIES,
    DAY_MS,
    EXAMPLE_SHARE,
    EXIT_MUTE_THRESHOLDS,
    FULL_ROOMS,
    HISTORY_MS,
    JOB_SECONDS,
    LANGUAGE_DESC,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    LAST_JOB_SHARE,
    MAX_VOICES,
    MUTE_TIMEOUT_SHARE,
    NO_BACKUPS_SHARE,
    NO_LANGUAGE_DESC_SHARE,
    OLD_CLIENT_NUMS_SHARE,
    PROVIDERS,
    PURPOSES,
    REUSE_SHARE,
    ROOMS_PER_PROJECT,
    ProjectPools,
    T,
    _prosody,
)
from emulator.vendors.metastudio.job_records import JOBS
from emulator.vendors.metastudio.records import ROOM_PART, ROOMS, fold
from emulator.vendors.metastudio.tenants import MetaStudioTenant
from emulator.vendors.metastudio.wiretypes import Language

if TYPE_CHECKING:
    from faker import Faker

# `Random.choices(values, weights)` is a bisection of one draw into the running sums: the same draw, summed once.
_BILLING_SUMS = tuple(accumulate(BILLING_WEIGHTS))
_LANGUAGE_SUMS = tuple(accumulate(LANGUAGE_WEIGHTS))
# The optional fields, numbered in `ABSENT_SHARE`'s order (the order their rolls are drawn in).
(
    _DESCRIPTION,
    _ROBOT,
    _COVER,
    _MODEL,
    _VOICE,
    _BILLING,
    _REUSE,
    _CONCURRENCY,
    _CLIENT_NUMS,
    _VOICE_LIST,
    _LANGUAGE,
    _EXIT_MUTE,
) = range(len(ABSENT_SHARE))
_SHARES = tuple(ABSENT_SHARE.values())
_ALL_KEPT = (True,) * len(_SHARES)
_EXAMPLE_KEPT = tuple(field == _DESCRIPTION for field in range(len(_SHARES)))  # of the optional fields, the example's


@dataclass(frozen=True)
class _Quoted:
    """A project's pools as pieces of wire JSON, in the pools' order and lengths (so the same draws pick them)."""

    descriptions: list[str]
    # (model_asset_id, the model_infos document up to its backups, the asset name folded)
    avatars: list[tuple[str, str, str]]
    cover_url: str  # the cover URL's opening quote and text up to the room id

    @classmethod
    def of(cls, pools: ProjectPools, tenant: MetaStudioTenant) -> _Quoted:
        region, project = tenant.region, tenant.project_id
        return cls(
            descriptions=[wire_json(d) for d in pools.descriptions],
            avatars=[
                (a, f'{{"model_asset_id":{wire_json(a)},"asset_name":{wire_json(name)}', fold(name))
                for a, name in pools.avatars
            ],
            cover_url=wire_json(f"https://metastudio-{region}.obs.{region}.myhuaweicloud.com/{project}/covers/")[:-1],
        )


@dataclass(frozen=True)
class _Ran:
    """What a room's latest dialog task takes from the room as served."""

    room_id: str
    last_job_ms: int
    last_job_start_time: str
    voices: str  # the room's `voice_config_list` document, or "" without one
    language: str  # the room's `default_language`, or its default


def records(seed: int, tenant: MetaStudioTenant, scale: float, fake: Faker) -> Iterator[tuple[Collection, Record]]:
    """The project's rooms, then each room's latest dialog task: `generate_tenant`'s entries as records."""
    ran: list[_Ran] = []
    yield from _rooms(seed, tenant, scale, fake, ran)
    yield from _jobs(seed, tenant, ran)


def _rooms(
    seed: int, tenant: MetaStudioTenant, scale: float, fake: Faker, ran: list[_Ran]
) -> Iterator[tuple[Collection, Record]]:
    project = tenant.project_id
    r = rng(seed, "metastudio", project, "rooms")
    absent = rng(seed, "metastudio", project, "absent").random  # its own stream, as in `data.rooms`
    pools = ProjectPools.build(r, fake)
    quoted = _Quoted.of(pools, tenant)
    names: dict[tuple[str, str], tuple[str, str]] = {}  # (purpose, host) -> (name as JSON, name folded)
    randrange, random_, choice, randint, sample = r.randrange, r.random, r.choice, r.randint, r.sample
    count = max(1, round(ROOMS_PER_PROJECT * scale))
    step = max(2_000, 2 * HISTORY_MS // count)
    created = EPOCH_MS
    for i in range(count):
        # data.rooms' draws
        created -= 1_000 + randrange(step)
        updated = created + randrange(min(EPOCH_MS - created, 30 * DAY_MS) + 1)
        last_job = created + randrange(EPOCH_MS - created + 1) if random_() < LAST_JOB_SHARE else None
        billing = BILLING_MODES[i] if i < len(BILLING_MODES) else _weighted(r, BILLING_MODES, _BILLING_SUMS)
        language = LANGUAGES[i] if i < len(LANGUAGES) else _weighted(r, LANGUAGES, _LANGUAGE_SUMS)
        # data._room's draws
        room_id = uuid_str(r)
        host = choice(pools.hosts)
        avatar_id, model_doc, asset_fold = choice(quoted.avatars)
        backups = [a for a, _, _ in sample(quoted.avatars, choice(BACKUP_COUNTS)) if a != avatar_id]
        concurrent = billing == "CONCURRENCY"
        client_nums = randint(*CLIENT_NUMS) if not concurrent or random_() < OLD_CLIENT_NUMS_SHARE else 0
        purpose = choice(PURPOSES)
        description = choice(quoted.descriptions)
        robot = choice(pools.robots)
        voice = _voice(r, pools.voices)
        reuse = concurrent and random_() < REUSE_SHARE
        concurrency = choice(CONCURRENCIES) if concurrent else 0
        voices = [_voice_rsp(r, pools.voices, i + j, language) for j in range(randint(1, MAX_VOICES))]
        exit_mute = choice(EXIT_MUTE_THRESHOLDS)
        # data._present's draws
        rolled = [absent() >= share for share in _SHARES]
        example, no_backups = absent() < EXAMPLE_SHARE, absent() < NO_BACKUPS_SHARE
        with_desc = [absent() >= NO_LANGUAGE_DESC_SHARE for _ in range(MAX_VOICES)]
        kept: Sequence[bool] = rolled
        if i < FULL_ROOMS:
            kept, no_backups, with_desc = _ALL_KEPT, False, [True] * MAX_VOICES
        elif i == FULL_ROOMS or example:
            kept = _EXAMPLE_KEPT
        else:  # a field holding its documented default may go; one that changes the meaning or the totals stays
            rolled[_BILLING] = rolled[_BILLING] or not concurrent
            rolled[_LANGUAGE] = rolled[_LANGUAGE] or language != "CN"
            rolled[_CLIENT_NUMS] = rolled[_CLIENT_NUMS] or not concurrent

        name = names.get((purpose, host))
        if name is None:
            text = f"{purpose} with {host}"
            name = names[(purpose, host)] = (wire_json(text), fold(text))
        create_time, update_time = iso_s(created), iso_s(updated)
        doc = [f'{{"room_id":"{room_id}","room_name":{name[0]}']
        if kept[_DESCRIPTION]:
            doc.append(f',"room_description":{description}')
        if kept[_ROBOT]:
            doc.append(f',"robot_id":"{robot}"')
        if kept[_COVER]:
            doc.append(f',"cover_url":{quoted.cover_url}{room_id}.png"')
        if kept[_MODEL]:
            doc.append(f',"model_infos":{model_doc}')
            if backups or not no_backups:
                doc.append(',"backup_model_asset_ids":[' + ",".join(f'"{a}"' for a in backups) + "]")
            doc.append("}")
        if kept[_VOICE]:
            doc.append(f',"voice_config":{voice}')
        if kept[_BILLING]:
            doc.append(f',"billing_mode":"{billing}"')
        if kept[_REUSE]:
            doc.append(',"reuse_resource":true' if reuse else ',"reuse_resource":false')
        if kept[_CONCURRENCY]:
            doc.append(f',"concurrency":{concurrency}')
        if kept[_CLIENT_NUMS]:
            doc.append(f',"client_nums":{client_nums}')
        voice_list = ""
        if kept[_VOICE_LIST]:
            listed = [head + (desc if d else "}") for (head, desc), d in zip(voices, with_desc, strict=False)]
            voice_list = "[" + ",".join(listed) + "]"
            doc.append(f',"voice_config_list":{voice_list}')
        if kept[_LANGUAGE]:
            doc.append(f',"default_language":"{language}"')
        doc.append(f',"create_time":"{create_time}","update_time":"{update_time}"')
        if kept[_EXIT_MUTE]:
            doc.append(f',"exit_mute_threshold":{exit_mute}')
        doc.append("}")

        create_ms = created - created % 1000  # create_time has whole seconds
        served_nums = client_nums if kept[_CLIENT_NUMS] else 0
        served_billing = billing if kept[_BILLING] else None
        last_job_ms = last_job_start = None
        if last_job is not None:
            last_job_ms, last_job_start = last_job - last_job % 1000, iso_s(last_job)
        values = {
            "create_ms": create_ms,
            "last_job_ms": last_job_ms,
            "last_job_start_time": last_job_start,
            "room_name_fold": name[1],
            "asset_name_fold": asset_fold if kept[_MODEL] else "",
            "concurrency": concurrency if kept[_CONCURRENCY] else 0,
            "client_nums_client": served_nums if served_billing == "CLIENT" else 0,
            "client_nums_token": served_nums if served_billing == "CLIENT_TOKENS" else 0,
            "create_seq": None,
            "details": None,
        }
        sort_key = (create_ms, 0, _descending_ascii(room_id))
        yield ROOMS, Record(project, ROOM_PART, room_id, sort_key, "".join(doc), values)
        if last_job_ms is not None and last_job_start is not None:
            ran.append(_Ran(room_id, last_job_ms, last_job_start, voice_list, language if kept[_LANGUAGE] else "CN"))


def _jobs(seed: int, tenant: MetaStudioTenant, ran: list[_Ran]) -> Iterator[tuple[Collection, Record]]:
    """Each room's latest dialog task as `data.room_jobs` makes it (`jobs.new_job`, then `jobs.ended`)."""
    project = tenant.project_id
    stream = f"{seed}:metastudio:{project}:jobs:"  # `rng(seed, "metastudio", project, "jobs", room_id)`
    app_id = jobs.rtc_app_id(seed, project)
    rtc_room = hashlib.sha256(f"{seed}\x00metastudio.rtc_room\x00".encode())  # `jobs.rtc_room_id`'s digest so far
    address = wire_json(f"metastudio.{tenant.region}.myhuaweicloud.com")[1:-1]
    r = Draws()
    for room in ran:
        r.seed(stream + room.room_id)
        job_id = hex32(r)
        start_ms = room.last_job_ms
        end_ms = min(EPOCH_MS, start_ms + 1000 * r.randint(*JOB_SECONDS))
        reason = "MUTE_TIMEOUT" if r.random() < MUTE_TIMEOUT_SHARE else "NORMAL"
        ended_ms = max(end_ms, start_ms)
        ended_ms -= ended_ms % 1000  # as shown: whole seconds
        started, ended = room.last_job_start_time, iso_s(ended_ms)
        voices = f',"voice_config_list":{room.voices}' if room.voices else ""
        doc = (
            f'{{"job_id":"{job_id}","state":"SUCCEED","duration":{(ended_ms - start_ms) / 1000!r},'
            f'"start_time":"{started}","end_time":"{ended}","create_time":"{started}","lastupdate_time":"{ended}",'
            f'"video_config":{{"width":{jobs.LANDSCAPE.width},"height":{jobs.LANDSCAPE.height}}}{voices},'
            f'"is_transparent":false,"default_language":"{room.language}","is_pool_mode":false,'
            f'"job_finish_reason":"{reason}"}}'
        )
        room_digest = rtc_room.copy()
        room_digest.update(job_id.encode())
        expires = start_ms // 1000 + jobs.SIGNATURE_TTL_S
        users = ",".join(
            f'{{"user_type":"{user_type}","user_id":"{user_type.lower()}-{job_id[:24]}",'
            f'"signature":"{jobs.signature(seed, job_id, user_type)}","ctime":{expires}}}'
            for user_type in jobs.RTC_USERS
        )
        details = (
            f'{{"rtc_room_info":{{"app_id":"{app_id}","room_id":"{uuid_text(room_digest.digest())}",'
            f'"users":[{users}]}},"language":"{jobs.CHAT_LANGUAGE.get(room.language, room.language)}",'
            f'"chat_access_address":"wss://{address}/v1/digital-human-chat/{job_id}",'
            f'"chat_access_rest_address":"https://{address}/v1/digital-human-chat/{job_id}"}}'
        )
        values = {"create_ms": start_ms, "running": 0, "state": "SUCCEED", "create_seq": None, "details": details}
        yield JOBS, Record(project, room.room_id, job_id, (start_ms, 0, _descending_ascii(job_id)), doc, values)


def _weighted(r: random.Random, values: tuple[T, ...], sums: tuple[int, ...]) -> T:
    """`r.choices(values, weights)[0]` with the weights' running sums given."""
    return values[bisect(sums, r.random() * sums[-1], 0, len(values) - 1)]


def _voice(r: random.Random, voices: list[str]) -> str:
    """`data._voice`'s draws, as its document."""
    speed, pitch, volume = _prosody(r)
    return f'{{"voice_asset_id":"{r.choice(voices)}","speed":{speed},"pitch":{pitch},"volume":{volume}}}'


def _voice_rsp(r: random.Random, voices: list[str], slot: int, default: Language) -> tuple[str, str]:
    """`data._voice_rsp`'s draws, as its document without the closing brace, and its `language_desc` with it."""
    speed, pitch, volume = _prosody(r)
    language = default if slot % 2 == 0 else r.choice(LANGUAGES)
    provider = PROVIDERS[slot % len(PROVIDERS)]
    head = (
        f'{{"voice_asset_id":"{r.choice(voices)}","speed":{speed},"pitch":{pitch},"volume":{volume},'
        f'"provider":"{provider}","language":"{language}"'
    )
    return head, f',"language_desc":"{LANGUAGE_DESC[language]}"}}'


def _descending_ascii(value: str) -> tuple[int, ...]:
    """`records.descending_text` of an ASCII id (its bytes are its code points)."""
    return (*map(neg, value.encode()), 1)
