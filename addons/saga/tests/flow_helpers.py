"""Drive the scripted test sagas of ``tests/addons/test_saga_flows`` in committed transactions."""
from __future__ import annotations

from odoo import SUPERUSER_ID
from odoo.addons.queue_job.worker.worker import drain
from odoo.orm.environment import Environment


def committed(registry, func):
    with registry.cursor() as cr:
        return func(Environment(cr, SUPERUSER_ID, {}))


def script(registry, key: str, step: str, phase: str = "forward", **values) -> None:
    """Tell step (or handler) ``step`` of saga ``key`` how to behave: ``fail_times`` (-1: always), ``refuse``."""
    def write(env):
        scripts = env["test.saga.script"]
        row = scripts.search([("key", "=", key), ("step", "=", step), ("phase", "=", phase)])
        if row:
            row.write(values)
        else:
            scripts.create({"key": key, "step": step, "phase": phase, **values})
    committed(registry, write)


def start(registry, key: str) -> None:
    committed(registry, lambda env: env["saga.instance"].start("test_flow", key, {}))


def reply(registry, key: str, message_id: str, **payload) -> dict:
    return committed(registry, lambda env: env["saga.instance"].receive_message(
        message_id, "test.reply", key, payload))


def instance_of(env, key: str):
    return env["saga.instance"].search([("business_key", "=", key)])


def act(registry, key: str, action: str) -> None:
    """An operator's action (``action_retry``, ``action_compensate``, ``action_cancel``) on saga ``key``."""
    committed(registry, lambda env: getattr(instance_of(env, key), action)())


def state(registry, key: str) -> dict:
    def read(env):
        instance = instance_of(env, key)
        return {"status": instance.status, "current_step": instance.current_step, "data": instance.data,
                "last_error": instance.last_error, "failure_reason": instance.failure_reason,
                "incident_kind": instance.incident_kind,
                "timeline": [(r["phase"], r["step"], r["attempt"], r["status"]) for r in instance.timeline()]}
    return committed(registry, read)


def successes(registry, key: str) -> dict:
    return committed(registry, lambda env: {
        (s.step, s.phase): s.successes for s in env["test.saga.script"].search([("key", "=", key)])})


def run_jobs(registry) -> dict:
    return drain(registry, "root:1")
