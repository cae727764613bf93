"""Bounded memos for what clients send again and again: paths, Host values, request bytes, signed requests.

The set of keys is open-ended (paths carry ids, every signature differs) but the working set is small, so a memo
holds up to `size` keys and, when full, forgets them all at once: no bookkeeping per hit, as an LRU would need.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    __slots__ = ("_found", "get", "size")

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._found: dict[K, V] = {}
        # The value remembered for a key, else None: the dict's own method, as a look-up runs on every request.
        self.get: Callable[[K], V | None] = self._found.get

    def put(self, key: K, value: V) -> None:
        if len(self._found) >= self.size:
            self._found.clear()
        self._found[key] = value

    def get_or(self, key: K, compute: Callable[[], V]) -> V:
        """The value remembered for `key`, else `compute()`, remembered (None included)."""
        try:
            return self._found[key]
        except KeyError:
            value = compute()
            self.put(key, value)
            return value

    def __len__(self) -> int:
        return len(self._found)
