"""The README's client snippets, run verbatim against a live emulator (only the port differs)."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Pointing the official clients at it") : README.index("## Default tenants and data")]
PYTHON = re.findall(r"```python\n(.*?)```", SECTION, re.S)
JS = re.findall(r"```js\n(.*?)```", SECTION, re.S)
README_ADDRESS = "127.0.0.1:8000"


def test_readme_has_a_snippet_per_client() -> None:
    joined = "\n".join(PYTHON)
    assert "alibabacloud_ice20201109" in joined and "huaweicloudsdkmetastudio" in joined and "requests" in joined
    assert len(JS) == 1 and "from 'fixie'" in JS[0]


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_snippet_runs(index: int, live_url: str) -> None:
    code = PYTHON[index].replace(README_ADDRESS, live_url.removeprefix("http://"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README snippet {index}", "exec"), {})
    printed = out.getvalue().split()
    assert printed and printed[0].isdigit() and int(printed[0]) > 0, out.getvalue()


def test_js_snippet_runs(live_url: str) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "tests/js/node_modules/fixie").exists():
        pytest.skip("node or the fixie npm client is not installed (./dev test installs it)")
    script = ROOT / "tests/js/.readme-snippet.mjs"
    script.write_text(JS[0].replace(README_ADDRESS, live_url.removeprefix("http://")))
    try:
        result = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    finally:
        script.unlink()
    assert result.returncode == 0, result.stderr
    total, turns = result.stdout.split()
    assert int(total) > 0 and int(turns) > 0
