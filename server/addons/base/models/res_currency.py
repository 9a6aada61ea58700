"""Currencies (``res.currency``, ISO 4217, ``base.USD``...) and their dated rates; the company's currency.

A currency's ``rate`` is its latest rate on or before the context's ``date`` (1.0 without any):
how many units of it one unit of the company currency buys.  ``_convert`` goes through the
company currency, as Odoo does.
"""
import math

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ResCurrency(models.Model):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"
    _sql_constraints = [("unique_name", "unique(name)", "The currency code must be unique!")]

    name = fields.Char("Currency", size=3, required=True, help="Currency Code (ISO 4217)")
    full_name = fields.Char("Name")
    symbol = fields.Char(required=True, help="Currency sign, to be used when printing amounts.")
    iso_numeric = fields.Integer("Currency numeric code.")
    rate = fields.Float("Current Rate", compute="_compute_rate", digits=(12, 6))
    rate_ids = fields.One2many("res.currency.rate", "currency_id", "Rates")
    rounding = fields.Float("Rounding Factor", digits=(12, 6), default=0.01)
    decimal_places = fields.Integer(compute="_compute_decimal_places")
    active = fields.Boolean()
    position = fields.Selection([("after", "After Amount"), ("before", "Before Amount")], default="after",
                                string="Symbol Position")
    date = fields.Date(compute="_compute_date")
    currency_unit_label = fields.Char("Currency Unit")
    currency_subunit_label = fields.Char("Currency Subunit")

    def _latest_rate(self):
        """The rate record in force at the context's ``date`` for the context's company (or none)."""
        date = self.env.context.get("date") or fields.Date.today()
        company_id = self.env.context.get("company_id") or (self.env.company.id if self.env.uid else False)
        domain = [("currency_id", "=", self.id), ("name", "<=", date)]
        if company_id:
            domain += ["|", ("company_id", "=", False), ("company_id", "=", company_id)]
        return self.env["res.currency.rate"].sudo().search(domain, order="name desc, id desc", limit=1)

    def _compute_rate(self):
        for currency in self:
            latest = currency._latest_rate()
            currency.rate = latest.rate if latest else 1.0

    def _compute_date(self):
        for currency in self:
            latest = currency._latest_rate()
            currency.date = latest.name if latest else False

    def _compute_decimal_places(self):
        for currency in self:
            rounding = currency.rounding
            currency.decimal_places = max(0, int(math.ceil(math.log10(1 / rounding)))) if 0 < rounding < 1 else 0

    def round(self, amount: float) -> float:
        """``amount`` rounded to the currency's rounding factor (half away from zero, as Odoo)."""
        self.ensure_one()
        rounding = self.rounding or 0.01
        quotient = abs(amount) / rounding
        rounded = math.floor(quotient + 0.5 + 1e-9) * rounding
        return round(math.copysign(rounded, amount), self.decimal_places)

    def compare_amounts(self, amount1: float, amount2: float) -> int:
        difference = self.round(amount1 - amount2)
        return 0 if self.is_zero(difference) else (1 if difference > 0 else -1)

    def is_zero(self, amount: float) -> bool:
        return abs(self.round(amount)) < (self.rounding or 0.01) / 2

    def _convert(self, from_amount: float, to_currency, company=None, date=None, round: bool = True) -> float:
        """``from_amount`` of this currency in ``to_currency`` at ``date``'s rates (of ``company``)."""
        self.ensure_one()
        to_currency.ensure_one()
        if self == to_currency or not from_amount:
            result = from_amount
        else:
            # The rates themselves, not the ``rate`` field: computed values are cached per transaction,
            # whatever the context's date.
            context = {"date": date or fields.Date.today(), "company_id": (company or self.env.company).id}
            source = self.with_context(**context)._latest_rate()
            source = source.rate if source else 1.0
            target = to_currency.with_context(**context)._latest_rate()
            target = target.rate if target else 1.0
            result = from_amount * target / source
        return to_currency.round(result) if round else result

    @api.constrains("rounding")
    def _check_rounding(self):
        for currency in self:
            if currency.rounding <= 0:
                raise ValidationError(f"Currency {currency.name}: the rounding factor must be greater than 0")


class ResCurrencyRate(models.Model):
    _name = "res.currency.rate"
    _description = "Currency Rate"
    _order = "name desc, id desc"
    _sql_constraints = [("unique_name_per_day", "unique(name, currency_id, company_id)",
                         "Only one currency rate per day allowed!")]

    name = fields.Date("Date", required=True, index=True, default=lambda self: fields.Date.today())
    rate = fields.Float(digits=(12, 6), default=1.0, help="The rate of the currency to the company currency")
    currency_id = fields.Many2one("res.currency", "Currency", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", "Company")

    @api.constrains("rate")
    def _check_rate(self):
        for rate in self:
            if rate.rate <= 0:
                raise ValidationError("A currency rate must be greater than 0")


class ResCompany(models.Model):
    _inherit = "res.company"

    currency_id = fields.Many2one("res.currency", "Currency", default=lambda self: self._default_currency())

    def _default_currency(self):
        code = self.env.context.get("default_currency_code") or "EUR"
        return self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1).id \
            if "res.currency" in self.env else False

    @api.model
    def _init_currencies(self) -> None:
        """Give every company without a currency the one of its ``currency_code`` (base's data), active."""
        currencies = self.env["res.currency"].with_context(active_test=False)
        for company in self.with_context(active_test=False).search([("currency_id", "=", False)]):
            currency = currencies.search([("name", "=", company.currency_code or "EUR")], limit=1)
            if not currency:
                raise UserError(f"Company {company.name!r}: no currency {company.currency_code!r}")
            currency.write({"active": True})
            company.write({"currency_id": currency.id})
