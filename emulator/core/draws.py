"""The random streams generated data is drawn from: `Draws` is a `random.Random` whose choice, randrange, randint and
sample run in C where the extension is built (`_draws.c`, by setup.py beside the signature check).

Those four are about a fifth of a dataset build's generating time in Python: each is two or three Python frames
around one `getrandbits` call. The C build draws exactly what the Python methods draw, through the same
`getrandbits`, in the same order (tests/core/test_draws.py compares them call for call), and hands any other call
(other argument types, keywords, the ones that raise) to `random.Random`'s own method; without it, `Draws` is
`random.Random` as it is.
"""

from __future__ import annotations

import random

try:
    from emulator.core import _draws as native
except ImportError:  # no compiler at install time
    native = None  # type: ignore[assignment]


class Draws(random.Random):
    """`random.Random`, drawing its choices, ranges and samples in C where it can. Its `getrandbits` (which the C
    build calls directly) and `random` are random.Random's: a subclass that changes them gets the Python methods."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if native is not None and ("getrandbits" in cls.__dict__ or "random" in cls.__dict__):
            for name in native.methods:
                setattr(cls, name, getattr(random.Random, name))


if native is not None:
    _random = random.Random
    native.setup(_random.getrandbits, _random.choice, _random.randrange, _random.randint, _random.sample)
    for _name, _method in native.methods.items():
        setattr(Draws, _name, _method)


def compiled() -> bool:
    """Whether the C build is installed."""
    return native is not None
