"""Bodies spliced from stored wire documents are the bytes `json.dumps` (compact, UTF-8) would give."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from emulator.core.wirejson import dumps, render

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3), max_leaves=12
)
BODIES = st.dictionaries(st.text(), VALUES, max_size=4)


@given(BODIES)
def test_render_is_dumps(body: dict[str, Any]) -> None:
    assert render(body) == dumps(body).encode()


def test_a_page_s_counts_and_objects_render_as_dumps() -> None:
    body = {"items": {"total": 47, "offset": 0}, "info": {"name": 'a "quoted"\u2028é', "none": None, "on": True},
            "empty": {}, "keys": {1: "one"}}  # fmt: skip
    assert render(body) == dumps(body).encode()
