"""GenerateAIAgentCall: start an agent in a new ARTC channel and hand the caller a token to join it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from emulator.core.operation import Call, Operation, ResponseModel
from emulator.vendors.ice import data, lifecycle
from emulator.vendors.ice.artc import CallJoin
from emulator.vendors.ice.calls import ice_request_id
from emulator.vendors.ice.ops.start_ai_agent_instance import AgentStartRequest, given_configs
from emulator.vendors.ice.wire_types import INTEGER_TEXT


class GenerateAIAgentCallRequest(AgentStartRequest):
    expire: Annotated[int, Field(alias="Expire", ge=0, le=604800), INTEGER_TEXT] = Field(
        3600, description="Seconds the returned token stays valid."
    )
    user_id: Annotated[str, Field(max_length=64)] | None = Field(
        None, alias="UserId", description="The caller's name in the channel; generated if not given."
    )


class GenerateAIAgentCallResponse(ResponseModel):
    InstanceId: str
    ChannelId: str
    Token: str
    UserId: str
    AIAgentUserId: str
    AvatarUserId: str | None = None  # avatar (AvatarChat3D) agents only
    RequestId: str


async def handle(call: Call, req: GenerateAIAgentCallRequest) -> dict[str, Any]:
    emu, account, agent = call.emulator, call.tenant, req.ai_agent_id
    mode = data.agent_mode(emu.seed, account, agent)
    expires_at = int(emu.clock.now()) + req.expire

    def join(instance_id: str) -> CallJoin:
        return CallJoin.derive(
            emu.seed, account, agent, instance_id, mode=mode, user_id=req.user_id or None, expires_at=expires_at
        )

    entry = lifecycle.start(
        emu,
        account,
        agent,
        lambda instance_id: join(instance_id).runtime_config(),
        session_id=req.session_id or None,
        optional=given_configs(req),
    )
    channel = join(entry.instance_id)
    body: dict[str, Any] = {
        "InstanceId": entry.instance_id,
        "ChannelId": channel.channel_id,
        "Token": channel.token(channel.user_id),
        "UserId": channel.user_id,
        "AIAgentUserId": channel.agent_user_id,
    }
    if channel.avatar_user_id is not None:
        body["AvatarUserId"] = channel.avatar_user_id
    return {**body, "RequestId": ice_request_id(call)}


OPERATION = Operation(
    name="GenerateAIAgentCall",
    request_model=GenerateAIAgentCallRequest,
    response_model=GenerateAIAgentCallResponse,
    handler=handle,
    summary="Creates an AI agent instance and returns the channel, user names and token to join it.",
)
