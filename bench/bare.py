"""The ceilings the emulator is measured against: a bare Starlette app and a bare FastAPI route, each answering the
emulator's own captured response (body bytes and headers) for each call, with no work at all.

Served by `python -m uvicorn bench.bare:starlette_app --factory` (or `fastapi_app`), with `BENCH_CAPTURE` naming
the capture file `python -m bench` writes: a JSON list of {"method", "path", "headers": [[name, value], ...],
"body": "<base64>"}.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# What the capture keeps of the emulator's headers: the server sets its own date, server and length.
DROPPED_HEADERS = frozenset({"date", "server", "content-length", "connection", "transfer-encoding"})


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "headers": list(self.headers.items()),
            "body": base64.b64encode(self.body).decode(),
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Captured:
        headers = {str(k): str(v) for k, v in item["headers"]}
        return cls(str(item["method"]), str(item["path"]), headers, base64.b64decode(item["body"]))


def keep_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers if k.lower() not in DROPPED_HEADERS}


def save(path: Path, captured: list[Captured]) -> Path:
    path.write_text(json.dumps([c.to_json() for c in captured], indent=1), encoding="utf-8")
    return path


def load(path: Path | None = None) -> list[Captured]:
    path = path or Path(os.environ["BENCH_CAPTURE"])
    return [Captured.from_json(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def _endpoint(captured: Captured) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return Response(captured.body, headers=captured.headers)

    return endpoint


def starlette_app() -> Starlette:
    return Starlette(routes=[Route(c.path, _endpoint(c), methods=[c.method]) for c in load()])


def fastapi_app() -> FastAPI:
    app = FastAPI()
    for c in load():
        app.add_api_route(c.path, _route(c), methods=[c.method])
    return app


def _route(captured: Captured) -> Callable[[], Awaitable[Response]]:
    async def route() -> Response:  # a FastAPI route with nothing to validate: the framework's floor
        return Response(captured.body, headers=captured.headers)

    return route
