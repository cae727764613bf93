"""The log line of one request: vendor requests at `info`, control-plane ones at `debug` (a test suite resets and
polls health all the time). It names the journal entry's id, so a line found in a log leads to the whole request
in `GET /_emulator/requests`; the vendor's request id, deterministic by design, is the same on every run."""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import Scope

from emulator.core.journal_entry import REQUEST_ID_HEADERS
from emulator.core.request_context import RequestContext

log = logging.getLogger("emulator")


class RequestLine:
    """The fields (the JSON format's keys); as a string, the text format's line."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        f = {k: "-" if v is None else v for k, v in self.fields.items()}
        return (
            f"{f['method']} {f['path']} {f['status']} {f['vendor']} {f['operation']} tenant={f['tenant']} "
            f"code={f['code']} {self.fields['duration_ms']:.1f}ms id={f['id']}"
        )


def level_of(control_plane: bool) -> int:
    return logging.DEBUG if control_plane else logging.INFO


def log_request(
    level: int,
    scope: Scope,
    ctx: RequestContext,
    status: int | None,
    headers: list[tuple[bytes, bytes]],
    duration_ms: float,
    entry_id: int | None,
) -> None:
    """Log one answered (or dropped: status None) request; `entry_id` is its journal entry, if journaled."""
    request_id = next((v.decode("latin-1") for k, v in headers if k.lower() in REQUEST_ID_HEADERS), None)
    line = RequestLine(
        {
            "id": entry_id,
            "method": scope["method"],
            "path": scope["path"],
            "vendor": ctx.owner,
            "operation": ctx.operation,
            "tenant": ctx.tenant,
            "status": status,
            "code": ctx.code,
            "duration_ms": duration_ms,
            "request_id": request_id,
        }
    )
    log.log(level, "%s", line, extra={"event": "request", "fields": line.fields})
