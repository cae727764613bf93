"""How Fixie's request bodies are read: camelCase JSON objects, proto3 style. `null` (and, for text, "") is the same
as leaving a field out, unknown fields are ignored (grpc-gateway v2 decodes with DiscardUnknown) and values are
not coerced: a number is no string, "true" is no boolean."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from emulator.vendors.fixie.errors import NOT_UTF8

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class BodyModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True, frozen=True, defer_build=True
    )

    @model_validator(mode="before")
    @classmethod
    def _null_is_unset(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


def _utf8(value: Any) -> Any:
    """JSON text may spell lone surrogates (\\ud800), which no UTF-8 record can hold: refused, as protojson does."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise PydanticCustomError(NOT_UTF8, "text is not valid UTF-8") from None
    return value


Text = Annotated[str, AfterValidator(_utf8)]
JsonObject = Annotated[dict[str, JsonValue], AfterValidator(_utf8)]

MESSAGE_METADATA = Field(default=None, description="Metadata to associate with the message (its user turn).")
RUNTIME_PARAMETERS = Field(
    default=None,
    description="Parameters for the agent's runtime. Accepted and kept out of the reply: no model runs here.",
)
SYSTEM_PROMPT = Field(
    default=None, description="Additional text for the system prompt. Accepted; it does not change the reply."
)
CorpusId = Annotated[str, Field(pattern=UUID_PATTERN, json_schema_extra={"format": "uuid"})]
CORPUS_ID = Field(default=None, description="A Fixie corpus to consult (a UUID). Accepted; no effect on the reply.")
