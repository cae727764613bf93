"""`seeded_faker` keeps Faker's weighted draws' running sums instead of summing 7,000 weights at every name: the text
must be exactly what a plain Faker with the same seed writes, call for call."""

from __future__ import annotations

from collections import OrderedDict

from faker import Faker

from emulator.core.pools import TextPools, seeded_faker


def plain(*parts: object) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(":".join(str(p) for p in parts))
    return fake


def draws(fake: Faker) -> list[object]:
    out: list[object] = []
    for _ in range(300):
        out += [fake.email(), fake.name(), fake.first_name(), fake.last_name(), fake.company(), fake.job()]
        out += [fake.sentence(nb_words=9), fake.word(), fake.domain_name(), fake.pybool(), fake.hexify("^" * 16)]
    weighted = OrderedDict([("a", 0.5), ("b", 0.2), ("c", 0.3)])
    out += [fake.random_element(weighted) for _ in range(50)]
    out += [fake.random_elements(weighted, length=3) for _ in range(50)]
    out += [fake.random_elements(weighted, unique=True) for _ in range(50)]
    out += [fake.random_elements(weighted, length=2, use_weighting=False) for _ in range(50)]
    return out


def test_seeded_faker_draws_what_faker_draws() -> None:
    for seed in ("1:ice:x", 20201109, "7:fixie:owner"):
        assert draws(seeded_faker(seed)) == draws(plain(seed))


def test_text_pools_are_fakers_own() -> None:
    assert TextPools.build(seeded_faker(3, "fixie", "o")) == TextPools.build(plain(3, "fixie", "o"))
