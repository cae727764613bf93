"""The HTTP edge as `emulator serve` runs it, over real sockets on 127.0.0.1: slow or half-sent requests are closed,
connections beyond the limit get the owner's busy error, oversized bodies a 413, WebSocket upgrades and foreign
`Host` names the owner's error, and paths of a vendor (whatever their case or slashes) that vendor's 404."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.testclient import WebSocketDenialResponse

from emulator import cli
from emulator.app import create_app
from emulator.core.settings import Settings
from emulator.server import EmulatorConfig

from ..conftest import free_port  # noqa: TID252

WAIT = 8.0  # how long a test waits for the server to close a connection (the timeouts below are 1 s)
PROJECT = "0123456789abcdef0123456789abcdef"
FIXIE_PATH = "/api/v1/agents/07ed3b18-5949-465a-af56-31bb2ff14c82/conversations"
METASTUDIO_PATH = f"/v1/{PROJECT}/smart-chat-rooms"
FORM = {"content-type": "application/x-www-form-urlencoded"}
URI_MESSAGE = "The request URI exceeds the maximum length of 65535 bytes."


@contextmanager
def cli_server(**overrides: Any) -> Iterator[int]:
    """The emulator under uvicorn configured exactly as `emulator serve` does (EmulatorConfig); yields the port."""
    settings = Settings(scale=0.05, port=free_port(), **overrides)
    server = uvicorn.Server(EmulatorConfig(create_app(settings), settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield settings.port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with cli_server(header_timeout_seconds=1, body_timeout_seconds=1, auth="presence") as port:
        yield port


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=WAIT)


def closed_without_answer(sock: socket.socket) -> bool:
    """Whether the server closed the connection without sending a byte (a recv timeout fails the test)."""
    with sock:
        return sock.recv(1024) == b""


def response(sock: socket.socket) -> tuple[int, http.client.HTTPMessage, bytes]:
    answer = http.client.HTTPResponse(sock)
    answer.begin()
    return answer.status, answer.headers, answer.read()


def journal(port: int, **query: str) -> list[dict[str, Any]]:
    r = httpx.get(f"http://127.0.0.1:{port}/_emulator/requests", params=query)
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["requests"]
    return entries


# -- 1. slow and half-sent requests ---------------------------------------------------------------------------------


def test_half_sent_headers_are_closed_after_the_header_timeout(port: int) -> None:
    """Many connections holding a request line and part of the headers, or nothing at all, are all closed."""
    socks = [connect(port) for _ in range(60)]
    for i, sock in enumerate(socks):
        if i % 2:
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
    assert all(closed_without_answer(sock) for sock in socks)


def test_headers_trickled_in_are_closed_too(port: int) -> None:
    """The header timeout counts from the first byte: a header line every 0.2 s does not keep the connection."""
    sock = connect(port)
    sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    closed = False
    for i in range(40):  # 8 s of trickling, far beyond the 1 s timeout
        time.sleep(0.2)
        try:
            sock.sendall(b"X-Slow-%d: 1\r\n" % i)
        except OSError:
            closed = True
            break
        sock.setblocking(False)
        try:
            closed = sock.recv(1024) == b""
        except BlockingIOError:
            pass
        finally:
            sock.setblocking(True)
        if closed:
            break
    sock.close()
    assert closed


def test_a_second_half_sent_request_on_a_kept_alive_connection_is_closed(port: int) -> None:
    sock = connect(port)
    sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    status, _, _ = response(sock)
    assert status == 200
    sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert closed_without_answer(sock)


def test_a_body_shorter_than_its_content_length_is_closed_and_journaled(port: int) -> None:
    """No answer (as nginx does); the journal shows the request with status null."""
    sock = connect(port)
    sock.sendall(
        b"POST /short-body-probe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100\r\n\r\nAction=ListAIAgentDialogues"
    )
    assert closed_without_answer(sock)
    entry = next(e for e in journal(port, vendor="ice") if e["path"] == "/short-body-probe")
    assert entry["status"] is None and entry["method"] == "POST"


def test_an_unterminated_chunked_body_is_closed(port: int) -> None:
    sock = connect(port)
    sock.sendall(
        f"POST {FIXIE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".encode()
    )
    assert closed_without_answer(sock)


def test_a_slow_but_steady_body_is_answered(port: int) -> None:
    """The body timeout is between reads (like nginx's client_body_timeout), so a slow upload still completes."""
    body = b"Action=ListAIAgentDialogues&Version=2020-11-09"
    sock = connect(port)
    sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n")
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body))
    for i in range(0, len(body), 8):  # 6 pieces, 0.3 s apart: 1.5 s in all, each gap well inside the 1 s timeout
        sock.sendall(body[i : i + 8])
        time.sleep(0.3)
    status, _, answer = response(sock)
    sock.close()
    # The whole form arrived: Action and Version were read, the next thing missing is the credential.
    assert status == 400 and b'The input parameter \\"AccessKeyId\\"' in answer


def test_connections_beyond_the_limit_get_the_owners_busy_error() -> None:
    """With max_connections open, a request on one more connection is answered in the owner's envelope and that
    connection closed; once the others go, new connections are served again."""
    with cli_server(max_connections=3, header_timeout_seconds=30) as port:
        held = [connect(port) for _ in range(3)]
        time.sleep(0.2)  # let the server register them
        with connect(port) as sock:
            sock.sendall(f"GET {FIXIE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status, headers, body = response(sock)
            assert status == 503 and headers["connection"] == "close"
            assert httpx.Response(503, content=body).json() == {
                "code": 14,
                "message": "The service is currently unavailable.",
                "details": [],
            }
            assert sock.recv(1) == b""
        with connect(port) as sock:
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status, _, body = response(sock)
            assert status == 503 and b'"code":"ServiceUnavailable"' in body
        for sock in held:
            sock.close()
        deadline = time.monotonic() + WAIT
        while (status := httpx.get(f"http://127.0.0.1:{port}/_emulator/health").status_code) != 200:
            assert time.monotonic() < deadline, status
            time.sleep(0.05)


# -- 2. bodies over the limit ---------------------------------------------------------------------------------------


def test_an_oversized_ice_form_is_refused_not_cut(port: int) -> None:
    """Before: the form was cut at 1 MiB and the client was told `Version` was missing. Now 413 in ICE's envelope,
    and the connection stays usable (what the client still sends is discarded, not buffered)."""
    form = "Action=ListAIAgentDialogues&Pad=" + "x" * (1 << 20) + "&Version=2020-11-09&SessionId=s"
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        r = client.post("/", content=form, headers=FORM)
        assert r.status_code == 413
        body = r.json()
        assert body["Code"] == "RequestEntityTooLarge"
        assert body["Message"] == "The request body exceeds the maximum size of 1048576 bytes."
        assert r.headers["x-acs-request-id"] == body["RequestId"]
        assert client.get("/_emulator/health").status_code == 200
    entry = next(e for e in journal(port, vendor="ice", status="413"))
    assert entry["code"] == "RequestEntityTooLarge"


def test_an_oversized_chunked_body_is_refused_at_the_limit(port: int) -> None:
    """No Content-Length: reading stops as soon as the body goes over the limit."""

    def chunks() -> Iterator[bytes]:
        for _ in range(40):  # 2.5 MiB
            yield b"y" * (64 << 10)

    r = httpx.post(f"http://127.0.0.1:{port}{METASTUDIO_PATH}", content=chunks())
    assert r.status_code == 413
    body = r.json()
    assert body["error_code"] == "APIGW.0201" and body["error_msg"] == "Request entity too large"
    assert body["request_id"] == r.headers["x-request-id"]


def test_fixie_refuses_an_oversized_body_in_its_envelope(port: int) -> None:
    r = httpx.request("GET", f"http://127.0.0.1:{port}{FIXIE_PATH}", content=b"z" * ((1 << 20) + 1))
    assert r.status_code == 413
    assert r.json() == {"code": 8, "message": "request body larger than max (1048576 bytes)", "details": []}


# -- request targets too long to parse: the owner's 414, never uvicorn's plain-text 400 ----------------------------


@pytest.mark.parametrize(
    ("path", "check"),
    [
        ("/", lambda b: (b["Code"], b["Message"]) == ("RequestURITooLong", URI_MESSAGE)),
        (METASTUDIO_PATH, lambda b: (b["error_code"], b["error_msg"]) == ("APIGW.0201", "Request-URI too large")),
        (FIXIE_PATH, lambda b: b == {"code": 3, "message": "request URI longer than max (65535 bytes)", "details": []}),
        ("/_emulator/health", lambda b: b["error"]["code"] == "URITooLong"),
    ],
)
def test_a_request_target_over_64_kib_gets_the_owners_414(port: int, path: str, check: Any) -> None:
    with connect(port) as sock:
        # Long enough to arrive in several reads; the connection stays usable for the next request.
        sock.sendall(f"GET {path}?Pad={'q' * 70_000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        status, headers, body = response(sock)
        assert status == 414 and headers["content-type"].startswith("application/json"), body[:200]
        assert check(json.loads(body))
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert response(sock)[0] == 200


def test_a_request_target_just_under_the_limit_is_served(port: int) -> None:
    target = f"/_emulator/health?Pad={'q' * (65535 - len('/_emulator/health?Pad='))}"
    with connect(port) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert response(sock)[0] == 200


def test_the_control_plane_takes_large_bodies_and_refuses_a_declared_gigabyte(port: int) -> None:
    """Snapshots and record loads may exceed 1 MiB; over 1 GiB is refused from the header alone."""
    r = httpx.post(f"http://127.0.0.1:{port}/_emulator/snapshot", content=b"[" + b" " * (2 << 20) + b"]")
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidSnapshot"
    with connect(port) as sock:
        sock.sendall(b"POST /_emulator/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1073741825\r\n\r\n")
        status, _, body = response(sock)
    assert status == 413
    assert httpx.Response(413, content=body).json()["error"]["code"] == "PayloadTooLarge"


# -- 3. WebSocket upgrades and path ownership -----------------------------------------------------------------------

UPGRADE = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


@pytest.mark.parametrize(
    ("path", "key", "code"),
    [
        (FIXIE_PATH, "code", 5),
        (METASTUDIO_PATH, "error_code", "APIGW.0101"),
        ("/", "Code", "InvalidAction.NotFound"),
        ("/_emulator/health", "error", {"code": "NotFound"}),
    ],
)
def test_a_websocket_upgrade_gets_the_owners_404(port: int, path: str, key: str, code: Any) -> None:
    with connect(port) as sock:
        sock.sendall(UPGRADE.format(path=path).encode())
        status, headers, body = response(sock)
    assert status == 404 and headers["content-type"].startswith("application/json")
    got = httpx.Response(404, content=body).json()[key]
    assert got == code if not isinstance(code, dict) else got["code"] == code["code"]


def test_a_websocket_upgrade_in_process_is_denied_with_the_owners_404(client_factory: Any) -> None:
    client = client_factory(scale=0.05)
    with pytest.raises(WebSocketDenialResponse) as denied:
        with client.websocket_connect(FIXIE_PATH):
            pass
    assert denied.value.status_code == 404
    assert denied.value.json() == {"code": 5, "message": "Not Found", "details": []}


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("//api/v1/agents/a/conversations", "fixie"),
        ("/API/V1/agents/a/conversations", "fixie"),
        ("/Api//v1/agents/a/conversations", "fixie"),
        (f"/V1/{PROJECT}/smart-chat-rooms", "metastudio"),
        (f"//v1/{PROJECT}/smart-chat-rooms", "metastudio"),
        ("//v3/projects", "metastudio"),
        ("//_emulator/health", "emulator"),
        ("/_EMULATOR/health", "emulator"),
        ("/apiv1/agents", "ice"),
        ("/nope", "ice"),
    ],
)
def test_a_vendors_path_in_another_case_or_with_doubled_slashes_gets_its_404(port: int, path: str, owner: str) -> None:
    """Before, all of these got ICE's envelope; only truly unknown paths belong to ICE's gateway on `/`."""
    with connect(port) as sock:  # raw: HTTP clients read `//v3/...` as a host name
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        status, _, raw = response(sock)
    assert status == 404
    body = httpx.Response(status, content=raw).json()
    expected = {
        "fixie": lambda: body == {"code": 5, "message": "Not Found", "details": []},
        "metastudio": lambda: body["error_code"] == "APIGW.0101",
        "emulator": lambda: body["error"]["code"] == "NotFound",
        "ice": lambda: body["Code"] == "InvalidAction.NotFound",
    }
    assert expected[owner](), body


# -- 4. Host names on loopback, and the warning when exposed --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "check"),
    [
        ("/_emulator/health", lambda r: r.json()["error"]["code"] == "MisdirectedRequest"),
        (FIXIE_PATH, lambda r: r.json()["code"] == 7),
        (METASTUDIO_PATH, lambda r: r.json()["error_code"] == "APIGW.0201"),
        ("/?Action=ListAIAgentDialogues", lambda r: r.json()["Code"] == "MisdirectedRequest"),
    ],
)
def test_a_foreign_host_on_loopback_is_refused_in_the_owners_envelope(port: int, path: str, check: Any) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the emulator's answers."""
    r = httpx.get(f"http://127.0.0.1:{port}{path}", headers={"Host": f"evil.example:{port}"})
    assert r.status_code == 421 and check(r), r.text
    assert f'Host \\"evil.example:{port}\\" is not served' in r.text and "--allowed-hosts" in r.text


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST.", "[::1]:{port}", "127.9.9.9", "app.localhost"]
)
def test_loopback_hosts_are_answered(port: int, host: str) -> None:
    r = httpx.get(f"http://127.0.0.1:{port}/_emulator/health", headers={"Host": host.format(port=port)})
    assert r.status_code == 200


def test_the_alibaba_sdks_host_with_a_scheme_is_answered(port: int) -> None:
    """`Config(endpoint="http://127.0.0.1:8000")` makes the SDK send `host: http://127.0.0.1:8000`."""
    with connect(port) as sock:
        sock.sendall(f"GET /_emulator/health HTTP/1.1\r\nhost: http://127.0.0.1:{port}\r\n\r\n".encode())
        status, _, _ = response(sock)
    assert status == 200


def test_allowed_hosts_adds_names_and_suffixes() -> None:
    with cli_server(allowed_hosts="emu.test, *.corp.example") as port:
        url = f"http://127.0.0.1:{port}/_emulator/health"
        assert httpx.get(url, headers={"Host": "emu.test:1"}).status_code == 200
        assert httpx.get(url, headers={"Host": "api.corp.example"}).status_code == 200
        assert httpx.get(url, headers={"Host": "corp.example"}).status_code == 421
        assert httpx.get(url, headers={"Host": "other.test"}).status_code == 421
    with cli_server(allowed_hosts="*") as port:
        r = httpx.get(f"http://127.0.0.1:{port}/_emulator/health", headers={"Host": "other.test"})
        assert r.status_code == 200


def test_serving_beyond_loopback_warns_of_the_dev_credentials_and_auth_mode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[Settings] = []
    monkeypatch.setattr("emulator.server.run", lambda app, settings: served.append(settings) or 0)
    monkeypatch.setattr("emulator.server.listen_problem", lambda host, port: None)  # it binds there to check
    # Never bind beyond loopback, whatever `serve` calls.
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("uvicorn.run"))
    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: pytest.fail("uvicorn.Server.run"))
    assert cli.main(["serve", "--host", "0.0.0.0", "--auth", "off", "--scale", "0.01"]) == 0
    warning = capsys.readouterr().err
    assert served and "0.0.0.0:8000" in warning and "'off'" in warning and "any credentials" in warning
    for key in ("LTAI5tEmuDevAccessKey001", "EMUDEVAKHW0000000001", "fixie-emu-dev-key-001"):
        assert key in warning
    assert cli.main(["serve", "--scale", "0.01"]) == 0
    assert "WARNING" not in capsys.readouterr().err
