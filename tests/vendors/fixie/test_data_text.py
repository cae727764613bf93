"""The draws `fixie.data_text` writes out by hand are the ones `Random.choice` and `Random.randrange` make on this
interpreter: the same values, the streams in step after them."""

from __future__ import annotations

import random

from emulator.vendors.fixie.data_text import _below


def test_choice_is_an_index_drawn_below_the_length() -> None:
    for size in (1, 2, 3, 4, 7, 8, 400, 1000):
        seq = list(range(size))
        r, same = random.Random(f"choice:{size}"), random.Random(f"choice:{size}")
        below = _below(same)
        assert [r.choice(seq) for _ in range(2000)] == [seq[below(len(seq))] for _ in range(2000)]
        assert r.random() == same.random()


def test_randrange_is_its_start_plus_a_draw_below_the_width() -> None:
    for start, stop in ((1, 2), (1, 7), (300, 9000), (40, 4000), (1000, 15_000), (20_000, 120_000), (0, 4)):
        r, same = random.Random(f"range:{start}:{stop}"), random.Random(f"range:{start}:{stop}")
        below = _below(same)
        assert [r.randrange(start, stop) for _ in range(2000)] == [start + below(stop - start) for _ in range(2000)]
        assert r.random() == same.random()
