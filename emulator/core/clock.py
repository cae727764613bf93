"""The emulator's own clock: wall time moved by an offset, or frozen at an instant.

Signature windows are checked against it (so a test can make a client's signature expire without waiting), and new
records take their timestamps from it. Generated data never reads it: it counts back from a fixed epoch.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Clock:
    offset_seconds: float = 0.0
    frozen_at: float | None = None  # Unix seconds; None means running

    def now(self) -> float:
        """Unix seconds as the emulator sees them."""
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset_seconds

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def to_json(self) -> dict[str, Any]:
        frozen = None if self.frozen_at is None else rfc3339(self.frozen_at)
        return {"offset_seconds": self.offset_seconds, "frozen_at": frozen}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clock:
        frozen = data.get("frozen_at")
        at = None if frozen is None else parse_instant(frozen)
        return cls(float(data.get("offset_seconds", 0)), at)


def rfc3339(seconds: float) -> str:
    """UTC, milliseconds, Z."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_instant(text: str) -> float:
    """Unix seconds of an RFC 3339 instant. A day past its month's end (2023-02-30) rolls over into the next month,
    as the lenient parsers behind the vendors' gateways do, so every pattern-valid string is an instant."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 date-time: {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = float("0." + match.group(7)) if match.group(7) else 0.0
    shift = timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second + fraction)
    if match.group(8) != "Z":
        sign = 1 if match.group(9) == "+" else -1
        shift -= sign * timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
    try:
        return (datetime(year, month, 1, tzinfo=UTC) + shift).timestamp()
    except OverflowError:  # past year 9999 or before year 1: the nearest representable instant
        edge = datetime.max if shift > timedelta(0) else datetime.min
        return edge.replace(tzinfo=UTC).timestamp()
