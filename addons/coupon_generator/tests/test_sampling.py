"""Sampling: uniform digits from the CSPRNG, and a keyed permutation that never repeats a number."""
from collections import Counter

import pytest
from odoo.addons.coupon_generator.codes import symbols
from odoo.addons.coupon_generator.codes.permutation import Permutation
from odoo.addons.coupon_generator.codes.sampling import distinct_codes, new_key, uniform_digits
from odoo.addons.coupon_generator.codes.template import parse


@pytest.mark.parametrize("size", [1, 2, 3, 97, 1000, 4097, 65536])
def test_permutation_visits_every_number_once(size):
    images = Permutation(size, new_key()).apply(list(range(size)))
    assert sorted(images) == list(range(size))


def test_permutation_depends_on_the_key_only():
    key = new_key()
    first = Permutation(10_000, key).apply(list(range(50)))
    assert Permutation(10_000, key).apply(list(range(50))) == first
    assert Permutation(10_000, new_key()).apply(list(range(50))) != first
    assert first != list(range(50))


@pytest.mark.parametrize("radix", [1, 2, 10, 33, 66, 250])
def test_uniform_digits_cover_the_radix_without_bias(radix):
    digits = uniform_digits(radix * 400, radix)
    counts = Counter(digits)
    assert len(digits) == radix * 400 and set(counts) == set(range(radix))
    assert max(counts.values()) < 400 * 1.5 and min(counts.values()) > 400 * 0.5


def test_distinct_codes_are_distinct_up_to_the_whole_space():
    template = parse("##", {"#": symbols.digits()})
    assert sorted(distinct_codes(template, 1000)) == [f"{i:02d}" for i in range(100)]
    large = parse("$$$$$$$$", {"$": symbols.english("mixed")})
    assert len(set(distinct_codes(large, 500))) == 500
