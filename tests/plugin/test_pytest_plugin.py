"""The pytest plugin (`emulator.pytest_plugin`, loaded through its `pytest11` entry point) as a user's suite meets
it, run under `pytester`: one server per session (and per distinct marker settings), isolation between tests, the
official SDK clients on the handle's credentials, the journal's near-miss failure output, markers, pytest-xdist,
and a suite that does not use it paying nothing. Each run is a subprocess: an in-process run would drop the modules
it imported from `sys.modules` afterwards, leaving this process with two copies of some (httpcore's exceptions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

INI = "[pytest]\nemulator_scale = 0.05\n"
DEV_AK = "LTAI5tEmuDevAccessKey001"  # the README's first ICE tenant
# This repository's other pytest plugins, which a user's suite need not have: the subprocess runs skip importing them.
LEAN = ("-p", "no:randomly", "-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:faker")

# What the two failing tests of the journal test print (fnmatch patterns), in order.
NEAR_MISS_REPORT = [
    "E * AssertionError: expected at least 1 request matching {vendor='fixie', operation='ListConversations',"
    " status=200}: 0 of the 2 requests received in this test matched.",
    "E * Closest requests that did not match:",
    "E * #* GET /api/v1/agents/a-1/conversations -> 401 16 [fixie ListConversations, no tenant, auth missing]",
    "E *     status: expected 200, got 401",
    "E * #* GET /v1/*/smart-chat-rooms -> 200 [metastudio ListSmartChatRooms, tenant *, auth ok]",
    "E *     vendor: expected 'fixie', got 'metastudio'",
    "E *     operation: expected 'ListConversations', got 'ListSmartChatRooms'",
    "*.py:8: AssertionError",  # pytest points at the test's own line, not at the plugin's
    "E * AssertionError: expected no request matching {vendor='fixie'}: 1 of the 1 requests received in this test*",
    "E * Matching requests:",
    "E * #* GET /api/v1/agents/a-1/conversations -> 404 5 [fixie ListConversations, tenant user-*, auth ok]",
    "E * AssertionError: expected exactly 2 requests matching {vendor='fixie', query={'limit': '10'}}: 1 of the 2*",
    "E * Matching requests:",
    "E * #* GET /api/v1/agents/a-1/conversations -> 404 5 [fixie ListConversations, tenant user-*, auth ok]",
    "E * Closest requests that did not match:",
    "E * #* GET /api/v1/agents/a-1/conversations -> 404 5 [fixie ListConversations, tenant user-*, auth ok]",
    "E *     query['limit']: expected '10', got '5'",
    "*.py:20: AssertionError",
    "E * TypeError: unknown journal fields ['stauts']; known: ['auth', 'body', *",
]


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's project with the plugin configured by ini (a small dataset, to start fast)."""
    pytester.makeini(INI)
    return pytester


def test_one_session_server_and_nothing_leaks_between_tests(suite: pytest.Pytester) -> None:
    """Every test is served by the session's one server; what a test loads, adds or changes (records, tenants,
    fault rules, clock, journal) is gone for the next, which gets a fresh, empty tenant."""
    suite.makepyfile(
        """
        URLS = []
        ROOM = {"lastJobStartTime": None, "record": {"room_id": "r-1", "room_name": "Mine",
                "create_time": "2024-01-01T00:00:00Z"}}

        def test_changes_everything(emulator, emulator_server):
            URLS.append(emulator.url)
            assert emulator.url == emulator_server.url
            assert emulator.load("metastudio/smart_chat_rooms", [ROOM]).inserted == 1
            assert emulator.admin.get_records("metastudio/smart_chat_rooms",
                                              tenant=emulator.metastudio.project_id).total == 1
            emulator.metastudio.client().list_smart_chat_rooms(
                __import__("huaweicloudsdkmetastudio.v1").v1.ListSmartChatRoomsRequest())
            emulator.faults.add("ice", error="Throttling.User")
            emulator.admin.set_clock_offset(3600)
            emulator.new_tenant("fixie", generate=True)
            emulator.admin.create_tenant("ice")

        def test_sees_none_of_it(emulator):
            URLS.append(emulator.url)
            assert emulator.faults.list() == []
            assert emulator.admin.get_clock().offset_seconds == 0
            assert {v: len(ts) for v, ts in emulator.admin.list_tenants().items()} == {
                "ice": 2, "metastudio": 2, "fixie": 2}
            assert emulator.journal.requests() == []
            own = emulator.metastudio.project_id
            assert emulator.admin.get_records("metastudio/smart_chat_rooms", tenant=own).total == 0
            assert emulator.metastudio.client().list_smart_chat_rooms(
                __import__("huaweicloudsdkmetastudio.v1").v1.ListSmartChatRoomsRequest()).count == 0

        def test_one_server(emulator):
            URLS.append(emulator.url)
            assert len(set(URLS)) == 1
        """
    )
    suite.runpytest_subprocess(*LEAN).assert_outcomes(passed=3)


def test_official_sdk_clients_work_with_the_handles_credentials(suite: pytest.Pytester) -> None:
    """`emulator.ice.client()` and `emulator.metastudio.client()` are the official SDK clients, signing with the
    test's tenant (auth=verify); Fixie gets a base URL, a key and an httpx client; `tenant()` reaches the dev
    tenants of the README with their default data. The README's example passes as written."""
    suite.makepyfile(
        f"""
        from alibabacloud_ice20201109 import models as ice
        from huaweicloudsdkmetastudio.v1 import ListSmartChatRoomsRequest

        def test_ice(emulator):
            emulator.load("ice/instances", [{{"aiAgentId": "agent-1", "instanceId": "i-1",
                          "startTime": "2030-01-01T00:00:00Z", "record": {{"Status": "Executing"}}}}])
            request = ice.ListAIAgentInstanceRequest(aiagent_id="agent-1")
            body = emulator.ice.client().list_aiagent_instance(request).body
            assert [i.status for i in body.instances] == ["Executing"]
            assert emulator.ice.access_key_id.startswith("LTAI") and emulator.ice.account_id.isdigit()
            emulator.journal.assert_received(times=1, vendor="ice", operation="ListAIAgentInstance",
                                             tenant=emulator.ice.account_id, auth="ok", status=200)

        def test_metastudio(emulator):
            emulator.load("metastudio/smart_chat_rooms", [{{"lastJobStartTime": None, "record": {{
                "room_id": "r-1", "room_name": "Lobby", "create_time": "2024-01-01T00:00:00Z"}}}}])
            answer = emulator.metastudio.client().list_smart_chat_rooms(ListSmartChatRoomsRequest(limit=10))
            assert (answer.count, answer.smart_chat_rooms[0].room_name) == (1, "Lobby")
            emulator.journal.assert_received(vendor="metastudio", tenant=emulator.metastudio.project_id, status=200)

        def test_fixie(emulator):
            emulator.load("fixie/agents", [{{"published": False, "record": {{"agentId": "a-1", "handle": "bot",
                                                                            "displayName": "Bot"}}}}])
            with emulator.fixie.client() as http:
                page = http.get("/api/v1/agents/a-1/conversations").json()
            assert page["conversations"] == [] and page["pageInfo"]["totalResultCount"] == 0
            assert emulator.fixie.base_url == emulator.url
            assert emulator.fixie.headers == {{"Authorization": "Bearer " + emulator.fixie.api_key}}

        def test_dev_tenant(emulator):
            dev = emulator.tenant("ice")
            assert dev.access_key_id == "{DEV_AK}"
            request = ice.ListAIAgentInstanceRequest(aiagent_id="eecced1c45c1485f9844cc4f3d5e9775")
            assert len(dev.client().list_aiagent_instance(request).body.instances) > 0
        """
    )
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Using it from pytest") : readme.index("**The admin client.**")]
    (example,) = re.findall(r"```python\n(.*?)```", section, re.S)
    suite.makepyfile(test_readme=example)  # the README's "Using it from pytest" example, verbatim
    suite.runpytest_subprocess(*LEAN).assert_outcomes(passed=5)


def test_journal_assertion_failure_shows_the_closest_requests_and_how_they_differ(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import httpx

        def test_expects_an_authorised_listing(emulator):
            with httpx.Client(base_url=emulator.url) as http:
                http.get("/api/v1/agents/a-1/conversations")  # no key: 401
                http.get("/v1/" + emulator.metastudio.project_id + "/smart-chat-rooms",
                         headers={"X-Auth-Token": emulator.metastudio.token})
            emulator.journal.assert_received(vendor="fixie", operation="ListConversations", status=200)

        def test_expects_nothing(emulator):
            with emulator.fixie.client() as http:
                http.get("/api/v1/agents/a-1/conversations")
            emulator.journal.assert_not_received(vendor="fixie")

        def test_expects_another_query_exactly_twice(emulator):
            with emulator.fixie.client() as http:
                http.get("/api/v1/agents/a-1/conversations", params={"limit": 5, "offset": 0})
                http.get("/api/v1/agents/a-1/conversations", params={"limit": 10})
            emulator.journal.assert_received(times=1, vendor="fixie", query={"limit": "10"})
            emulator.journal.assert_received(times=2, vendor="fixie", query={"limit": "10"})

        def test_mark_forgets_what_came_before(emulator):
            with emulator.fixie.client() as http:
                http.get("/api/v1/agents/a-1/conversations")
                emulator.journal.mark()
                emulator.journal.assert_not_received(vendor="fixie")
                http.get("/api/v1/agents/a-2/conversations")
            assert [e.path for e in emulator.journal.requests()] == ["/api/v1/agents/a-2/conversations"]

        def test_misspelt_field(emulator):
            emulator.journal.assert_received(stauts=200)
        """
    )
    result = suite.runpytest_subprocess(*LEAN)
    result.assert_outcomes(passed=1, failed=4)
    result.stdout.fnmatch_lines([line.replace("[", "[[]") for line in NEAR_MISS_REPORT])  # "[" is fnmatch's


def test_markers_get_servers_of_their_own_cached_per_settings(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A marker's settings (merged over the ini's, the test's marker over the module's) pick a server of their
    own, started once per distinct settings; `fixtures=` is relative to the rootdir and its manifest's tenants are
    reached with `tenant()`; `generate=True` gives the test's own tenants generated data; `EMULATOR_*` variables
    do not apply; a bad or misspelt setting fails the test in one line."""
    data = suite.mkdir("data")
    data.joinpath("manifest.json").write_text(
        '{"generate": false, "tenants": {"ice": [{"account_id": "42", "access_keys": [{"id": "LTAIfixture0000000001",'
        ' "secret": "fixtureSecret00000000000000000001"}]}]}}'
    )
    data.joinpath("ice").mkdir()
    data.joinpath("ice", "instances.json").write_text(
        '[{"tenant": "42", "aiAgentId": "agent-f", "instanceId": "i-f", "startTime": "2030-01-01T00:00:00Z",'
        ' "record": {"Status": "Finished"}}]'
    )
    suite.makepyfile(
        """
        import pytest
        from alibabacloud_ice20201109 import models as ice

        pytestmark = pytest.mark.emulator(seed=7)
        URLS = {}

        def test_module_marker(emulator):
            URLS["seed7"] = emulator.url
            assert emulator.admin.health().seed == 7 and emulator.settings.scale == 0.05

        @pytest.mark.emulator(seed="7")
        def test_same_settings_same_server(emulator):
            assert emulator.url == URLS["seed7"]

        @pytest.mark.emulator(seed=20201109)
        def test_closest_marker_wins(emulator, emulator_server):
            assert emulator.admin.health().seed == 20201109
            assert emulator.url == emulator_server.url != URLS["seed7"]

        @pytest.mark.emulator(fixtures="data")
        def test_fixtures(emulator):
            tenant = emulator.tenant("ice")
            assert (tenant.account_id, tenant.access_key_id) == ("42", "LTAIfixture0000000001")
            request = ice.ListAIAgentInstanceRequest(aiagent_id="agent-f")
            assert [i.status for i in tenant.client().list_aiagent_instance(request).body.instances] == ["Finished"]
            assert emulator.admin.list_tenants()["ice"] == [tenant.model.model_dump(exclude_none=True)]

        @pytest.mark.emulator(generate=True)
        def test_generate(emulator):
            assert emulator.url == URLS["seed7"]  # not a server setting
            own = emulator.admin.get_records("ice/instances", tenant=emulator.ice.account_id)
            assert own.total > 0

        def test_environment_does_not_apply(emulator_server):
            assert emulator_server.admin.health().seed == 20201109  # EMULATOR_SEED=5 is for `emulator serve`

        @pytest.mark.emulator(auth="maybe")
        def test_bad_setting(emulator):
            pass

        @pytest.mark.emulator(sead=7)
        def test_misspelt_setting(emulator):
            pass
        """
    )
    monkeypatch.setenv("EMULATOR_SEED", "5")
    result = suite.runpytest_subprocess(*LEAN)
    result.assert_outcomes(passed=6, errors=2)
    result.stdout.fnmatch_lines(
        [
            "emulator: bad setting auth='maybe': Input should be 'verify', 'presence' or 'off'",
            "emulator: bad setting sead=7: Extra inputs are not permitted",
        ]
    )


def test_xdist_workers_each_run_their_own_server_and_tests_stay_isolated(suite: pytest.Pytester) -> None:
    """`-n 2`: both workers serve their tests from servers of their own, and every test starts clean although
    each one changes the state."""
    suite.makepyfile(
        """
        import os
        import pytest

        @pytest.mark.parametrize("n", range(6))
        def test_isolated(emulator, n):
            assert emulator.faults.list() == [] and emulator.journal.requests() == []
            assert emulator.admin.get_records("ice/instances", tenant=emulator.ice.account_id).total == 0
            emulator.load("ice/instances", [{"aiAgentId": "a", "instanceId": f"i-{n}",
                          "startTime": "2030-01-01T00:00:00Z", "record": {"Status": "Executing"}}])
            emulator.faults.add("fixie", error="INTERNAL")
            with emulator.fixie.client() as http:
                assert http.get("/api/v1/agents/a/conversations").status_code == 500
            worker = os.environ["PYTEST_XDIST_WORKER"]
            with open(f"urls-{worker}.txt", "a") as out:
                out.write(emulator.url + "\\n")
        """
    )
    result = suite.runpytest_subprocess("-n", "2", *LEAN)
    result.assert_outcomes(passed=6)
    urls = [set(suite.path.joinpath(f"urls-gw{i}.txt").read_text().split()) for i in (0, 1)]
    assert all(len(u) == 1 for u in urls) and urls[0] != urls[1]


def test_a_suite_that_does_not_use_it_starts_no_server(suite: pytest.Pytester) -> None:
    """The plugin is loaded (its marker and ini options exist) but imports nothing of the emulator until used."""
    suite.makepyfile(
        """
        import sys
        import pytest

        @pytest.mark.emulator(seed=1)
        def test_plain():
            assert "emulator.app" not in sys.modules and "uvicorn" not in sys.modules
        """
    )
    result = suite.runpytest_subprocess("--strict-markers", *LEAN)
    result.assert_outcomes(passed=1)
