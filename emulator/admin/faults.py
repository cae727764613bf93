"""`/_emulator/faults`: rules that make a vendor fail in its own words (see `emulator.core.faults`)."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field

from emulator.admin import errors as E
from emulator.admin.models import Fault, FaultCreated, Faults
from emulator.admin.responses import json_response
from emulator.core.context import Emulator
from emulator.core.errors import error
from emulator.core.faults import rule_model


def add_fault_routes(router: APIRouter, emu: Emulator) -> None:
    models = [rule_model(v) for v in emu.vendors]
    # One body schema per vendor (its operations and error names as enums), told apart by "vendor".
    union: Any = (
        models[0] if len(models) == 1 else Annotated[reduce(operator.or_, models), Field(discriminator="vendor")]
    )

    async def create(rule: Any) -> Response:
        stored = rule.model_dump(mode="json", exclude_none=True)
        with emu.store.transaction():
            rule_id = f"fault-{emu.state.next_seq('fault_seq')}"
            emu.state.add_fault(rule_id, stored)
        emu.state.reload()
        return json_response({"id": rule_id}, 201)

    async def listing() -> Faults:
        emu.state.reload()  # match and fire counts change on every request they apply to
        return Faults(faults=[Fault(id=f.id, rule=f.rule, matched=f.matched, fired=f.fired) for f in emu.state.faults])

    async def clear() -> Response:
        with emu.store.transaction():
            emu.state.remove_faults()
        emu.state.reload()
        return Response(status_code=204)

    async def delete(fault_id: str) -> Response:
        with emu.store.transaction():
            removed = emu.state.remove_faults(fault_id)
        emu.state.reload()
        if not removed:
            raise error(E.FAULT_NOT_FOUND, id=fault_id)
        return Response(status_code=204)

    create.__annotations__["rule"] = union  # built at run time: FastAPI reads the body type from here
    router.add_api_route(
        "/faults",
        create,
        methods=["POST"],
        status_code=201,
        response_model=FaultCreated,
        operation_id="AddFault",
        summary="Add a fault rule",
    )
    router.add_api_route("/faults", listing, methods=["GET"], response_model=Faults, operation_id="ListFaults")
    router.add_api_route("/faults", clear, methods=["DELETE"], status_code=204, operation_id="ClearFaults")
    router.add_api_route(
        "/faults/{fault_id}",
        delete,
        methods=["DELETE"],
        status_code=204,
        operation_id="DeleteFault",
        responses={404: {"description": "FaultNotFound"}},
    )
