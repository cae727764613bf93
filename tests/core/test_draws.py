"""`Draws` (choice, randrange, randint and sample in C where the extension is built) draws exactly what
`random.Random` draws: the same values, the same errors, and the same stream after them, call for call."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.core import draws
from emulator.core.draws import Draws

BIG = 2**70
ints = st.one_of(st.integers(-50, 50), st.integers(-BIG, BIG), st.sampled_from([0, 1, 2**62, -(2**62), 2**63]))
sequences = st.one_of(
    st.lists(st.integers(0, 9), max_size=30),
    st.lists(st.integers(0, 9), max_size=30).map(tuple),
    st.text(max_size=12),
    st.integers(0, 30).map(range),  # not drawn in C: handed to random.Random
)
populations = st.one_of(
    st.lists(st.integers(), max_size=200), st.lists(st.integers(), max_size=200).map(tuple), st.just(list(range(5000)))
)
calls = st.lists(
    st.one_of(
        st.tuples(st.just("choice"), sequences),
        st.tuples(st.just("randrange"), ints),
        st.tuples(st.just("randrange"), ints, ints),
        st.tuples(st.just("randrange"), ints, ints, st.sampled_from([1, 2, -3, 0])),
        st.tuples(st.just("randint"), ints, ints),
        st.tuples(st.just("sample"), populations, st.integers(-1, 60)),
        st.tuples(st.just("sample_counts"), st.lists(st.integers(), min_size=1, max_size=5), st.integers(0, 3)),
        st.tuples(st.just("randint_floats"), st.floats(0, 5), st.floats(5, 10)),
        st.tuples(st.just("random")),
        st.tuples(st.just("getrandbits"), st.integers(1, 100)),
    ),
    max_size=25,
)


def run(r: random.Random, call: tuple[Any, ...]) -> Any:
    name, *args = call
    try:
        if name == "sample_counts":
            return r.sample(args[0], args[1], counts=[2] * len(args[0]))
        if name == "randint_floats":
            return r.randint(*args)
        return getattr(r, name)(*args)
    except (ValueError, TypeError, IndexError) as exc:
        return type(exc), str(exc)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # float bounds, as Python 3.11 still takes them
@settings(max_examples=400, deadline=None)
@given(seed=st.integers(0, 2**32), program=calls)
def test_draws_answer_as_random_does_call_for_call(seed: int, program: list[tuple[Any, ...]]) -> None:
    ours, theirs = Draws(seed), random.Random(seed)
    for call in program:
        assert run(ours, call) == run(theirs, call), call
    assert ours.getstate() == theirs.getstate()


def test_the_c_build_draws_the_four_methods() -> None:
    """Where it is built, the four methods are the C ones; the rest are random.Random's."""
    methods = ("choice", "randrange", "randint", "sample")
    native = [name for name in methods if getattr(Draws, name) is not getattr(random.Random, name)]
    assert native == (list(methods) if draws.compiled() else [])
    assert Draws.getrandbits is random.Random.getrandbits and Draws.random is random.Random.random


@pytest.mark.parametrize("override", ["random", "getrandbits"])
def test_a_subclass_that_draws_otherwise_gets_the_python_methods(override: str) -> None:
    """A subclass with its own `random` or `getrandbits` makes Random's `_randbelow` differ from the C one."""

    def fixed(self: random.Random, *args: Any) -> Any:
        return 0.5 if override == "random" else 3

    sub = type("Sub", (Draws,), {override: fixed})
    base = type("Base", (random.Random,), {override: fixed})
    ours, theirs = sub(1), base(1)
    assert [ours.choice(range(10)), ours.randint(0, 9)] == [theirs.choice(range(10)), theirs.randint(0, 9)]
    assert sub.choice is random.Random.choice


def test_a_large_program_of_typical_draws_matches() -> None:
    """What generation does most, many times over: the streams stay in step."""
    ours, theirs = Draws("ice:1:session"), random.Random("ice:1:session")
    words = [f"w{i}" for i in range(400)]
    for _ in range(20_000):
        assert ours.randrange(800, 9000) == theirs.randrange(800, 9000)
        assert ours.choice(words) == theirs.choice(words)
        assert ours.randint(0, 3) == theirs.randint(0, 3)
        assert ours.sample(words, 8) == theirs.sample(words, 8)
        assert ours.random() == theirs.random()
