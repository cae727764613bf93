"""The query string is split once per request by `parse_form`, which takes a shortcut when nothing needs decoding;
it must read every query exactly as `urllib.parse.parse_qsl(keep_blank_values=True)` does (what the signature
checks and the request models were built against)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from emulator.core.http import parse_form

QUERY_TEXT = st.text(alphabet="ab=&;%+2Fé x", max_size=24)


@given(QUERY_TEXT)
def test_parse_form_reads_any_query_as_parse_qsl_does(raw: str) -> None:
    assert parse_form(raw) == parse_qsl(raw, keep_blank_values=True)


def test_the_shortcut_keeps_blank_values_and_skips_empty_fields() -> None:
    assert parse_form("a=1&&b&c=&=d&a=2") == [("a", "1"), ("b", ""), ("c", ""), ("", "d"), ("a", "2")]
    assert parse_form("") == []
