"""The fast formatters of `emulator.core.ids` against the datetime and uuid references they stand in for."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from emulator.core.ids import EPOCH_MS, UNIX_EPOCH, hex32, iso_ms, iso_s, uuid_from, uuid_str

DAY_MS = 86_400_000


def _reference_iso_ms(ms: int) -> str:
    at = UNIX_EPOCH + timedelta(milliseconds=ms)
    return at.strftime("%Y-%m-%dT%H:%M:%S") + f".{at.microsecond // 1000:03d}Z"


def _instants() -> list[int]:
    r = random.Random("ids")
    days = [
        datetime(y, m, d, tzinfo=UTC)
        for y, m, d in ((2024, 2, 28), (2024, 2, 29), (2024, 3, 1), (2023, 2, 28), (2000, 2, 29), (1970, 1, 1))
        + ((1999, 12, 31), (2024, 12, 31), (2025, 1, 1), (2025, 6, 1), (2100, 2, 28), (2100, 3, 1))
    ]
    edges = [int(d.timestamp() * 1000) + off for d in days for off in (-1001, -1000, -1, 0, 1, 999, 1000, DAY_MS - 1)]
    spread = [EPOCH_MS - r.randrange(0, 400 * DAY_MS) for _ in range(20_000)]
    wide = [r.randrange(0, 200 * 365 * DAY_MS) for _ in range(20_000)]
    return edges + spread + wide


def test_iso_ms_and_iso_s_match_datetime() -> None:
    for ms in _instants():
        expected = _reference_iso_ms(ms)
        assert iso_ms(ms) == expected
        assert iso_s(ms) == expected[:19] + "Z"


def test_uuid_str_and_hex32_match_uuid() -> None:
    for seed in range(10_000):
        reference = uuid_from(random.Random(seed))
        assert reference.version == 4
        assert reference.variant == uuid.RFC_4122
        assert uuid_str(random.Random(seed)) == str(reference)
        assert hex32(random.Random(seed)) == reference.hex
    r, same = random.Random(1), random.Random(1)  # the same draws: a stream stays in step
    assert [uuid_str(r) for _ in range(100)] == [str(uuid_from(same)) for _ in range(100)]
