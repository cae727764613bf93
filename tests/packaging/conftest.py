"""Helpers for the packaging tests: the emulator as a separate program (a wheel in a fresh venv, the Dockerfile's
steps), asked over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
ICE_AK = "LTAI5tEmuDevAccessKey001"
FIXIE_KEY = "fixie-emu-dev-key-001"
FIXIE_AGENT = "07ed3b18-5949-465a-af56-31bb2ff14c82"  # owner 1's first agent, at any scale
# The ICE dialogue of emulator/examples (the vendor's documented example), as `--fixtures examples` serves it.
EXAMPLE_SESSION = "f27f9b9be28642a88e18****"
EXAMPLE_DIALOGUE = "19de81b3b3d94abda22****"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """Status and JSON body of a GET (an error status is an answer too)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def ice_example_url(base: str) -> str:
    """ListAIAgentDialogues for the example session (`--auth presence`: no signature needed)."""
    params = {
        "Action": "ListAIAgentDialogues",
        "Version": "2020-11-09",
        "AccessKeyId": ICE_AK,
        "SessionId": EXAMPLE_SESSION,
        "StartTime": "0",
        "EndTime": "17358082464030",
    }
    return f"{base}/?{urlencode(params)}"


def wait_healthy(base: str, proc: subprocess.Popen[Any], output: Callable[[], str], timeout: float = 90) -> None:
    """Until `GET /_emulator/health` answers 200; fails with what the server printed if it exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if get(base + "/_emulator/health")[0] == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise AssertionError(f"the server did not become healthy (exit {proc.returncode}):\n{output()}")
        time.sleep(0.1)
