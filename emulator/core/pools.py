"""Pools of realistic text drawn once from a seeded Faker, then sampled with a seeded Random.

Calling Faker per record is slow at 10^6 records; sampling precomputed pools keeps generation fast while the
text still reads like conversation.
"""

from __future__ import annotations

import types
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported by `seeded_faker`: serving the shipped default dataset needs no Faker
    from faker import Faker

POOL = 400


@dataclass(frozen=True)
class TextPools:
    user_lines: list[str]
    agent_lines: list[str]
    reasoning: list[str]
    words: list[str]
    names: list[str]

    @classmethod
    def build(cls, fake: Faker) -> TextPools:
        return cls(
            user_lines=[_question(fake) for _ in range(POOL)],
            agent_lines=[fake.paragraph(nb_sentences=2) for _ in range(POOL)],
            reasoning=[fake.sentence(nb_words=14) for _ in range(POOL)],
            words=[fake.word() for _ in range(POOL)],
            names=[fake.name() for _ in range(POOL)],
        )


def _question(fake: Faker) -> str:
    return fake.sentence(nb_words=9).rstrip(".") + ("?" if fake.pybool() else ".")


def seeded_faker(*parts: object, locale: str = "en_US") -> Faker:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(":".join(str(p) for p in parts))
    _weights_once(fake)
    return fake


def _weights_once(fake: Faker) -> None:
    """Faker draws a weighted element (a first or last name: 7,000 weighted names) by copying the weights and
    summing them at every call, ~30 us of a name's ~35. Here its providers keep the running sums instead; the draw
    is the same (`Random.choices` with `cum_weights` is what it does with `weights` after summing them), so the
    text is byte for byte Faker's own (tests/core/test_pools.py checks). Only this Faker instance changes."""
    from faker.providers import BaseProvider

    sums: dict[int, tuple[object, tuple[Any, ...], list[float]]] = {}
    unweighted = BaseProvider.random_elements

    def random_elements(
        self: BaseProvider,
        elements: Any = ("a", "b", "c"),
        length: int | None = None,
        unique: bool = False,
        use_weighting: bool | None = None,
    ) -> Sequence[Any]:
        weighted = self.__use_weighting__ if use_weighting is None else use_weighting
        if length is None or unique or not weighted or not isinstance(elements, OrderedDict):
            drawn: Sequence[Any] = unweighted(self, elements, length, unique, use_weighting)
            return drawn
        hit = sums.get(id(elements))  # the entry holds `elements`, so its id is not reused meanwhile
        if hit is None:
            hit = sums[id(elements)] = (elements, tuple(elements), list(accumulate(elements.values())))
        picked: list[Any] = self.generator.random.choices(hit[1], cum_weights=hit[2], k=length)
        return picked

    for generator in fake._factories:
        for provider in generator.providers:
            provider.random_elements = types.MethodType(random_elements, provider)
