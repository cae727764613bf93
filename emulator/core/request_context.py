"""What the emulator learns about one request on its way through: filled in by the edge, the operation pipeline, the
fault gate and the error renderers, read back by the edge for the journal and for connection-level faults."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.types import Scope

SCOPE_KEY = "emulator.context"


@dataclass
class RequestContext:
    owner: str  # "ice", "metastudio", "fixie", or "emulator" for the control plane
    started: float = field(default_factory=time.perf_counter)
    operation: str | None = None
    tenant: str | None = None
    auth: str | None = None  # "ok", "off", or why the credentials were refused; None if never checked
    code: str | None = None  # the vendor error code answered, if any
    fault: str | None = None  # the id of the fault rule that fired
    connection: str | None = None  # fault: "reset" or "close" instead of an answer
    malformed: str | None = None  # fault: "truncated" or "wrong_shape" answer body


def context_of(scope_or_request: Scope | Request) -> RequestContext:
    scope = scope_or_request.scope if isinstance(scope_or_request, Request) else scope_or_request
    ctx = scope.get(SCOPE_KEY)
    if ctx is None:  # a request that did not pass the edge (e.g. built by hand in a test)
        ctx = scope[SCOPE_KEY] = RequestContext(owner="")
    assert isinstance(ctx, RequestContext)
    return ctx
