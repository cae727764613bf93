"""A MetaStudio project as a test uses it (the pytest plugin's `emulator.metastudio`): its credentials, and the
official SDK client configured for the emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.vendors.metastudio.tenants import HuaweiAccessKey, MetaStudioTenant

SDK = "huaweicloudsdkmetastudio"


@dataclass(frozen=True)
class MetaStudioTestTenant:
    base_url: str  # http://127.0.0.1:<port>, the SDK's endpoint
    model: MetaStudioTenant

    @property
    def tenant(self) -> str:
        return self.model.project_id

    @property
    def project_id(self) -> str:
        return self.model.project_id

    @property
    def region(self) -> str:
        return self.model.region

    @property
    def key(self) -> HuaweiAccessKey:
        if not self.model.access_keys:
            raise ValueError(f"project {self.project_id} has no AK/SK pair (tokens only)")
        return self.model.access_keys[0]

    @property
    def ak(self) -> str:
        return self.key.ak

    @property
    def sk(self) -> str:
        return self.key.sk

    @property
    def token(self) -> str | None:
        """An IAM token for `X-Auth-Token`, if the project has one."""
        return self.model.tokens[0] if self.model.tokens else None

    @property
    def endpoint(self) -> str:
        return self.base_url

    def credentials(self) -> Any:
        """`huaweicloudsdkcore.auth.credentials.BasicCredentials` for this project (AK/SK)."""
        try:
            from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ImportError(f"emulator.metastudio needs the Huawei Cloud SDK: pip install {SDK}") from exc
        credentials = BasicCredentials(self.ak, self.sk, self.project_id)
        if self.key.security_token is not None:
            credentials = credentials.with_security_token(self.key.security_token)
        return credentials

    def client(self, http_config: Any = None) -> Any:
        """A `huaweicloudsdkmetastudio.v1.MetaStudioClient` for this project (optionally with an `HttpConfig`)."""
        try:
            from huaweicloudsdkmetastudio.v1 import MetaStudioClient  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ImportError(f"emulator.metastudio.client() needs the Huawei Cloud SDK: pip install {SDK}") from exc
        builder = MetaStudioClient.new_builder().with_credentials(self.credentials()).with_endpoints([self.endpoint])
        if http_config is not None:
            builder = builder.with_http_config(http_config)
        return builder.build()
