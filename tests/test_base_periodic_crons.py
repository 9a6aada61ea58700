"""Every addon's periodic work is a scheduled action, and each one runs cleanly."""
import datetime as dt

import pytest

from server.orm.environment import SUPERUSER_ID, Environment

PERIODIC = {
    "base.autovacuum_job": ("ir.autovacuum", "_run_vacuum_cleaner"),
    "iap.ir_cron_iap_outbox": ("iap.pending.op", "_send_due"),
    "iap_platform.ir_cron_expire_holds": ("iap.platform.transaction", "expire_overdue"),
    "tcm_smt.ir_cron_smt_retry": ("tcm.smt.subscription", "retry_failed"),
    "coupon_generator.ir_cron_resume_stalled": ("coupon.process", "step"),
}


@pytest.mark.addons("iap", "iap_platform", "tcm_smt", "coupon_generator")
def test_periodic_work_runs_as_crons(env):
    for xmlid, (model, method) in PERIODIC.items():
        cron = env.ref(xmlid)
        assert cron.active and cron.numbercall == -1 and cron.model_name == model, xmlid
        assert f".{method}(" in cron.code and hasattr(env[model], method), xmlid
        cron.method_direct_trigger()
        assert cron.lastcall, xmlid


@pytest.mark.addons("web")
def test_autovacuum_deletes_expired_sessions(fresh_registry):
    from server.http.session_store import TABLE, SessionStore

    store = SessionStore()
    store.ensure_table(fresh_registry)
    with fresh_registry.cursor() as cr:
        columns = [row[1] for row in cr.execute(f"PRAGMA table_info({TABLE})").fetchall()] \
            if cr.database.dialect == "sqlite" else None
        session = store.new(fresh_registry.db_name)
        session.uid = SUPERUSER_ID
        store.save(cr, session)
        count = cr.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0]
        cr.execute(f"UPDATE {TABLE} SET expiration = %s", (0,))
        assert count == 1 and (columns is None or "expiration" in columns)
    with fresh_registry.cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["ir.autovacuum"]._run_vacuum_cleaner()
        assert cr.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0] == 0


@pytest.mark.addons("coupon_generator")
def test_the_coupon_cron_finishes_a_stalled_process(fresh_registry):
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    with fresh_registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        program = env["coupon.program"].create({"name": "Cron sale", "discount_type": "percent",
                                                "discount_value": 10})
        process_id = env["coupon.process"].start("CRON-####", 5, program.id)["process_id"]
        cr.execute("UPDATE coupon_process SET started_at = %s, last_step_at = %s WHERE id = %s",
                   (stale, stale, process_id))
    with fresh_registry.cursor() as cr:  # the job commits after each step: a transaction of its own
        env = Environment(cr, SUPERUSER_ID, {})
        assert env["coupon.process"].browse(process_id).stalled
        env.ref("coupon_generator.ir_cron_resume_stalled").method_direct_trigger()
    with fresh_registry.cursor() as cr:
        process = Environment(cr, SUPERUSER_ID, {})["coupon.process"].browse(process_id)
        assert process.state == "done" and process.generated_count == 5
