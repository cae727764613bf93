from collections.abc import Callable
from typing import Any

methods: dict[str, Any]

def setup(
    getrandbits: Callable[..., Any],
    choice: Callable[..., Any],
    randrange: Callable[..., Any],
    randint: Callable[..., Any],
    sample: Callable[..., Any],
    /,
) -> None: ...
