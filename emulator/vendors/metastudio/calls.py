"""What every MetaStudio operation checks the same way: the `X-App-UserId` header's one documented rule, and the
vendor a handler writes through."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from emulator.core.auth import header_values
from emulator.core.errors import error
from emulator.core.operation import Call
from emulator.core.params import RequestModel
from emulator.vendors.metastudio import errors as E
from emulator.vendors.metastudio.wiretypes import has_chinese

if TYPE_CHECKING:
    from emulator.vendors.metastudio import MetaStudioVendor

APP_USER_HEADER = "x-app-userid"
VENDOR = "metastudio"


class NoQuery(RequestModel):
    """Operations without query parameters (any sent are ignored, as for every operation)."""


def check_app_user(call: Call) -> None:
    """The one documented header rule ("third-party user ID, which does not allow Chinese characters"); the service
    answers its single parameter error. The id scopes nothing (README, fidelity notes)."""
    if any(has_chinese(value) for value in header_values(call.request).get(APP_USER_HEADER, ())):
        raise error(E.INVALID_PARAMETER)


def vendor_of(call: Call) -> MetaStudioVendor:
    """The vendor instance serving this request (its tenants, its write rules)."""
    vendor = call.emulator.vendor(VENDOR)
    assert vendor is not None
    return cast("MetaStudioVendor", vendor)
