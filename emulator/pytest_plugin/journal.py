"""`emulator.journal`: the requests a test sent, and assertions on them that, when they fail, show what was received
instead, the closest first, with how each differs (WireMock's near misses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from emulator.admin.models import JournalEntry
from emulator.client import EmulatorClient
from emulator.client.calls import RequestFilters

FIELDS = frozenset(JournalEntry.model_fields)
NEAR_MISSES = 3  # requests shown when an assertion fails
FETCH = 1000  # entries read for a client-side match (the journal's default size)


class Journal:
    """The journal from the test's start on (`since` the newest entry then): with one server per xdist worker,
    exactly the test's own requests."""

    def __init__(self, admin: EmulatorClient, since: int | None) -> None:
        self.admin = admin
        self.since = since

    def mark(self) -> None:
        """Forget what was received so far: later queries and assertions see only newer requests."""
        newest = self.admin.list_requests(limit=1)
        self.since = newest[0].id if newest else self.since

    def _filters(self, filters: RequestFilters) -> RequestFilters:
        if self.since is not None and "since" not in filters:
            return {**filters, "since": self.since}
        return filters

    def requests(self, *, limit: int = FETCH, **filters: Unpack[RequestFilters]) -> list[JournalEntry]:
        """Entries since the test began, newest first (the server's filters: vendor, operation, tenant, ...)."""
        return self.admin.list_requests(limit=limit, **self._filters(filters))

    def count(self, **filters: Unpack[RequestFilters]) -> int:
        return self.admin.count_requests(**self._filters(filters))

    def assert_received(self, times: int | None = None, **criteria: Any) -> list[JournalEntry]:
        """Assert that requests matching `criteria` (entry fields: method, path, vendor, operation, tenant, status,
        code, auth, fault, ...; `query` and `headers` match as subsets) were received: at least once, or exactly
        `times`. Answers the matches, newest first; on failure the message lists the near misses."""
        __tracebackhide__ = True  # pytest shows the failing line of the test, not this one
        known(criteria)
        received = self.requests()
        matched = [e for e in received if not differences(e, criteria)]
        if (times is None and matched) or len(matched) == times:
            return matched
        wanted = "at least 1 request" if times is None else f"exactly {times} request{'s' * (times != 1)}"
        raise AssertionError(report(f"expected {wanted} matching {describe(criteria)}", received, matched, criteria))

    def assert_not_received(self, **criteria: Any) -> None:
        """Assert that no request matching `criteria` was received; on failure, list those that were."""
        __tracebackhide__ = True
        known(criteria)
        received = self.requests()
        matched = [e for e in received if not differences(e, criteria)]
        if matched:
            raise AssertionError(report(f"expected no request matching {describe(criteria)}", received, matched, {}))


def known(criteria: Mapping[str, Any]) -> None:
    """A misspelt field is an error, not a criterion nothing matches."""
    unknown = set(criteria) - FIELDS
    if unknown:
        raise TypeError(f"unknown journal fields {sorted(unknown)}; known: {sorted(FIELDS)}")


def differences(entry: JournalEntry, criteria: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, expected, got) for every criterion the entry misses."""
    out: list[tuple[str, Any, Any]] = []
    for name, expected in criteria.items():
        got = getattr(entry, name)
        if isinstance(expected, Mapping) and isinstance(got, Mapping):
            for key, value in expected.items():
                if got.get(key) != value:
                    out.append((f"{name}[{key!r}]", value, got.get(key)))
        elif got != expected:
            out.append((name, expected, got))
    return out


def describe(criteria: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in criteria.items()) + "}"


def summary(entry: JournalEntry) -> str:
    """One line: `#12 POST / -> 400 InvalidParameter [ice ListAIAgentDialogues, tenant 1000..., auth ok]`."""
    answer = "no answer (connection dropped)" if entry.status is None else str(entry.status)
    if entry.code:
        answer += f" {entry.code}"
    about = [entry.vendor, entry.operation or "(no operation)"]
    details = [f"tenant {entry.tenant}" if entry.tenant else "no tenant", f"auth {entry.auth}"]
    if entry.fault:
        details.append(f"fault {entry.fault}")
    return f"#{entry.id} {entry.method} {entry.path} -> {answer} [{' '.join(about)}, {', '.join(details)}]"


def report(
    headline: str, received: list[JournalEntry], matched: list[JournalEntry], criteria: Mapping[str, Any]
) -> str:
    lines = [f"{headline}: {len(matched)} of the {len(received)} requests received in this test matched."]
    if not received:
        lines.append("No request reached the emulator since the test began (is the client pointed at it?).")
        return "\n".join(lines)
    if matched and not criteria:
        lines.append("Matching requests:")
        lines.extend(f"  {summary(e)}" for e in matched[:NEAR_MISSES])
        return "\n".join(lines)
    misses = [(differences(e, criteria), e) for e in received if differences(e, criteria)]
    misses.sort(key=lambda pair: (len(pair[0]), -pair[1].id))  # fewest differences, then newest
    if matched:
        lines.append("Matching requests:")
        lines.extend(f"  {summary(e)}" for e in matched[:NEAR_MISSES])
    lines.append("Closest requests that did not match:" if misses else "Every request received matched.")
    for diffs, entry in misses[:NEAR_MISSES]:
        lines.append(f"  {summary(entry)}")
        lines.extend(f"      {name}: expected {want!r}, got {got!r}" for name, want, got in diffs)
    if len(misses) > NEAR_MISSES:
        lines.append(f"  ... and {len(misses) - NEAR_MISSES} more")
    return "\n".join(lines)
