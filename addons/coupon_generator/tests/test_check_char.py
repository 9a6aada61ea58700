"""The check character: every single substitution and every swap of neighbouring symbols is caught."""
import pytest
from odoo.addons.coupon_generator.codes import symbols
from odoo.addons.coupon_generator.codes.check import next_prime
from odoo.addons.coupon_generator.codes.template import parse

SMALL = {"#": symbols.digits(), "%": symbols.from_string("ABC"), "$": symbols.english()}


def _typos(code: str, alphabet: set[str]):
    for i, char in enumerate(code):
        for other in alphabet - {char}:
            yield code[:i] + other + code[i + 1:]
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            yield code[:i] + code[i + 1] + code[i] + code[i + 2:]


@pytest.mark.parametrize("text", ["%#-#", "#%#", "$#"])
def test_no_single_typo_turns_a_code_into_another_valid_code(text):
    template = parse(text, SMALL, check_char=True)
    codes = template.codes_at(list(range(template.combinations)))
    valid = set(codes)
    alphabet = set("".join(template.slots()))
    for code in codes:
        assert not valid & set(_typos(code, alphabet)), code


def test_check_alphabet_is_prime_sized_and_tops_up_with_x_first():
    digits_only = parse("####", SMALL, check_char=True)
    assert digits_only.check.alphabet == "0123456789X" and digits_only.check.modulus == 11
    letters = parse("$$", SMALL, check_char=True)
    assert letters.check.modulus == next_prime(26) == 29 and letters.check.alphabet.startswith(symbols.ENGLISH)


def test_a_mistyped_check_character_is_diagnosed():
    template = parse("SALE-####", SMALL, check_char=True)
    code = template.code_at(1234)
    wrong = code[:-1] + next(s for s in template.check.alphabet if s != code[-1])
    assert template.diagnose(code) == "ok" and template.diagnose(wrong) == "check"
    assert template.diagnose("SALE-12") == "shape" and template.index_of(wrong) is None
