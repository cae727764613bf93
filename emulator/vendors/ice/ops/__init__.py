"""One module per ICE action: request model, response model, paging spec and handler."""

from __future__ import annotations

from emulator.core.operation import Operation
from emulator.vendors.ice.ops import (
    describe_ai_agent_instance,
    generate_ai_agent_call,
    list_ai_agent_dialogues,
    list_ai_agent_instance,
    start_ai_agent_instance,
    stop_ai_agent_instance,
    update_ai_agent_instance,
)

OPERATIONS: tuple[Operation, ...] = (
    list_ai_agent_dialogues.OPERATION,
    list_ai_agent_instance.OPERATION,
    start_ai_agent_instance.OPERATION,
    generate_ai_agent_call.OPERATION,
    describe_ai_agent_instance.OPERATION,
    update_ai_agent_instance.OPERATION,
    stop_ai_agent_instance.OPERATION,
)
