"""Bodies spliced from stored wire documents are the bytes `json.dumps` (compact, UTF-8) would give, whole or in
parts, and a page sent in parts keeps its head: the same headers and Content-Length as one buffer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import Response

from emulator.core.wirejson import SPLICE_AT, Docs, PartsResponse, RawArray, dumps, raw_headers, render, render_parts

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


def page(count: int, size: int) -> Docs:
    return Docs(dumps({"id": n, "text": "x" * size}).encode() for n in range(count))


def test_a_large_page_is_a_part_of_its_own_and_not_copied() -> None:
    docs = page(20, 5000)
    body = {"conversations": RawArray(docs), "pageInfo": {"requestedPageSize": 20, "totalResultCount": 47}}
    parts = render_parts(body)
    assert b"".join(parts) == render(body) == dumps({**body, "conversations": [json.loads(d) for d in docs]}).encode()
    assert parts[0] == b'{"conversations":['
    assert parts[1] is docs.joined  # the remembered buffer itself
    assert parts[2] == b'],"pageInfo":{"requestedPageSize":20,"totalResultCount":47}}'


def test_a_small_page_is_one_part() -> None:
    docs = page(3, 10)
    assert len(docs.joined) < SPLICE_AT
    body = {"count": 3, "rooms": RawArray(docs)}
    assert render_parts(body) == [render(body)]
    assert render_parts({}) == [b"{}"]


def answer(response: Response) -> tuple[list[dict[str, Any]], bytes]:
    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    asyncio.run(response({"type": "http", "method": "GET"}, receive, send))
    return messages, b"".join(m.get("body", b"") for m in messages[1:])


def test_parts_leave_as_one_response_would() -> None:
    headers = {"Access-Control-Allow-Origin": "*", "X-Thing": "1"}
    parts = render_parts({"conversations": RawArray(page(20, 5000)), "pageInfo": {"totalResultCount": 47}})
    whole = Response(b"".join(parts), 200, headers, media_type="application/json")
    split = PartsResponse(parts, raw_headers(headers), "application/json")
    (whole_head, *_), whole_body = answer(whole)
    (split_head, *bodies), split_body = answer(split)
    assert split_head == whole_head  # status, header order, Content-Length and Content-Type
    assert split_body == whole_body and split.body == whole.body
    assert [m["more_body"] for m in bodies] == [True, True, False]
