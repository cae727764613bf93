"""What the command line shows on stderr: log lines (text or JSON objects), the start-up summary, and the progress
of a slow dataset build.

Only the CLI configures logging (`configured`, and `EmulatorConfig` in each worker process); the app only logs to
the `emulator` logger, so a process that embeds it (a test suite) decides what it sees. uvicorn's own messages go
through the same handler; its access log is off (the emulator logs each request itself, with more to say), and
its start-up and shutdown chatter shows only at `debug`.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from emulator import __version__
from emulator.core.dataset import BuildStep
from emulator.core.settings import LogFormat, LogLevel, ProgressMode, Settings

if TYPE_CHECKING:
    from emulator.core.context import Emulator

LOGGER = "emulator"
log = logging.getLogger(LOGGER)
# Loggers whose handlers, levels and propagation `configure` sets (and `configured` restores).
UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "uvicorn.access")


class TextFormatter(logging.Formatter):
    """`emulator: <message>`, as the emulator's refusals to start read (`uvicorn: ` for uvicorn's); no time stamp
    (a terminal does not need one, and container and CI logs add their own; the JSON format has `time`)."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.name.partition('.')[0]}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event, message, and the event's own fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "message"),
            "message": record.getMessage(),
        }
        doc.update(getattr(record, "fields", {}))
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def uvicorn_level(level: LogLevel) -> int:
    """uvicorn's messages above `info` only: its start-up lines say less than the emulator's own."""
    return level.number if level.number <= logging.DEBUG else max(level.number, logging.WARNING)


def configure(level: LogLevel, fmt: LogFormat, stream: TextIO | None = None) -> Callable[[], None]:
    """Send the emulator's and uvicorn's log records to `stream` (stderr) in `fmt`; answers how to undo it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt is LogFormat.JSON else TextFormatter())
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in map(logging.getLogger, (LOGGER, *UVICORN))]
    for name, logger_level in ((LOGGER, level.number), ("uvicorn", uvicorn_level(level))):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logger_level)
        logger.propagate = False
    for name in ("uvicorn.error", "uvicorn.asgi"):
        logging.getLogger(name).setLevel(uvicorn_level(level))
    access = logging.getLogger("uvicorn.access")
    access.handlers, access.propagate = [], False

    def restore() -> None:
        for logger, handlers, logger_level, propagate in saved:
            logger.handlers, logger.propagate = handlers, propagate
            logger.setLevel(logger_level)

    return restore


@contextmanager
def configured(level: LogLevel, fmt: LogFormat) -> Iterator[None]:
    """`configure` for the time of a command: a command run in-process (a test) leaves logging as it found it."""
    restore = configure(level, fmt)
    try:
        yield
    finally:
        restore()


def event(level: int, name: str, message: str, **fields: Any) -> None:
    log.log(level, "%s", message, extra={"event": name, "fields": fields})


def announce_dataset(emu: Emulator) -> None:
    """What is served: the run's settings, then per vendor its tenants and record counts per collection."""
    settings = emu.settings
    where = "".join(
        f", {label} {value}" for label, value in (("fixtures", settings.fixtures), ("data dir", settings.data_dir))
        if value is not None
    )  # fmt: skip
    message = f"agent-api-emulator {__version__}: seed {emu.seed}, scale {emu.scale:g}, auth {settings.auth}{where}"
    event(
        logging.INFO, "serving", message, version=__version__, seed=emu.seed, scale=emu.scale,
        auth=settings.auth.value, fixtures=settings.fixtures, data_dir=settings.data_dir,
    )  # fmt: skip
    if not log.isEnabledFor(logging.INFO):
        return  # the counts read every table whole (50 ms at 10^6 records), for lines no one would see
    for vendor in emu.vendors:
        tenants = len(emu.state.tenants_of(vendor.name))
        records = {c.file.removesuffix(".json"): emu.store.count(c.collection) for c in vendor.codecs}
        counts = ", ".join(f"{n:,} {name}" for name, n in records.items())
        message = f"{vendor.name}: {tenants} tenant{'s' * (tenants != 1)}; {counts}"
        event(logging.INFO, "vendor", message, vendor=vendor.name, tenants=tenants, records=records)


def url_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce_listening(host: str, port: int, workers: int) -> None:
    url = url_of(host, port)
    many = f"{workers} workers; " if workers > 1 else ""
    message = f"listening on {url} ({many}control plane: /_emulator/; Ctrl+C to quit)"
    event(logging.INFO, "listening", message, url=url, workers=workers)


class BuildProgress:
    """Shows how a dataset build goes. `auto` waits 1.5 s (most builds are done by then), then draws a bar on a
    terminal, or else writes a line every few seconds; `bar` and `lines` show it from the start; JSON output gets
    lines (as `progress` events), never a bar. Shown at `info` and below."""

    AFTER = 1.5  # seconds before `auto` shows anything
    EVERY = 3.0  # seconds between two lines
    REDRAW = 0.1  # seconds between two redraws of the bar
    WIDTH = 24

    def __init__(
        self, settings: Settings, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        mode = settings.progress
        if mode is ProgressMode.AUTO:
            mode = ProgressMode.BAR if self.stream.isatty() else ProgressMode.LINES
        if mode is ProgressMode.BAR and settings.log_format is LogFormat.JSON:
            mode = ProgressMode.LINES
        self.mode = mode if log.isEnabledFor(logging.INFO) else ProgressMode.OFF
        self.after = self.AFTER if settings.progress is ProgressMode.AUTO else 0.0
        self.started: float | None = None
        self.last = -math.inf
        self.stage = ""
        self.shown = False
        self.bar_open = False

    def __call__(self, step: BuildStep) -> None:
        now = self.clock()
        if self.started is None:
            self.started = now
        if self.mode is ProgressMode.OFF or (not self.shown and now - self.started < self.after):
            return  # done before it was worth showing: nothing
        changed, self.stage = step.stage != self.stage, step.stage
        wait = self.REDRAW if self.mode is ProgressMode.BAR else self.EVERY
        if not (changed or not self.shown or now - self.last >= wait):
            return
        self.shown, self.last = True, now
        if self.mode is ProgressMode.BAR:
            self._draw(step, now - self.started)
        else:
            fields = {"stage": step.stage, "tenants_done": step.tenants_done, "tenants": step.tenants}
            fields |= {"records": step.records, "seconds": round(now - self.started, 1)}
            event(logging.INFO, "progress", self._text(step, now - self.started), **fields)

    def _text(self, step: BuildStep, seconds: float) -> str:
        if step.stage == "done":
            return f"built the dataset: {step.records:,} records in {seconds:.1f} s"
        if step.stage == "writing":
            return f"building the dataset: writing {step.records:,} records to the store"
        return f"building the dataset: {step.tenants_done} of {step.tenants} tenants, {step.records:,} records"

    def _draw(self, step: BuildStep, seconds: float) -> None:
        if step.stage == "done":
            self.stream.write(f"\r\x1b[Kemulator: {self._text(step, seconds)}\n")
            self.bar_open = False
        else:
            done = 1.0 if step.stage == "writing" else step.tenants_done / max(step.tenants, 1)
            filled = round(done * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            what = "writing" if step.stage == "writing" else f"{step.tenants_done}/{step.tenants} tenants,"
            self.stream.write(f"\r\x1b[Kemulator: building the dataset [{bar}] {what} {step.records:,} records")
            self.bar_open = True
        self.stream.flush()

    def close(self) -> None:
        """End an unfinished bar's line (the build failed), so what follows starts on a line of its own."""
        if self.bar_open:
            self.stream.write("\n")
            self.stream.flush()
            self.bar_open = False
