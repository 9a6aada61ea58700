"""Scheduled actions: server actions the server's cron threads run at their time.

A cron is a server action (it has ``model_id``, ``state`` and ``code``) plus a schedule.  The
cron threads of ``server.service.cron`` find the ready ones and run each in a transaction of its
own, as ``user_id``; how one job is claimed so that two servers never run it twice is described
there.  A failed run is counted on the job (``failure_count`` consecutive failures, reset by a
success, with the last error and its date), so operators see failing jobs without reading logs.
``method_direct_trigger`` runs one now, in the caller's transaction (the *Run Manually* button).
"""
import calendar
import datetime as dt

from odoo import api, fields, models
from odoo.exceptions import ValidationError

INTERVAL_TYPES = [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks"),
                  ("months", "Months")]


def add_interval(moment: dt.datetime, number: int, kind: str) -> dt.datetime:
    """``moment`` plus ``number`` intervals of ``kind`` (months keep the day, clipped to the month's end)."""
    if kind == "months":
        month_index = moment.month - 1 + number
        year, month = moment.year + month_index // 12, month_index % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    unit = {"minutes": dt.timedelta(minutes=1), "hours": dt.timedelta(hours=1), "days": dt.timedelta(days=1),
            "weeks": dt.timedelta(weeks=1)}.get(kind)
    if unit is None:
        raise ValidationError(f"Unknown interval type {kind!r}: use one of minutes, hours, days, weeks, months")
    return moment + number * unit


class IrCron(models.Model):
    _name = "ir.cron"
    _description = "Scheduled Actions"
    _inherit = "ir.actions.server"
    _table = "ir_cron"
    _order = "priority, name, id"

    usage = fields.Selection([("ir_actions_server", "Server Action"), ("ir_cron", "Scheduled Action")],
                             default="ir_cron", required=True)
    state = fields.Selection([("code", "Execute Python Code"), ("object_write", "Update the Record"),
                              ("multi", "Execute several actions")], "Action To Do", default="code",
                             required=True)
    cron_name = fields.Char("Name", compute="_compute_cron_name")
    ir_actions_server_id = fields.Many2one("ir.actions.server", "Server action", compute="_compute_server_action",
                                           help="Kept for Odoo clients: a cron is its own server action here.")
    user_id = fields.Many2one("res.users", "Scheduler User", required=True, default=lambda self: self.env.uid)
    active = fields.Boolean(default=True)
    interval_number = fields.Integer(default=1, required=True, help="Repeat every x.")
    interval_type = fields.Selection(INTERVAL_TYPES, "Interval Unit", default="months", required=True)
    numbercall = fields.Integer("Number of Calls", default=1,
                                help="How many more times the job runs; a negative number means forever.")
    doall = fields.Boolean("Repeat Missed",
                           help="Run the missed occurrences when the server restarts after a downtime.")
    nextcall = fields.Datetime("Next Execution Date", required=True, default=lambda self: fields.Datetime.now(),
                               help="Next planned execution date for this job.")
    lastcall = fields.Datetime("Last Execution Date",
                               help="When the job last ran; given to the job as the context key 'lastcall'.")
    priority = fields.Integer(default=5, help="0 runs first, 10 last, among jobs ready at the same time.")
    failure_count = fields.Integer(default=0, readonly=True,
                                   help="Consecutive failed runs; back to 0 when the job succeeds.")
    first_failure_date = fields.Datetime(readonly=True, help="When the current run of failures began.")
    last_failure_date = fields.Datetime(readonly=True, help="When the job last failed (kept after a success).")
    last_failure_message = fields.Text(readonly=True, help="The error of the last failed run.")
    # Relations of their own: cron ids are not server action ids.
    child_ids = fields.Many2many("ir.actions.server", "rel_cron_server_actions", "cron_id", "action_id",
                                 "Child Actions")
    groups_id = fields.Many2many("res.groups", "ir_cron_group_rel", "cron_id", "gid", "Allowed Groups")

    def _compute_cron_name(self):
        for cron in self:
            cron.cron_name = cron.name

    def _compute_server_action(self):
        for cron in self:
            cron.ir_actions_server_id = False

    @api.constrains("interval_number")
    def _check_interval(self):
        for cron in self:
            if cron.interval_number <= 0:
                raise ValidationError(f"Scheduled action {cron.name!r}: the interval must be a positive number")

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self._notify_runners()
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"active", "nextcall", "interval_number", "interval_type", "numbercall"} & set(vals):
            self._notify_runners()
        return result

    def _notify_runners(self) -> None:
        """Wake the cron threads of every server on this database once this transaction commits."""
        from odoo.service import cron as cron_service

        cron_service.notify(self.env.cr)

    def method_direct_trigger(self):
        """Run the jobs now, in this transaction, as their users (the *Run Manually* button)."""
        self.check_access_rights("write")
        for cron in self:
            cron.with_user(cron.user_id.id).with_context(lastcall=cron.lastcall)._callback()
            cron.sudo().write({"lastcall": fields.Datetime.now()})
        return True

    def _callback(self):
        """Run the job's code; the cron threads call this in the job's own transaction."""
        self.ensure_one()
        return self.run()

    def _trigger(self, at=None):
        """Ask for an extra run of the jobs at ``at`` (a datetime or a list of them; default: now)."""
        moments = at if isinstance(at, (list, tuple, set)) else [at or fields.Datetime.now()]
        triggers = self.env["ir.cron.trigger"].sudo()
        for cron in self:
            triggers.create([{"cron_id": cron.id, "call_at": moment} for moment in moments])
        self._notify_runners()

    def _trigger_list(self, at_list):
        return self._trigger(list(at_list))

    @api.model
    def toggle(self, model: str, domain) -> bool:
        """Activate the jobs when ``model`` has records matching ``domain``, deactivate them otherwise."""
        active = bool(self.env[model].search_count(domain))
        return self.try_write({"active": active})

    def try_write(self, values: dict) -> bool:
        self.write(values)
        return True


class IrCronTrigger(models.Model):
    _name = "ir.cron.trigger"
    _description = "Triggered actions"
    _rec_name = "cron_id"
    _order = "call_at, id"

    cron_id = fields.Many2one("ir.cron", index=True, required=True, ondelete="cascade")
    call_at = fields.Datetime(index=True, required=True)
