"""Test sagas: three steps whose behaviour each test scripts through ``test.saga.script`` rows.

``a`` and ``b`` have compensations; ``b`` waits for a ``test.reply`` message (accepted unless its
payload says ``{"ok": false}``); a success is counted on the script row in the step's savepoint,
so a failed or rolled-back try leaves no trace and ``successes`` says how often a step really ran.
"""
from odoo.addons.saga.definition import RetryPolicy, SagaDefinition, register
from odoo.addons.saga.exceptions import SagaFailure

NO_WAIT = RetryPolicy(max_attempts=3, backoff_s=0)


def _scripted(step: str, phase: str):
    def run(ctx):
        script = ctx.env["test.saga.script"].sudo().search(
            [("key", "=", ctx.business_key), ("step", "=", step), ("phase", "=", phase)], limit=1)
        if not script:
            script = script.create({"key": ctx.business_key, "step": step, "phase": phase})
        if script.refuse:
            raise SagaFailure(f"{step} refused")
        if script.fail_times < 0 or ctx.attempt <= script.fail_times:
            raise RuntimeError(f"{step} {phase} failed (try {ctx.attempt})")
        ctx.env.cr.execute("UPDATE test_saga_script SET successes = successes + 1 WHERE id = %s", (script.id,))
        ctx.data.setdefault("log", []).append(f"{phase}:{step}")
    return run


def _check_reply(ctx, payload):
    if payload.get("ok") is False:
        raise SagaFailure("the reply said no")
    ctx.data["reply"] = payload


def _failed(ctx, reason):
    ctx.data["failure_handled"] = reason


flows = register(
    SagaDefinition("test_flow", compensation_retry=RetryPolicy(max_attempts=3, backoff_s=0))
    .step("a", _scripted("a", "forward"), compensation=_scripted("a", "compensate"), retry=NO_WAIT)
    .step("b", _scripted("b", "forward"), compensation=_scripted("b", "compensate"), retry=NO_WAIT,
          wait_for="test.reply", wait_timeout_s=3600, on_reply=_check_reply)
    .step("c", _scripted("c", "forward"), retry=NO_WAIT, on_exhausted="compensate")
    .on_failure(_failed)
)
