"""Templates: static characters and placeholders, escapes, exact combination counts, code numbering."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odoo.addons.coupon_generator.codes import symbols
from odoo.addons.coupon_generator.codes.sampling import random_codes
from odoo.addons.coupon_generator.codes.template import TemplateError, parse

DEFAULTS = {"#": symbols.digits(), "$": symbols.english(), "@": symbols.russian()}


@pytest.mark.parametrize("text, combinations", [
    ("SALE-$$##", 26 ** 2 * 10 ** 2),
    ("@#", 33 * 10),
    ("NO-PLACEHOLDER", 1),  # the original said 0
    ("\\#\\$\\@", 1),
    ("$" * 30, 26 ** 30),  # exact, far beyond 64-bit integers
])
def test_combinations_are_exact(text, combinations):
    assert parse(text, DEFAULTS).combinations == combinations


def test_backslash_writes_placeholders_and_itself_literally():
    template = parse("A\\#\\\\#", DEFAULTS)
    assert template.combinations == 10
    assert template.code_at(7) == "A#\\7"


def test_every_problem_is_reported_at_once():
    with pytest.raises(TemplateError) as caught:
        parse("A B\\", DEFAULTS)
    assert len(caught.value.problems) == 2
    assert "lone backslash" in caught.value.problems[0] and "spaces" in caught.value.problems[1]


def test_empty_and_too_long_templates_are_refused():
    with pytest.raises(TemplateError, match="empty"):
        parse("", DEFAULTS)
    with pytest.raises(TemplateError, match="at most 64"):
        parse("#" * 65, DEFAULTS)


def test_numbering_is_a_bijection_in_mixed_radix():
    template = parse("X@$#", {**DEFAULTS, "@": symbols.from_string("ab"), "$": symbols.from_string("xyz")})
    codes = template.codes_at(list(range(template.combinations)))
    assert codes[:4] == ["Xax0", "Xax1", "Xax2", "Xax3"] and codes[-1] == "Xbz9"
    assert len(set(codes)) == 60 == template.combinations
    assert [template.index_of(code) for code in codes] == list(range(60))


def test_codes_of_every_width_are_built_and_read_back():
    emoji = symbols.from_string("🎁🎉")
    template = parse("№-@$#-%", {**DEFAULTS, "%": emoji}, case="mixed")
    for code in random_codes(template, 200):
        assert template.regex().fullmatch(code)
        assert template.code_at(template.index_of(code)) == code


def test_lookalikes_are_removed_from_every_placeholder():
    template = parse("$#", DEFAULTS, exclude_lookalikes=True)
    letters, digits = (c.symbols for c in template.positions)
    assert not set("OISZB") & set(letters) and not set("01528") & set(digits)
    assert template.combinations == len(letters) * len(digits)


def test_lookalike_removal_that_empties_a_placeholder_is_refused():
    with pytest.raises(TemplateError, match="placeholder '%' has no symbol left"):
        parse("%#", {**DEFAULTS, "%": symbols.from_string("O")}, exclude_lookalikes=True)


templates = st.lists(st.sampled_from(["#", "$", "@", "*", "-", "A", "\\#", "№"]), min_size=1, max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(text=templates, check=st.booleans(), data=st.data())
def test_any_code_matches_its_template_and_numbers_round_trip(text, check, data):
    template = parse(text, {**DEFAULTS, "*": symbols.special()}, check_char=check, case="mixed")
    index = data.draw(st.integers(0, template.combinations - 1))
    code = template.code_at(index)
    assert len(code) == template.length
    assert re.fullmatch(template.regex(), code)
    assert template.index_of(code) == index and template.diagnose(code) == "ok"
