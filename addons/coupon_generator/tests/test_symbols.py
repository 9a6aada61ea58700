"""Symbol collections: the original's presets, any string, unions, letter case and look-alikes."""
import pytest
from odoo.addons.coupon_generator.codes import symbols
from odoo.addons.coupon_generator.codes.symbols import SymbolError, from_spec


def test_presets_have_the_originals_symbols_with_unicode_letters_kept_whole():
    assert symbols.digits().symbols == "0123456789"
    assert len(symbols.english()) == 26 and len(symbols.english("mixed")) == 52
    russian = symbols.russian()
    assert len(russian) == 33 and "Ь" in russian and "Ё" in russian
    assert len(symbols.russian("mixed")) == 66 and "ь" in symbols.russian("lower")
    assert "№" in symbols.special() and len(symbols.special()) == 25


def test_letter_case_applies_to_letters_only():
    assert symbols.english("lower").symbols == "abcdefghijklmnopqrstuvwxyz"
    assert symbols.from_string("ab1-", "upper").symbols == "AB1-"
    assert symbols.from_string("aB", "mixed").symbols == "ABab"
    assert symbols.from_string("ß", "upper").symbols == "ß"  # 'SS' is not one symbol


def test_from_string_and_union_keep_each_symbol_once_in_order():
    assert symbols.from_string("ABBA12").symbols == "AB12"
    assert symbols.union(symbols.digits(), symbols.from_string("9AZ")).symbols == "0123456789AZ"
    assert (symbols.digits() | symbols.english()).symbols == "0123456789" + symbols.ENGLISH


@pytest.mark.parametrize("spec, expected", [
    ("digits", "0123456789"),
    (["digits", {"symbols": "xy"}], "0123456789xy"),
    ({"preset": "english", "case": "lower"}, symbols.ENGLISH.lower()),
    ({"union": ["digits", "special"]}, symbols.DIGITS + symbols.SPECIAL),
    ({"symbols": "abc", "case": "upper"}, "ABC"),
])
def test_specs_from_settings(spec, expected):
    assert from_spec(spec).symbols == expected


@pytest.mark.parametrize("spec, fragment", [
    ("greek", "unknown symbol preset 'greek'"),
    ({"symbols": ""}, "at least one symbol"),
    ({"symbols": "a b"}, "printable and not blank"),
    ({"symbols": "ab", "preset": "digits"}, "exactly one of"),
    ({"symbols": "".join(map(chr, range(0x4E00, 0x4E00 + 251)))}, "at most 250 symbols"),
    (42, "preset name, a list or a dict"),
])
def test_bad_specs_say_what_to_write(spec, fragment):
    with pytest.raises(SymbolError, match=fragment):
        from_spec(spec)


def test_lookalike_groups_are_disjoint():
    seen = [s for group in symbols.LOOKALIKE_GROUPS for s in group]
    assert len(seen) == len(set(seen))


def test_ambiguous_symbols_need_a_lookalike_in_the_same_set():
    assert symbols.ambiguous_symbols(symbols.DIGITS) == set()
    alphanumeric = symbols.DIGITS + symbols.ENGLISH
    assert {"0", "O", "1", "I", "5", "S", "2", "Z", "8", "B"} <= symbols.ambiguous_symbols(alphanumeric)
    assert "A" in symbols.ambiguous_symbols("AА")  # Latin and Cyrillic A


def test_without_refuses_to_leave_nothing():
    with pytest.raises(SymbolError):
        symbols.from_string("01").without("01")
