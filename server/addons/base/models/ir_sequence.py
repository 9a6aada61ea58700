"""Sequences: the numbers of documents (``INV/2024/0042``), as Odoo's ``ir.sequence``.

``next_by_code('sale.order')`` / ``next_by_id()`` give the next number, formatted with the
prefix and suffix (Odoo's ``%(year)s``, ``%(month)s``, ``%(range_year)s``... interpolation),
the padding and the increment.  Two implementations, as in Odoo:

* ``standard``: on PostgreSQL a database SEQUENCE (``ir_sequence_007``): fast, never blocks,
  and a number taken by a transaction that rolls back is lost (gaps);
* ``no_gap``: the counter in the sequence's row, incremented by one ``UPDATE ... RETURNING``
  that locks the row until the transaction ends: no gaps, concurrent callers wait in turn.

On SQLite, which has one writer at a time, both are that counter (and so have no gaps).
With ``use_date_range``, each period (by default a calendar year, created on first use) has a
counter of its own, and ``%(range_year)s`` is the period's year.
"""
import datetime as dt

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

DATE_KEYS = {"year": "%Y", "month": "%m", "day": "%d", "y": "%y", "doy": "%j", "woy": "%W", "weekday": "%w",
             "h24": "%H", "h12": "%I", "min": "%M", "sec": "%S"}


def interpolation_values(effective: dt.datetime, range_date: dt.datetime, now: dt.datetime) -> dict:
    """The names a prefix or suffix may use: ``year``..., ``range_year``..., ``current_year``..."""
    values = {}
    for key, fmt in DATE_KEYS.items():
        values[key] = effective.strftime(fmt)
        values[f"range_{key}"] = range_date.strftime(fmt)
        values[f"current_{key}"] = now.strftime(fmt)
    return values


def interpolate(template: str | bool, values: dict, sequence_name: str) -> str:
    if not template:
        return ""
    try:
        return template % values
    except (KeyError, ValueError, TypeError) as exc:
        raise UserError(f"Invalid prefix or suffix for sequence {sequence_name!r}: {template!r} ({exc})") from None


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return fields.Datetime().convert_to_cache(value, None) if value else dt.datetime.now()


class _Counter:
    """The number source behind a sequence or one of its date ranges (``table`` row ``id``)."""

    def __init__(self, record, pg_name: str):
        self.record = record
        self.pg_name = pg_name

    @property
    def uses_pg_sequence(self) -> bool:
        return self.record.env.cr.database.dialect == "postgresql" and self.implementation == "standard"

    @property
    def implementation(self) -> str:
        sequence = self.record if self.record._name == "ir.sequence" else self.record.sequence_id
        return sequence.implementation

    def create(self, number_next: int, increment: int) -> None:
        if self.uses_pg_sequence:
            self.record.env.cr.execute(f"CREATE SEQUENCE IF NOT EXISTS {self.pg_name} INCREMENT BY %s START WITH %s",
                                       (increment, number_next))

    def alter(self, number_next: int | None, increment: int) -> None:
        if not self.uses_pg_sequence:
            return
        self.create(number_next or 1, increment)
        restart = " RESTART WITH %s" if number_next is not None else ""
        params = (increment, number_next) if number_next is not None else (increment,)
        self.record.env.cr.execute(f"ALTER SEQUENCE {self.pg_name} INCREMENT BY %s{restart}", params)

    def drop(self) -> None:
        if self.record.env.cr.database.dialect == "postgresql":
            self.record.env.cr.execute(f"DROP SEQUENCE IF EXISTS {self.pg_name}")

    def next(self, increment: int) -> int:
        cr, record = self.record.env.cr, self.record
        if self.uses_pg_sequence:
            self.create(record.number_next, increment)
            return cr.execute(f"SELECT nextval('{self.pg_name}')").fetchone()[0]
        row = cr.execute(f"UPDATE {record._table} SET number_next = number_next + %s WHERE id = %s "
                         "RETURNING number_next", (increment, record.id)).fetchone()
        record.invalidate_recordset(["number_next"])
        return row[0] - increment

    def peek(self, increment: int) -> int:
        """The number the next call will give (Odoo's ``number_next_actual``)."""
        if not self.uses_pg_sequence:
            return self.record.number_next
        cr = self.record.env.cr
        if cr.execute("SELECT to_regclass(%s)", (self.pg_name,)).fetchone()[0] is None:
            return self.record.number_next
        last_value, is_called = cr.execute(f"SELECT last_value, is_called FROM {self.pg_name}").fetchone()
        return last_value + (increment if is_called else 0)


class IrSequence(models.Model):
    _name = "ir.sequence"
    _description = "Sequence"
    _order = "name, id"

    name = fields.Char(required=True)
    code = fields.Char("Sequence Code", index=True)
    implementation = fields.Selection([("standard", "Standard"), ("no_gap", "No gap")], required=True,
                                      default="standard")
    active = fields.Boolean(default=True)
    prefix = fields.Char(help="Prefix value of the record for the sequence", trim=False)
    suffix = fields.Char(help="Suffix value of the record for the sequence", trim=False)
    number_next = fields.Integer("Next Number", required=True, default=1)
    number_next_actual = fields.Integer("Actual Next Number", compute="_compute_number_next_actual")
    number_increment = fields.Integer("Step", required=True, default=1)
    padding = fields.Integer("Sequence Size", required=True, default=0)
    company_id = fields.Many2one("res.company", "Company")
    use_date_range = fields.Boolean("Use subsequences per date_range")
    date_range_ids = fields.One2many("ir.sequence.date_range", "sequence_id", "Subsequences")

    def _counter(self) -> _Counter:
        return _Counter(self, f"ir_sequence_{self.id:03d}")

    def _compute_number_next_actual(self):
        for sequence in self:
            sequence.number_next_actual = sequence._counter().peek(sequence.number_increment)

    @api.constrains("number_increment", "padding")
    def _check_numbers(self):
        for sequence in self:
            if sequence.number_increment == 0:
                raise ValidationError(f"Sequence {sequence.name!r}: the step cannot be 0")
            if sequence.padding < 0:
                raise ValidationError(f"Sequence {sequence.name!r}: the size cannot be negative")

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for sequence in records:
            sequence._counter().create(sequence.number_next, sequence.number_increment)
        return records

    def write(self, vals):
        result = super().write(vals)
        if {"number_next", "number_increment", "implementation"} & set(vals):
            for sequence in self:
                number_next = vals.get("number_next")
                if "implementation" in vals and number_next is None:
                    number_next = sequence.number_next
                sequence._counter().alter(number_next, sequence.number_increment)
                for date_range in sequence.date_range_ids:
                    date_range._counter().alter(None, sequence.number_increment)
        return result

    def unlink(self):
        counters = [s._counter() for s in self] + [r._counter() for r in self.mapped("date_range_ids")]
        result = super().unlink()
        for counter in counters:
            counter.drop()
        return result

    # -- numbers ------------------------------------------------------------------------------------
    def _next(self, sequence_date=None) -> str:
        """The next formatted number of this sequence (of its date range for ``sequence_date``)."""
        self.ensure_one()
        if not self.use_date_range:
            number = self._counter().next(self.number_increment)
            return self._format(number, self._effective_date(sequence_date), None)
        date = self._effective_date(sequence_date)
        date_range = self.env["ir.sequence.date_range"].sudo()._for_date(self, date.date())
        number = date_range._counter().next(self.number_increment)
        return self._format(number, date, _as_datetime(date_range.date_from))

    def _create_date_range_seq(self, date: dt.date):
        """A new range for ``date`` (Odoo's hook, addons override it): its calendar year, cut short by the
        neighbouring ranges."""
        self.ensure_one()
        ranges = self.env["ir.sequence.date_range"]
        start, end = dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
        before = ranges.search([("sequence_id", "=", self.id), ("date_to", "<", date),
                                ("date_to", ">=", start)], order="date_to desc", limit=1)
        after = ranges.search([("sequence_id", "=", self.id), ("date_from", ">", date),
                               ("date_from", "<=", end)], order="date_from", limit=1)
        if before:
            start = before.date_to + dt.timedelta(days=1)
        if after:
            end = after.date_from - dt.timedelta(days=1)
        return ranges.create({"sequence_id": self.id, "date_from": start, "date_to": end, "number_next": 1})

    def _effective_date(self, sequence_date) -> dt.datetime:
        chosen = sequence_date or self.env.context.get("ir_sequence_date")
        return _as_datetime(chosen) if chosen else dt.datetime.now()

    def _format(self, number: int, effective: dt.datetime, range_date: dt.datetime | None) -> str:
        range_date = range_date or _as_datetime(self.env.context.get("ir_sequence_date_range") or effective)
        values = interpolation_values(effective, range_date, dt.datetime.now())
        prefix = interpolate(self.prefix, values, self.name)
        suffix = interpolate(self.suffix, values, self.name)
        return f"{prefix}{number:0{self.padding}d}{suffix}" if self.padding else f"{prefix}{number}{suffix}"

    def get_next_char(self, number_next: int) -> str:
        """How ``number_next`` would be formatted today (no number is taken)."""
        return self._format(number_next, dt.datetime.now(), None)

    def next_by_id(self, sequence_date=None):
        """The next number of this sequence; False if it is archived."""
        self.check_access_rights("read")
        if not self.active:
            return False
        return self.sudo()._next(sequence_date)

    @api.model
    def next_by_code(self, sequence_code: str, sequence_date=None):
        """The next number of the sequence with ``sequence_code`` (the current company's first, then
        one without company); False if there is none."""
        self.check_access_rights("read")
        if not isinstance(sequence_code, str) or not sequence_code:
            raise ValidationError(f"next_by_code needs a sequence code, got {sequence_code!r}")
        company_ids = self.env.context.get("allowed_company_ids") or [self.env.company.id]
        candidates = self.sudo().search([("code", "=", sequence_code),
                                         ("company_id", "in", [*company_ids, False])], order="company_id, id")
        preferred = candidates.filtered(lambda s: s.company_id.id == company_ids[0]) or \
            candidates.filtered(lambda s: not s.company_id)
        if not preferred:
            return False
        return preferred[:1]._next(sequence_date)

    @api.model
    def get(self, code: str):
        """Odoo's deprecated alias of ``next_by_code``."""
        return self.next_by_code(code)

    @api.model
    def get_id(self, sequence_code_or_id, code_or_id="id"):
        """Odoo's deprecated ``get_id``: by id, or by code with ``code_or_id='code'``."""
        if code_or_id == "id":
            return self.browse(int(sequence_code_or_id)).next_by_id()
        return self.next_by_code(sequence_code_or_id)


class IrSequenceDateRange(models.Model):
    _name = "ir.sequence.date_range"
    _description = "Sequence Date Range"
    _rec_name = "sequence_id"
    _order = "date_from, id"

    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    sequence_id = fields.Many2one("ir.sequence", "Main Sequence", required=True, ondelete="cascade")
    number_next = fields.Integer("Next Number", required=True, default=1)
    number_next_actual = fields.Integer("Actual Next Number", compute="_compute_number_next_actual")

    def _counter(self) -> _Counter:
        return _Counter(self, f"ir_sequence_{self.sequence_id.id:03d}_{self.id:03d}")

    def _compute_number_next_actual(self):
        for date_range in self:
            date_range.number_next_actual = date_range._counter().peek(date_range.sequence_id.number_increment)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for date_range in self:
            if date_range.date_from > date_range.date_to:
                raise ValidationError("A sequence's date range must start before it ends")

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for date_range in records:
            date_range._counter().create(date_range.number_next, date_range.sequence_id.number_increment)
        return records

    def write(self, vals):
        result = super().write(vals)
        if "number_next" in vals:
            for date_range in self:
                date_range._counter().alter(vals["number_next"], date_range.sequence_id.number_increment)
        return result

    def unlink(self):
        counters = [r._counter() for r in self]
        result = super().unlink()
        for counter in counters:
            counter.drop()
        return result

    @api.model
    def _for_date(self, sequence, date: dt.date):
        """The range of ``sequence`` covering ``date``; a new one (``_create_date_range_seq``) if none does."""
        found = self.search([("sequence_id", "=", sequence.id), ("date_from", "<=", date), ("date_to", ">=", date)],
                            limit=1)
        return found or sequence.sudo()._create_date_range_seq(date)
