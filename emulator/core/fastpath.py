"""Vendor traffic straight to its endpoint, past the framework's per-request machinery.

Every vendor endpoint takes the bare `Request` and returns a ready `Response` (the operation pipeline does the
parsing), so for them FastAPI's routing through the included routers, its dependency solving and its middleware
layers only cost time: about 40% of a small list call. `FastRoutes` matches a request against the vendor routes in
the app's own order (a route found once for a method and path is remembered), calls the endpoint and answers errors
through the app's own exception handlers, so the answer is byte for byte the one the full stack gives. Anything it
does not serve (the control plane, a 404 or 405, an endpoint that declares parameters) goes down the full stack.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.core.memo import Memo

ExceptionHandler = Callable[[Request, Any], Response | Awaitable[Response]]
# Distinct (method, path) pairs remembered: paths carry ids, so the set a client uses is open-ended.
MAX_REMEMBERED = 4096


def takes_only_the_request(route: BaseRoute) -> bool:
    """An endpoint FastAPI would call with the request alone (no parameters, dependencies or body to solve)."""
    if not isinstance(route, APIRoute):
        return False
    d = route.dependant
    declared = (d.path_params, d.query_params, d.header_params, d.cookie_params, d.body_params, d.dependencies)
    return d.request_param_name is not None and not any(declared) and d.background_tasks_param_name is None


class FastRoutes:
    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute], handlers: Mapping[Any, ExceptionHandler]) -> None:
        self.app = app  # the full stack, for everything not served here
        self.routes = list(routes)
        self.handlers = handlers
        self._found: Memo[tuple[str, str], tuple[APIRoute, dict[str, Any]] | None] = Memo(MAX_REMEMBERED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.route_for(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        route, child = found
        scope.update(child)
        scope["path_params"] = dict(child["path_params"])  # the endpoint's own copy
        request = Request(scope, receive, send)
        try:
            response = await route.endpoint(request)
            if not isinstance(response, Response):  # see takes_only_the_request: vendor endpoints answer Responses
                raise TypeError(f"{route.name} answered {type(response).__name__}, not a Response")
        except Exception as exc:
            handler = self.handler_for(exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)

    def route_for(self, scope: Scope) -> tuple[APIRoute, dict[str, Any]] | None:
        return self._found.get_or((scope["method"], scope["path"]), lambda: self._match(scope))

    def _match(self, scope: Scope) -> tuple[APIRoute, dict[str, Any]] | None:
        # As Starlette's router: the first route matching path and method wins; a path match of another method does
        # not stop the search (and if nothing matches fully, the full stack answers 405 or 404).
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                if takes_only_the_request(route):
                    assert isinstance(route, APIRoute)
                    return route, dict(child)
                return None
        return None

    def handler_for(self, exc: Exception) -> ExceptionHandler | None:
        for cls in type(exc).__mro__:
            handler = self.handlers.get(cls)
            if handler is not None:
                return handler
        return None
