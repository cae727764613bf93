"""The nonce caches behind ICE replay protection: a nonce is refused inside the signature window and accepted again
after it, and expired nonces are dropped as time moves on, so memory stays bounded by the window. One process's
cache has a C build and a Python build; they answer alike, call for call."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core import nonces
from emulator.core.journal import connect
from emulator.core.nonces import PRUNE_EVERY, Nonces, SharedNonces, memory_nonces

WINDOW = 900.0
Cache = Nonces | SharedNonces
native = pytest.mark.skipif(not nonces.compiled(), reason="the C build is not installed")


@pytest.fixture(params=[pytest.param("native", marks=native), "python", "shared"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Cache]:
    if request.param == "native":
        return memory_nonces
    if request.param == "python":
        return lambda: memory_nonces(python=True)
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


def test_a_window_ends_exactly_also_for_a_nonce_not_yet_dropped(make: Callable[[], Cache]) -> None:
    cache = make()
    assert cache.record("ak\x00held", 10_000.0, WINDOW)
    # The clock set back: this nonce's window is over at 10,000 while the one before keeps it in the cache.
    assert cache.record("ak\x00n", 10_000.0 - WINDOW, WINDOW)
    assert cache.seen("ak\x00n", 10_000.0 - 0.5, WINDOW)
    assert not cache.seen("ak\x00n", 10_000.0, WINDOW)
    assert cache.record("ak\x00n", 10_000.0, WINDOW)


@pytest.mark.parametrize("python", [pytest.param(False, marks=native), True])
def test_both_uses_of_a_nonce_recorded_again_expire(python: bool) -> None:
    cache = memory_nonces(python=python)
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


@pytest.mark.parametrize("python", [pytest.param(False, marks=native), True])
def test_a_nonce_leaves_the_cache_as_its_window_ends(python: bool) -> None:
    cache = memory_nonces(python=python)
    assert cache.record("ak\x00first", 1000.0, WINDOW)
    assert cache.record("ak\x00second", 1000.5, WINDOW)
    assert cache.record("ak\x00third", 1000.0 + WINDOW - 0.25, WINDOW)
    assert cache.size() == 3
    assert not cache.seen("ak\x00other", 1000.0 + WINDOW, WINDOW)  # the first one's window is over, to the second
    assert cache.size() == 2
    assert not cache.seen("ak\x00other", 1000.0 + 2 * WINDOW, WINDOW)
    assert cache.size() == 0


@native
def test_the_c_build_is_what_a_process_uses() -> None:
    assert type(memory_nonces()).__name__ == "NativeNonces"
    assert type(memory_nonces(python=True)) is nonces.PythonNonces


@native
@settings(max_examples=300, deadline=None)
@given(
    program=st.lists(
        st.tuples(st.sampled_from(["seen", "record"]), st.integers(0, 40), st.floats(-15, 10)), max_size=120
    )
)
def test_the_c_build_answers_as_the_python_build(program: list[tuple[str, int, float]]) -> None:
    """A few keys, times mostly moving on and now and then set back past a window: replays, renewed uses, expiry."""
    ours, theirs = memory_nonces(), memory_nonces(python=True)
    now, window = 1000.0, 5.0
    for method, key, step in program:
        now += step
        assert getattr(ours, method)(f"k{key}", now, window) == getattr(theirs, method)(f"k{key}", now, window)
        assert ours.size() == theirs.size()


@native
def test_the_c_build_answers_as_the_python_build_while_it_grows_and_expires() -> None:
    """Past its first table and ring (a thousand slots), expiring from the middle of probe runs: the same answers
    and the same count throughout."""
    draw = random.Random(7)
    ours, theirs = memory_nonces(), memory_nonces(python=True)
    now, window = 0.0, 50.0
    for n in range(60_000):
        now += draw.random() * (0.05 if n < 20_000 else 0.01)
        key = f"ak\x00{draw.randrange(30_000)}"
        method = "record" if draw.random() < 0.8 else "seen"
        assert getattr(ours, method)(key, now, window) == getattr(theirs, method)(key, now, window), n
        if n % 997 == 0:
            assert ours.size() == theirs.size(), n
    assert ours.size() == theirs.size() > 1024


@native
def test_the_c_build_refuses_what_the_python_build_refuses() -> None:
    cache = memory_nonces()
    with pytest.raises(TypeError):
        cache.record(["not", "hashable"], 1.0, WINDOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache.record("ak\x00n", "now", WINDOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cache.seen("ak\x00n", 1.0)  # type: ignore[call-arg]
    assert cache.size() == 0
