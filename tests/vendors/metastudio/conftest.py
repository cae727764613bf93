"""MetaStudio test helpers: token-authenticated calls, SDK-signed headers, and the generated dataset."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
from huaweicloudsdkcore.sdk_request import SdkRequest  # type: ignore[import-untyped]
from huaweicloudsdkcore.signer.signer import DerivationAKSKSigner, Signer  # type: ignore[import-untyped]

from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.vendors.metastudio import MetaStudioVendor
from emulator.vendors.metastudio.records import RoomEntry

PROJECT_A = "0123456789abcdef0123456789abcdef"
PROJECT_B = "fedcba9876543210fedcba9876543210"
TOKENS = {PROJECT_A: "emu-dev-iam-token-0000000001", PROJECT_B: "emu-dev-iam-token-0000000002"}


def rooms_path(project: str = PROJECT_A) -> str:
    return f"/v1/{project}/smart-chat-rooms"


@dataclass
class Api:
    """Calls ListSmartChatRooms as the path project's own IAM-token holder (valid in every auth mode)."""

    client: TestClient

    @property
    def app(self) -> FastAPI:
        app: FastAPI = self.client.app  # type: ignore[assignment]
        return app

    def get(self, query: Mapping[str, Any] | str = "", project: str = PROJECT_A, **headers: str) -> Response:
        qs = query if isinstance(query, str) else urlencode(query)
        url = rooms_path(project) + (f"?{qs}" if qs else "")
        return self.client.get(url, headers={"X-Auth-Token": TOKENS.get(project, "none"), **headers})

    def ok(self, query: Mapping[str, Any] | str = "", project: str = PROJECT_A) -> dict[str, Any]:
        response = self.get(query, project)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def walk(self, limit: int, project: str = PROJECT_A, **filters: str) -> tuple[list[dict[str, Any]], list[int]]:
        """Every page of a listing; returns the rooms and each page's `count`."""
        rooms: list[dict[str, Any]] = []
        counts: list[int] = []
        offset = 0
        while True:
            body = self.ok({**filters, "offset": offset, "limit": limit}, project)
            counts.append(body["count"])
            rooms.extend(body["smart_chat_rooms"])
            if len(body["smart_chat_rooms"]) < limit:
                return rooms, counts
            offset += limit

    def entries(self, project: str = PROJECT_A) -> list[RoomEntry]:
        """The generated rooms as the vendor yields them: the independent reference for filters and totals."""
        emu = self.app.state.emulator
        vendor = next(v for v in emu.vendors if isinstance(v, MetaStudioVendor))
        generated = vendor.generate(emu.settings.seed, emu.settings.scale)
        return [e for _, e in generated if isinstance(e, RoomEntry) and e.tenant == project]


@pytest.fixture(scope="module")
def api_factory() -> Callable[..., Api]:
    """Read-only apps with other settings, built once per module and settings (auth=presence unless given)."""
    built: dict[str, Api] = {}

    def build(**overrides: Any) -> Api:
        settings = Settings(**{"auth": "presence", **overrides})
        key = settings.model_dump_json()
        if key not in built:
            built[key] = Api(TestClient(create_app(settings), raise_server_exceptions=False))
        return built[key]

    return build


@pytest.fixture(scope="module")
def presence_client() -> TestClient:
    """Read-only tests share one app per module (auth=presence, default data): building one costs ~0.5 s."""
    return TestClient(create_app(Settings(auth="presence")), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def api(presence_client: TestClient) -> Api:
    return Api(presence_client)


@dataclass(frozen=True)
class Signed:
    url: str  # path and canonical query, as the SDK sends them
    headers: dict[str, str]


def sdk_sign(
    ak: str,
    sk: str,
    path: str,
    query: list[tuple[str, str]] | None = None,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    v11_region: str | None = None,
    content_type: bool = True,
    unsigned: Collection[str] = (),
) -> Signed:
    """Headers signed by the official SDK's own signer (an implementation independent of the emulator's).

    The SDK signs every header present when signing: Content-Type and User-Agent always (IAM calls: no
    Content-Type), then the caller's (X-Project-Id, X-Security-Token, ...), plus X-Sdk-Date and Host.
    `unsigned` names (lowercase) headers to send but leave out of SignedHeaders: a hand-rolled client's signature,
    still computed by the SDK's own code.
    """
    params = {"User-Agent": "huaweicloud-usdk-python/3.0", **(headers or {})}
    if content_type:
        params["Content-Type"] = "application/json"
    request = SdkRequest(
        method=method,
        schema="http",
        host="testserver",
        resource_path=path,
        query_params=list(query or []),
        header_params=params,
        body="",
    )
    credentials = BasicCredentials(ak, sk)
    if v11_region is None:
        _leaving_out(Signer, unsigned)(credentials).sign(request)
    else:
        _leaving_out(DerivationAKSKSigner, unsigned)(credentials).sign(request, "metastudio", v11_region)
    return Signed(request.uri, dict(request.header_params))


def _leaving_out(base: type[Any], names: Collection[str]) -> type[Any]:
    """The SDK signer class, minus `names` in the list of headers it signs."""
    if not names:
        return base

    class Partial(base):  # type: ignore[misc, valid-type]
        @classmethod
        def _process_signed_headers(cls, request: SdkRequest) -> list[str]:
            return [h for h in super()._process_signed_headers(request) if h not in names]

    return Partial


@pytest.fixture
def sign() -> Callable[..., Signed]:
    return sdk_sign
