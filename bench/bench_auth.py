"""Throughput of a list call with auth=verify against auth=off, measured in one run.

Every request is signed beforehand with a fresh nonce (as an SDK would), so the timed loop is only the server's
work: routing, signature verification, validation, the store read and serialization. Reported as a ratio.

    .venv/bin/python bench/bench_auth.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.asgi import call  # noqa: E402
from emulator.app import create_app  # noqa: E402
from emulator.contract.signers import HuaweiAkSkSigner, IceV3Signer  # noqa: E402
from emulator.core.settings import Settings  # noqa: E402
from emulator.vendors.ice import data  # noqa: E402

HOST = "127.0.0.1:8000"
SESSION = data.sessions(20201109, "1000000000000001", 1.0)[0].session_id
ICE = IceV3Signer("LTAI5tEmuDevAccessKey001", "emuDevAccessKeySecret000000000001")
HUAWEI = HuaweiAkSkSigner(
    "EMUDEVAKHW0000000001", "emuDevSecretKeyHuawei0000000000000000001", "0123456789abcdef0123456789abcdef"
)
CALLS = {
    "ice ListAIAgentDialogues": (
        ICE,
        "POST",
        f"http://{HOST}/?SessionId={SESSION}&StartTime=0&EndTime=1893456000000&PageSize=20",
        {"x-acs-action": "ListAIAgentDialogues", "accept": "application/json"},
    ),
    "metastudio ListSmartChatRooms": (
        HUAWEI,
        "GET",
        f"http://{HOST}/v1/0123456789abcdef0123456789abcdef/smart-chat-rooms?limit=10&offset=0",
        {},
    ),
}


def signed(signer: requests.auth.AuthBase, method: str, url: str, headers: dict[str, str]) -> dict[str, str]:
    prepared = requests.Request(method, url, headers=headers).prepare()
    return {k: v if isinstance(v, str) else v.decode() for k, v in signer(prepared).headers.items()}


async def run(app: object, method: str, url: str, all_headers: list[dict[str, str]]) -> float:
    start = time.perf_counter()
    for headers in all_headers:
        status, body = await call(app, method, url, headers)
        assert status == 200, body[:300]
    return len(all_headers) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    apps = {mode: create_app(Settings(auth=mode)) for mode in ("verify", "off")}
    print(f"{'call':32} {'verify req/s':>13} {'off req/s':>10} {'verify/off':>11}")
    for name, (signer, method, url, headers) in CALLS.items():
        batches = [signed(signer, method, url, headers) for _ in range(args.requests * 2)]
        rates: dict[str, list[float]] = {"verify": [], "off": []}
        for _ in range(5):  # interleaved rounds, best of five: the machine is shared and noisy
            for mode, app in apps.items():
                chunk = batches[: args.requests] if mode == "off" else batches[args.requests :]
                rates[mode].append(asyncio.run(run(app, method, url, chunk)))
            # verify remembers nonces: give it fresh ones each round
            batches = [signed(signer, method, url, headers) for _ in range(args.requests * 2)]
        verify, off = max(rates["verify"]), max(rates["off"])
        print(f"{name:32} {verify:13.0f} {off:10.0f} {verify / off:11.2f}")


if __name__ == "__main__":
    main()
