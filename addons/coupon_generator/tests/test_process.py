"""The step protocol: start -> step ... -> finish, bounded steps, cancel, retry, crash and resume."""
import pytest
from odoo.addons.coupon_generator.models import coupon_process
from odoo.addons.coupon_generator.tools.sql import WriteConflict
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import codes_of, generate, make_program, run_to_end


@pytest.fixture
def start(env):
    program = make_program(env)

    def start(template="P-$$$$##", count=250, **options):
        status = env["coupon.process"].start(template, count, program.id, **options)
        return env["coupon.process"].browse(status["process_id"]), status
    return start


def test_start_returns_the_status_and_the_next_action(start):
    process, status = start()
    assert status["next_action"] == "step" and status["state"] == "running"
    assert (status["requested"], status["generated"], status["progress"]) == (250, 0, 0.0)
    assert process.settings["template"] == "P-$$$$##" and process.settings["placeholders"] == {
        "$": "english", "#": "digits"}


def test_steps_are_bounded_and_report_progress_until_finish(start):
    process, _status = start()
    first = process.step(max_codes=100)
    assert first["step"]["inserted"] == 100 and first["generated"] == 100 and first["progress"] == 40.0
    assert first["next_action"] == "step"
    process.step(max_codes=100)
    last = process.step(max_codes=100)
    assert last["step"]["inserted"] == 50 and last["next_action"] == "finish"
    done = process.finish()
    assert done["state"] == "done" and done["next_action"] is None and done["finished_at"]
    assert process.finish()["state"] == "done"  # calling it again changes nothing


def test_a_step_never_overshoots_and_a_complete_process_is_left_alone(start):
    process, _status = start(count=10)
    assert process.step(max_codes=1000)["generated"] == 10
    assert "step" not in process.step() and process.generated_count == 10


def test_finishing_early_is_refused_with_the_numbers(start):
    process, _status = start()
    process.step(max_codes=10)
    with pytest.raises(UserError, match="has generated 10 of 250 codes"):
        process.finish()


def test_start_reports_every_problem_at_once(env):
    with pytest.raises(ValidationError) as caught:
        env["coupon.process"].start("", 0, None, usage="reusable", date_from="2024-02-01", date_to="2024-01-01",
                                    colour="red")
    problems = caught.value.context["problems"]
    assert len(problems) == 6
    for fragment in ("empty", "positive", "maximum number of uses", "reversed", "program", "unknown option"):
        assert any(fragment in p for p in problems), fragment


def test_a_safety_ratio_and_a_quantity_cap_can_refuse_a_request(env, start):
    with pytest.raises(ValidationError, match="above max_fill_ratio 0.5"):
        start("###", 600, max_fill_ratio=0.5)
    env["ir.config_parameter"].set_param("coupon_generator.max_count", "100")
    with pytest.raises(ValidationError, match="at most 100 codes"):
        start("$$$$$$", 101)


def test_cancel_keeps_or_archives_the_coupons(env, start):
    process, _status = start()
    process.step(max_codes=50)
    status = process.cancel(archive_coupons=True)
    assert status["state"] == "cancelled" and status["next_action"] is None
    assert len(codes_of(process)) == 50 and not env["coupon.coupon"].search([("process_id", "=", process.id)])
    assert "step" not in process.step()
    with pytest.raises(UserError, match="already cancelled"):
        process.cancel()


def test_an_exhausted_space_fails_with_an_explanation_and_can_be_retried(env, start):
    process, _status = start("##", 60)
    generate(env, "##", 40, process.program_id)  # another process takes its share first
    process.step(max_codes=30)
    generate(env, "##", 10, process.program_id)
    status = run_to_end(process)
    assert status["state"] == "failed" and "no free code left" in status["error"]
    assert status["generated"] == 50 == len(codes_of(process))
    env["coupon.coupon"].search([("process_id", "!=", process.id), ("code", "=like", "__")], limit=10).unlink()
    assert process.retry()["state"] == "running"
    assert run_to_end(process)["state"] == "done" and len(codes_of(process)) == 60


def test_a_crash_in_the_middle_of_a_step_loses_the_step_only(fresh_registry, monkeypatch):
    with fresh_registry.cursor() as cr:
        env = fresh_registry.env(cr)
        process_id = env["coupon.process"].start("###-###", 5000, make_program(env).id)["process_id"]
        before = env["coupon.process"].browse(process_id).step(max_codes=2000)["generated"]
    with fresh_registry.cursor() as cr:
        process = fresh_registry.env(cr)["coupon.process"].browse(process_id)
        _crash_on_second_batch(monkeypatch, type(process))
        with pytest.raises(RuntimeError, match="power cut"):
            process.step(max_codes=2000)
        cr.rollback()
        monkeypatch.undo()
        assert process.generated_count == before == process.coupons_in_database()
        assert run_to_end(process, max_codes=1500)["state"] == "done"
        assert process.coupons_in_database() == 5000 and len(set(codes_of(process))) == 5000


def _crash_on_second_batch(monkeypatch, process_class) -> None:
    """Make the next step die after inserting its second batch, before recording it."""
    original, batches = process_class._record_batch, []

    def record_batch(self, template, used, new):
        batches.append(new)
        if len(batches) == 2:
            raise RuntimeError("power cut")
        return original(self, template, used, new)
    monkeypatch.setattr(process_class, "_record_batch", record_batch)
    monkeypatch.setattr(coupon_process, "BATCH_CODES", 500)


def test_a_batch_aborted_by_a_concurrent_writer_ends_the_step_with_what_it_has(start, monkeypatch):
    process, _status = start(count=900)
    original, calls = coupon_process.insert_new_rows, []

    def insert(*args):
        calls.append(args)
        if len(calls) == 2:
            raise WriteConflict("deadlock detected")
        return original(*args)
    monkeypatch.setattr(coupon_process, "insert_new_rows", insert)
    monkeypatch.setattr(coupon_process, "BATCH_CODES", 300)
    status = process.step(max_codes=900)
    assert status["step"]["write_conflict"] and status["generated"] == 300 == process.coupons_in_database()
    monkeypatch.undo()
    assert run_to_end(process)["state"] == "done" and process.coupons_in_database() == 900


def test_a_process_without_steps_for_a_while_shows_as_stalled(env, start):
    process, _status = start()
    assert not process.stalled
    process.write({"last_step_at": "2000-01-01 00:00:00"})
    assert process.stalled and process.status()["stalled"]


def test_the_sampling_key_never_leaves_the_server(start):
    process, _status = start("###", 500)
    assert process.sampling_key and process.read(["sampling_key"])[0]["sampling_key"] is False


def test_export_is_csv_with_a_header_and_a_code_column(env):
    process = generate(env, "=X-##", 20, usage="reusable", max_use=2, date_to="2031-01-01")
    lines = process.export_csv().splitlines()
    assert lines[0].split(",")[0] == "code" and len(lines) == 21
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(codes_of(process))
    assert lines[1].split(",")[3:7] == ["", "2031-01-01 00:00:00", "reusable", "2"]
    assert process.export_csv(spreadsheet_safe=True).splitlines()[1].startswith("'=X-")


def test_only_coupon_managers_may_generate(env):
    user = env["res.users"].create({"name": "Clerk", "login": "clerk",
                                    "groups_id": [(6, 0, [env.ref("base.group_user").id])]})
    program = make_program(env)
    as_clerk = env["coupon.process"].with_user(user)
    with pytest.raises(AccessError):
        as_clerk.start("$$$$", 5, program.id)
    assert len(as_clerk.preview("$$$$", 3)["codes"]) == 3
    manager = user.copy({"login": "manager", "groups_id": [(6, 0, [
        env.ref("coupon_generator.group_coupon_manager").id])]})
    status = env["coupon.process"].with_user(manager).start("$$$$", 5, program.id)
    assert run_to_end(env["coupon.process"].with_user(manager).browse(status["process_id"]))["state"] == "done"
