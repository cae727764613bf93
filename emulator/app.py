"""`create_app(settings)`: the only place an application is put together. No module-level app or state."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from emulator.admin.errors import ControlPlaneErrors
from emulator.admin.routes import admin_router
from emulator.core.context import Emulator
from emulator.core.errors import VendorError
from emulator.core.http import BufferBody
from emulator.core.params import ParamProblem
from emulator.core.settings import Settings
from emulator.core.vendor import Vendor
from emulator.vendors import VENDOR_TYPES

log = logging.getLogger("emulator")


def create_app(settings: Settings | None = None, vendor_types: Sequence[type[Vendor]] = VENDOR_TYPES) -> FastAPI:
    """The whole emulator; `vendor_types` narrows it to some vendors (e.g. a benchmark of one vendor at scale)."""
    settings = settings or Settings()
    emu = Emulator(settings, vendor_types, ControlPlaneErrors())
    # redirect_slashes=False: Huawei's SDK treats a 307 as an empty success; every miss gets the vendor's 404.
    app = FastAPI(
        title="agent-api-emulator",
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.emulator = emu
    app.include_router(admin_router())
    for vendor in emu.vendors:
        app.include_router(vendor.router(emu))
    _install_error_handlers(app, emu)
    app.add_middleware(BufferBody)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn's `--factory` (multi-worker): each worker reads the same EMULATOR_* settings."""
    return create_app(Settings())


def _install_error_handlers(app: FastAPI, emu: Emulator) -> None:
    async def vendor_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, VendorError)
        return emu.dialect_for(request.url.path).render(exc, request)

    async def param_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ParamProblem)
        dialect = emu.dialect_for(request.url.path)
        return dialect.render(dialect.param_error(exc), request)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        err = exc.errors()[0]
        loc = err.get("loc", ())
        problem = ParamProblem("missing" if err["type"] == "missing" else "invalid", str(loc[-1] if loc else ""))
        dialect = emu.dialect_for(request.url.path)
        return dialect.render(dialect.param_error(problem), request)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        dialect = emu.dialect_for(request.url.path)
        err = dialect.not_found(exc.status_code == 405)
        err.headers.update(exc.headers or {})  # keeps the router's Allow on a 405
        return dialect.render(err, request)

    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        dialect = emu.dialect_for(request.url.path)
        return dialect.render(dialect.internal_error(), request)

    app.add_exception_handler(VendorError, vendor_error)
    app.add_exception_handler(ParamProblem, param_problem)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
