"""How Fixie's gateway reads query integers: grpc-gateway runs Go's `strconv.ParseInt(s, 10, 32)` on the raw text
before the service sees the request, so syntax and int32 range fail first, in Go's own words (see errors.py)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from emulator.core.params import INT32_MAX

INT32_MIN = -(2**31)
# Name of the switch (settings.fixie_limit_over_max) that turns a limit above the maximum into the maximum (List
# Conversations).
LIMIT_CLAMP = "fixie_limit_clamp"
# Error types the errors table maps to grpc-gateway's messages.
INT_SYNTAX = "int_syntax"
INT_RANGE = "int_range"

# Go accepts an optional sign and ASCII digits only: no spaces, no "1.0", no "1_000", no non-ASCII digits
# (Python's int() would take all of those).
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_INT32_DIGITS = len(str(INT32_MAX))


def _parse_int32(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not _DECIMAL.fullmatch(value):
        raise PydanticCustomError(INT_SYNTAX, "invalid syntax")
    # Checked on the digits first: int() refuses strings past 4300 digits, Go just says "out of range".
    if len(value.lstrip("+-").lstrip("0")) > _INT32_DIGITS or not INT32_MIN <= int(value) <= INT32_MAX:
        raise PydanticCustomError(INT_RANGE, "value out of range")
    return int(value)


# Outermost in an `Annotated[int, Field(...), ..., GO_INT32]`: it runs before the field's own bounds.
GO_INT32 = BeforeValidator(_parse_int32)
