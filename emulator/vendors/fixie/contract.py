"""Fixie's contract beyond the operation models: the error envelope, statuses and security, for OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from emulator.core.vendor import VendorContract


class RpcStatus(BaseModel):
    """google.rpc.Status: the "Default error response" the Fixie `/api/v1` docs give every operation."""

    code: int = Field(description="The google.rpc.Code matching the HTTP status.", examples=[5])
    message: str = Field(examples=['agent "5fbc552a-faa8-4d55-a295-4a49f25f6d2b" not found'])
    details: list[dict[str, Any]] = Field(description='`{"@type": ...}` entries; always empty here.')


DESCRIPTION = """The Fixie.ai Platform API conversation endpoints (`https://api.fixie.ai`), as the emulator serves
them at the root of its origin (the JS client resolves `/api/v1/...` against its base URL and drops any path).

`agentId` is a UUID or a legacy `owner/handle` sent with a raw `/` (e.g.
`/api/v1/agents/emu-dev-user-001/trip-planner/conversations`). Conversations list newest first by their first
turn. Get Conversation and the writes on a published agent also answer without an API key, as the `useFixie`
hook calls them.

Start Conversation, Send Message and Regenerate Message answer JSON Lines (`application/x-ndjson`): one compact
snapshot per line (a whole Conversation for Start, the reply's turn otherwise), the last one final. Replies are
generated without a model, from the seed and the input, and take `--fixie-word-ms` of the emulator's clock per
word; a message holding `emulator:error` gets a reply that ends in the `error` state."""

CONTRACT = VendorContract(
    title="Fixie.ai Platform API: conversations (agent-api-emulator)",
    description=DESCRIPTION,
    error_model=RpcStatus,
    error_statuses={
        400: "3 INVALID_ARGUMENT: a query parameter (offset, limit: grpc-gateway's strconv wording) or a body "
        "field is not valid.",
        401: "16 UNAUTHENTICATED: missing, malformed (not Bearer) or unknown API key.",
        404: "5 NOT_FOUND: unknown path, an agent the key may not see, or an unknown conversation or message.",
        405: "12 UNIMPLEMENTED: method not allowed on this path.",
        500: "13 INTERNAL.",
    },
    security_schemes={
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <API key>`; the key names its owner.",
        }
    },
    security=[{"bearer": []}],
)
