"""Generated codes: exact counts, template shape, uniqueness in the database, 100 % of a space, refusal up front.

The original module's documented failures are checked here too: its
10-try rule stalled at about 60 % of a space, its uniqueness lived in
memory for one request, and its preview did not encode the template.
"""
import pytest
from odoo.exceptions import ValidationError

from .common import codes_of, generate, make_program, run_to_end


def test_every_code_matches_its_template_and_the_count_is_exact(env):
    process = generate(env, "SALE-$$##-####", 1500)
    codes = codes_of(process)
    template = process.code_template()
    assert len(codes) == len(set(codes)) == 1500 == process.generated_count
    assert all(template.regex().fullmatch(code) for code in codes)
    assert process.state == "done" and process.coupons_in_database() == 1500


def test_all_of_a_ten_thousand_code_space_is_generated(env):
    process = generate(env, "##-##", 10_000)
    assert sorted(codes_of(process)) == [f"{i // 100:02d}-{i % 100:02d}" for i in range(10_000)]


def test_one_code_more_than_the_space_is_refused_up_front_with_both_numbers(env):
    program = make_program(env)
    with pytest.raises(ValidationError, match="10001 requested, 10000 available"):
        env["coupon.process"].start("##-##", 10_001, program.id)
    assert not env["coupon.process"].search([])


def test_codes_already_in_the_database_count_against_the_space(env):
    program = make_program(env)
    env["coupon.coupon"].create([{"code": f"Q{i}", "program_id": program.id} for i in range(3)] +
                                [{"code": "QQ", "program_id": program.id}])
    with pytest.raises(ValidationError, match="8 requested, 7 available .*3 are already used"):
        env["coupon.process"].start("Q#", 8, program.id)
    process = generate(env, "Q#", 7, program)
    assert sorted(codes_of(process)) == [f"Q{i}" for i in range(3, 10)]


def test_a_second_process_on_a_filling_space_never_repeats_a_code(env):
    first = generate(env, "##-#", 600)  # beyond the ~60 % where the original's 10-try rule stalled
    second = generate(env, "##-#", 400, first.program_id)
    assert len(set(codes_of(first)) | set(codes_of(second))) == 1000


def test_uniqueness_is_the_databases_also_for_coupons_made_by_hand(env):
    process = generate(env, "UNIQ-###", 5)
    with pytest.raises(ValidationError, match="another coupon already has this code"):
        env["coupon.coupon"].create({"code": codes_of(process)[0], "program_id": process.program_id.id})


def test_a_template_without_placeholders_has_exactly_one_code(env):
    assert generate(env, "WELCOME", 1).generated_count == 1
    with pytest.raises(ValidationError, match="1 requested, 0 available"):
        env["coupon.process"].start("WELCOME", 1, make_program(env, "Other").id)


def test_options_shape_the_codes_and_the_coupons(env):
    partner = env["res.partner"].create({"name": "Owner"})
    process = generate(env, "AB-$$-@@-##", 300, case="lower", exclude_lookalikes=True, check_char=True,
                       active=False, usage="reusable", max_use=3, partner_id=partner.id,
                       date_from="2024-01-01", date_to="2030-12-31 23:59:59", description="batch")
    template = process.code_template()
    coupons = env["coupon.coupon"].with_context(active_test=False).search([("process_id", "=", process.id)])
    assert len(coupons) == 300 and all(template.diagnose(c.code) == "ok" for c in coupons)
    assert not set("01lo") & set("".join(c.code[3:] for c in coupons))
    assert all(c.code[3:5].islower() and c.code[6:8].islower() for c in coupons)
    assert set(coupons.mapped("usage")) == {"reusable"} and set(coupons.mapped("max_use")) == {3}
    assert not any(coupons.mapped("active")) and coupons.mapped("partner_id") == partner
    assert str(coupons[0].date_to) == "2030-12-31 23:59:59" and coupons[0].description == "batch"


def test_custom_placeholders_from_the_request_and_from_settings(env):
    env["coupon.placeholder"].create({"char": "%", "spec": {"symbols": "XY"}})
    process = generate(env, "%%-~", 8, placeholders={"~": ["digits", {"symbols": "Z"}]})
    assert process.code_template().combinations == 2 * 2 * 11
    assert all(code[0] in "XY" and code[3] in "0123456789Z" for code in codes_of(process))


def test_shipped_settings_placeholders_expose_unions_and_special_characters(env):
    preview = env["coupon.process"].preview("*!", count=5)
    assert preview["combinations"] == 36 * 25 and len(set(preview["codes"])) == 5
    assert env.ref("coupon_generator.placeholder_special").spec == "special"  # a JSON string reads back as is


def test_preview_saves_nothing_and_keeps_every_character(env):
    before = env["coupon.coupon"].search_count([])
    preview = env["coupon.process"].preview("A&B+C%D=#", count=5)
    assert len(preview["codes"]) == 5 and all(code.startswith("A&B+C%D=") for code in preview["codes"])
    assert preview["combinations"] == 10 and preview["available"] == 10 and preview["length"] == 9
    assert env["coupon.coupon"].search_count([]) == before and not env["coupon.process"].search([])


def test_preview_reports_every_problem(env):
    with pytest.raises(ValidationError) as caught:
        env["coupon.process"].preview("A\\", count=0, case="title", placeholders={"ab": "digits"})
    assert len(caught.value.context["problems"]) == 4


def test_a_sparse_space_draws_at_random_and_a_dense_one_walks_a_permutation(env):
    program = make_program(env)
    sparse = env["coupon.process"].start("$$$$$$", 100, program.id)
    dense = env["coupon.process"].start("###", 100, program.id)
    assert sparse["strategy"] == "random" and dense["strategy"] == "permutation"


def test_random_draws_switch_to_the_permutation_when_the_space_fills_up(env):
    program = make_program(env)
    status = env["coupon.process"].start("####", 100, program.id)
    process = env["coupon.process"].browse(status["process_id"])
    assert process.strategy == "random"
    generate(env, "####", 9_800, program)  # someone else takes almost everything
    run_to_end(process)
    assert process.strategy == "permutation" and process.generated_count == 100 and process.state == "done"
