"""`create_app(settings)`: the only place an application is put together. No module-level app or state."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.admin.errors import ControlPlaneErrors
from emulator.core.context import Emulator
from emulator.core.dataset import Progress
from emulator.core.edge import RequestTap
from emulator.core.errors import VendorError
from emulator.core.fastpath import FastRoutes
from emulator.core.faults import DropConnection
from emulator.core.params import ParamProblem
from emulator.core.request_context import context_of
from emulator.core.settings import Settings
from emulator.core.vendor import Vendor
from emulator.vendors import VENDOR_TYPES

log = logging.getLogger("emulator")


class EmulatorApp(FastAPI):
    """FastAPI with the emulator's edge (`RequestTap`) outside Starlette's own error middleware, so the journal and
    connection-level faults see every request and every answer, 500s included."""

    _edge: ASGIApp | None = None
    # Builds the control plane's router; set until its first request includes it (see `__call__`).
    _control_plane: Callable[[], APIRouter] | None = None
    _emulator: Emulator  # app.state.emulator, without the State lookup on every request

    def build_middleware_stack(self) -> ASGIApp:
        full = super().build_middleware_stack()
        return RequestTap(FastRoutes(full, self.state.vendor_routes, self.exception_handlers), self.state.emulator)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._control_plane is not None and scope["type"] in ("http", "websocket"):
            self._include_control_plane(scope["path"])
        # Requests go straight to the edge. FastAPI's own entry asks on every request whether OpenTelemetry is
        # configured (about 5% of a small list call); the emulator answers that once, at its first request.
        edge = self._edge
        if edge is None or scope["type"] != "http":
            await super().__call__(scope, receive, send)
            if scope["type"] == "http" and self.middleware_stack is not None:
                self._edge = None if _telemetry_on(self) else self.middleware_stack
            return
        scope["app"] = self
        await edge(scope, receive, send)

    def _include_control_plane(self, path: str) -> None:
        """The control plane's routes join the app at its first request. They cost about as much to build as the
        vendors' (FastAPI analyses each endpoint, the records API makes a model per collection) and vendor calls
        never need them: a client calling a vendor first is served that much sooner after start."""
        emu = self._emulator
        build = self._control_plane
        if build is None or emu.dialect_for(path) is not emu.control_plane:
            return
        self._control_plane = None
        admin = build()
        self.include_router(admin)  # after the vendor routes (they are the traffic; the paths do not overlap)
        # The control plane's routes as declared (the app's own tree wraps included routers), for a 405's Allow.
        self.state.routes = list(admin.routes)


def _telemetry_on(app: FastAPI) -> bool:
    native = getattr(app, "_native_telemetry", None)  # FastAPI 0.165's built-in OpenTelemetry hooks
    return native is not None and bool(native.enabled())


class NoAnswer(Response):
    """What a request whose connection a fault breaks answers: nothing (the edge then drops the connection)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        return None


def create_app(
    settings: Settings | None = None,
    vendor_types: Sequence[type[Vendor]] = VENDOR_TYPES,
    *,
    progress: Progress | None = None,
) -> FastAPI:
    """The whole emulator; `vendor_types` narrows it to some vendors (e.g. a benchmark of one vendor at scale);
    `progress` hears how the start-up dataset's build goes."""
    settings = settings or Settings()
    emu = Emulator(settings, vendor_types, ControlPlaneErrors(), progress)
    # redirect_slashes=False: Huawei's SDK treats a 307 as an empty success; every miss gets the vendor's 404.
    app = EmulatorApp(
        title="agent-api-emulator",
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.emulator = app._emulator = emu
    # The app serves no OpenAPI document (`emulator openapi export` does): the routes leave out what only it reads.
    vendor_routers = [vendor.router(emu, documented=False) for vendor in emu.vendors]
    for router in vendor_routers:
        app.include_router(router)
    # The same routes, in the same order, for the edge's direct dispatch (emulator.core.fastpath).
    app.state.vendor_routes = [route for router in vendor_routers for route in router.routes]
    app.state.routes = []
    app._control_plane = lambda: _control_plane_router(emu)
    _install_error_handlers(app, emu)
    return app


def _control_plane_router(emu: Emulator) -> APIRouter:
    from emulator.admin.routes import admin_router  # imported with it: a tenth of a second at start

    return admin_router(emu, documented=False)


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn's `--factory` (multi-worker): each worker reads the same EMULATOR_* settings."""
    from emulator.server import settle

    app = create_app(Settings())
    settle()
    return app


def render_error(emu: Emulator, request: Request, err: VendorError) -> Response:
    """Every error leaves here, in its owner's envelope; the journal learns its code and any auth verdict."""
    dialect = emu.dialect_for(request.url.path)
    ctx = context_of(request)
    ctx.code = dialect.code_of(err, request)
    if err.auth is not None:
        ctx.auth = err.auth
    return dialect.render(err, request)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this request's path."""
    methods: set[str] = set()
    for route in request.app.state.routes:
        if isinstance(route, BaseRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _install_error_handlers(app: FastAPI, emu: Emulator) -> None:
    async def vendor_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, VendorError)
        return render_error(emu, request, exc)

    async def param_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ParamProblem)
        return render_error(emu, request, emu.dialect_for(request.url.path).param_error(exc))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        err = exc.errors()[0]
        where = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        kind: Literal["missing", "invalid"] = "missing" if err["type"] == "missing" else "invalid"
        problem = ParamProblem(kind, ".".join(where), err.get("input"), str(err.get("msg", "")))
        return render_error(emu, request, emu.dialect_for(request.url.path).param_error(problem))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        dialect = emu.dialect_for(request.url.path)
        err = dialect.not_found(exc.status_code == 405)
        err.headers.update(exc.headers or {})
        if exc.status_code == 405 and dialect is emu.control_plane:
            # The router names the methods of the first route on the path; the control plane has one route per
            # method. (Vendor paths declare their refusals as routes of their own and keep the router's answer.)
            err.headers["Allow"] = ", ".join(allowed_methods(request))
        return render_error(emu, request, err)

    async def dropped(request: Request, exc: Exception) -> Response:
        return NoAnswer()

    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return render_error(emu, request, emu.dialect_for(request.url.path).internal_error())

    app.add_exception_handler(VendorError, vendor_error)
    app.add_exception_handler(ParamProblem, param_problem)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DropConnection, dropped)
    app.add_exception_handler(Exception, internal_error)
