"""The HTTP section: every server side by side on CPU 0, wrk on CPU 1, interleaved rounds, medians, ratios.

1. Start ours with `--auth verify` once, capture its answer to each call (body bytes, headers).
2. Rounds. Each starts every server afresh: ours with `--auth verify` and with `--auth off`, the bare Starlette and
   FastAPI apps and Prism, the last three serving that capture. One start of a server runs a few percent faster or
   slower than another for its whole life (measured: four starts of one command spread 6 to 7%), which a median
   over runs of one process cannot average out.
3. In each round, check every server answers each call 200 with the captured body, byte for byte (before and after
   the runs); then, for each call, sign a fresh request pool, warm every server up, and run wrk against every server
   in turn (the order rotates from round to round; ours with auth verify and with auth off always run back to back).
   A run with any error (a status >= 400 included) is left out and reported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import servers, wrk
from bench.bare import save
from bench.calls import Call, calls, fetch, write_pool
from bench.report import FASTAPI, OURS, OURS_OFF, PRISM, STARLETTE, http_tables

Log = Callable[[str], None]
SIGNATURE_WINDOW = 900.0  # seconds a signed request stays valid (the emulator's default window)


@dataclass(frozen=True)
class Options:
    duration: float = 10.0
    rounds: int = 5
    connections: int = 50
    warmup: float = 2.0
    ice_rate: float = 12000.0  # requests/s the first ICE pool is sized for; then twice the rate measured


def prism_available() -> bool:
    return servers.PRISM.exists() and shutil.which("node") is not None


def capture_answers(workdir: Path, log: Log) -> tuple[dict[str, str], dict[str, bytes]]:
    """Ours with auth verify, started once to capture its answer to each call: the capture the bare apps serve and the
    document Prism mocks, written to `workdir`. The environment the bare apps read it from, and each call's body (what
    every server must answer, byte for byte)."""
    targets = calls()
    ours = servers.start(OURS, servers.ours_cmd("verify"), workdir)
    try:
        ours.wait_ready(targets[0])
        captured = servers.capture(ours.port, targets)
    finally:
        ours.stop()
    capture = save(workdir / "capture.json", captured)
    (workdir / "prism-openapi.json").write_text(json.dumps(servers.prism_document(captured)), encoding="utf-8")
    log(f"captured {len(captured)} answers of ours with auth verify")
    return {"BENCH_CAPTURE": str(capture)}, {call.vendor: c.body for call, c in zip(targets, captured, strict=True)}


def start_servers(workdir: Path, env: dict[str, str], log: Log) -> tuple[list[servers.Server], list[str]]:
    """Every server, each a fresh process, ready (ours with auth verify first); and notes on what could not be
    started."""
    targets = calls()
    started: list[servers.Server] = []
    notes: list[str] = []
    try:
        started.append(servers.start(OURS, servers.ours_cmd("verify"), workdir))
        started.append(servers.start(OURS_OFF, servers.ours_cmd("off"), workdir))
        started.append(servers.start(STARLETTE, servers.bare_cmd("starlette_app"), workdir, env))
        started.append(servers.start(FASTAPI, servers.bare_cmd("fastapi_app"), workdir, env))
        if prism_available():
            started.append(servers.start(PRISM, servers.prism_cmd(workdir / "prism-openapi.json"), workdir))
        else:
            notes.append("Prism not installed (`npm ci --prefix bench`): its column is empty")
        for server in started:
            server.wait_ready(targets[0])
        log("servers: " + ", ".join(f"{s.name} :{s.port} pid {s.proc.pid}" for s in started))
        return started, notes
    except BaseException:
        for server in started:
            server.stop()
        raise


def round_order(started: list[servers.Server], round_: int) -> list[servers.Server]:
    """Every server once, the order rotated by round. Ours with auth verify and with auth off run back to back, the
    one first that went second the round before: verify / off is the smallest difference measured, so the two runs
    share the machine's load of the moment rather than being up to four runs apart."""
    pair = [s for s in started if s.name in (OURS, OURS_OFF)]
    if round_ % 2:
        pair.reverse()
    units = [pair, *([s] for s in started if s.name not in (OURS, OURS_OFF))]
    shift = round_ % len(units)
    return [server for unit in units[shift:] + units[:shift] for server in unit]


def check_bodies(started: list[servers.Server], targets: list[Call], expected: dict[str, bytes]) -> list[str]:
    """Every server answers every call 200 with the expected bytes; what does not, one line each."""
    problems = []
    for server in started:
        for call in targets:
            answer = fetch(server.port, call)
            if answer.status != 200:
                problems.append(f"{server.name} {call.vendor}: status {answer.status}: {answer.body[:200]!r}")
            elif answer.body != expected[call.vendor]:
                problems.append(
                    f"{server.name} {call.vendor}: body differs ({len(answer.body)} bytes, captured "
                    f"{len(expected[call.vendor])})"
                )
    return problems


def run(options: Options, workdir: Path, log: Log) -> str:
    targets = calls()
    rates: dict[str, dict[str, dict[int, float]]] = {c.vendor: {} for c in targets}
    env, expected = capture_answers(workdir, log)
    problems: list[str] = []
    notes: list[str] = []
    if 5 * options.duration + 60 > SIGNATURE_WINDOW:
        notes.append("--duration is long: a pool signed at the start of a round may expire before its last run")
    ice_rate = options.ice_rate
    for round_ in range(options.rounds):
        # Fresh processes every round: one start of a server runs several percent faster or slower than the next
        # (where its memory landed), for the whole of its life; a median over rounds then spans several starts.
        started, notes_ = start_servers(workdir, env, log)
        notes += [note for note in notes_ if note not in notes]
        try:
            host = f"127.0.0.1:{started[0].port}"  # what the pools are signed for: the other servers ignore it
            problems += check_bodies(started, targets, expected)
            order = round_order(started, round_)
            for call in targets:
                for warm_up, duration in ((True, options.warmup), (False, options.duration)):
                    if duration <= 0:
                        continue
                    count = int(duration * ice_rate * 2) + 100
                    pool = write_pool(workdir / f"pool-{call.vendor}.txt", call, host, count)
                    for server in order:
                        result = wrk.run(server.port, pool, duration, options.connections)
                        tag = f"round {round_ + 1}" + (" warm-up" if warm_up else "")
                        log(
                            f"{tag} {call.vendor:10} {server.name:9} {result.rate:8.0f} req/s  p50 "
                            f"{result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  errors {result.errors}"
                        )
                        if server.name == OURS and call.nonce:
                            ice_rate = max(ice_rate, result.rate)
                        if result.errors:
                            wrapped = " (the pre-signed pool ran out)" if result.wraps and server.name == OURS else ""
                            problems.append(f"{tag} {server.name} {call.vendor}: {result.errors} errors{wrapped}")
                        elif not warm_up:
                            rates[call.vendor].setdefault(server.name, {})[round_] = result.rate
            problems += check_bodies(started, targets, expected)
        finally:
            for server in started:
                server.stop()
    labels = {c.vendor: c.label for c in targets}
    text = [
        "### HTTP throughput",
        "",
        f"wrk, {options.connections} connections, {options.rounds} interleaved rounds of {options.duration:g} s per "
        "server and call, every server a fresh process each round; ratios of median requests/s (in brackets: the "
        "lowest and the highest ratio within one round). Servers on CPU 0, wrk on CPU 1. ours: `emulator serve` with "
        "`--auth verify` (signed requests; ICE: a fresh nonce per request) and `--log-level warning`.",
        "",
        http_tables(rates, labels),
    ]
    checks = problems or ["every server answered every call 200 with the captured body, byte for byte"]
    text += ["", *(f"- {line}" for line in checks + notes)]
    return "\n".join(text)
