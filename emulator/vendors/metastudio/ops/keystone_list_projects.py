"""KeystoneListProjects (IAM `GET /v3/projects?name=<region>`): how an SDK built with `.with_region(...)` and no
project id discovers it. Lists the caller's project when its region matches; IAM itself is not emulated further.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from emulator.core.operation import Call, ResponseModel
from emulator.core.params import RequestModel
from emulator.core.rest import RestOperation
from emulator.vendors.metastudio.tenants import MetaStudioTenant, MetaStudioTenants


class KeystoneListProjectsRequest(RequestModel):
    name: str | None = Field(None, description="Project name, which is the region id (e.g. cn-north-4).")


class Links(BaseModel):
    self_link: str = Field(alias="self")
    previous: str | None = None
    next: str | None = None


class ProjectResult(BaseModel):
    is_domain: bool
    description: str
    links: dict[str, str]
    enabled: bool
    id: str
    parent_id: str
    domain_id: str
    name: str


class KeystoneListProjectsResponse(ResponseModel):
    links: Links
    projects: list[ProjectResult]


NAME = "KeystoneListProjects"


def operation(tenants: MetaStudioTenants) -> RestOperation:
    async def handle(call: Call, req: KeystoneListProjectsRequest) -> dict[str, Any]:
        # The caller's project; with auth off and unknown credentials, any project of the manifest.
        own = tenants.by_project(call.tenant)
        candidates = [own] if own is not None else [] if call.tenant else tenants.tenants
        base = str(call.request.base_url).rstrip("/")
        projects = [_project(t, base) for t in candidates if req.name is None or t.region == req.name]
        self_link = str(call.request.url)
        return {"links": {"self": self_link, "previous": None, "next": None}, "projects": projects}

    return RestOperation(
        method="GET",
        path="/v3/projects",
        name=NAME,
        request_model=KeystoneListProjectsRequest,
        response_model=KeystoneListProjectsResponse,
        handler=handle,
        summary="IAM: lists the caller's projects (project-id discovery for region-configured SDKs).",
        errors={401: "Gateway authentication failed (APIGW.0301)."},
    )


def _project(tenant: MetaStudioTenant, base: str) -> dict[str, Any]:
    return {
        "is_domain": False,
        "description": "",
        "links": {"self": f"{base}/v3/projects/{tenant.project_id}"},
        "enabled": True,
        "id": tenant.project_id,
        "parent_id": tenant.account_id,
        "domain_id": tenant.account_id,
        "name": tenant.region,
    }
