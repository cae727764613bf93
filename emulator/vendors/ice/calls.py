"""Small accessors ICE handlers share."""

from __future__ import annotations

from emulator.core.http import request_id
from emulator.core.operation import Call
from emulator.core.store import Store

# Name of the switch (settings.ice_page_size_over_max) that turns PageSize above its maximum into the maximum.
PAGE_SIZE_CLAMP = "ice_page_size_clamp"


def store_of(call: Call) -> Store:
    return call.emulator.store


def ice_request_id(call: Call) -> str:
    return str(request_id(call.request)).upper()
