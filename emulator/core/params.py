"""Request parameters: wire strings in, a validated request model out, or one `ParamProblem`.

Every operation (RPC or REST) parses its parameters here, so each vendor maps exactly one exception to its own
error code. Ranges, defaults and enums stay in the request models; this module only knows their shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, WrapValidator
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from emulator.core.memo import Memo

ModelT = TypeVar("ModelT", bound=BaseModel)

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1


@dataclass
class ParamProblem(Exception):
    """The first thing wrong with a request's parameters, in wire names."""

    kind: Literal["missing", "invalid"]
    param: str
    value: object = None
    reason: str = ""


class RequestModel(BaseModel):
    """Base of every operation's request model: wire aliases in, unknown parameters ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True, defer_build=True)  # see WireModel


def parse_params(model: type[ModelT], raw: Mapping[str, Any], switches: Mapping[str, bool]) -> ModelT:
    """Validate `raw` (wire names to wire strings) against `model`; `switches` feeds `clamp_over`."""
    try:
        return model.model_validate(raw, context={"switches": switches})
    except ValidationError as exc:
        raise first_problem(model, exc) from None


# Parsed requests remembered (see ParsedParams).
MAX_REMEMBERED_PARAMS = 4096
_IMMUTABLE = (str, int, float, Enum, type(None))  # bool is an int


class ParsedParams:
    """`parse_params`, remembered by its exact input: a client repeats the same call (paging through a list, polling
    one), and validating it again costs more than the rest of the pipeline's parsing. Only models holding nothing
    but immutable values are kept, since handlers share what is remembered (request models are frozen); a request
    refused is not remembered (it raises)."""

    def __init__(self, size: int = MAX_REMEMBERED_PARAMS) -> None:
        self._found: Memo[tuple[object, ...], BaseModel] = Memo(size)

    def parse(self, model: type[ModelT], raw: Mapping[str, Any], switches: Mapping[str, bool]) -> ModelT:
        try:
            key = (model, tuple(raw.items()), tuple(switches.items()))
            found = self._found.get(key)
        except TypeError:  # an unhashable value (never from a query string or form)
            return parse_params(model, raw, switches)
        if found is not None:
            return found  # type: ignore[return-value]  # keyed by the model it was parsed with
        parsed = parse_params(model, raw, switches)
        if all(isinstance(value, _IMMUTABLE) for value in parsed.__dict__.values()):
            self._found.put(key, parsed)
        return parsed


BODY = "body"  # the ParamProblem.param of a body that is absent or not JSON at all


def parse_body(model: type[ModelT], raw: bytes, switches: Mapping[str, bool], *, required: bool = True) -> ModelT:
    """Validate a JSON request body against `model`. An empty body is `{}` unless `required`; a body that is not a
    JSON document is one invalid parameter named "body"; a field's problem names the field by its dotted wire path
    (`voice_config.speed`, `items.0.id`)."""
    if not raw.strip():
        if required:
            raise ParamProblem("missing", BODY, None, "missing")
        raw = b"{}"
    try:
        doc = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        raise ParamProblem("invalid", BODY, None, "json_invalid") from None
    try:
        return model.model_validate(doc, context={"switches": switches})
    except ValidationError as exc:
        problem = first_problem(model, exc)
        problem.param = problem.param or BODY  # a rule over the whole body (or a body that is not an object)
        raise problem from None


def first_problem(model: type[BaseModel], exc: ValidationError) -> ParamProblem:
    """Gateways report a missing required parameter before a malformed one, in declaration order."""
    errors = exc.errors(include_url=False)
    order = {(f.alias or name): i for i, (name, f) in enumerate(model.model_fields.items())}

    def rank(err: Any) -> tuple[int, int]:
        name = str(err["loc"][0]) if err["loc"] else ""
        absent = err["type"] == "missing" or (err["type"] == "string_too_short" and err.get("input") == "")
        return (0 if absent else 1, order.get(name, len(order)))

    err = min(errors, key=rank)
    param = ".".join(str(part) for part in err["loc"])  # nested body fields by their dotted path
    # An empty value for a parameter that must have one counts as not supplied, as gateways treat `Name=`.
    absent = err["type"] == "missing" or (err["type"] == "string_too_short" and err.get("input") == "")
    kind: Literal["missing", "invalid"] = "missing" if absent else "invalid"
    return ParamProblem(kind, param, err.get("input"), err["type"])


def clamp_over(switch: str) -> WrapValidator:
    """Coerce a value above the field's `le` bound down to it when the named switch is on.

    The bound itself stays declared once, on the field; this only changes what happens past it.
    """

    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            context = info.context or {}
            errors = exc.errors()
            if context.get("switches", {}).get(switch) and errors[0]["type"] == "less_than_equal":
                return errors[0]["ctx"]["le"]
            raise

    return WrapValidator(validate)


def _json_integer(value: Any) -> Any:
    """A JSON body's integer: any integral number (JSON Schema counts 3.0 as an integer), never true or "3"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# For strict body models: Annotated[int, Field(...), JSON_INTEGER].
JSON_INTEGER = BeforeValidator(_json_integer)


def reject(reason: str) -> PydanticCustomError:
    """A model-level rule broken (e.g. a malformed timestamp): reported as the vendor's invalid-parameter."""
    return PydanticCustomError("invalid_value", reason)
