"""The three list calls the HTTP section times, signed as each vendor's SDK signs them, and the pools of pre-signed
requests wrk replays (`pool.lua`).

wrk sends a fixed set of requests, so each is signed beforehand: MetaStudio's SDK-HMAC-SHA256 and Fixie's Bearer key
may be replayed inside the 15-minute date window (one request is enough), but ICE's ACS3-HMAC-SHA256 carries a
nonce the emulator refuses twice, so ICE gets one request per expected response, each with its own nonce.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from emulator.contract.signers import HuaweiAkSkSigner, IceV3Signer
from emulator.vendors.ice import data as ice_data

SEED = 20201109  # the emulator's default seed: the records below exist at any --scale
ICE_ACCOUNT = "1000000000000001"
ICE_SIGNER = IceV3Signer("LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001")
METASTUDIO_PROJECT = "0123456789abcdef0123456789abcdef"
METASTUDIO_SIGNER = HuaweiAkSkSigner(
    "EMUDEVAKHW0000000001", "emuDevSecretKeyHuawei0000000000000000001", METASTUDIO_PROJECT
)
FIXIE_AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"
FIXIE_KEY = "fixie-emu-dev-key-001"


@dataclass(frozen=True)
class Call:
    vendor: str
    label: str  # the table's row
    method: str
    target: str  # path and query
    headers: dict[str, str] = field(default_factory=dict)
    nonce: bool = False  # each request must be signed afresh (ICE)

    def signed(self, host: str) -> dict[str, str]:
        """The headers of one request to `host` (host:port), signed now. Host is sent as signed; wrk sets the
        Content-Length itself (0 for a POST)."""
        if self.vendor == "fixie":
            return {"Host": host, **self.headers}
        signer = ICE_SIGNER if self.vendor == "ice" else METASTUDIO_SIGNER
        prepared = requests.Request(self.method, f"http://{host}{self.target}", headers=self.headers).prepare()
        headers = {k: v if isinstance(v, str) else v.decode() for k, v in signer(prepared).headers.items()}
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "host")}
        return {"Host": host, **headers}


def calls() -> list[Call]:
    session = ice_data.sessions(SEED, ICE_ACCOUNT, 1.0)[0].session_id
    return [
        Call(
            "metastudio",
            "MetaStudio `ListSmartChatRooms` (20 rooms)",
            "GET",
            f"/v1/{METASTUDIO_PROJECT}/smart-chat-rooms?limit=20&offset=0",
        ),
        Call(
            "fixie",
            "Fixie List Conversations (20 conversations)",
            "GET",
            f"/api/v1/agents/{FIXIE_AGENT}/conversations?offset=0&limit=20",
            {"Authorization": f"Bearer {FIXIE_KEY}"},
        ),
        Call(
            "ice",
            "ICE `ListAIAgentDialogues` (20 dialogues)",
            "POST",
            f"/?SessionId={session}&StartTime=0&EndTime=1893456000000&PageSize=20",
            {"x-acs-action": "ListAIAgentDialogues", "accept": "application/json"},
            nonce=True,
        ),
    ]


def write_pool(path: Path, call: Call, host: str, count: int) -> Path:
    """`count` requests (1 unless the call needs a fresh nonce each), one a line: method, target, then headers,
    tab-separated, as `pool.lua` reads them."""
    count = count if call.nonce else 1
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            headers = call.signed(host)
            out.write("\t".join([call.method, call.target, *(f"{k}: {v}" for k, v in headers.items())]) + "\n")
    return path


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def fetch(port: int, call: Call, timeout: float = 10.0) -> Answer:
    """One request, signed now, over a fresh connection."""
    host = f"127.0.0.1:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = call.signed(host)
        headers.pop("Host")
        conn.request(call.method, call.target, body=b"" if call.method == "POST" else None, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def wait_for_200(port: int, call: Call, deadline: float, alive: Callable[[], bool] | None = None) -> float:
    """Poll until `call` answers 200; the time it did (time.monotonic()). Raises TimeoutError past `deadline`."""
    while True:
        try:
            if fetch(port, call, timeout=2.0).status == 200:
                return time.monotonic()
        except OSError:
            pass
        if alive is not None and not alive():
            raise RuntimeError(f"the server on port {port} exited before answering")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no 200 from port {port} for {call.label}")
        time.sleep(0.005)
