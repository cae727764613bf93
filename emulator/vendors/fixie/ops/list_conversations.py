"""ListConversations: one agent's conversations, newest first (by first turn), paged by offset and limit."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, create_model, field_validator

from emulator.core.casing import CamelModel
from emulator.core.operation import Call
from emulator.core.paging import PageSpec, PageStyle, paginate
from emulator.core.params import INT32_MAX, RequestModel, clamp_over
from emulator.core.rest import RestOperation
from emulator.core.settings import PageSizeEcho
from emulator.core.wirejson import RawArray
from emulator.vendors.fixie.agents import owned_agent, store_of
from emulator.vendors.fixie.records import CONVERSATIONS, Conversation
from emulator.vendors.fixie.wiretypes import GO_INT32, LIMIT_CLAMP

# `le` restates the int32 ceiling for the contract: GO_INT32 rejects anything above it first, in Go's words.
Offset = Annotated[
    int,
    Field(
        alias="offset",
        ge=0,
        le=INT32_MAX,
        description="The number of entries in the result set to skip.",
        json_schema_extra={"format": "int32"},
    ),
    GO_INT32,
]
LIMIT_DOC = (
    "The maximum number of results to return. The service may return fewer than this value. "
    "If unspecified, the service will choose a sensible default. The maximum allowed value is 100."
)
Limit = Annotated[
    int,
    Field(
        alias="limit",
        ge=0,
        le=100,
        description=LIMIT_DOC,
        json_schema_extra={"format": "int32"},
    ),
    clamp_over(LIMIT_CLAMP),
    GO_INT32,
]


class ListConversationsRequest(RequestModel):
    offset: Offset = 0
    # 0 stands for "unspecified" until `operation()` sets the served default (settings.fixie_default_limit).
    limit: Limit = 0

    @field_validator("limit")
    @classmethod
    def _zero_means_default(cls, value: int) -> int:
        # AIP-158, which Fixie's wording follows: a page size of 0 is the same as none.
        return value or int(cls.model_fields["limit"].default)


class PageInfo(CamelModel):
    """Always all three, zeros included."""

    requested_page_size: int = Field(
        description="The number of results requested: `limit` as sent, 0 when absent (with "
        "--fixie-requested-page-size applied: the page size served)."
    )
    requested_offset: int = Field(description="The offset specified in the request.")
    total_result_count: int = Field(description="The total number of results available.")


class ListConversationsResponse(CamelModel):
    conversations: list[Conversation]
    page_info: PageInfo


NAME = "ListConversations"
PAGE = PageSpec(PageStyle.OFFSET_LIMIT, size_field="limit", position_field="offset")


async def handle(call: Call, req: ListConversationsRequest) -> dict[str, Any]:
    store = store_of(call)
    agent = owned_agent(store, call.tenant, call.path["agentId"])
    span = store.span(CONVERSATIONS, agent.owner, agent.agent_id)
    page = paginate(PAGE, req, span, descending=True)
    echoed = page.size if call.emulator.settings.fixie_requested_page_size is PageSizeEcho.APPLIED else requested(call)
    page_info = {"requestedPageSize": echoed, "requestedOffset": page.offset, "totalResultCount": page.total}
    return {"conversations": RawArray(page.items), "pageInfo": page_info}


def requested(call: Call) -> int:
    """`limit` as the request sent it (the last one when repeated; already checked to be an int32 of at least 0),
    before any default or clamping: "the number of results requested". None requested reads as proto3's 0."""
    raw = call.params.get("limit")
    return 0 if raw is None else int(raw)


def operation(default_limit: int, clamp_over_max: bool) -> RestOperation:
    """The operation as one app serves it: the request model carries that app's default limit, and its schema
    the limits that app enforces (when clamping, any int32 limit is accepted and served as 100)."""
    clamped = Annotated[
        Limit,
        Field(
            description=LIMIT_DOC + " Larger values are served as 100.",
            json_schema_extra={"format": "int32", "maximum": INT32_MAX},
        ),
    ]
    limit = clamped if clamp_over_max else Limit
    model = create_model("ListConversationsRequest", __base__=ListConversationsRequest, limit=(limit, default_limit))
    return RestOperation(
        method="GET",
        path="/api/v1/agents/{agentId:path}/conversations",
        name=NAME,
        request_model=model,
        response_model=ListConversationsResponse,
        handler=handle,
        summary="List Conversations",
        errors={
            400: "offset or limit is not an int32, or is negative (or limit is above 100 in reject mode)",
            401: "missing, malformed or unknown API key",
            404: "no such agent among the key owner's agents",
        },
    )
