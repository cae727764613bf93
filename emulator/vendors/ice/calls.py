"""Small accessors ICE handlers share."""

from __future__ import annotations

from emulator.core.context import Emulator
from emulator.core.http import request_id
from emulator.core.rpc import RpcCall
from emulator.core.store import Store

# Name of the switch (settings.ice_page_size_over_max) that turns PageSize above its maximum into the maximum.
PAGE_SIZE_CLAMP = "ice_page_size_clamp"


def store_of(call: RpcCall) -> Store:
    emu: Emulator = call.request.app.state.emulator
    return emu.store


def ice_request_id(call: RpcCall) -> str:
    return str(request_id(call.request)).upper()
