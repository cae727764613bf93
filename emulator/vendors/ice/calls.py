"""Small accessors ICE handlers share."""

from __future__ import annotations

from emulator.core.http import request_id
from emulator.core.operation import Call
from emulator.core.store import Store
from emulator.vendors.ice import errors as E

# Name of the switch (settings.ice_page_size_over_max) that turns PageSize above its maximum into the maximum.
PAGE_SIZE_CLAMP = "ice_page_size_clamp"

# What the operations on one agent instance can answer besides the common errors (for the OpenAPI document).
INSTANCE_ERRORS = {
    403: f"{E.INSTANCE_FINISHED.code}: the instance has finished.",
    404: f"{E.INSTANCE_NOT_FOUND.code}: no instance of this account has the InstanceId; "
    f"{E.UNKNOWN_ACCESS_KEY.code}, {E.UNKNOWN_ACTION.code}.",
}


def store_of(call: Call) -> Store:
    return call.emulator.store


def ice_request_id(call: Call) -> str:
    return str(request_id(call.request)).upper()
