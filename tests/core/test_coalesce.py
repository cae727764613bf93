"""A response leaves in one socket write (`emulator.coalesce`), with the same bytes, and nothing is held back."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

from uvicorn.server import ServerState

from emulator.coalesce import FLUSH_AT, CoalescingTransport
from emulator.core.settings import Settings
from emulator.server import EmulatorConfig, GuardedHttpProtocol


class RecordingTransport(asyncio.Transport):
    """What reaches the socket: one entry per write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.events: list[str] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))
        self.events.append("write")

    def writelines(self, list_of_data: Any) -> None:  # one vectored write
        self.writes.append(b"".join(list_of_data))
        self.events.append("writelines")

    def close(self) -> None:
        self.closing = True
        self.events.append("close")

    def abort(self) -> None:
        self.closing = True
        self.events.append("abort")

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        self.events.append("pause_reading")

    def resume_reading(self) -> None:
        self.events.append("resume_reading")


def in_a_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


@in_a_loop
async def test_writes_within_one_turn_leave_as_one() -> None:
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(memoryview(b"body"))
    transport.write(b"")
    assert inner.writes == [] and transport.get_write_buffer_size() == 23
    await settle()
    assert inner.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"] and inner.events == ["write"]
    assert transport.get_write_buffer_size() == 0
    transport.write(b"next")
    await settle()
    assert inner.writes[1:] == [b"next"]


@in_a_loop
async def test_a_large_write_goes_out_at_once_after_what_came_before() -> None:
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    big = b"x" * FLUSH_AT
    transport.write(b"head")
    transport.write(big)
    assert inner.writes == [b"head" + big]
    assert inner.events == ["writelines"]  # the body is not copied into a joined buffer
    await settle()
    assert inner.writes == [b"head" + big]  # the scheduled flush finds nothing left


@in_a_loop
async def test_close_sends_what_is_gathered_first_and_abort_drops_it() -> None:
    loop = asyncio.get_running_loop()
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, loop)
    transport.write(b"last words")
    transport.close()
    assert inner.events == ["write", "close"] and inner.writes == [b"last words"]
    await settle()
    assert inner.writes == [b"last words"]

    inner = RecordingTransport()
    transport = CoalescingTransport(inner, loop)
    transport.write(b"never sent")
    transport.abort()
    await settle()
    assert inner.events == ["abort"] and inner.writes == []


@in_a_loop
async def test_nothing_is_written_to_a_closing_transport() -> None:
    inner = RecordingTransport()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"late")
    inner.closing = True  # the peer went away within the turn
    await settle()
    assert inner.writes == [] and transport.is_closing()


async def small_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    body = b"hello " + scope["path"].encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def served(app: Any, paths: tuple[str, ...]) -> tuple[RecordingTransport, bool]:
    """What the server's protocol did answering GETs of `paths` on one kept-alive connection (a copy, taken before
    the connection ends), and whether it left the connection open."""
    config = EmulatorConfig(app, Settings(), lifespan="off")
    config.load()
    proto = GuardedHttpProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    inner = RecordingTransport()
    proto.connection_made(inner)
    for path in paths:
        proto.data_received(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        for _ in range(20):
            await asyncio.sleep(0)
    seen = RecordingTransport()
    seen.writes, seen.events = list(inner.writes), list(inner.events)
    kept_open = not inner.closing
    proto.connection_lost(None)
    return seen, kept_open


@in_a_loop
async def test_the_server_sends_each_response_head_and_body_in_one_write() -> None:
    inner, _ = await served(small_app, ("/a", "/b"))  # kept alive: the second response is one write too
    assert len(inner.writes) == 2
    for path, write in zip(("/a", "/b"), inner.writes, strict=True):
        head, _, body = write.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"content-length: 8" in head
        assert body == b"hello " + path.encode()


async def parts_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A page as `PartsResponse` sends it: a small envelope around a large body part, one message each."""
    page = scope["path"].encode() * (100_000 // len(scope["path"]))
    parts = [b"{[", page, b"]}"]
    length = str(sum(map(len, parts))).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", length)]})
    for n, part in enumerate(parts):
        await send({"type": "http.response.body", "body": part, "more_body": n < len(parts) - 1})


@in_a_loop
async def test_a_response_sent_in_parts_leaves_in_one_vectored_write() -> None:
    # Kept alive: Content-Length frames each answer, not the connection's end.
    inner, kept_open = await served(parts_app, ("/first", "/second"))
    assert inner.events == ["writelines", "writelines"] and kept_open
    for path, write in zip(("/first", "/second"), inner.writes, strict=True):
        head, _, body = write.partition(b"\r\n\r\n")
        page = path.encode() * (100_000 // len(path))
        assert body == b"{[" + page + b"]}"
        assert f"content-length: {len(body)}".encode() in head.split(b"\r\n")
        assert b"transfer-encoding" not in head
