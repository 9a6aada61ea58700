"""Redemption: whether a code is valid now (active, in date, uses left, owner), and recording a use."""
import pytest
from odoo.exceptions import ValidationError

from .common import codes_of, generate, make_program


@pytest.fixture
def coupon(env):
    program = make_program(env)

    def coupon(code="C-1", **values):
        return env["coupon.coupon"].create({"code": code, "program_id": program.id, **values})
    return coupon


def test_a_valid_code_says_what_it_is_worth(env, coupon):
    record = coupon()
    verdict = env["coupon.coupon"].check_code("  C-1 ")
    assert verdict["valid"] and verdict["reason"] == "ok" and verdict["coupon_id"] == record.id
    assert verdict["program"]["discount_type"] == "percent" and verdict["uses_left"] == 1
    assert record.use_count == 0  # checking records nothing


@pytest.mark.parametrize("values, reason", [
    ({"active": False}, "inactive"),
    ({"date_from": "2999-01-01"}, "not_yet_valid"),
    ({"date_to": "2000-01-01"}, "expired"),
    ({"usage": "reusable", "max_use": 2, "use_count": 2}, "used_up"),
])
def test_invalid_coupons_say_why(env, coupon, values, reason):
    coupon(**values)
    verdict = env["coupon.coupon"].check_code("C-1")
    assert not verdict["valid"] and verdict["reason"] == reason and verdict["message"]


def test_unknown_codes_and_archived_programs(env, coupon):
    assert env["coupon.coupon"].check_code("NOPE")["reason"] == "unknown"
    assert env["coupon.coupon"].check_code("")["reason"] == "unknown"
    coupon().program_id.active = False
    assert env["coupon.coupon"].check_code("C-1")["reason"] == "program_inactive"


def test_single_use_coupons_are_used_once(env, coupon):
    coupon(usage="one_row")
    first = env["coupon.coupon"].redeem("C-1", reference="SO042")
    second = env["coupon.coupon"].redeem("C-1")
    assert first["recorded"] and first["uses_left"] == 0
    assert not second["recorded"] and second["reason"] == "used_up"
    assert env["coupon.use"].search([]).mapped("reference") == ["SO042"]


def test_reusable_coupons_count_down_to_their_maximum(env, coupon):
    record = coupon(usage="reusable", max_use=3)
    results = [env["coupon.coupon"].redeem("C-1")["recorded"] for _ in range(4)]
    assert results == [True, True, True, False] and record.use_count == 3 and len(record.use_ids) == 3


def test_an_owned_coupon_refuses_another_customer(env, coupon):
    owner, other = env["res.partner"].create([{"name": "Owner"}, {"name": "Other"}])
    coupon(partner_id=owner.id)
    assert env["coupon.coupon"].check_code("C-1", partner_id=other.id)["reason"] == "wrong_owner"
    assert env["coupon.coupon"].redeem("C-1", partner_id=owner.id)["recorded"]


def test_the_last_use_cannot_be_taken_twice(env, coupon):
    record = coupon()
    env.cr.execute("UPDATE coupon_coupon SET use_count = 1 WHERE id = %s", (record.id,))  # a till got there first
    assert not record._take_one_use()


def test_a_mistyped_code_is_told_apart_from_an_unknown_one(env):
    process = generate(env, "GIFT-####", 50, check_char=True)
    code = codes_of(process)[0]
    typo = code[:5] + str((int(code[5]) + 1) % 10) + code[6:]
    assert env["coupon.coupon"].check_code(typo)["reason"] == "mistyped"
    assert env["coupon.coupon"].redeem(code)["recorded"]


def test_invalid_values_on_hand_made_coupons_are_refused(env):
    program = make_program(env)
    with pytest.raises(ValidationError, match="maximum number of uses"):
        env["coupon.coupon"].create({"code": "R-1", "program_id": program.id, "usage": "reusable"})
    with pytest.raises(ValidationError, match="one word"):
        env["coupon.coupon"].create({"code": "R 2", "program_id": program.id})
