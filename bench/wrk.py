"""Running wrk (pinned to CPU 1, one thread) with `pool.lua` and reading the JSON line its done() prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.servers import CLIENT_CPU, pinned

SCRIPT = Path(__file__).resolve().parent / "pool.lua"


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int  # connect, read, write and timeout errors, and answers with status >= 400
    status_errors: int
    p50_ms: float
    p99_ms: float
    wraps: int  # times the request pool ran out and started over

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def available() -> bool:
    return shutil.which("wrk") is not None and shutil.which("taskset") is not None


def parse(output: str) -> Result:
    """The last line of wrk's output that is done()'s JSON object."""
    line = next(line for line in reversed(output.splitlines()) if line.startswith("{"))
    d = json.loads(line)
    errors = sum(int(d[k]) for k in ("connect", "read", "write", "status", "timeout"))
    return Result(
        requests=int(d["requests"]),
        seconds=int(d["duration_us"]) / 1e6,
        errors=errors,
        status_errors=int(d["status"]),
        p50_ms=int(d["p50_us"]) / 1000,
        p99_ms=int(d["p99_us"]) / 1000,
        wraps=int(d["wraps"]),
    )


def run(port: int, pool: Path, duration: float, connections: int) -> Result:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s", "-s", str(SCRIPT),
           f"http://127.0.0.1:{port}/", "--", str(pool)]  # fmt: skip
    done = subprocess.run(pinned(cmd, CLIENT_CPU), capture_output=True, text=True, timeout=duration + 120)
    if done.returncode != 0 or "{" not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return parse(done.stdout)
