"""`Memo`: values computed once per key (None included), and at most `size` keys held."""

from __future__ import annotations

from emulator.core.memo import Memo


def test_a_value_is_computed_once_per_key_none_included() -> None:
    calls: list[str] = []

    def compute(key: str) -> str | None:
        calls.append(key)
        return None if key == "none" else key.upper()

    memo: Memo[str, str | None] = Memo()
    assert [memo.get_or(k, lambda k=k: compute(k)) for k in ("a", "none", "a", "none")] == ["A", None, "A", None]
    assert calls == ["a", "none"]


def test_a_full_memo_forgets_everything_and_keeps_going() -> None:
    memo: Memo[int, int] = Memo(size=3)
    for k in range(3):
        memo.put(k, k * 10)
    assert len(memo) == 3 and memo.get(2) == 20
    memo.put(3, 30)
    assert len(memo) == 1 and memo.get(0) is None and memo.get(3) == 30
