"""The nonce caches behind ICE replay protection: a nonce is refused inside the signature window and accepted again
after it, and expired nonces are dropped as time moves on, so memory stays bounded by the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emulator.core.journal import connect
from emulator.core.nonces import PRUNE_EVERY, MemoryNonces, SharedNonces

WINDOW = 900.0
Cache = MemoryNonces | SharedNonces


@pytest.fixture(params=["memory", "shared"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Cache]:
    if request.param == "memory":
        return MemoryNonces
    return lambda: SharedNonces(connect(tmp_path / "runtime.sqlite3"))


def test_a_nonce_is_refused_inside_the_window_and_accepted_after_it(make: Callable[[], Cache]) -> None:
    cache = make()
    assert not cache.seen("ak\x00n1", 1000.0, WINDOW)
    assert cache.record("ak\x00n1", 1000.0, WINDOW) is True
    assert cache.seen("ak\x00n1", 1000.0 + WINDOW - 1, WINDOW)
    assert cache.record("ak\x00n1", 1000.0 + WINDOW - 1, WINDOW) is False  # a replay
    assert not cache.seen("ak\x00n2", 1001.0, WINDOW)  # another nonce
    assert not cache.seen("ak\x00n1", 1000.0 + WINDOW, WINDOW)  # its window is over
    assert cache.record("ak\x00n1", 1000.0 + WINDOW, WINDOW) is True


def test_expired_nonces_are_dropped_as_time_moves_on(make: Callable[[], Cache]) -> None:
    cache = make()
    per_second = 10
    seconds = 3 * int(WINDOW)
    for n in range(seconds * per_second):
        assert cache.record(f"ak\x00{n}", n / per_second, WINDOW)
        cache.seen("probe", n / per_second, WINDOW)
    # What is live is one window's worth (plus, for the shared table, at most one batch not yet pruned).
    assert WINDOW * per_second <= cache.size() <= WINDOW * per_second + PRUNE_EVERY + 1


def test_a_nonce_is_accepted_again_when_the_clock_went_back_past_its_window(make: Callable[[], Cache]) -> None:
    cache = make()
    assert cache.record("ak\x00n", 10_000.0, WINDOW)
    # The emulator's clock set back by more than a window: that use lies outside the window, as if expired.
    assert cache.record("ak\x00n", 10_000.0 - WINDOW - 1, WINDOW)
    assert cache.seen("ak\x00n", 10_000.0 - WINDOW, WINDOW)
    assert cache.record("ak\x00n", 10_000.0 - WINDOW, WINDOW) is False  # a replay of the second use


def test_both_uses_of_a_nonce_recorded_again_expire() -> None:
    cache = MemoryNonces()
    assert cache.record("ak\x00n", 10_000.0, WINDOW)
    assert cache.record("ak\x00n", 10_000.0 - WINDOW - 1, WINDOW)  # the clock went back
    assert cache.record("ak\x00other", 10_000.0 - WINDOW, WINDOW)
    assert cache.record("ak\x00last", 10_000.0 + WINDOW, WINDOW)
    assert cache.size() == 1


def test_two_workers_share_one_table(tmp_path: Path) -> None:
    first, second = (SharedNonces(connect(tmp_path / "runtime.sqlite3")) for _ in range(2))
    assert first.record("ak\x00n", 5.0, WINDOW)
    assert second.seen("ak\x00n", 6.0, WINDOW)
    assert second.record("ak\x00n", 6.0, WINDOW) is False
