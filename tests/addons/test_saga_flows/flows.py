"""Test sagas: three steps whose behaviour each test scripts through ``test.saga.script`` rows.

``a`` and ``b`` have compensations; ``b`` waits for a ``test.reply`` message (accepted unless its
payload says ``{"ok": false}``); the reply, completion and failure handlers break while a script
row of their name (``reply``, ``on_complete``, ``on_failure``) has ``fail_times`` set.  A success
is counted on the script row in the step's savepoint, so a failed or rolled-back try leaves no
trace and ``successes`` says how often a step really ran.
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


def _breaks(ctx, step: str) -> bool:
    """Whether the script of the handler ``step`` (``reply``, ``on_complete``, ``on_failure``) says it fails."""
    script = ctx.env["test.saga.script"].sudo().search([("key", "=", ctx.business_key), ("step", "=", step)], limit=1)
    return bool(script) and script.fail_times != 0


def _check_reply(ctx, payload):
    if _breaks(ctx, "reply"):
        raise RuntimeError("the reply handler is broken")
    if payload.get("ok") is False:
        raise SagaFailure("the reply said no")
    ctx.data["reply"] = payload


def _completed(ctx):
    if _breaks(ctx, "on_complete"):
        raise RuntimeError("the completion handler is broken")
    ctx.data["completion_handled"] = True


def _failed(ctx, reason):
    if _breaks(ctx, "on_failure"):
        raise RuntimeError("the failure handler is broken")
    ctx.data["failure_handled"] = reason


flows = register(
    SagaDefinition("test_flow", compensation_retry=RetryPolicy(max_attempts=3, backoff_s=0))
    .step("a", _scripted("a", "forward"), compensation=_scripted("a", "compensate"), retry=NO_WAIT)
    .step("b", _scripted("b", "forward"), compensation=_scripted("b", "compensate"), retry=NO_WAIT,
          wait_for="test.reply", wait_timeout_s=3600, on_reply=_check_reply)
    .step("c", _scripted("c", "forward"), retry=NO_WAIT, on_exhausted="compensate")
    .on_complete(_completed)
    .on_failure(_failed)
)
