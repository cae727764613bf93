"""A Python client for the emulator's control plane (`/_emulator/*`, README "Control plane"), sync and async:

    from emulator.client import EmulatorClient

    with EmulatorClient("http://127.0.0.1:8000") as emu:
        emu.reset()
        tenant = emu.create_tenant("ice")
        emu.add_fault("ice", operation="ListAIAgentDialogues", error="Throttling.User", count=1)
        print(emu.count_requests(vendor="ice", status=400))

Answers are the server's own models (`emulator.admin.models`); a refusal raises `EmulatorError` with the control
plane's status, code, message and request id.
"""

from emulator.admin.models import (
    ClockState,
    Dataset,
    Entries,
    Fault,
    Health,
    JournalEntry,
    PutResult,
)
from emulator.client.aio import AsyncEmulatorClient
from emulator.client.calls import EmulatorError, FaultRule, RequestFilters
from emulator.client.sync import EmulatorClient

__all__ = [
    "AsyncEmulatorClient",
    "ClockState",
    "Dataset",
    "EmulatorClient",
    "EmulatorError",
    "Entries",
    "Fault",
    "FaultRule",
    "Health",
    "JournalEntry",
    "PutResult",
    "RequestFilters",
]
