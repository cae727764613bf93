"""Wire casing in one place: python names are snake_case, each vendor's casing comes from an alias generator.

Acronyms defeat generators (`ai_agent_id` -> `AiAgentId`), so such fields carry an explicit `Field(alias=...)`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic.alias_generators import to_camel, to_pascal


class WireModel(BaseModel):
    """A vendor record. Unknown keys are rejected so a fixture typo names its field instead of vanishing. Built at
    first use (`defer_build`): a process serves a few of the vendors' hundred models, and building them all at
    import was a sixth of start-up."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", serialize_by_alias=True, defer_build=True)


class PascalModel(WireModel):
    model_config = ConfigDict(alias_generator=to_pascal)


class CamelModel(WireModel):
    model_config = ConfigDict(alias_generator=to_camel)


class SnakeModel(WireModel):
    pass


def _json_text(value: Any) -> Any:
    # Vendor pages sometimes show a JSON-string field (ICE `UserData`) as an object; accept both, store a string.
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


# Served as a string; taken as a string or a JSON object or array (validation-mode schema, i.e. request bodies).
JsonText = Annotated[
    str,
    BeforeValidator(_json_text),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]}, mode="validation"),
]
