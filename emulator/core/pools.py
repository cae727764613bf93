"""Pools of realistic text drawn once from a seeded Faker, then sampled with a seeded Random.

Calling Faker per record is slow at 10^6 records; sampling precomputed pools keeps generation fast while the
text still reads like conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    fake = Faker(locale)
    fake.seed_instance(":".join(str(p) for p in parts))
    return fake
