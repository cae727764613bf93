"""Parameter types as ICE's gateway parses them (Java `Long.parseLong`, yyyy-MM-ddTHH:mm:ssZ), shared by the actions.

Pydantic's lax int would take "1.0", " 20" or "2_0" from a query string; the gateway rejects all three.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic.config import JsonDict
from pydantic_core import PydanticKnownError

from emulator.core.params import reject

_INTEGER = re.compile(r"[+-]?[0-9]+")
ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _integer_text(value: Any) -> Any:
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise reject("not an integer")
    return value


def _calendar_rollover(value: str) -> str:
    """A day past the month's end (2023-02-30) rolls into the next month, as Java's lenient date parsing does.

    The pattern admits such days, and the OpenAPI document can only carry the pattern: rejecting them would
    refuse schema-valid input, and leaving them to `fromisoformat` would be a 500. [inferred: the live service
    could not be checked]
    """
    first = datetime(int(value[0:4]), int(value[5:7]), 1, tzinfo=UTC)
    moment = first + timedelta(
        days=int(value[8:10]) - 1, hours=int(value[11:13]), minutes=int(value[14:16]), seconds=int(value[17:19])
    )
    return moment.strftime(ISO_UTC_FORMAT)


# Place after the Field constraints (`Annotated[int, Field(ge=..), INTEGER_TEXT]`): placed before them, pydantic
# cannot attach the bounds to the int schema and the JSON schema shows `ge`/`le` instead of minimum/maximum.
INTEGER_TEXT = BeforeValidator(_integer_text)
JAVA_LONG_MAX = 2**63 - 1


def _java_long(value: int) -> int:
    if value > JAVA_LONG_MAX:
        raise PydanticKnownError("less_than_equal", {"le": JAVA_LONG_MAX})
    if value < -JAVA_LONG_MAX - 1:
        raise PydanticKnownError("greater_than_equal", {"ge": -JAVA_LONG_MAX - 1})
    return value


# An integer field of a record: the Java SDK holds it in a `Long` (or narrower), so nothing wider is ever served (nor
# stored: SQLite's integers are 64-bit too). A validator rather than Field bounds, which FastAPI would write into the
# OpenAPI document as floats (2^63, rounded up); the document states bounds a float holds exactly, the widest such
# inside the range, so whatever it allows is accepted (a contract tool generating from it never meets a refusal).
LONG_SCHEMA: JsonDict = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1024}
Long = Annotated[int, AfterValidator(_java_long), WithJsonSchema(LONG_SCHEMA)]
# The documented yyyy-MM-ddTHH:mm:ssZ form, UTC only, ASCII digits only.
IsoUtc = Annotated[
    str,
    Field(
        pattern=r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"
    ),
    AfterValidator(_calendar_rollover),
]
