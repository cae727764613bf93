"""How control-plane endpoints read JSON bodies and answer JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response

from emulator.admin import errors as E
from emulator.admin.models import Dataset
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.http import raw_body
from emulator.core.wirejson import dumps

CONTENT_TYPE = "application/json"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body).encode(), status, media_type=CONTENT_TYPE)


def read_json_body(request: Request) -> Any:
    """The request body as JSON (buffered by the edge), or a 400 in the control plane's envelope."""
    try:
        return json.loads(raw_body(request))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(E.INVALID, param="(body)", reason=f"not JSON: {exc}") from None
    except RecursionError:
        raise error(E.INVALID, param="(body)", reason="JSON nested too deeply") from None


def dataset(emu: Emulator) -> Dataset:
    """What is served now: after a reset, a reseed or a snapshot restore."""
    records = {}
    for vendor in emu.vendors:
        for codec in vendor.codecs:
            records[f"{vendor.name}/{codec.file.removesuffix('.json')}"] = emu.store.count(codec.collection)
    tenants = {v.name: len(emu.state.tenants_of(v.name)) for v in emu.vendors}
    return Dataset(seed=emu.seed, scale=emu.scale, tenants=tenants, records=records)
