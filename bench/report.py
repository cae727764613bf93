"""Pure helpers of `python -m bench`: medians, ratios, Markdown tables; and `machine`, the line naming the machine."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from emulator.core import draws, nonces
from emulator.core.signing import canonical_hmac

# The servers of the HTTP section, in the order their columns are shown.
OURS = "ours"  # `emulator serve`, --auth verify
OURS_OFF = "ours-off"  # `emulator serve`, --auth off
STARLETTE = "starlette"
FASTAPI = "fastapi"
PRISM = "prism"
SERVERS = (OURS, OURS_OFF, STARLETTE, FASTAPI, PRISM)

# (ratio heading, numerator, denominator): ours with auth verify against each reference.
RATIOS = (
    ("ours / Starlette", OURS, STARLETTE),
    ("ours / FastAPI", OURS, FASTAPI),
    ("ours / Prism", OURS, PRISM),
    ("verify / off", OURS, OURS_OFF),
)


def median(values: Iterable[float]) -> float:
    """The median, NaN for no values (a server that never answered shows as a dash, not as a crash)."""
    values = list(values)
    return statistics.median(values) if values else float("nan")


def ratio(numerator: float, denominator: float) -> float:
    if denominator != denominator or numerator != numerator or denominator <= 0:  # NaN or nothing to divide by
        return float("nan")
    return numerator / denominator


def fmt(value: float, digits: int = 2) -> str:
    """A figure for a table cell: NaN (not measured) is a dash; thousands get separators."""
    if value != value:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; the first column is left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(headings) + " |", "| --- |" + " ---: |" * (len(headings) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def spread(numerator: Mapping[int, float], denominator: Mapping[int, float]) -> tuple[float, float]:
    """The lowest and highest ratio within one round (rounds both servers completed): how much the load moved."""
    per_round = [ratio(numerator[r], denominator[r]) for r in numerator if r in denominator]
    return (min(per_round), max(per_round)) if per_round else (float("nan"), float("nan"))


def http_tables(rates: Mapping[str, Mapping[str, Mapping[int, float]]], labels: Mapping[str, str]) -> str:
    """`rates[vendor][server][round]`: requests per second. One table of ratios of medians (ours with auth verify
    against each reference), each with the range of the per-round ratios; then the medians themselves."""
    ratio_rows, rate_rows = [], []
    for vendor, by_server in rates.items():
        medians = {server: median(by_server.get(server, {}).values()) for server in SERVERS}
        cells = []
        for _, a, b in RATIOS:
            low, high = spread(by_server.get(a, {}), by_server.get(b, {}))
            value = fmt(ratio(medians[a], medians[b]))
            cells.append(value if low != low else f"{value} ({fmt(low)} to {fmt(high)})")
        ratio_rows.append([labels[vendor], *cells])
        rate_rows.append([labels[vendor], *(fmt(medians[s], 0) for s in SERVERS)])
    ratios = table(["call", *(heading for heading, _, _ in RATIOS)], ratio_rows)
    absolute = table(
        ["median requests/s", "ours (verify)", "ours (auth off)", "Starlette", "FastAPI route", "Prism"], rate_rows
    )
    return ratios + "\n\n" + absolute


def machine() -> str:
    """Date, cores, CPU model, Python and the C extensions' builds: what a table's ratios were measured on."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()  # as `nproc`
    load = f", load average {os.getloadavg()[0]:.2f} at the start" if hasattr(os, "getloadavg") else ""
    builds = ", ".join(
        f"{what}: {'C' if compiled else 'Python (the C build is not installed)'}"
        for what, compiled in (
            ("signature check", canonical_hmac.compiled()),
            ("random draws", draws.compiled()),
            ("nonce cache", nonces.compiled()),
        )
    )
    return f"{datetime.now(UTC):%Y-%m-%d}, nproc {cores}, {model}, Python {platform.python_version()}, {builds}{load}"
