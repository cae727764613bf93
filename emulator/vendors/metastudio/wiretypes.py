"""Value formats MetaStudio reads off the wire: integers as the Java backend parses them, RFC 3339 times."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

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


def _rolled_over(value: str) -> str:
    """A day past its month's end (2023-02-30) rolls into the next month, as Java's lenient date parsing does; the
    instant is given back in canonical RFC 3339 (UTC offset kept)."""
    head, sep, rest = value.partition("T")
    year, month, day = (int(part) for part in head.split("-"))
    moment = datetime(year, month, 1) + timedelta(days=day - 1)
    return moment.strftime("%Y-%m-%d") + sep + rest


BillingMode = Literal["CONCURRENCY", "CLIENT", "CLIENT_TOKENS"]
Language = Literal["CN", "EN", "ESP", "por", "Arabic", "Thai"]
TtsProvider = Literal["XIMALAYA", "HUAWEI_EI", "MOBVOI"]

# Goes after the field's range in `Annotated[int, Field(ge=..., le=...), DECIMAL_TEXT]`: placed there it still runs
# first, and the range stays plain JSON Schema minimum/maximum in the OpenAPI document. An empty value (`limit=`)
# counts as not supplied, which the document says with `allowEmptyValue` (see core.rest.query_parameters).
DECIMAL_TEXT = BeforeValidator(_wire_integer)
BLANK_IS_DEFAULT = Field(json_schema_extra={"allowEmptyValue": True})
# `2021-01-10T08:43:17Z` or `2021-01-10T16:43:17+08:00`, optional fraction; a real calendar instant. Records hold
# real instants only (a stored time is served as it is stored).
Rfc3339 = Annotated[str, Field(pattern=RFC3339_PATTERN), AfterValidator(_calendar_instant)]
# A time in a query: every string the pattern admits is an instant, a day past the month's end rolling over
# (README, fidelity notes; the pattern is all the OpenAPI document can say, so the two agree).
Rfc3339Param = Annotated[str, Field(pattern=RFC3339_PATTERN), AfterValidator(_rolled_over)]


def _json_number(value: Any) -> Any:
    """A JSON body's number: an int or a float, never true or "0.5" (which python-mode lax validation would take)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


def no_lone_surrogates(value: Any) -> Any:
    """JSON text may escape half a surrogate pair (`"\\ud800"`): no string of that kind can be stored or served."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise PydanticCustomError("invalid_value", "not a Unicode string") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


# Strict JSON types for request bodies (after the range: `Annotated[float, Field(ge=0, le=1), JSON_NUMBER]`).
JSON_NUMBER = BeforeValidator(_json_number)

# Chinese characters: the Han script. Chinese punctuation (，。) and full-width Latin are other scripts and pass.
_HAN_RANGES = (
    "\u2e80-\u2fdf",  # CJK and Kangxi radicals
    "\u3005\u3007\u3021-\u3029\u3038-\u303b",  # 々, 〇 and the Suzhou numerals
    "\u3400-\u4dbf",  # Extension A
    "\u4e00-\u9fff",  # Unified Ideographs
    "\uf900-\ufaff",  # Compatibility Ideographs
    "\U00020000-\U0003ffff",  # Extensions B to H and the Compatibility Supplement
)
_HAN = re.compile(f"[{''.join(_HAN_RANGES)}]")


def has_chinese(text: str) -> bool:
    """`X-App-UserId` is documented as a third-party user id "which does not allow Chinese characters"."""
    return _HAN.search(text) is not None
