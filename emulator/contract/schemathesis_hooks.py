"""schemathesis hooks: sign every request as the vendor's SDK would, and aim generated ids at real records.

    SCHEMATHESIS_HOOKS=emulator.contract.schemathesis_hooks schemathesis run openapi/ice.json \
        --url http://127.0.0.1:8000 --checks all

Credentials default to the emulator's well-known dev tenants; point the same checks at any other implementation
with CONTRACT_ICE_ACCESS_KEY_ID / CONTRACT_ICE_ACCESS_KEY_SECRET, CONTRACT_HUAWEI_AK / CONTRACT_HUAWEI_SK /
CONTRACT_HUAWEI_PROJECT_ID and CONTRACT_FIXIE_API_KEY. Ids of real records (sessions, agents) are those the
emulator generates for EMULATOR_SEED / EMULATOR_SCALE, so positive cases exercise real responses; a MetaStudio room
or dialog task named in a path is made for its case through the vendor API (so the run adds rooms to the project).
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from emulator.contract.signers import SIGN_ME, HuaweiAkSkSigner, IceV3Signer, Signer
from emulator.core.settings import Settings


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@cache
def _settings() -> Settings:
    return Settings()


@cache
def _signer(prefix: str) -> Signer | None:
    if prefix == "/_rpc/":
        return IceV3Signer(
            _env("CONTRACT_ICE_ACCESS_KEY_ID", "LTAI5tEmuDevAccessKey001"),
            _env("CONTRACT_ICE_ACCESS_KEY_SECRET", "emuDevAccessKeySecret000000000001"),
            only_marked=True,
        )
    if prefix in ("/v1/", "/v3/"):
        return HuaweiAkSkSigner(
            _env("CONTRACT_HUAWEI_AK", "EMUDEVAKHW0000000001"),
            _env("CONTRACT_HUAWEI_SK", "emuDevSecretKeyHuawei0000000000000000001"),
            _huawei_project(),
            only_marked=True,
        )
    return None


def _prefix(path: str) -> str | None:
    return next((p for p in ("/_rpc/", "/v1/", "/v3/", "/api/") if path.startswith(p)), None)


@schemathesis.auth()
class VendorCredentials:
    """Valid credentials on every generated request; schemathesis strips or spoils them for its auth probes.

    Signed vendors get a marker that the signer replaces with a real signature over the final request, so the
    probes (header removed or replaced) reach the emulator unsigned, as a broken client would send them.
    """

    def get(self, case: schemathesis.Case[Any], context: schemathesis.AuthContext) -> str:
        prefix = _prefix(case.operation.path)
        if prefix == "/api/":
            return "Bearer " + _env("CONTRACT_FIXIE_API_KEY", "fixie-emu-dev-key-001")
        return SIGN_ME if prefix else ""

    def set(self, case: schemathesis.Case[Any], data: str, context: schemathesis.AuthContext) -> None:
        if data:
            headers = dict(case.headers or {})
            headers["Authorization"] = data
            case.headers = headers  # type: ignore[assignment]


def _huawei_project() -> str:
    return _env("CONTRACT_HUAWEI_PROJECT_ID", "0123456789abcdef0123456789abcdef")


@schemathesis.check
def ice_auth_enforced(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> None:
    """`ignored_auth` in Alibaba's words: a request that succeeded signed must fail unsigned and wrongly signed.

    The POP gateway refuses both with 400 (MissingParameter, SignatureDoesNotMatch), never the 401/403 that the
    built-in check demands, so ICE runs this check in its place. Once per operation and method.
    """
    if _prefix(case.operation.path) != "/_rpc/" or not 200 <= response.status_code < 300:
        return
    key = (case.method, case.operation.path)
    if key in _AUTH_PROBED:
        return
    _AUTH_PROBED.add(key)
    url, method = str(response.request.url), response.request.method or "POST"
    unsigned = requests.request(method, url, timeout=10)
    wrong_secret = IceV3Signer(_env("CONTRACT_ICE_ACCESS_KEY_ID", "LTAI5tEmuDevAccessKey001"), "not-the-secret")
    mis_signed = requests.request(method, url, auth=wrong_secret, timeout=10)
    for probe, code in ((unsigned, "MissingParameter"), (mis_signed, "SignatureDoesNotMatch")):
        body = probe.json() if probe.headers.get("content-type", "").startswith("application/json") else {}
        if probe.status_code != 400 or body.get("Code") != code:
            raise AssertionError(f"{method} {url}: expected 400 {code}, got {probe.status_code} {probe.text[:200]}")


_AUTH_PROBED: set[tuple[str, str]] = set()


@cache
def _ice_ids() -> dict[str, str]:
    from emulator.vendors.ice import data

    account = _env("CONTRACT_ICE_ACCOUNT_ID", "1000000000000001")
    settings = _settings()
    return {
        "SessionId": data.sessions(settings.seed, account, settings.scale)[0].session_id,
        "AIAgentId": data.agents(settings.seed, account)[0],
    }


@schemathesis.deserializer("application/x-ndjson")
def json_lines(ctx: Any, response: schemathesis.Response) -> Any:
    """Fixie's streamed replies (JSON Lines): every line must be one JSON document; the last, final snapshot is the
    one checked against the schema, which describes each line."""
    docs = [json.loads(line) for line in response.content.decode("utf-8").split("\n") if line.strip()]
    if not docs:
        raise ValueError("the stream holds no JSON line")
    return docs[-1]


@cache
def _fixie_agent() -> str:
    from emulator.vendors.fixie import data

    return data.agents(_settings().seed, _env("CONTRACT_FIXIE_OWNER", "emu-dev-user-001"))[0].record.agent_id


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
    prefix = _prefix(case.operation.path)
    signer = _signer(prefix) if prefix else None
    if signer is not None:
        kwargs["auth"] = signer
    _aim_at_real_records(case)
    _keep_datasets_small(case)


# Reseeding builds the whole dataset: at the API's maximum scale that takes minutes, which says nothing more about
# the contract than a small scale does. Positive cases keep their shape; only the size is capped.
CONTRACT_MAX_SCALE = 0.05


def _keep_datasets_small(case: schemathesis.Case[Any]) -> None:
    if case.operation.path != "/_emulator/seed" or not isinstance(case.body, dict):
        return
    meta = case.meta
    if meta is not None and meta.is_negative_at(ParameterLocation.BODY):
        return
    scale = case.body.get("scale")
    if isinstance(scale, int | float) and not isinstance(scale, bool) and scale > CONTRACT_MAX_SCALE:
        case.body["scale"] = CONTRACT_MAX_SCALE


def _aim_at_real_records(case: schemathesis.Case[Any]) -> None:
    """Generated tenants and agents do not exist: point schema-valid cases at real ones.

    Left alone: probes for undeclared methods (whose generated path must 404, as the vendors answer) and cases
    that are negative in the path on purpose.
    """
    for name, real_id in _ice_ids().items():
        if case.query and isinstance(case.query.get(name), str) and case.query[name]:
            case.query[name] = real_id
    meta = case.meta
    if meta is None or not case.path_parameters:
        return
    scenario = getattr(meta.phase.data, "scenario", None)
    if scenario is not None and scenario.name == "UNSPECIFIED_HTTP_METHOD":
        return
    if meta.is_negative_at(ParameterLocation.PATH):
        return
    real = {"project_id": _huawei_project(), "agentId": _fixie_agent()}
    for name, value in real.items():
        if isinstance(case.path_parameters.get(name), str):
            case.path_parameters[name] = value
    if isinstance(case.path_parameters.get("room_id"), str):
        _aim_at_a_fresh_room(case)


def _aim_at_a_fresh_room(case: schemathesis.Case[Any]) -> None:
    """MetaStudio answers an unknown room or dialog task with its not-found codes (status 400), which a schema
    cannot tell from a bad request: each case gets a room of its own (concurrency 1), and a task started in it when
    the path names one, made through the API itself, so a DELETE, a stop or an update always finds its target."""
    base = case.operation.schema.get_base_url()
    signer = _signer("/v1/")
    assert isinstance(signer, HuaweiAkSkSigner)
    auth = HuaweiAkSkSigner(signer.ak, signer.sk, signer.project_id)
    rooms = f"{base}/v1/{_huawei_project()}/smart-chat-rooms"
    made = requests.post(rooms, json={"room_name": "contract", "concurrency": 1}, auth=auth, timeout=10)
    made.raise_for_status()
    room_id = made.json()["room_id"]
    case.path_parameters["room_id"] = room_id
    if isinstance(case.path_parameters.get("job_id"), str):
        jobs = f"{base}/v1/{_huawei_project()}/digital-human-chat/smart-chat-rooms/{room_id}/smart-chat-jobs"
        started = requests.post(jobs, params={"robot_id": "contract"}, json={}, auth=auth, timeout=10)
        started.raise_for_status()
        case.path_parameters["job_id"] = started.json()["job_id"]
