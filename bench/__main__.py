"""`python -m bench` (`./dev bench`): the emulator against a bare Starlette app, a bare FastAPI route and Stoplight
Prism over real HTTP (wrk), plus start-up, memory per record, the 10^6-record build, page cost, append cost and the
nonce check.

Prints one Markdown report (ratios measured within the run: the machines are shared and noisy, so only ratios
mean something) and, with --markdown FILE, writes it there too. Needs `wrk` and `taskset` for the HTTP section
(`apt-get install wrk`), Prism from bench/package.json (`npm ci --prefix bench`, which ./dev bench runs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

SECTIONS = ("http", "startup", "memory", "build", "paging", "append", "nonces")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--quick", action="store_true", help="a smoke run: 1 s runs, 2 rounds, small scales")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections (default: all of {SECTIONS})")
    p.add_argument("--duration", type=float, help="seconds per wrk run (default 10; --quick 1)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 5; --quick 2)")
    p.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    p.add_argument("--warmup", type=float, help="seconds of an unrecorded first run per server and call in each "
                   "round, every server being a fresh process (default 2; --quick 1)")  # fmt: skip
    p.add_argument("--startup-runs", type=int, help="start-ups per server (default 5; --quick 2)")
    p.add_argument("--memory-scale", type=float, help="the large --scale of the memory section (default 100)")
    p.add_argument("--build-scale", type=float, help="the --scale of the build section (default 225: ~10^6 records)")
    p.add_argument("--rows", type=int, help="the large row and nonce count (default 10^6; --quick 10^5)")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report there")
    p.add_argument("--workdir", type=Path, help="keep pools, captures and server logs here (default: a temp dir)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        print(f"bench: unknown section(s) {', '.join(unknown)} (choose from {', '.join(SECTIONS)})", file=sys.stderr)
        return 2
    from bench import wrk

    if "http" in only and not wrk.available():
        print("bench: the HTTP section needs wrk and taskset: apt-get install wrk", file=sys.stderr)
        return 2
    from bench import report, sections, throughput

    quick = args.quick
    default = sections.Scales.quick() if quick else sections.Scales()
    scales = sections.Scales(
        startup_runs=args.startup_runs or default.startup_runs,
        memory_large=args.memory_scale or default.memory_large,
        rows_large=args.rows or default.rows_large,
        build_scale=args.build_scale or default.build_scale,
        build_runs=default.build_runs,
    )
    options = throughput.Options(
        duration=args.duration or (1.0 if quick else 10.0),
        rounds=args.rounds or (2 if quick else 5),
        connections=args.connections,
        warmup=args.warmup if args.warmup is not None else (1.0 if quick else 2.0),
    )

    def log(line: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

    header = f"## Benchmarks{' (--quick: a smoke run, not figures)' if quick else ''}\n\n{report.machine()}"
    parts = [header]
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        runs = {
            "http": lambda: throughput.run(options, workdir, log),
            "startup": lambda: sections.startup(scales, workdir, log),
            "memory": lambda: sections.memory(scales, workdir, log),
            "build": lambda: sections.build(scales, workdir, log),
            "paging": lambda: sections.paging(scales, log),
            "append": lambda: sections.append(scales, log),
            "nonces": lambda: sections.nonces(scales, log),
        }
        for name in SECTIONS:
            if name in only:
                parts.append(sections.timed(name, runs[name], log))
    load = os.getloadavg()
    parts.append(f"Load average at the end: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min), {load[2]:.2f} (15 min); "
                 "the benchmark alone keeps about 2 cores busy, more means other work shared them")  # fmt: skip
    text = "\n\n".join(parts) + "\n"
    print(text, end="")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
