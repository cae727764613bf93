"""Command line: `emulator serve`, `emulator fixtures export`, `emulator openapi export`.

Every `Settings` field is a flag (`--data-dir`, `--auth`, ...) and an `EMULATOR_*` variable; a flag wins.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from emulator.core.datadir import DataDirError
from emulator.core.fixtures import MANIFEST, FixtureError, export_entries
from emulator.core.settings import Settings

# Settings that only matter to `serve` stay off the export commands.
SERVE_ONLY = {
    "host",
    "port",
    "workers",
    "log_level",
    "data_dir",
    "header_timeout_seconds",
    "body_timeout_seconds",
    "max_connections",
    "allowed_hosts",
}


def _add_settings_flags(parser: argparse.ArgumentParser, only_data: bool = False) -> None:
    for name, field in Settings.model_fields.items():
        if only_data and (name in SERVE_ONLY or name == "auth"):
            continue
        flag = "--" + name.replace("_", "-")
        env = "EMULATOR_" + name.upper()
        parser.add_argument(flag, dest=name, default=None, help=f"{field.description or ''} (env {env})".strip())


def _settings(args: argparse.Namespace) -> Settings:
    flags = {k: v for k, v in vars(args).items() if k in Settings.model_fields and v is not None}
    return Settings(**flags)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the emulator (uvicorn, uvloop + httptools)")
    _add_settings_flags(serve)

    fixtures = sub.add_parser("fixtures", help="fixture files")
    fixtures_sub = fixtures.add_subparsers(dest="action", required=True)
    export = fixtures_sub.add_parser("export", help="write the whole dataset in the format --fixtures reads")
    _add_settings_flags(export, only_data=True)
    export.add_argument("--out", required=True, type=Path)

    openapi = sub.add_parser("openapi", help="OpenAPI documents")
    openapi_sub = openapi.add_subparsers(dest="action", required=True)
    spec = openapi_sub.add_parser("export", help="write openapi/<vendor>.json generated from the code")
    spec.add_argument("--out", type=Path, default=Path("openapi"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(_settings(args))
        if args.command == "fixtures":
            return export_fixtures(_settings(args), args.out)
        return export_openapi(args.out)
    except (ValidationError, FixtureError, DataDirError) as exc:
        print(problem_line(exc), file=sys.stderr)
    return 2


def problem_line(exc: ValidationError | FixtureError | DataDirError) -> str:
    """What stops the emulator from starting, as the one line it prints before exiting 2."""
    if isinstance(exc, ValidationError):
        err = exc.errors(include_url=False)[0]
        where = "--" + "-".join(str(p) for p in err["loc"]).replace("_", "-")
        return f"emulator: invalid setting: {where}: {err['msg']}"
    if isinstance(exc, FixtureError):
        return f"emulator: bad fixtures: {exc}"
    return f"emulator: {exc}"


def serve(settings: Settings) -> int:
    from emulator import server
    from emulator.app import create_app
    from emulator.core.hosts import is_loopback

    if settings.workers > 1 and settings.data_dir is None:
        # Workers share records, tenants, fault rules, the clock, the journal and nonces through the data dir's
        # files; without one, each would answer from its own state and contradict the others.
        print("emulator: --workers needs --data-dir (the workers share their state through it)", file=sys.stderr)
        return 2
    if not is_loopback(settings.host):
        print(server.exposure_warning(settings, dev_key_ids(settings)), file=sys.stderr)
    if settings.workers == 1:
        return server.run(create_app(settings), settings)
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

    try:
        Emulator(settings, VENDOR_TYPES, ControlPlaneErrors())
    except (ValidationError, FixtureError, DataDirError) as exc:
        return problem_line(exc)
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

    emu = Emulator(settings, VENDOR_TYPES, ControlPlaneErrors())
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"generate": False, "tenants": {v.name: v.tenants_manifest() for v in emu.vendors}}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for vendor in emu.vendors:
        (out / vendor.name).mkdir(exist_ok=True)
        for codec in vendor.codecs:
            text = export_entries(codec, emu.store.dump(codec.collection))
            (out / vendor.name / codec.file).write_text(text, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


def export_openapi(out: Path) -> int:
    from emulator.openapi import write_specs

    for path in write_specs(out):
        print(f"wrote {path}", file=sys.stderr)
    return 0
