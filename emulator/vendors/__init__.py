"""The emulated vendors, listed explicitly (no scanning): ICE first, it owns the root RPC path."""

from __future__ import annotations

from emulator.core.vendor import Vendor
from emulator.vendors.fixie import FixieVendor
from emulator.vendors.ice import IceVendor
from emulator.vendors.metastudio import MetaStudioVendor

VENDOR_TYPES: tuple[type[Vendor], ...] = (IceVendor, MetaStudioVendor, FixieVendor)
