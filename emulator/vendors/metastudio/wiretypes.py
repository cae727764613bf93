"""Value formats MetaStudio reads off the wire: integers as the Java backend parses them, RFC 3339 times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError, PydanticUseDefault

# Pydantic's lax int also takes "1.0", " 10" and "1_000"; a Java Integer parse takes only an optional sign and
# ASCII digits, so anything else is an invalid parameter before the range check runs.
_INTEGER = re.compile(r"[+-]?[0-9]+")
# ASCII digits only (a regex \d would take any script's digits).
RFC3339_PATTERN = (
    r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def _wire_integer(value: Any) -> Any:
    if isinstance(value, str):
        if value == "":
            # `limit=` carries no value: the parameter counts as not supplied and its default applies.
            raise PydanticUseDefault()
        if not _INTEGER.fullmatch(value):
            raise PydanticCustomError("int_parsing", "not a decimal integer")
    return value


def _calendar_instant(value: str) -> str:
    # The pattern admits 2025-02-30T24:00:00Z; the calendar does not.
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("invalid_value", "not a calendar date-time") from None
    return value


# Goes after the field's range in `Annotated[int, Field(ge=..., le=...), DECIMAL_TEXT]`: placed there it still runs
# first, and the range stays plain JSON Schema minimum/maximum in the OpenAPI document.
DECIMAL_TEXT = BeforeValidator(_wire_integer)
# `2021-01-10T08:43:17Z` or `2021-01-10T16:43:17+08:00`, optional fraction; a real calendar instant.
Rfc3339 = Annotated[str, Field(pattern=RFC3339_PATTERN), AfterValidator(_calendar_instant)]
