"""The sections of `python -m bench` besides HTTP throughput: start-up, memory per record, page cost, append cost
and the nonce check. Each returns its Markdown. Start-up and memory run real `emulator serve` processes; the others
time the store in this process (pinned to CPU 0 meanwhile), reusing bench_paging, bench_writes and bench_nonces."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import emulator
from bench import servers
from bench.bare import save
from bench.calls import calls
from bench.report import fmt, median, ratio, table

Log = Callable[[str], None]


@dataclass(frozen=True)
class Scales:
    startup_runs: int = 5
    memory_small: float = 1.0
    memory_large: float = 100.0
    rows_small: int = 1_000
    rows_large: int = 1_000_000
    build_scale: float = 225.0  # about 10^6 records
    build_runs: int = 2

    @classmethod
    def quick(cls) -> Scales:
        return cls(startup_runs=2, memory_large=5.0, rows_large=100_000, build_scale=10.0, build_runs=1)


@contextmanager
def on_server_cpu() -> Iterator[None]:
    """Run in-process timings on CPU 0, where the servers run; restore the affinity after."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {int(servers.SERVER_CPU)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def startup(scales: Scales, workdir: Path, log: Log) -> str:
    """Seconds from process start to the first 200 at the default scale: ours (`emulator serve`, auth verify, a
    signed MetaStudio list) against a bare FastAPI app (the same route, its captured answer), interleaved."""
    call = calls()[0]
    capture = workdir / "startup-capture.json"
    times: dict[str, list[float]] = {"ours": [], "fastapi": []}
    compile_package()
    records = 0
    for n in range(scales.startup_runs):
        ours = servers.start("startup-ours", servers.ours_cmd("verify"), workdir)
        try:
            times["ours"].append(ours.wait_ready(call))
            if n == 0:
                save(capture, servers.capture(ours.port, [call]))
                records = _records(ours.port)
        finally:
            ours.stop()
        env = {"BENCH_CAPTURE": str(capture)}
        bare = servers.start("startup-fastapi", servers.bare_cmd("fastapi_app"), workdir, env)
        try:
            times["fastapi"].append(bare.wait_ready(call))
        finally:
            bare.stop()
        log(f"startup run {n + 1}: ours {times['ours'][-1]:.2f} s, bare FastAPI {times['fastapi'][-1]:.2f} s")
    ours_s, bare_s = median(times["ours"]), median(times["fastapi"])
    rows = [[f"ours (default scale, {records:,} records)", fmt(ours_s), fmt(bare_s), fmt(ratio(ours_s, bare_s))]]
    heading = f"process start to first 200, median of {scales.startup_runs}"
    return f"### Start-up\n\n{table([heading, 'ours s', 'bare FastAPI s', 'ours / bare'], rows)}"


def build(scales: Scales, workdir: Path, log: Log) -> str:
    """A large dataset's first build, to the first 200, on every core (the build's worker processes use them):
    without --data-dir, into a new --data-dir, then a restart that reopens that data dir. RSS once serving."""
    call = calls()[0]
    scale = f"{scales.build_scale:g}"
    rows: list[list[str]] = []
    for n in range(scales.build_runs):
        data_dir = workdir / f"build-data-{n}"
        shutil.rmtree(data_dir, ignore_errors=True)
        runs = [("first build", ()), ("first build, --data-dir", ("--data-dir", str(data_dir))),
                ("reopen, --data-dir", ("--data-dir", str(data_dir)))]  # fmt: skip
        for label, extra in runs:
            server = servers.start("build", servers.ours_cmd("off", "--scale", scale, *extra), workdir, cpu=None)
            try:
                seconds = server.wait_ready(call, timeout=1800)
                rss, _ = server.rss_kib()
                records = _records(server.port)
            finally:
                server.stop()
            rows.append([f"{label} (run {n + 1})", f"{records:,}", fmt(seconds), f"{rss / 1024:,.0f}"])
            log(f"build run {n + 1}, {label}: {records:,} records, first 200 after {seconds:.2f} s")
        shutil.rmtree(data_dir, ignore_errors=True)
    headings = [f"emulator serve --scale {scale}, both cores", "records", "s to first 200", "RSS MiB"]
    return f"### Build at scale\n\n{table(headings, rows)}"


def compile_package() -> None:
    """Byte-compile the emulator as an installed package is (pip compiles what it installs; the bare app's
    FastAPI and Starlette are): an editable checkout run under PYTHONDONTWRITEBYTECODE would otherwise compile
    every module from source at each start."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = Path(emulator.__file__).parent
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], check=True, env=env, stdout=subprocess.DEVNULL
    )


def _records(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=10) as answer:
        return sum(int(n) for n in json.loads(answer.read())["records"].values())


def memory(scales: Scales, workdir: Path, log: Log) -> str:
    """RSS of `emulator serve` once it answers, at a small and a large `--scale`: what one more record costs."""
    call = calls()[0]
    found: list[tuple[float, int, int, int]] = []
    for scale in (scales.memory_small, scales.memory_large):
        server = servers.start(f"memory-{scale:g}", servers.ours_cmd("off", "--scale", f"{scale:g}"), workdir)
        try:
            server.wait_ready(call, timeout=1800)
            rss, peak = server.rss_kib()
            found.append((scale, _records(server.port), rss, peak))
        finally:
            server.stop()
        log(f"memory at scale {scale:g}: {found[-1][1]:,} records, RSS {rss >> 10} MiB, peak {peak >> 10} MiB")
    (_, n1, rss1, peak1), (_, n2, rss2, peak2) = found
    rows = [[f"--scale {s:g}", f"{n:,}", f"{rss / 1024:,.0f}", f"{peak / 1024:,.0f}"] for s, n, rss, peak in found]
    per = ratio((rss2 - rss1) * 1024, n2 - n1)
    per_peak = ratio((peak2 - peak1) * 1024, n2 - n1)
    rows.append(["per record (large - small)", "", f"{fmt(per, 0)} B", f"{fmt(per_peak, 0)} B"])
    return f"### Memory per record\n\n{table(['emulator serve', 'records', 'RSS MiB', 'peak RSS MiB'], rows)}"


def paging(scales: Scales, log: Log) -> str:
    """bench_paging's store reads in one partition at the small and the large row count."""
    from bench.bench_paging import build, per_call_us, store_cases

    with on_server_cpu():
        small, large = build(scales.rows_small), build(scales.rows_large)
        rows = []
        few, many = store_cases(small, scales.rows_small), store_cases(large, scales.rows_large)
        for (name, fast), (_, slow) in zip(few.items(), many.items(), strict=True):
            a, b = per_call_us(fast), per_call_us(slow, repeat=20 if "scan" in name else 400)
            rows.append([name, fmt(a, 1), fmt(b, 1), fmt(ratio(b, a))])
            log(f"page cost {name}: {a:.1f} / {b:.1f} us")
    headings = ["store read, one partition", f"{scales.rows_small:,} rows us", f"{scales.rows_large:,} rows us"]
    headings.append("ratio")
    return f"### Page cost\n\n{table(headings, rows)}"


def append(scales: Scales, log: Log) -> str:
    """bench_writes' append at the newest end of one partition, each its own transaction, at the small and the large
    row count: the best of 5 batches of 200 appends after one batch of warm-up (as bench_paging's best of five:
    in-process timings on a shared machine are only ever slowed down)."""
    from bench.bench_paging import ROWS
    from bench.bench_writes import build, row
    from emulator.core.store_write import put_record

    def per_append_us(count: int) -> float:
        store, batches, nxt = build(count), [], count
        for _ in range(6):
            start = time.perf_counter()
            for _ in range(200):
                with store.transaction():
                    put_record(store, ROWS, row(nxt, nxt * 1000))
                nxt += 1
            batches.append((time.perf_counter() - start) / 200 * 1e6)
        store.close()
        return min(batches[1:])

    with on_server_cpu():
        a, b = per_append_us(scales.rows_small), per_append_us(scales.rows_large)
    log(f"append: {a:.1f} / {b:.1f} us")
    headings = ["write, one transaction", f"{scales.rows_small:,} rows us", f"{scales.rows_large:,} rows us", "ratio"]
    rows = [["append (newest end)", fmt(a, 1), fmt(b, 1), fmt(ratio(b, a))]]
    return f"### Append at scale\n\n{table(headings, rows)}"


def nonces(scales: Scales, log: Log) -> str:
    """bench_nonces: one ICE nonce check and record, at few and many live nonces, for both caches."""
    from bench.bench_nonces import makers, per_check_pair

    rows = []
    with on_server_cpu():
        for label, make in makers():
            a, b = per_check_pair(make, scales.rows_small, scales.rows_large)
            rows.append([label, fmt(a, 2), fmt(b, 2), fmt(ratio(b, a))])
            log(f"nonces {label}: {a:.2f} / {b:.2f} us")
    headings = ["nonce cache", f"{scales.rows_small:,} live us", f"{scales.rows_large:,} live us", "ratio"]
    return f"### Nonce check\n\n{table(headings, rows)}"


def timed(name: str, section: Callable[[], str], log: Log) -> str:
    start = time.monotonic()
    text = section()
    log(f"{name}: {time.monotonic() - start:.0f} s")
    return text
