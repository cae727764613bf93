"""Deterministic identifiers and time.

Generated data draws from `random.Random` seeded with strings (stable across processes, unlike `hash()`).
Request ids are a digest of the seed and the request's stable parts, so the same request answers byte-identically
from any process or worker, while different requests get different ids.
"""

from __future__ import annotations

import functools
import hashlib
import random
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from emulator.core.draws import Draws

# Every generated timestamp counts back from this instant; the wall clock is never read for data.
EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
EPOCH_MS = int(EPOCH.timestamp() * 1000)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rng(*parts: object) -> random.Random:
    """A Random seeded from `parts`, e.g. rng(seed, "ice", tenant); its draws are `random.Random`'s (see `draws`)."""
    return Draws(":".join(str(p) for p in parts))


# uuid.UUID(int=n, version=4) as bit operations: the variant bits 10, the version nibble 4.
_V4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_V4_SET = (0x8000 << 48) | (4 << 76)


def uuid_from(r: random.Random) -> uuid.UUID:
    return uuid.UUID(int=r.getrandbits(128), version=4)


def hex32(r: random.Random) -> str:
    """`uuid_from(r).hex` without building the UUID (generation draws one per record); bytes.hex is about twice
    as fast as formatting the int with `:032x`."""
    return ((r.getrandbits(128) & _V4_CLEAR) | _V4_SET).to_bytes(16, "big").hex()


def uuid_str(r: random.Random) -> str:
    """`str(uuid_from(r))` without building the UUID: its 4, 2+2+2 and 6 bytes in hex (fewer slices than cutting
    the 32 hex digits in five)."""
    b = ((r.getrandbits(128) & _V4_CLEAR) | _V4_SET).to_bytes(16, "big")
    return f"{b[:4].hex()}-{b[4:10].hex('-', 2)}-{b[10:].hex()}"


def uuid_text(digest: bytes) -> str:
    """`str(uuid.UUID(bytes=digest[:16], version=4))` without building the UUID (`digest_uuid`'s text)."""
    h = f"{(int.from_bytes(digest[:16]) & _V4_CLEAR) | _V4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def digest_uuid(seed: int, parts: Iterable[str | bytes]) -> uuid.UUID:
    h = hashlib.sha256(str(seed).encode())
    for part in parts:
        h.update(b"\x00")
        h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape"))
    return uuid.UUID(bytes=h.digest()[:16], version=4)


# Parts of a timestamp looked up rather than formatted: `:02d` format specs cost ~4x the look-ups (generation
# formats millions).
_HOUR_T = tuple(f"T{h:02d}:" for h in range(24))
_MINUTE_SECOND = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
_MILLIS_Z = tuple(f".{m:03d}Z" for m in range(1000))


def iso_ms(ms: int) -> str:
    """RFC 3339 UTC with milliseconds and Z, as Fixie writes timestamps."""
    seconds, millis = divmod(ms, 1000)
    day, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    return f"{_day(day)}{_HOUR_T[hours]}{_MINUTE_SECOND[rest]}{_MILLIS_Z[millis]}"


def iso_s(ms: int) -> str:
    """RFC 3339 UTC to the second with Z, as Alibaba and Huawei write timestamps."""
    return _iso_seconds(ms // 1000) + "Z"


def _iso_seconds(seconds: int) -> str:
    """`%Y-%m-%dT%H:%M:%S` of a Unix time: the date part remembered per day (generation formats millions)."""
    day, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    return f"{_day(day)}{_HOUR_T[hours]}{_MINUTE_SECOND[rest]}"


@functools.lru_cache(maxsize=4096)
def _day(day: int) -> str:
    return (UNIX_EPOCH + timedelta(days=day)).strftime("%Y-%m-%d")


def ms_from_iso(value: str) -> int:
    """Milliseconds since the Unix epoch of an RFC 3339 timestamp (naive means UTC)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - UNIX_EPOCH) // timedelta(milliseconds=1)
