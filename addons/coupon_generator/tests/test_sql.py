"""The SQL behind uniqueness and availability, on both backends: insert-or-ignore and shape counting."""
import pytest
from odoo.addons.coupon_generator.tools.sql import count_matching, glob_pattern, insert_new_rows, postgres_regex

from .common import make_program

AWKWARD = ["]", "^", "-", "*", "?", "[", "\\", "%", "_", "'", '"', "№", "Ж", "a", "$", ".", "(", "|", "{"]


def test_insert_new_rows_skips_existing_codes_and_counts_only_new_ones(env):
    program = make_program(env)
    coupons = env["coupon.coupon"]
    values = {"program_id": program.id, "active": True, "usage": "one_order", "use_count": 0}
    assert insert_new_rows(coupons, "code", ["B", "A", "C"], values) == 3
    assert insert_new_rows(coupons, "code", ["C", "D", "A", "D"], values) == 1
    found = coupons.search([("program_id", "=", program.id)])
    assert sorted(found.mapped("code")) == ["A", "B", "C", "D"] and set(found.mapped("usage")) == {"one_order"}


@pytest.mark.parametrize("symbol", AWKWARD)
def test_shape_patterns_treat_every_symbol_literally(env, symbol):
    program = make_program(env)
    slots = ["X", symbol, symbol + "Q" if symbol != "Q" else "QR", "Z"]
    inside = [f"X{symbol}{symbol}Z", f"X{symbol}QZ"]
    outside = [f"X{symbol}{symbol}", "XYQZ", f"x{symbol}QZ", f"X{symbol}QZZ", "XABZ"]
    env["coupon.coupon"].create([{"code": code, "program_id": program.id} for code in inside + outside])
    assert count_matching(env["coupon.coupon"], "code", slots) == 2


def test_patterns_escape_classes_as_each_dialect_needs():
    assert glob_pattern(["A", "]-^", "*"]) == "A[]^-][*]"
    assert glob_pattern(["^-"]) == "[-^]"
    assert postgres_regex(["A", "]-", "ж"]) == "^A[\\]\\-]ж$"
