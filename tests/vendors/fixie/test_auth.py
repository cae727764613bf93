"""Authorization: Bearer <API key> -> owner; 401 before 400 before 404; the auth modes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

LIST = "/api/v1/agents/{}/conversations"
GET = "/api/v1/agents/{}/conversations/{}"
Expect = Callable[[Any, int, int, str], None]
MISSING = "missing API key: send Authorization: Bearer <API key>"
MALFORMED = 'malformed Authorization header: expected "Bearer <API key>"'
UNKNOWN = "invalid API key"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, MISSING),
        ({"Authorization": "Bearer nope"}, UNKNOWN),
        ({"Authorization": "Bearer fixie-emu-dev-key-0011"}, UNKNOWN),
        ({"Authorization": "fixie-emu-dev-key-001"}, MALFORMED),  # the key without a scheme
        ({"Authorization": "Basic fixie-emu-dev-key-001"}, MALFORMED),
        ({"Authorization": "Token fixie-emu-dev-key-001"}, MALFORMED),
        ({"Authorization": "Bearer "}, MALFORMED),
        ({"Authorization": ""}, MALFORMED),
        ({"X-Api-Key": "fixie-emu-dev-key-001"}, MISSING),  # no other header carries a key
    ],
)
def test_list_needs_a_known_bearer_key(
    api: TestClient, t1: Any, expect_error: Expect, headers: dict[str, str], message: str
) -> None:
    expect_error(api.get(LIST.format(t1.private), headers=headers), 401, 16, message)


def test_scheme_is_case_insensitive(api: TestClient, t1: Any) -> None:
    for scheme in ("bearer", "BEARER"):
        response = api.get(LIST.format(t1.private), headers={"Authorization": f"{scheme} {t1.key}"})
        assert response.status_code == 200


def test_bad_key_fails_even_where_none_is_needed(api: TestClient, t1: Any, expect_error: Expect) -> None:
    url = GET.format(t1.published, "anything")
    expect_error(api.get(url, headers={"Authorization": "Bearer nope"}), 401, 16, UNKNOWN)
    expect_error(api.get(url, headers={"Authorization": "Basic x"}), 401, 16, MALFORMED)


def test_each_key_acts_as_its_owner(api: TestClient, t1: Any, t2: Any) -> None:
    assert api.get(LIST.format(t1.private), headers=t1.auth).status_code == 200
    assert api.get(LIST.format(t2.private), headers=t2.auth).status_code == 200
    assert api.get(LIST.format(t1.private), headers=t2.auth).status_code == 404


def test_auth_before_parameters_before_lookup(api: TestClient, t1: Any, expect_error: Expect) -> None:
    unknown = LIST.format("no-such-agent")
    expect_error(api.get(unknown + "?limit=abc"), 401, 16, MISSING)
    syntax = 'parsing field "limit": strconv.ParseInt: parsing "abc": invalid syntax'
    expect_error(api.get(unknown + "?limit=abc", headers=t1.auth), 400, 3, syntax)
    expect_error(api.get(unknown, headers=t1.auth), 404, 5, 'agent "no-such-agent" not found')


def test_presence_mode_is_the_same_for_bearer_keys(
    client_factory: Callable[..., TestClient], t1: Any, expect_error: Expect
) -> None:
    api = client_factory(auth="presence")
    assert api.get(LIST.format(t1.private), headers=t1.auth).status_code == 200
    expect_error(api.get(LIST.format(t1.private)), 401, 16, MISSING)
    expect_error(api.get(LIST.format(t1.private), headers={"Authorization": "Bearer nope"}), 401, 16, UNKNOWN)


def test_off_mode_acts_as_the_first_owner(client_factory: Callable[..., TestClient], t1: Any, t2: Any) -> None:
    api = client_factory(auth="off")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        assert api.get(LIST.format(t1.private), headers=headers).status_code == 200
        assert api.get(LIST.format(t2.private), headers=headers).status_code == 404
    assert api.get(LIST.format(t2.private), headers=t2.auth).status_code == 200  # a real key still counts
