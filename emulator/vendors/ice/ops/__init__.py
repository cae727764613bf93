"""One module per ICE action: request model, response model, paging spec and handler."""

from __future__ import annotations

from emulator.core.rpc import RpcOperation
from emulator.vendors.ice.ops import list_ai_agent_dialogues, list_ai_agent_instance

OPERATIONS: tuple[RpcOperation, ...] = (list_ai_agent_dialogues.OPERATION, list_ai_agent_instance.OPERATION)
