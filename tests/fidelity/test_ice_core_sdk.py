"""The old generic client `aliyun-python-sdk-core` (`CommonRequest`, RPC V1 HMAC-SHA1) against a live emulator.

It differs from tea-openapi on the wire: `Format=JSON`, a `RegionId`, a signed empty `SignatureType=`, `%20` for a
space, any HTTP method, and form-body parameters that are part of the signature.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException  # type: ignore[import-untyped]
from aliyunsdkcore.auth.credentials import StsTokenCredential  # type: ignore[import-untyped]
from aliyunsdkcore.client import AcsClient  # type: ignore[import-untyped]
from aliyunsdkcore.request import CommonRequest, RpcRequest  # type: ignore[import-untyped]

from emulator.core.context import default_manifest
from emulator.vendors.ice import IceVendor, data
from emulator.vendors.ice.records import DialogueEntry, InstanceEntry

SEED = 20201109
ACCOUNT_1 = "1000000000000001"
AK_1, SK_1 = "LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001"
SESSION = data.sessions(SEED, ACCOUNT_1, 1.0)[0].session_id
AGENT = data.agents(SEED, ACCOUNT_1)[0]
WINDOW = {"StartTime": "0", "EndTime": str(2**63 - 1)}


@pytest.fixture(scope="module")
def totals() -> dict[str, int]:
    """Independent counts from the vendor's generator."""
    counts = {"dialogues": 0, "instances": 0}
    for _, entry in IceVendor(default_manifest()["tenants"]["ice"]).generate(SEED, 1.0):
        if isinstance(entry, DialogueEntry) and (entry.tenant, entry.session_id) == (ACCOUNT_1, SESSION):
            counts["dialogues"] += 1
        elif isinstance(entry, InstanceEntry) and (entry.tenant, entry.ai_agent_id) == (ACCOUNT_1, AGENT):
            counts["instances"] += 1
    return counts


@pytest.fixture(autouse=True)
def quiet_sdk_logger() -> Iterator[None]:
    # The core SDK logs every ServerException at ERROR level; expected errors should not clutter the output.
    logger = logging.getLogger("aliyunsdkcore")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def acs(ak: str = AK_1, secret: str = SK_1) -> AcsClient:
    return AcsClient(ak, secret, "cn-shanghai", auto_retry=False)


@pytest.fixture
def common(live_url: str) -> Callable[..., Any]:
    domain = live_url.removeprefix("http://")

    def build(action: str = "ListAIAgentDialogues", method: str = "POST", body: bool = False, **params: str) -> Any:
        request = CommonRequest(domain=domain, version="2020-11-09", action_name=action)
        request.set_protocol_type("http")
        request.set_method(method)
        for key, value in params.items():
            if body:
                request.add_body_params(key, value)
            else:
                request.add_query_param(key, value)
        return request

    return build


def call(client: AcsClient, request: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(client.do_action_with_exception(request))
    return body


def server_error(client: AcsClient, request: Any) -> ServerException:
    with pytest.raises(ServerException) as info:
        client.do_action_with_exception(request)
    err: ServerException = info.value
    assert err.get_request_id()
    return err


# --- success ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "body"), [("GET", False), ("POST", False), ("POST", True)])
def test_walk_a_default_session_to_its_total(
    common: Callable[..., Any], totals: dict[str, int], method: str, body: bool
) -> None:
    client = acs()
    seen: list[str] = []
    for page in range(1, 100):
        params = {"SessionId": SESSION, "PageSize": "100", "PageNumber": str(page), **WINDOW}
        rows = call(client, common(method=method, body=body, **params))["Dialogues"]
        if not rows:
            break
        seen.extend(d["DialogueId"] for d in rows)
    assert len(seen) == len(set(seen)) == totals["dialogues"] > 100


def test_walk_a_default_agent_to_its_total(common: Callable[..., Any], totals: dict[str, int]) -> None:
    client = acs()
    count = 0
    for page in range(1, 101):
        rows = call(client, common("ListAIAgentInstance", AIAgentId=AGENT, PageNumber=str(page)))["Instances"]
        if not rows:
            break
        assert isinstance(rows[0]["RuntimeConfig"], dict) and isinstance(rows[0]["UserData"], str)
        count += len(rows)
    assert count == totals["instances"]


def test_form_body_parameters_are_signed_and_read(common: Callable[..., Any]) -> None:
    rows = call(acs(), common(body=True, SessionId=SESSION, PageSize="7", **WINDOW))["Dialogues"]
    assert len(rows) == 7


@pytest.mark.parametrize("session", ["sess 1/ü~*", "a+b c", "中文", "k&v=w", "x:y"])
def test_reserved_characters_sign_and_verify(common: Callable[..., Any], session: str) -> None:
    # The core SDK encodes a space as %20 (tea-openapi sends "+"); both must verify.
    assert call(acs(), common(SessionId=session, **WINDOW))["Dialogues"] == []


def test_sts_credentials(common: Callable[..., Any]) -> None:
    credential = StsTokenCredential(
        "STS.EmuDevStsAccessKey001", "emuDevStsAccessKeySecret0000000001", "emuDevSecurityToken0000000001"
    )
    client = AcsClient(region_id="cn-shanghai", credential=credential, auto_retry=False)
    assert len(call(client, common(SessionId=SESSION, **WINDOW))["Dialogues"]) == 20


# --- errors arrive as ServerException --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_wrong_secret_through_common_request(common: Callable[..., Any], method: str) -> None:
    err = server_error(acs(secret="not-the-secret"), common(method=method, SessionId=SESSION, **WINDOW))
    # The core SDK rewrites SignatureDoesNotMatch to InvalidAccessKeySecret when the server's string-to-sign equals
    # its own `request.string_to_sign`. CommonRequest signs through an inner RpcRequest and leaves its own
    # `string_to_sign` empty, so the comparison never matches and the server's code passes through unchanged.
    assert (err.get_error_code(), err.get_http_status()) == ("SignatureDoesNotMatch", 400)
    assert err.get_error_msg().startswith(
        f"Specified signature is not matched with our calculation. server string to sign is:{method}&%2F&"
    )


def test_wrong_secret_through_rpc_request_becomes_invalid_access_key_secret(live_url: str) -> None:
    # A product-style RpcRequest keeps `string_to_sign`, so this rewrite only happens if the emulator's V1
    # string-to-sign is byte-identical to the core SDK's (here with reserved and non-ASCII characters).
    request = RpcRequest("ice", "2020-11-09", "ListAIAgentDialogues")
    request.set_endpoint(live_url.removeprefix("http://"))
    request.set_protocol_type("http")
    request.set_method("POST")
    for key, value in {"SessionId": "sess 1/ü~*+中文&=", **WINDOW}.items():
        request.add_query_param(key, value)
    err = server_error(acs(secret="not-the-secret"), request)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidAccessKeySecret", 400)
    assert err.get_error_msg() == "The AccessKeySecret is incorrect. Please check your AccessKeyId and AccessKeySecret."
    assert call(acs(), request)["Dialogues"] == []  # and the right secret verifies the same request


def test_unknown_access_key(common: Callable[..., Any]) -> None:
    err = server_error(acs(ak="LTAI5tNoSuchKey"), common(SessionId=SESSION, **WINDOW))
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidAccessKeyId.NotFound", 404)
    assert err.get_error_msg() == "Specified access key is not found."


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (WINDOW, "MissingSessionId", "SessionId is mandatory for this action."),
        ({"SessionId": SESSION, "EndTime": "1"}, "MissingStartTime", "StartTime is mandatory for this action."),
        (
            {"SessionId": SESSION, "PageSize": "101", **WINDOW},
            "InvalidParameter",
            'The specified parameter "PageSize" is not valid.',
        ),
        (
            {"SessionId": SESSION, "Order": "asc", **WINDOW},
            "InvalidParameter",
            'The specified parameter "Order" is not valid.',
        ),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_parameter_errors(
    common: Callable[..., Any], params: dict[str, str], code: str, message: str, method: str
) -> None:
    err = server_error(acs(), common(method=method, **params))
    assert (err.get_error_code(), err.get_http_status(), err.get_error_msg()) == (code, 400, message)


def test_unknown_action_and_wrong_version(live_url: str, common: Callable[..., Any]) -> None:
    err = server_error(acs(), common("ListAIAgentDialoguesV2", SessionId=SESSION, **WINDOW))
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidAction.NotFound", 404)
    request = CommonRequest(
        domain=live_url.removeprefix("http://"), version="2017-03-21", action_name="ListAIAgentDialogues"
    )
    request.set_protocol_type("http")
    err = server_error(acs(), request)
    assert (err.get_error_code(), err.get_http_status()) == ("InvalidVersion", 400)
    assert err.get_error_msg() == "Specified parameter Version is not valid."
