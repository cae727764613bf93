"""`/_emulator/requests`: the request journal (every vendor request, newest first) and its count."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from emulator.admin import errors as E
from emulator.admin.models import RFC3339, Count, JournalEntry, Requests
from emulator.core.clock import parse_instant
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.journal import JournalFilter

MAX_LIMIT = 1_000_000
SINCE = r"^([0-9]{1,18}|" + RFC3339.removeprefix("^").removesuffix("$") + ")$"


def journal_filter(
    vendor: Annotated[str | None, Query(description="ice, metastudio or fixie.")] = None,
    operation: Annotated[str | None, Query(description="The vendor's operation name.")] = None,
    tenant: Annotated[str | None, Query(description="Account, project or owner.")] = None,
    status: Annotated[int | None, Query(ge=100, le=599, description="HTTP status answered.")] = None,
    code: Annotated[str | None, Query(description="Vendor error code answered.")] = None,
    auth: Annotated[str | None, Query(description='"ok", "off", or why the credentials were refused.')] = None,
    since: Annotated[
        str | None,
        Query(pattern=SINCE, description="An entry id (entries after it) or an RFC 3339 time (at or after it)."),
    ] = None,
) -> JournalFilter:
    since_id = since_ms = None
    if since is not None and since.isdigit():
        since_id = int(since)
    elif since is not None:
        try:
            since_ms = int(parse_instant(since) * 1000)
        except ValueError:
            raise error(E.INVALID, param="since", reason="not an entry id or an RFC 3339 time") from None
    return JournalFilter(vendor, operation, tenant, status, code, auth, since_id, since_ms)


Filter = Annotated[JournalFilter, Depends(journal_filter)]


def add_journal_routes(router: APIRouter, emu: Emulator) -> None:
    async def listing(
        filters: Filter, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Entries to return.")] = 100
    ) -> Requests:
        return Requests(requests=[JournalEntry.model_validate(e) for e in emu.journal.query(filters, limit)])

    async def count(filters: Filter) -> Count:
        return Count(count=emu.journal.count(filters))

    async def clear() -> Response:
        emu.journal.clear()
        return Response(status_code=204)

    router.add_api_route(
        "/requests",
        listing,
        methods=["GET"],
        response_model=Requests,
        operation_id="ListRequests",
        summary="Journaled vendor requests, newest first",
    )
    router.add_api_route(
        "/requests/count",
        count,
        methods=["GET"],
        response_model=Count,
        operation_id="CountRequests",
        summary="How many journaled requests match",
    )
    router.add_api_route(
        "/requests", clear, methods=["DELETE"], status_code=204, operation_id="ClearRequests", summary="Empty it"
    )
