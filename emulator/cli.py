"""Command line: `emulator serve`, `emulator fixtures export`, `emulator openapi export`.

Every `Settings` field is a flag (`--data-dir`, `--auth`, ...) and an `EMULATOR_*` variable; a flag wins. What
stops a command (a bad flag or variable, a busy port, a bad fixture) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Collection, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, get_args

from pydantic import ValidationError

from emulator import __version__, logs
from emulator.core.datadir import DataDirError
from emulator.core.fixtures import MANIFEST, FixtureError, export_entries
from emulator.core.settings import LogFormat, LogLevel, Settings

log = logging.getLogger("emulator")

# Settings that only matter to `serve` stay off the export commands.
SERVE_ONLY = {
    "host",
    "port",
    "workers",
    "log_level",
    "log_format",
    "data_dir",
    "header_timeout_seconds",
    "body_timeout_seconds",
    "max_connections",
    "allowed_hosts",
}


class Parser(argparse.ArgumentParser):
    """argparse, refusing in one line (no usage dump) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"emulator: {message} (see: {self.prog} --help)\n")


def _add_settings_flags(parser: argparse.ArgumentParser, only_data: bool = False) -> None:
    """One flag per setting; its help names the choices, the default and the variable. Values are validated by
    the settings model (so a flag and its variable are refused alike), not by argparse."""
    for name, field in Settings.model_fields.items():
        if only_data and (name in SERVE_ONLY or name == "auth"):
            continue
        flag = "--" + name.replace("_", "-")
        kind = next((k for k in (field.annotation, *get_args(field.annotation)) if isinstance(k, type)), str)
        if issubclass(kind, Enum):
            metavar = "{" + ",".join(str(m.value) for m in kind) + "}"
        else:
            metavar = {int: "N", float: "N", Path: "PATH"}.get(kind, "TEXT")
        default = field.default
        shown = "none" if default in (None, "") else default.value if isinstance(default, Enum) else default
        text = f"{field.description} (default: {shown}; env EMULATOR_{name.upper()})"
        parser.add_argument(flag, dest=name, default=None, metavar=metavar, help=text.replace("%", "%%"))


def _given(args: argparse.Namespace) -> dict[str, Any]:
    return {k: v for k, v in vars(args).items() if k in Settings.model_fields and v is not None}


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(**_given(args))


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="emulator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"emulator {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the emulator (uvicorn, uvloop + httptools)")
    _add_settings_flags(serve)

    fixtures = sub.add_parser("fixtures", help="fixture files")
    fixtures_sub = fixtures.add_subparsers(dest="action", required=True)
    export = fixtures_sub.add_parser("export", help="write the whole dataset in the format --fixtures reads")
    _add_settings_flags(export, only_data=True)
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="directory to write (made if need be)")

    openapi = sub.add_parser("openapi", help="OpenAPI documents")
    openapi_sub = openapi.add_subparsers(dest="action", required=True)
    spec = openapi_sub.add_parser("export", help="write openapi/<vendor>.json generated from the code")
    spec.add_argument("--out", type=Path, default=Path("openapi"), metavar="DIR", help="where (default: openapi)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "openapi":
        return export_openapi(args.out)
    try:
        settings = _settings(args)
    except ValidationError as exc:
        print(problem_line(exc, given=_given(args)), file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            return serve(settings)
        return export_fixtures(settings, args.out)
    except (ValidationError, FixtureError, DataDirError) as exc:
        print(problem_line(exc), file=sys.stderr)
    return 2


def problem_line(exc: ValidationError | FixtureError | DataDirError, given: Collection[str] = ()) -> str:
    """What stops the emulator from starting, as the one line it prints before exiting 2. A bad setting is named
    as it was given: its flag, or (not among the `given` flags) its variable."""
    if isinstance(exc, ValidationError):
        err = exc.errors(include_url=False)[0]
        name = "_".join(str(p) for p in err["loc"])
        where = "--" + name.replace("_", "-")
        if name not in given and f"EMULATOR_{name.upper()}" in os.environ:
            where = f"EMULATOR_{name.upper()}"
        return f"emulator: invalid setting: {where}: {err['msg']}"
    if isinstance(exc, FixtureError):
        return f"emulator: bad fixtures: {exc}"
    return f"emulator: {exc}"


def serve(settings: Settings) -> int:
    from emulator.startup import uncollected

    with uncollected():
        from emulator import server
        from emulator.app import create_app
        from emulator.core.hosts import is_loopback

    if settings.workers > 1 and settings.data_dir is None:
        # Workers share records, tenants, fault rules, the clock, the journal and nonces through the data dir's
        # files; without one, each would answer from its own state and contradict the others.
        print("emulator: --workers needs --data-dir (the workers share their state through it)", file=sys.stderr)
        return 2
    # Exit status 2, as every refusal to start; should the port be taken after this check, uvicorn's bind fails
    # and `run` answers 3 (STARTUP_FAILURE).
    problem = server.listen_problem(settings.host, settings.port)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    with logs.configured(settings.log_level, settings.log_format):
        if not is_loopback(settings.host):
            log.warning("%s", server.exposure_warning(settings, dev_key_ids(settings)))
        if settings.workers == 1:
            progress = logs.BuildProgress(settings)
            try:
                app = create_app(settings, progress=progress)
            finally:
                progress.close()
            logs.announce_dataset(app.state.emulator)
            return server.run(app, settings)
        problem = prepare_data_dir(settings)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
        # Worker processes rebuild the app from the environment: hand every setting over as EMULATOR_*.
        for name, value in settings.model_dump(mode="json").items():
            if value is not None:
                os.environ["EMULATOR_" + name.upper()] = str(value)
        return server.run("emulator.app:create_app_from_env", settings)


def prepare_data_dir(settings: Settings) -> str | None:
    """Build (or check and repair) the data dir once, in a child process, before the workers start: a bad fixture
    or data dir is then one line and exit 2 here, rather than a traceback from every worker, each restarted forever.
    The workers then find the dataset built; the child's memory (a build at scale) goes with it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_prepare, settings).result()


def _prepare(settings: Settings) -> str | None:
    from emulator.admin.errors import ControlPlaneErrors
    from emulator.core.context import Emulator
    from emulator.vendors import VENDOR_TYPES

    with logs.configured(settings.log_level, settings.log_format):
        progress = logs.BuildProgress(settings)
        try:
            emu = Emulator(settings, VENDOR_TYPES, ControlPlaneErrors(), progress)
        except (ValidationError, FixtureError, DataDirError) as exc:
            return problem_line(exc)
        finally:
            progress.close()
        logs.announce_dataset(emu)
    return None


def dev_key_ids(settings: Settings) -> list[str]:
    """The credential ids of the embedded dev tenants still served (a fixtures manifest may replace a vendor's)."""
    from emulator.core.context import default_manifest, load_manifest
    from emulator.core.fixtures import FixtureSource
    from emulator.vendors import VENDOR_TYPES

    loaded = load_manifest(FixtureSource.open(settings.fixtures) if settings.fixtures is not None else None)
    defaults = default_manifest()["tenants"]
    ids: list[str] = []
    for cls in VENDOR_TYPES:
        if cls.name in defaults and loaded["tenants"].get(cls.name) == defaults[cls.name]:
            ids += cls(defaults[cls.name]).key_ids()
    return ids


def export_fixtures(settings: Settings, out: Path) -> int:
    from emulator.admin.errors import ControlPlaneErrors
    from emulator.core.context import Emulator
    from emulator.vendors import VENDOR_TYPES

    started = time.monotonic()
    with logs.configured(LogLevel.INFO, LogFormat.TEXT):
        progress = logs.BuildProgress(settings)
        try:
            emu = Emulator(settings, VENDOR_TYPES, ControlPlaneErrors(), progress)
        finally:
            progress.close()
        out.mkdir(parents=True, exist_ok=True)
        sections = {v.name: v.tenants_manifest() for v in emu.vendors}
        manifest = {"generate": False, "tenants": sections}
        tenants = sum(len(t) for t in sections.values())
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log.info("wrote %s (%d tenants)", out / MANIFEST, tenants)
        files, records = 1, 0
        for vendor in emu.vendors:
            (out / vendor.name).mkdir(exist_ok=True)
            for codec in vendor.codecs:
                count = emu.store.count(codec.collection)
                text = export_entries(codec, emu.store.dump(codec.collection))
                (out / vendor.name / codec.file).write_text(text, encoding="utf-8")
                log.info("wrote %s (%s records)", out / vendor.name / codec.file, f"{count:,}")
                files, records = files + 1, records + count
        log.info("exported %d files (%s records) to %s in %.1f s", files, f"{records:,}", out, _since(started))
    return 0


def export_openapi(out: Path) -> int:
    from emulator.openapi import build_specs, write_spec

    started = time.monotonic()
    with logs.configured(LogLevel.INFO, LogFormat.TEXT):
        log.info("generating the OpenAPI documents")
        specs = build_specs()
        for name, spec in specs.items():
            path = write_spec(out, name, spec)
            log.info("wrote %s (%d paths)", path, len(spec.get("paths", {})))
        log.info("exported %d files to %s in %.1f s", len(specs), out, _since(started))
    return 0


def _since(started: float) -> float:
    return time.monotonic() - started
