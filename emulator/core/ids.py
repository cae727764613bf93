"""Deterministic identifiers and time.

Generated data draws from `random.Random` seeded with strings (stable across processes, unlike `hash()`).
Request ids are a digest of the seed and the request's stable parts, so the same request answers byte-identically
from any process or worker, while different requests get different ids.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

# Every generated timestamp counts back from this instant; the wall clock is never read for data.
EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
EPOCH_MS = int(EPOCH.timestamp() * 1000)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rng(*parts: object) -> random.Random:
    """A Random seeded from `parts`, e.g. rng(seed, "ice", tenant)."""
    return random.Random(":".join(str(p) for p in parts))


def uuid_from(r: random.Random) -> uuid.UUID:
    return uuid.UUID(int=r.getrandbits(128), version=4)


def hex32(r: random.Random) -> str:
    return uuid_from(r).hex


def digest_uuid(seed: int, parts: Iterable[str | bytes]) -> uuid.UUID:
    h = hashlib.sha256(str(seed).encode())
    for part in parts:
        h.update(b"\x00")
        h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape"))
    return uuid.UUID(bytes=h.digest()[:16], version=4)


def iso_ms(ms: int) -> str:
    """RFC 3339 UTC with milliseconds and Z, as Fixie writes timestamps."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def iso_s(ms: int) -> str:
    """RFC 3339 UTC to the second with Z, as Alibaba and Huawei write timestamps."""
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms_from_iso(value: str) -> int:
    """Milliseconds since the Unix epoch of an RFC 3339 timestamp (naive means UTC)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - UNIX_EPOCH) // timedelta(milliseconds=1)
