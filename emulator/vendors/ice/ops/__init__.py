"""One module per ICE action: request model, response model, paging spec and handler."""

from __future__ import annotations

from emulator.core.operation import Operation
from emulator.vendors.ice.ops import list_ai_agent_dialogues, list_ai_agent_instance

OPERATIONS: tuple[Operation, ...] = (list_ai_agent_dialogues.OPERATION, list_ai_agent_instance.OPERATION)
