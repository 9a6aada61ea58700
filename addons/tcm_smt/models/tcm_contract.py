"""Contracts show their SMT subscription, so an operator finds a stuck one from the contract."""
from __future__ import annotations

from odoo import fields, models


class TcmContract(models.Model):
    _inherit = "tcm.contract"

    smt_subscription_ids = fields.One2many("tcm.smt.subscription", "contract_id", "SMT Subscription", copy=False)
