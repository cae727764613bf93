"""`python -m emulator` and the `emulator` command: the CLI (`emulator.cli`), imported without the garbage collector
(`emulator.startup`)."""

from __future__ import annotations

from collections.abc import Sequence

from emulator.startup import uncollected


def main(argv: Sequence[str] | None = None) -> int:
    with uncollected():
        from emulator import cli
    return cli.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
