"""Generation processes: codes generated from a template in bounded steps, resumable after any crash.

Protocol (the original's ``generation_preview / start / step / finish``,
cleaned up): ``preview`` shows sample codes and saves nothing; ``start``
checks every option at once and creates the process; ``step`` generates up
to a bounded number of codes within a time budget and says what to call
next (``'step'``, ``'finish'`` or nothing); ``finish`` closes a complete
process; ``cancel``, ``retry`` and ``status`` let an operator see and fix a
stuck one.

Each step runs in the caller's transaction and records the coupons, the
generated count and the sampling cursor together, so a crash loses the
whole step or nothing.  When PostgreSQL aborts a batch because another
process writes the same codes, the step ends early with what it has, so
that committing it unblocks the other process.  Uniqueness is the database's: codes are inserted
with ``ON CONFLICT DO NOTHING`` and only the codes actually inserted count,
so a second process drawing from the same template at the same time costs
a top-up, never a duplicate.

Sampling: a sparse space (the request plus the codes already there fill at
most 1/64 of it) draws uniform codes from the OS CSPRNG; a denser one walks
a keyed permutation of the template's code numbers, which visits every code
exactly once, so even 100 % of a space is generated with no retry.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.orm import schema

from ..codes.permutation import MAX_SIZE, Permutation
from ..codes.sampling import distinct_codes, new_key, random_codes
from ..codes.template import Template
from ..tools.sql import WriteConflict, count_matching, insert_new_rows, lock_rows
from . import process_settings

STATES = [("running", "Running"), ("done", "Done"), ("failed", "Failed"), ("cancelled", "Cancelled")]
STRATEGIES = [("random", "Random draws (sparse space)"), ("permutation", "Keyed permutation (dense space)")]
DEFAULT_PLACEHOLDERS = {"#": "digits", "$": "english", "@": "russian"}
SPARSE_DENSITY = 1 / 64
SWITCH_COLLISION_RATE = 0.10
STEP_CODES, STEP_SECONDS = 50_000, 5.0
MAX_STEP_CODES, MAX_STEP_SECONDS = 1_000_000, 120.0
BATCH_CODES = 100_000
PREVIEW_CODES, MAX_PREVIEW_CODES = 20, 1000
STALL_AFTER = dt.timedelta(minutes=10)
MAX_COUNT_PARAM, DEFAULT_MAX_COUNT = "coupon_generator.max_count", 10_000_000
EXPORT_COLUMNS = ("code", "program", "active", "valid_from", "valid_to", "usage", "max_use", "use_count",
                  "description")
EXPORT_BATCH = 10_000
CODE_OPTIONS = ("template", "case", "exclude_lookalikes", "check_char", "placeholders")


class CouponProcess(models.Model):
    _name = "coupon.process"
    _description = "Coupon Generation Process"
    _order = "id desc"

    program_id = fields.Many2one("coupon.program", "Discount Program", required=True, ondelete="restrict")
    template = fields.Char(required=True, readonly=True)
    settings = fields.Json(required=True, readonly=True,
                           help="Every option of the request, normalised: the codes depend on nothing else.")
    state = fields.Selection(STATES, required=True, default="running", readonly=True)
    requested_count = fields.Integer("Requested", big=True, required=True, readonly=True)
    generated_count = fields.Integer("Generated", big=True, default=0, readonly=True)
    strategy = fields.Selection(STRATEGIES, required=True, default="random", readonly=True)
    cursor = fields.Integer(big=True, default=0, readonly=True, help="Permutation positions consumed so far.")
    sampling_key = fields.Char(readonly=True, copy=False, secret=True,
                               help="Permutation key (hex); never sent to clients.")
    started_at = fields.Datetime("Started on", default=lambda self: fields.Datetime.now(), readonly=True)
    finished_at = fields.Datetime("Finished on", readonly=True)
    last_step_at = fields.Datetime("Last step on", readonly=True)
    error = fields.Text(readonly=True)
    progress = fields.Float(compute="_compute_progress", help="Percentage of the requested codes generated.")
    stalled = fields.Boolean(compute="_compute_stalled",
                             help=f"Running, but no step for {STALL_AFTER}: resume it or cancel it.")
    coupon_ids = fields.One2many("coupon.coupon", "process_id", "Coupons")

    def _compute_progress(self) -> None:
        for process in self:
            requested = process.requested_count
            process.progress = round(100.0 * process.generated_count / requested, 2) if requested else 0.0

    def _compute_stalled(self) -> None:
        limit = fields.Datetime.now() - STALL_AFTER
        for process in self:
            last = process.last_step_at or process.started_at
            process.stalled = process.state == "running" and bool(last) and last < limit

    def _compute_display_name(self) -> None:
        for process in self:
            process.display_name = f"#{process.id} {process.template} ({process.requested_count})"

    # -- the code space ------------------------------------------------------------------------------------
    @api.model
    def _default_placeholders(self) -> dict:
        """Placeholder character -> symbol collection spec known to every template; extend with ``_inherit``."""
        return dict(DEFAULT_PLACEHOLDERS)

    @api.model
    def _placeholder_specs(self, custom) -> dict:
        custom = custom if isinstance(custom, dict) else {}
        return {**self._default_placeholders(), **self.env["coupon.placeholder"].specs(), **custom}

    @api.private
    def code_template(self) -> Template:
        """The process's template, rebuilt from its settings alone."""
        self.ensure_one()
        settings = dict(self.settings)
        template, problems = process_settings.build_template(settings, settings["placeholders"])
        if template is None:
            raise UserError(f"Coupon process {self.id}: its template cannot be rebuilt ({'; '.join(problems)})")
        return template

    @api.private
    def code_space_key(self) -> str:
        """Equal for two processes exactly when their templates describe the same codes."""
        self.ensure_one()
        return json.dumps({key: self.settings.get(key) for key in CODE_OPTIONS}, sort_keys=True)

    @api.model
    def _codes_in_use(self, template: Template) -> int:
        return count_matching(self.env["coupon.coupon"], "code", template.slots())

    # -- preview -------------------------------------------------------------------------------------------
    @api.model
    def preview(self, template: str, count: int = PREVIEW_CODES, **options) -> dict:
        """``count`` distinct sample codes of ``template`` and the size of its space; nothing is saved.

        Options: ``case``, ``exclude_lookalikes``, ``check_char``, ``placeholders``.
        Raises ValidationError listing every problem.
        """
        self.env["coupon.coupon"].check_access_rights("read")
        settings, problems = process_settings.normalise({**options, "template": template}, preview=True)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PREVIEW_CODES:
            problems.append(f"a preview shows 1 to {MAX_PREVIEW_CODES} codes, not {count!r}")
        code_template = self._template_or_problems(settings, problems)
        _raise_problems(f"Cannot preview template {template!r}", problems)
        in_use = self._codes_in_use(code_template)
        return {"template": template, "codes": distinct_codes(code_template, count),
                "combinations": code_template.combinations, "available": code_template.combinations - in_use,
                "length": code_template.length}

    @api.model
    def _template_or_problems(self, settings: dict, problems: list[str]) -> Template | None:
        template, template_problems = process_settings.build_template(
            settings, self._placeholder_specs(settings.get("placeholders")))
        problems.extend(template_problems)
        return template

    # -- start ---------------------------------------------------------------------------------------------
    @api.model
    def start(self, template: str, count: int, program_id: int | None = None, **options) -> dict:
        """Check every option at once, create the process and return its status (``next_action: 'step'``).

        Options: ``case``, ``exclude_lookalikes``, ``check_char``,
        ``placeholders``, ``active``, ``date_from``, ``date_to``, ``usage``
        (one_row, one_order, reusable), ``max_use``, ``partner_id``,
        ``description``, ``max_fill_ratio``.  Raises ValidationError listing
        every problem, including a request for more codes than remain.
        """
        self.check_access_rights("create")
        self.env["coupon.coupon"].check_access_rights("create")
        values = {**options, "template": template, "count": count, "program_id": program_id}
        settings, code_template, in_use = self._checked_settings(values)
        process = self.create(self._initial_values(settings, code_template, in_use))
        return process.status()

    @api.model
    def _checked_settings(self, values: dict) -> tuple[dict, Template, int]:
        settings, problems = process_settings.normalise(values)
        problems += self._reference_problems(settings)
        code_template = self._template_or_problems(settings, problems)
        in_use = 0
        if code_template is not None and not _count_invalid(settings["count"]):
            in_use = self._codes_in_use(code_template)
            problems += self._availability_problems(settings, code_template, in_use)
        _raise_problems(f"Cannot generate coupons from template {values.get('template')!r}", problems)
        return settings, code_template, in_use

    @api.model
    def _reference_problems(self, settings: dict) -> list[str]:
        problems = []
        program_id, partner_id = settings.get("program_id"), settings.get("partner_id")
        if not program_id:
            problems.append("a discount program is required: pass program_id")
        elif _is_id(program_id):
            program = self.env["coupon.program"].with_context(active_test=False).browse(program_id).exists()
            if not program:
                problems.append(f"discount program {program_id} does not exist")
            elif not program.active:
                problems.append(f"discount program {program.name!r} is archived: restore it or choose another")
        if partner_id and _is_id(partner_id) and not self.env["res.partner"].browse(partner_id).exists():
            problems.append(f"owner partner {partner_id} does not exist")
        return problems

    @api.model
    def _availability_problems(self, settings: dict, template: Template, in_use: int) -> list[str]:
        count, combinations = settings["count"], template.combinations
        available = combinations - in_use
        if count > available:
            return [f"not enough codes left: {count} requested, {available} available "
                    f"(the template has {combinations} combinations and {in_use} are already used): "
                    "request fewer codes or add placeholders"]
        problems = []
        ratio = settings["max_fill_ratio"]
        if in_use + count > combinations * ratio:
            problems.append(f"{count} more codes would fill {100 * (in_use + count) / combinations:.4g} % of the "
                            f"template's {combinations} combinations, above max_fill_ratio {ratio}: "
                            "add placeholders so that codes stay hard to guess")
        maximum = self._max_count()
        if count > maximum:
            problems.append(f"at most {maximum} codes can be generated by one process, not {count} "
                            f"(system parameter {MAX_COUNT_PARAM})")
        return problems

    @api.model
    def _max_count(self) -> int:
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_COUNT_PARAM)
        return int(value) if value and str(value).isdigit() else DEFAULT_MAX_COUNT

    @api.model
    def _initial_values(self, settings: dict, template: Template, in_use: int) -> dict:
        dense = (in_use + settings["count"]) > template.combinations * SPARSE_DENSITY
        strategy = "permutation" if dense and template.combinations <= MAX_SIZE else "random"
        return {"program_id": settings["program_id"], "template": settings["template"],
                "settings": {k: v for k, v in settings.items() if k != "count"},
                "requested_count": settings["count"], "strategy": strategy,
                "sampling_key": new_key().hex() if strategy == "permutation" else False}

    # -- step ----------------------------------------------------------------------------------------------
    def step(self, max_codes: int | None = None, max_seconds: float | None = None) -> dict:
        """Generate up to ``max_codes`` codes (tried, not only inserted) for about ``max_seconds`` at most.

        Returns the status with ``next_action`` ('step', 'finish' or None)
        and a ``step`` report (inserted, tried, seconds).  A process that is
        not running is left alone and its status returned.
        """
        self.ensure_one()
        self._check_generation_rights()
        codes_limit, seconds_limit = _step_limits(max_codes, max_seconds)
        lock_rows(self)
        if self.state != "running" or self.generated_count >= self.requested_count:
            return self.status()
        report = self._generate(codes_limit, seconds_limit)
        return {**self.status(), "step": report}

    def _check_generation_rights(self) -> None:
        self.check_access_rights("write")
        self.env["coupon.coupon"].check_access_rights("create")

    def _generate(self, codes_limit: int, seconds_limit: float) -> dict:
        template, coupon_values = self.code_template(), self._coupon_values()
        started, tried, inserted, conflict = time.monotonic(), 0, 0, False
        draw, strategy = self._sampler(template), self.strategy
        while self._missing() and tried < codes_limit and time.monotonic() - started < seconds_limit:
            if strategy != self.strategy:
                draw, strategy = self._sampler(template), self.strategy
            codes, used = draw(min(self._missing(), BATCH_CODES, codes_limit - tried))
            if not used:
                self._fail_exhausted(template)
                break
            try:
                new = insert_new_rows(self.env["coupon.coupon"], "code", codes, coupon_values)
            except WriteConflict:
                conflict = True  # end the step: committing lets the other writer go on
                break
            self._record_batch(template, used, new)
            tried, inserted = tried + used, inserted + new
        self.env.invalidate_all()
        return {"inserted": inserted, "tried": tried, "seconds": round(time.monotonic() - started, 3),
                "write_conflict": conflict}

    def _missing(self) -> int:
        return self.requested_count - self.generated_count

    def _sampler(self, template: Template):
        """``draw(n) -> (codes, numbers used)`` for the process's current strategy."""
        if self.strategy == "random":
            return lambda n: (list(dict.fromkeys(random_codes(template, n))), n)
        permutation = Permutation(template.combinations, bytes.fromhex(self.sampling_key))

        def draw(n: int) -> tuple[list[str], int]:
            end = min(self.cursor + n, template.combinations)
            return template.codes_at(permutation.apply(list(range(self.cursor, end)))), end - self.cursor
        return draw

    def _record_batch(self, template: Template, used: int, new: int) -> None:
        values = {"generated_count": self.generated_count + new, "last_step_at": fields.Datetime.now()}
        if self.strategy == "permutation":
            values["cursor"] = self.cursor + used
        elif new < used * (1 - SWITCH_COLLISION_RATE) and template.combinations <= MAX_SIZE:
            # The space turned dense (another process, manual codes): walk a permutation from now on.
            values.update(strategy="permutation", cursor=0, sampling_key=new_key().hex())
        self.write(values)

    def _fail_exhausted(self, template: Template) -> None:
        self.write({"state": "failed", "finished_at": fields.Datetime.now(), "error": (
            f"Template {self.template!r} has no free code left: all {template.combinations} combinations are used, "
            f"and {self.generated_count} of the {self.requested_count} requested codes were generated. "
            "Cancel this process (its codes stay) and start another one with more placeholders.")})

    def _coupon_values(self) -> dict:
        """The columns every coupon of this process gets; extend with ``_inherit`` for new coupon fields."""
        settings, now, uid = self.settings, fields.Datetime.now(), self.env.uid
        return {"program_id": self.program_id.id, "process_id": self.id, "active": settings["active"],
                "usage": settings["usage"], "max_use": settings["max_use"], "use_count": 0,
                "date_from": settings["date_from"], "date_to": settings["date_to"],
                "partner_id": settings["partner_id"] or None, "description": settings["description"] or None,
                "create_uid": uid, "create_date": now, "write_uid": uid, "write_date": now}

    # -- finish, cancel, retry, status -----------------------------------------------------------------
    def finish(self) -> dict:
        """Close a process that generated every requested code; calling it again changes nothing."""
        self.ensure_one()
        self._check_generation_rights()
        lock_rows(self)
        if self.state == "done":
            return self.status()
        if self.state != "running":
            raise UserError(f"Coupon process {self.id} is {self.state}: only a running process can be finished")
        if self._missing():
            raise UserError(f"Coupon process {self.id} has generated {self.generated_count} of "
                            f"{self.requested_count} codes: call step until next_action is 'finish', or cancel it")
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        return self.status()

    def cancel(self, archive_coupons: bool = False) -> dict:
        """Stop a running or failed process; its coupons stay (archived if ``archive_coupons``)."""
        self.ensure_one()
        self._check_generation_rights()
        lock_rows(self)
        if self.state in ("done", "cancelled"):
            raise UserError(f"Coupon process {self.id} is already {self.state}: "
                            "archive its coupons instead if they must not be used")
        self.write({"state": "cancelled", "finished_at": fields.Datetime.now()})
        if archive_coupons:
            self._archive_coupons()
        return self.status()

    def _archive_coupons(self) -> None:
        coupons = self.env["coupon.coupon"]
        table = schema.quote(self.env.cr.database, coupons._table)
        self.env.cr.execute(f"UPDATE {table} SET active = %s WHERE process_id = %s", (False, self.id))
        self.env.invalidate_all()

    def retry(self) -> dict:
        """Put a failed process back to running (after freeing codes, for instance); then call step.

        A permutation walk starts over with a new key, so codes freed since
        the failure are found again.
        """
        self.ensure_one()
        self._check_generation_rights()
        lock_rows(self)
        if self.state != "failed":
            raise UserError(f"Coupon process {self.id} is {self.state}: only a failed process can be retried")
        values = {"state": "running", "error": False, "finished_at": False}
        if self.strategy == "permutation":
            values.update(cursor=0, sampling_key=new_key().hex())
        self.write(values)
        return self.status()

    def status(self) -> dict:
        """Where the process stands and what to call next (``'step'``, ``'finish'`` or None)."""
        self.ensure_one()
        return {
            "process_id": self.id, "state": self.state, "template": self.template,
            "program_id": self.program_id.id, "requested": self.requested_count,
            "generated": self.generated_count, "progress": self.progress, "next_action": self._next_action(),
            "strategy": self.strategy, "started_at": fields.Datetime.to_string(self.started_at),
            "finished_at": fields.Datetime.to_string(self.finished_at),
            "last_step_at": fields.Datetime.to_string(self.last_step_at),
            "error": self.error or False, "stalled": self.stalled,
        }

    def _next_action(self) -> str | None:
        if self.state != "running":
            return None
        return "step" if self._missing() > 0 else "finish"

    def coupons_in_database(self) -> int:
        """How many coupons of this process the table holds (should equal ``generated``)."""
        self.ensure_one()
        return self.env["coupon.coupon"].with_context(active_test=False).search_count([("process_id", "=", self.id)])

    # -- export --------------------------------------------------------------------------------------------
    def export_csv(self, spreadsheet_safe: bool = False) -> str:
        """The process's coupons as CSV text with a header row (see ``write_csv``)."""
        buffer = io.StringIO()
        self.write_csv(buffer, spreadsheet_safe)
        return buffer.getvalue()

    @api.private
    def write_csv(self, stream, spreadsheet_safe: bool = False) -> int:
        """Write the coupons to ``stream`` in id order, a batch at a time; return the number of rows.

        ``spreadsheet_safe`` prefixes a quote to cells a spreadsheet would run
        as a formula (``=``, ``+``, ``-``, ``@``): safe to open, but no longer
        the exact codes.
        """
        self.ensure_one()
        self.env["coupon.coupon"].check_access_rights("read")
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        count = 0
        for row in self._export_rows():
            writer.writerow([_formula_safe(cell) for cell in row] if spreadsheet_safe else row)
            count += 1
        return count

    def _export_rows(self):
        coupons = self.env["coupon.coupon"]
        table = schema.quote(self.env.cr.database, coupons._table)
        sql = (f"SELECT id, code, active, date_from, date_to, usage, max_use, use_count, description FROM {table} "
               "WHERE process_id = %s AND id > %s ORDER BY id LIMIT %s")
        last_id, program = 0, self.program_id.name
        while True:
            rows = self.env.cr.execute(sql, (self.id, last_id, EXPORT_BATCH)).fetchall()
            for row in rows:
                yield _export_row(program, row, coupons._fields)
            if len(rows) < EXPORT_BATCH:
                return
            last_id = rows[-1][0]


def _export_row(program: str, row: tuple, coupon_fields: dict) -> list:
    _id, code, active, date_from, date_to, usage, max_use, use_count, description = row
    when = [fields.Datetime.to_string(coupon_fields["date_from"].from_column(value)) or "" for value in (
        date_from, date_to)]
    return [code, program, "true" if active else "false", *when, usage, max_use or 0, use_count or 0,
            description or ""]


def _formula_safe(cell):
    return "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _count_invalid(count) -> bool:
    return isinstance(count, bool) or not isinstance(count, int) or count <= 0


def _step_limits(max_codes, max_seconds) -> tuple[int, float]:
    codes = STEP_CODES if max_codes in (None, False) else max_codes
    seconds = STEP_SECONDS if max_seconds in (None, False) else max_seconds
    problems = []
    if isinstance(codes, bool) or not isinstance(codes, int) or codes <= 0:
        problems.append(f"max_codes must be a positive whole number, not {codes!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        problems.append(f"max_seconds must be a positive number, not {seconds!r}")
    _raise_problems("Cannot run the step", problems)
    return min(codes, MAX_STEP_CODES), min(float(seconds), MAX_STEP_SECONDS)


def _raise_problems(what: str, problems: list[str]) -> None:
    if problems:
        raise ValidationError(f"{what}: {'; '.join(problems)}", problems=problems)
