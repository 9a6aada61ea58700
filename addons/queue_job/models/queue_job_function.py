import ast
import re
from collections import namedtuple

from odoo import api, fields, models
from odoo.exceptions import UserError

FUNCTION_NAME_RE = re.compile(r"^<([0-9a-z_.]+)>\.([0-9a-zA-Z_]+)$")
CONFIG_CACHE = "queue_job.job_config"

JobConfig = namedtuple("JobConfig", "channel retry_pattern related_action_enable related_action_func_name "
                                    "related_action_kwargs job_function_id timeout")


class QueueJobFunction(models.Model):
    """How the jobs of one method run: channel, retry pattern, timeout (declared in XML data)."""

    _name = "queue.job.function"
    _description = "Job Functions"
    _log_access = False

    JobConfig = JobConfig

    name = fields.Char(index=True, readonly=True, help="<model.name>.method, from model_id and method")
    model_id = fields.Many2one("ir.model", string="Model", ondelete="cascade")
    method = fields.Char()
    channel_id = fields.Many2one("queue.job.channel", string="Channel", required=True,
                                 default=lambda self: self.env.ref("queue_job.channel_root"))
    channel = fields.Char(readonly=True, help="The channel's complete name")
    retry_pattern = fields.Json(string="Retry Pattern", help="From this many tries on, wait that many seconds "
                                "(or a random time in [min, max]): {1: 10, 5: 20, 10: [30, 60], 15: 300}")
    edit_retry_pattern = fields.Text(compute="_compute_edit_retry_pattern")
    related_action = fields.Json(string="Related Action", help='{"enable": true, "func_name": ..., "kwargs": {}}')
    timeout = fields.Integer(help="Seconds a try may run; 0: the worker's --job-timeout")

    _sql_constraints = [("name_uniq", "unique(name)", "A job function is declared once per method")]

    def _compute_edit_retry_pattern(self):
        for record in self:
            record.edit_retry_pattern = str(record._parse_retry_pattern())

    @staticmethod
    def job_function_name(model_name: str, method_name: str) -> str:
        return f"<{model_name}>.{method_name}"

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalized(dict(vals)) for vals in vals_list]
        records = super().create(vals_list)
        records._sync_derived()
        return records

    def write(self, vals):
        result = super().write(self._normalized(dict(vals)))
        self._sync_derived()
        return result

    def unlink(self):
        self.env.registry.clear_cache(self.env.cr)
        return super().unlink()

    def _normalized(self, vals: dict) -> dict:
        """Accept a name instead of model_id + method (OCA allows both); check the retry pattern."""
        if vals.get("name") and not vals.get("model_id"):
            match = FUNCTION_NAME_RE.match(vals["name"])
            if not match:
                raise UserError(f"Invalid job function: {vals['name']!r}: write <model.name>.method")
            model = self.env["ir.model"].sudo().search([("model", "=", match[1])], limit=1)
            if not model:
                raise UserError(f"Model {match[1]} not found")
            vals.update(model_id=model.id, method=match[2])
        if "retry_pattern" in vals:
            vals["retry_pattern"] = self._checked_pattern(vals["retry_pattern"])
        return vals

    def _checked_pattern(self, pattern):
        if isinstance(pattern, str):
            try:
                pattern = ast.literal_eval(pattern.strip() or "{}")
            except (ValueError, SyntaxError):
                pattern = None
        if not isinstance(pattern, dict) or not all(_is_delay(v) and _is_int(k) for k, v in pattern.items()):
            raise UserError("Unexpected format of Retry Pattern: write for instance {1: 300, 5: 600, 10: [1200, 1800]}")
        return {str(int(k)): (list(v) if isinstance(v, list | tuple) else int(v)) for k, v in pattern.items()}

    def _sync_derived(self) -> None:
        for record in self:
            values = {"name": self.job_function_name(record.model_id.model, record.method)
                      if record.model_id and record.method else False,
                      "channel": record.channel_id.complete_name}
            if any(record[k] != v for k, v in values.items()):
                super(QueueJobFunction, record).write(values)
        self.env.registry.clear_cache(self.env.cr)

    def _parse_retry_pattern(self) -> dict:
        return {int(k): (tuple(v) if isinstance(v, list) else v) for k, v in (self.retry_pattern or {}).items()}

    def job_default_config(self) -> JobConfig:
        return JobConfig(channel="root", retry_pattern={}, related_action_enable=True, related_action_func_name=None,
                         related_action_kwargs={}, job_function_id=None, timeout=0)

    def job_config(self, name: str) -> JobConfig:
        """The configuration of the job function ``name`` (cached per process, emptied on change)."""
        cache = self.env.registry.cache(CONFIG_CACHE)
        if name not in cache:
            config = self.search([("name", "=", name)], limit=1)
            cache[name] = config._config() if config else self.job_default_config()
        return cache[name]

    def _config(self) -> JobConfig:
        action = self.related_action or {}
        return JobConfig(channel=self.channel or "root", retry_pattern=self._parse_retry_pattern(),
                         related_action_enable=action.get("enable", True),
                         related_action_func_name=action.get("func_name"),
                         related_action_kwargs=action.get("kwargs", {}), job_function_id=self.id,
                         timeout=self.timeout or 0)


def _is_int(value) -> bool:
    try:
        int(value)
        return True
    except (TypeError, ValueError):
        return False


def _is_delay(value) -> bool:
    if isinstance(value, list | tuple):
        return len(value) == 2 and all(_is_int(v) for v in value)
    return _is_int(value)

