"""What start-up imports: the serving app routes every operation from its vendor's route table (`OperationRoute`)
and imports none of their modules, nor anything else serving does not need (the websockets library included),
until a call needs it; that first call answers exactly as any later one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from fastapi.routing import APIRoute

from emulator.admin.errors import ControlPlaneErrors
from emulator.core.context import Emulator
from emulator.core.operation import LazyOperation, OperationRoute
from emulator.core.settings import Settings
from emulator.vendors import VENDOR_TYPES
from emulator.vendors.ice import data as ice_data

PROJECT = "0123456789abcdef0123456789abcdef"
FIXIE_AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"
ICE_RPC = "/?Version=2020-11-09&Action="
# (method, path): first calls of operations, successes and parameter errors alike (auth off: nothing to sign).
CALLS = [
    ("GET", f"/v1/{PROJECT}/smart-chat-rooms?limit=20&offset=0"),
    ("GET", f"/v1/{PROJECT}/digital-human-chat/smart-chat-rooms/nope/smart-chat-jobs?limit=abc"),
    ("GET", "/v3/projects?name=cn-north-4"),
    ("POST", f"{ICE_RPC}ListAIAgentDialogues&SessionId={{session}}&StartTime=0&EndTime=1893456000000&PageSize=5"),
    ("POST", f"{ICE_RPC}DescribeAIAgentInstance"),
    ("POST", f"{ICE_RPC}ListAIAgentInstance&PageSize=101"),
    ("GET", f"/api/v1/agents/{FIXIE_AGENT}/conversations?offset=0&limit=5"),
    ("GET", f"/api/v1/agents/{FIXIE_AGENT}/conversations/nope"),
]
# Imported by `create_app` only if something needs them at start-up, which nothing does.
NOT_AT_START = (
    *("faker", "httpx", "hypothesis", "schemathesis", "websockets", "pydantic_settings"),
    *("emulator.openapi", "emulator.admin.routes", "emulator.ws_protocol"),
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from emulator.app import create_app
    from emulator.core.settings import Settings

    preload = json.loads(sys.argv[1])
    for name in preload:
        __import__(name)
    settings = Settings(auth="off")
    app = create_app(settings)
    from emulator.server import EmulatorConfig

    EmulatorConfig(app, settings, log_config=None).load()  # as `emulator serve` gives it to uvicorn
    at_start = sorted(sys.modules)
    from fastapi.testclient import TestClient

    answers = []
    with TestClient(app) as client:
        for method, path in json.loads(sys.argv[2]):
            r = client.request(method, path, headers={"Authorization": "Bearer x"})
            headers = {k: v for k, v in r.headers.items() if k != "date"}
            answers.append([r.status_code, headers, r.text])
    print(json.dumps({"at_start": at_start, "after": sorted(sys.modules), "answers": answers}))
    """
)


def _serve(calls: list[tuple[str, str]], preload: list[str]) -> dict[str, Any]:
    args = [sys.executable, "-c", SCRIPT, json.dumps(preload), json.dumps(calls)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _op_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if ".ops." in m]


@pytest.fixture(scope="module")
def calls() -> list[tuple[str, str]]:
    session = ice_data.sessions(20201109, "1000000000000001", 1.0)[0].session_id
    return [(method, path.format(session=session)) for method, path in CALLS]


def test_a_first_call_answers_as_a_loaded_operation_does(calls: list[tuple[str, str]]) -> None:
    every = [route.module for cls in VENDOR_TYPES for route in _routes(cls.name)]
    lazy, loaded = _serve(calls, []), _serve(calls, every)
    assert _op_modules(loaded["at_start"]) != []
    assert lazy["answers"] == loaded["answers"]
    assert [a[0] for a in lazy["answers"]] == [200, 400, 200, 200, 400, 400, 200, 404]
    # Only the operations called were imported.
    called = {
        "emulator.vendors.metastudio.ops.list_smart_chat_rooms",
        "emulator.vendors.metastudio.ops.list_smart_chat_job",
        "emulator.vendors.metastudio.ops.keystone_list_projects",
        "emulator.vendors.ice.ops.list_ai_agent_dialogues",
        "emulator.vendors.ice.ops.describe_ai_agent_instance",
        "emulator.vendors.ice.ops.list_ai_agent_instance",
        "emulator.vendors.fixie.ops.list_conversations",
        "emulator.vendors.fixie.ops.get_conversation",
    }
    assert set(_op_modules(lazy["after"])) == called


def test_create_app_imports_what_serving_needs_only() -> None:
    at_start = set(_serve([], [])["at_start"])
    assert _op_modules(sorted(at_start)) == []
    assert not {m for m in at_start if m.endswith((".data", ".backend")) and m.startswith("emulator.vendors.")}
    assert not at_start & set(NOT_AT_START)


def _routes(vendor: str) -> tuple[OperationRoute, ...]:
    from emulator.vendors.fixie import routes as fixie
    from emulator.vendors.ice import routes as ice
    from emulator.vendors.metastudio import routes as metastudio

    tables = {
        "ice": ice.OPERATIONS,
        "metastudio": (*metastudio.PROJECT_OPERATIONS, metastudio.IAM_OPERATION),
        "fixie": fixie.OPERATIONS,
    }
    return tables[vendor]


def test_every_declared_route_is_its_module_s_operation() -> None:
    """The documented routers load every operation, each checked against its declaration (`OperationRoute.load`);
    the fault rules' operation names are the declared ones."""
    emu = Emulator(Settings(), VENDOR_TYPES, ControlPlaneErrors())
    for vendor in emu.vendors:
        declared = [route.name for route in _routes(vendor.name)]
        assert list(vendor.operation_names) == declared
        documented = {r.name for r in vendor.router(emu, documented=True).routes if isinstance(r, APIRoute)}
        assert set(declared) <= documented


def test_a_declaration_that_does_not_match_its_module_is_refused() -> None:
    module = "emulator.vendors.metastudio.ops.list_smart_chat_rooms"
    right = OperationRoute("ListSmartChatRooms", module, "GET", "/v1/{project_id}/smart-chat-rooms")
    assert LazyOperation(right).get().name == "ListSmartChatRooms"
    for wrong in (
        OperationRoute("ListSmartChatJob", module, "GET", right.path),
        OperationRoute(right.name, module, "POST", right.path),
        OperationRoute(right.name, module, "GET", "/v1/{project_id}/rooms"),
    ):
        with pytest.raises(RuntimeError, match="declared as"):
            wrong.load()


def test_the_cli_imports_without_the_collector_and_runs_with_it() -> None:
    script = textwrap.dedent(
        """
        import gc
        from emulator import startup

        seen = []
        with startup.uncollected():
            seen.append(gc.isenabled())
            import emulator.app  # noqa: F401
        print(seen[0], gc.isenabled(), gc.get_freeze_count() > 10_000)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "True", "True"]
    version = subprocess.run(
        [sys.executable, "-m", "emulator", "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("emulator ")
