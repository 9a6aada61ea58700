"""Currencies (``res.currency``, ISO 4217, ``base.USD``...) and their dated rates; the company's currency.

A currency's ``rate`` is, as in Odoo 17, its latest rate on or before the context's ``date`` (today
without one) for the context's company, divided by the rate of the company currency (or of the
context's ``to_currency``): how many units of it one unit of that currency buys.  The value depends
on the context (``currency.with_context(date=...).rate``), so each date and company has its own
cached value.  ``_convert`` uses the rates of the date and company it is given.
"""
import math

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# The rate in force for each currency: the company's own rates before the shared ones, then the latest.
RATES_SQL = """SELECT c.id, (SELECT r.rate FROM res_currency_rate r
                             WHERE r.currency_id = c.id AND r.name <= %s
                               AND (r.company_id IS NULL OR r.company_id = %s)
                             ORDER BY (r.company_id IS NULL), r.name DESC LIMIT 1)
               FROM res_currency c WHERE c.id IN ({ids})"""


class ResCurrency(models.Model):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"
    _rec_names_search = ["name", "full_name"]
    _sql_constraints = [("unique_name", "unique(name)", "The currency code must be unique!")]

    name = fields.Char("Currency", size=3, required=True, help="Currency Code (ISO 4217)")
    full_name = fields.Char("Name")
    symbol = fields.Char(required=True, help="Currency sign, to be used when printing amounts.")
    iso_numeric = fields.Integer("Currency numeric code.")
    rate = fields.Float("Current Rate", compute="_compute_current_rate",
                        help="The rate of the currency to the currency of rate 1.")
    inverse_rate = fields.Float(compute="_compute_current_rate", help="The currency of rate 1 to this currency.")
    rate_string = fields.Char(compute="_compute_current_rate")
    rate_ids = fields.One2many("res.currency.rate", "currency_id", "Rates")
    rounding = fields.Float("Rounding Factor", digits=(12, 6), default=0.01)
    decimal_places = fields.Integer(compute="_compute_decimal_places")
    active = fields.Boolean()
    position = fields.Selection([("after", "After Amount"), ("before", "Before Amount")], default="after",
                                string="Symbol Position")
    date = fields.Date(compute="_compute_date")
    currency_unit_label = fields.Char("Currency Unit")
    currency_subunit_label = fields.Char("Currency Subunit")
    is_current_company_currency = fields.Boolean(compute="_compute_is_current_company_currency")

    def _get_rates(self, company, date) -> dict:
        """``{currency id: rate}`` in force at ``date`` for ``company`` (1.0 for a currency without rates),
        in one query."""
        if not self.ids:
            return {}
        sql = RATES_SQL.format(ids=", ".join(["%s"] * len(self.ids)))
        rows = self.env.cr.execute(sql, (fields.Date.to_string(date), company.id or None, *self.ids)).fetchall()
        return {currency_id: rate or 1.0 for currency_id, rate in rows}

    @api.depends("rate_ids.rate")
    @api.depends_context("to_currency", "date", "company", "company_id")
    def _compute_current_rate(self):
        date = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        company = self.env["res.company"].browse(self.env.context.get("company_id")) or self.env.company
        to_currency = self.browse(self.env.context.get("to_currency")) or company.currency_id
        rates = (self | to_currency)._get_rates(company, date)
        for currency in self:
            currency.rate = rates.get(currency.id, 1.0) / rates.get(to_currency.id, 1.0)
            currency.inverse_rate = 1 / currency.rate
            currency.rate_string = "" if currency == company.currency_id else \
                f"1 {to_currency.name} = {currency.rate:.6f} {currency.name}"

    @api.depends("rate_ids.name")
    def _compute_date(self):
        for currency in self:
            currency.date = currency.rate_ids[:1].name

    @api.depends_context("company")
    def _compute_is_current_company_currency(self):
        for currency in self:
            currency.is_current_company_currency = self.env.company.currency_id == currency

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

    @api.model
    def _get_conversion_rate(self, from_currency, to_currency, company=None, date=None) -> float:
        """How many units of ``to_currency`` one unit of ``from_currency`` buys at ``date`` for ``company``."""
        if from_currency == to_currency:
            return 1
        company = company or self.env.company
        date = date or fields.Date.context_today(self)
        return from_currency.with_company(company).with_context(
            to_currency=to_currency.id, date=fields.Date.to_string(date)).inverse_rate

    def _convert(self, from_amount: float, to_currency, company=None, date=None, round: bool = True) -> float:
        """``from_amount`` of this currency in ``to_currency`` at ``date``'s rates (of ``company``)."""
        source, target = self or to_currency, to_currency or self
        source.ensure_one()
        target.ensure_one()
        if not from_amount:
            return 0.0
        amount = from_amount * self._get_conversion_rate(source, target, company, date)
        return target.round(amount) if round else amount

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
