"""The README's client snippets, run verbatim against a live emulator (only the port differs)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Pointing the official clients at it") : README.index("## Lifecycle operations")]
PYTHON = re.findall(r"```python\n(.*?)```", SECTION, re.S)
JS = re.findall(r"```js\n(.*?)```", SECTION, re.S)
# The lifecycle snippets write (and move the clock): they run against a server of their own, from its start-up data.
LIFECYCLE = README[README.index("## Lifecycle operations") : README.index("## Default tenants and data")]
LIFECYCLE_PYTHON = re.findall(r"```python\n(.*?)```", LIFECYCLE, re.S)
LIFECYCLE_JS = re.findall(r"```js\n(.*?)```", LIFECYCLE, re.S)
README_ADDRESS = "127.0.0.1:8000"


def test_readme_has_a_snippet_per_client() -> None:
    joined = "\n".join(PYTHON)
    assert "alibabacloud_ice20201109" in joined and "huaweicloudsdkmetastudio" in joined and "requests" in joined
    assert len(JS) == 1 and "from 'fixie'" in JS[0]


def run_python(code: str, url: str, name: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace(README_ADDRESS, url.removeprefix("http://")), name, "exec"), {})
    return out.getvalue().split()


def run_js(code: str, url: str) -> list[str]:
    node = shutil.which("node")
    if node is None or not (ROOT / "tests/js/node_modules/fixie").exists():
        pytest.skip("node or the fixie npm client is not installed (./dev test installs it)")
    # One file per snippet and process: xdist workers run the two JS snippets side by side.
    script = ROOT / f"tests/js/.readme-snippet-{abs(hash(code))}-{os.getpid()}.mjs"
    script.write_text(code.replace(README_ADDRESS, url.removeprefix("http://")))
    try:
        result = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    finally:
        script.unlink()
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_snippet_runs(index: int, live_url: str) -> None:
    printed = run_python(PYTHON[index], live_url, f"README snippet {index}")
    assert printed and printed[0].isdigit() and int(printed[0]) > 0, printed


def test_js_snippet_runs(live_url: str) -> None:
    total, turns = run_js(JS[0], live_url)
    assert int(total) > 0 and int(turns) > 0


def test_lifecycle_snippets_are_one_per_client() -> None:
    assert len(LIFECYCLE_PYTHON) == 2 and len(LIFECYCLE_JS) == 1
    assert "alibabacloud_ice20201109" in LIFECYCLE_PYTHON[0] and "huaweicloudsdkmetastudio" in LIFECYCLE_PYTHON[1]


def test_ice_lifecycle_snippet_prints_what_its_comment_says(module_live_url: str) -> None:
    assert run_python(LIFECYCLE_PYTHON[0], module_live_url, "README ICE lifecycle") == ["2", "True"]


def test_metastudio_lifecycle_snippet_prints_what_its_comment_says(live_factory: Callable[..., str]) -> None:
    # A server of its own: the printed count is the start-up rooms plus the one created.
    printed = run_python(LIFECYCLE_PYTHON[1], live_factory(), "README MetaStudio lifecycle")
    assert printed == ["58", "True", "MSS.20010135"]


def test_fixie_lifecycle_snippet_prints_what_its_comment_says(module_live_url: str) -> None:
    assert run_js(LIFECYCLE_JS[0], module_live_url) == ["2", "done", "done"]
