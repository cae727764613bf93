"""`python -m bench` answers --help without wrk or Prism, and its table arithmetic (medians, ratios, Markdown) is
right. Nothing here times anything: the benchmark itself needs wrk and a quiet machine (`./dev bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `bench` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from bench import report, servers, throughput  # noqa: E402


def test_help_names_the_sections_and_flags() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    for flag in ("--quick", "--only", "--duration", "--rounds", "--connections", "--markdown"):
        assert flag in done.stdout


def test_unknown_section_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "http,nope"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "nope" in done.stderr


def test_median_and_ratio() -> None:
    assert report.median([3.0, 1.0, 2.0]) == 2.0
    assert report.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert report.ratio(1.0, 4.0) == 0.25
    for nan in (report.median([]), report.ratio(1.0, 0.0), report.ratio(float("nan"), 1.0)):
        assert nan != nan
    assert report.fmt(float("nan")) == "-"
    assert report.fmt(12345.6) == "12,346"
    assert report.fmt(0.8765) == "0.88"


def test_http_tables_are_ratios_of_medians() -> None:
    rates = {
        "ice": {
            report.OURS: {0: 100.0, 1: 300.0, 2: 200.0},
            report.OURS_OFF: {1: 250.0},  # rounds 0 and 2 left out (errors): only round 1 pairs
            report.STARLETTE: {0: 1000.0, 1: 800.0},
            report.FASTAPI: {0: 400.0, 1: 400.0, 2: 400.0},
            # no Prism: its ratio is a dash
        }
    }
    text = report.http_tables(rates, {"ice": "ICE list"})
    lines = text.splitlines()
    assert lines[0] == "| call | ours / Starlette | ours / FastAPI | ours / Prism | verify / off |"
    assert lines[1] == "| --- | ---: | ---: | ---: | ---: |"
    # 200 / 900 (rounds: 0.10, 0.38), 200 / 400 (0.25, 0.75, 0.50), -, 200 / 250 (round 1: 1.20)
    assert lines[2] == "| ICE list | 0.22 (0.10 to 0.38) | 0.50 (0.25 to 0.75) | - | 0.80 (1.20 to 1.20) |"
    assert "| ICE list | 200 | 250 | 900 | 400 | - |" in lines


def test_rounds_rotate_every_server_with_verify_and_off_back_to_back() -> None:
    started = [servers.Server(name, 0, cast(Any, None), Path(), 0.0) for name in report.SERVERS]
    firsts, pairs = [], []
    for round_ in range(8):
        names = [server.name for server in throughput.round_order(started, round_)]
        assert sorted(names) == sorted(report.SERVERS)
        at = names.index(report.OURS)
        pair = names[min(at, names.index(report.OURS_OFF)) :][:2]
        assert sorted(pair) == sorted([report.OURS, report.OURS_OFF])
        firsts.append(names[0])
        pairs.append(pair[0])
    # Four units (the pair, Starlette, FastAPI, Prism) take turns going first; the pair's leader alternates.
    assert firsts[:4] == [report.OURS, report.STARLETTE, report.FASTAPI, report.PRISM]
    assert pairs[:4] == [report.OURS, report.OURS_OFF, report.OURS, report.OURS_OFF]
