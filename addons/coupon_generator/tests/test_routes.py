"""The generator's JSON routes over real HTTP: preview, start / step / finish, status, check, redeem, refusals.

The server is shared by these tests (each backend has its own), so every
test draws from a template with a prefix of its own and counts only its codes.
"""
import re
import uuid

import pytest

from server.testing_http import RpcError


def logged_in(live_server, login: str = "admin"):
    """A client with a session of ``login`` (test databases use the login as password)."""
    client = live_server.client()
    client.authenticate(live_server.db, login, login)
    return client


def unique_prefix() -> str:
    """Static characters no other test uses (upper-case hex: neither placeholders nor escapes)."""
    return "RT" + uuid.uuid4().hex[:6].upper()


def make_program(client, name: str = "Route sale") -> int:
    return client.call_kw("coupon.program", "create", [{"name": name, "discount_type": "percent",
                                                        "discount_value": 15}])


def count_codes(client, prefix: str) -> int:
    return client.call_kw("coupon.coupon", "search_count", [[["code", "=like", prefix + "%"]]],
                          {"context": {"active_test": False}})


def run_steps(step, status: dict) -> tuple[dict, int]:
    """Call ``step(process_id)`` while the process asks for it; the last status and the number of steps."""
    steps = 0
    while status["next_action"] == "step":
        status = step(status["process_id"])
        steps += 1
        assert steps <= 50, f"the process does not progress: {status}"
    return status, steps


def generate(client, prefix: str, count: int, max_codes: int = 1000) -> dict:
    """Start, step and finish a process of ``prefix-###`` through the routes; the final status."""
    started = client.result("/coupon_generator/start", template=f"{prefix}-###", count=count,
                            program_id=make_program(client))
    status, _steps = run_steps(
        lambda process_id: client.result("/coupon_generator/step", process_id=process_id, max_codes=max_codes),
        started)
    return client.result("/coupon_generator/finish", process_id=status["process_id"])


def test_preview_shows_codes_of_the_template_and_saves_nothing(live_server):
    client = logged_in(live_server)
    prefix = unique_prefix()
    processes = client.call_kw("coupon.process", "search_count", [[]])
    preview = client.result("/coupon_generator/preview", template=f"{prefix}-$$##", count=7)
    assert preview["template"] == f"{prefix}-$$##"
    assert len(preview["codes"]) == len(set(preview["codes"])) == 7
    assert all(re.fullmatch(rf"{prefix}-[A-Z]{{2}}[0-9]{{2}}", code) for code in preview["codes"]), preview
    assert (preview["combinations"], preview["available"]) == (26 * 26 * 100, 26 * 26 * 100)
    assert preview["length"] == len(prefix) + 5
    assert count_codes(client, prefix) == 0
    assert client.call_kw("coupon.process", "search_count", [[]]) == processes


def test_start_step_finish_generates_exactly_the_requested_count(live_server):
    client = logged_in(live_server)
    prefix = unique_prefix()
    started = client.result("/coupon_generator/start", template=f"{prefix}-###", count=300,
                            program_id=make_program(client))
    assert (started["state"], started["requested"], started["generated"]) == ("running", 300, 0)
    assert started["next_action"] == "step"

    def step(process_id):
        status = client.result("/coupon_generator/step", process_id=process_id, max_codes=120)
        assert 0 < status["step"]["inserted"] <= 120
        return status

    stepped, steps = run_steps(step, started)
    assert steps == 3 and (stepped["next_action"], stepped["generated"]) == ("finish", 300)

    finished = client.result("/coupon_generator/finish", process_id=started["process_id"])
    # None never leaves the server (see server/http/wire.py): "nothing to call next" arrives as false
    assert (finished["state"], finished["next_action"], finished["generated"]) == ("done", False, 300)
    codes = client.call_kw("coupon.coupon", "search_read", [[["process_id", "=", started["process_id"]]]],
                           {"fields": ["code"]})
    assert len({row["code"] for row in codes}) == 300 == count_codes(client, prefix)
    assert all(re.fullmatch(rf"{prefix}-[0-9]{{3}}", row["code"]) for row in codes)

    status = client.result("/coupon_generator/status", process_id=started["process_id"])
    assert (status["state"], status["requested"], status["generated"], status["progress"]) == ("done", 300, 300, 100)
    assert status["finished_at"] and status["error"] is False


def test_check_and_redeem_a_generated_code(live_server):
    admin = logged_in(live_server)
    prefix = unique_prefix()
    done = generate(admin, prefix, 5)
    [row] = admin.call_kw("coupon.coupon", "search_read", [[["process_id", "=", done["process_id"]]]],
                          {"fields": ["code"], "limit": 1})
    till = logged_in(live_server, "demo")  # a plain user may check and redeem

    checked = till.result("/coupon_generator/check", code=row["code"])
    assert (checked["valid"], checked["reason"], checked["uses_left"]) == (True, "ok", 1)
    assert checked["coupon_id"] == row["id"] and checked["program"]["discount_value"] == 15

    redeemed = till.result("/coupon_generator/redeem", code=row["code"], reference="SO-42")
    assert (redeemed["valid"], redeemed["recorded"], redeemed["uses_left"]) == (True, True, 0)
    again = till.result("/coupon_generator/redeem", code=row["code"], reference="SO-43")
    assert (again["valid"], again["reason"], again["recorded"]) == (False, "used_up", False)
    assert till.result("/coupon_generator/check", code=row["code"])["reason"] == "used_up"
    assert till.result("/coupon_generator/check", code=f"{prefix}-XYZ")["reason"] == "unknown"


def test_more_codes_than_available_is_refused_naming_both_numbers(live_server):
    client = logged_in(live_server)
    prefix = unique_prefix()
    processes = client.call_kw("coupon.process", "search_count", [[]])
    envelope = client.call("/coupon_generator/start", {"template": f"{prefix}-#", "count": 11,
                                                       "program_id": make_program(client)})
    assert "result" not in envelope
    error = envelope["error"]
    assert (error["code"], error["message"]) == (200, "Odoo Server Error")
    assert error["data"]["name"] == "odoo.exceptions.ValidationError"
    assert f"Cannot generate coupons from template '{prefix}-#'" in error["data"]["message"]
    assert "not enough codes left: 11 requested, 10 available" in error["data"]["message"]
    assert client.call_kw("coupon.process", "search_count", [[]]) == processes


def test_cancel_and_retry_are_refused_by_name_when_they_do_not_apply(live_server):
    client = logged_in(live_server)
    started = client.result("/coupon_generator/start", template=f"{unique_prefix()}-###", count=10,
                            program_id=make_program(client))
    process_id = started["process_id"]
    retry = client.call("/coupon_generator/retry", {"process_id": process_id})["error"]
    assert retry["data"]["name"] == "odoo.exceptions.UserError"
    assert f"Coupon process {process_id} is running: only a failed process can be retried" == retry["data"]["message"]
    cancelled = client.result("/coupon_generator/cancel", process_id=process_id)
    assert (cancelled["state"], cancelled["next_action"]) == ("cancelled", False)
    again = client.call("/coupon_generator/cancel", {"process_id": process_id})["error"]
    assert (again["code"], again["data"]["name"]) == (200, "odoo.exceptions.UserError")
    assert f"Coupon process {process_id} is already cancelled" in again["data"]["message"]
    missing = client.call("/coupon_generator/status", {"process_id": 987654321})["error"]
    assert missing["data"]["name"] == "odoo.exceptions.MissingError"
    assert "Coupon process 987654321 does not exist" in missing["data"]["message"]


def test_generation_needs_a_coupon_manager_and_a_session(live_server):
    prefix = unique_prefix()
    program_id = make_program(logged_in(live_server))
    params = {"template": f"{prefix}-###", "count": 3, "program_id": program_id}
    anonymous = live_server.client().call("/coupon_generator/start", params)["error"]
    assert (anonymous["code"], anonymous["data"]["name"]) == (100, "odoo.http.SessionExpiredException")
    demo = logged_in(live_server, "demo").call("/coupon_generator/start", params)["error"]
    assert (demo["code"], demo["data"]["name"]) == (200, "odoo.exceptions.AccessError")


def test_the_same_start_and_step_through_jsonrpc_execute_kw(live_server):
    rpc = live_server.client()
    db = live_server.db
    uid = rpc.rpc("common", "login", db, "admin", "admin")

    def execute(model, method, *args, **kwargs):
        return rpc.execute_kw(db, uid, "admin", model, method, *args, **kwargs)

    prefix = unique_prefix()
    program_id = execute("coupon.program", "create", {"name": "RPC sale", "discount_type": "fixed",
                                                      "discount_value": 5})
    started = execute("coupon.process", "start", f"{prefix}-###", 40, program_id)
    assert (started["state"], started["next_action"]) == ("running", "step")
    stepped, steps = run_steps(
        lambda process_id: execute("coupon.process", "step", [process_id], max_codes=25), started)
    assert steps == 2 and stepped["next_action"] == "finish"
    finished = execute("coupon.process", "finish", [started["process_id"]])
    assert (finished["state"], finished["generated"]) == ("done", 40)
    with pytest.raises(RpcError) as refused:
        execute("coupon.process", "start", f"{prefix}-#", 11, program_id)
    assert refused.value.name == "odoo.exceptions.ValidationError"
    assert "11 requested, 10 available" in str(refused.value)

    # the routes report the same process
    client = logged_in(live_server)
    status = client.result("/coupon_generator/status", process_id=started["process_id"])
    assert (status["state"], status["generated"]) == ("done", 40)
    assert count_codes(client, prefix) == 40
