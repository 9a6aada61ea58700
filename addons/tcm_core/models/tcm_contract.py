"""Contracts: who subscribed to which product and package, and where the contract is in its life.

Every lifecycle operation (create, activate, suspend, reactivate, cancel)
changes the contract, sends its signal to the backend plugins and writes an
audit event, all inside one savepoint of the caller's transaction: when a
plugin's handler raises, none of it is kept, nor anything the plugins wrote,
nor the post-commit work they queued.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..backends import PAST_TENSE, get_pbe_info, send_event

_logger = logging.getLogger(__name__)

STATES = [("open", "Open"), ("suspended", "Suspended"), ("cancelled", "Cancelled")]
LIFECYCLE_CONTEXT = "tcm_lifecycle"
CREATE_GUARDED = ("state", "active", "date_cancelled", "date_suspended")
WRITE_GUARDED = CREATE_GUARDED + ("backend", "product_id", "date_created")
OPERATIONS = "action_activate, action_suspend, action_reactivate, action_cancel"


@dataclass(frozen=True)
class Transition:
    """What a lifecycle operation requires (``allowed`` states) and writes (``values``, ``stamp`` set to now)."""

    event: str
    allowed: tuple[str, ...]
    values: dict = field(default_factory=dict)
    stamp: str | None = None

    def values_now(self) -> dict:
        return {**self.values, self.stamp: fields.Datetime.now()} if self.stamp else dict(self.values)


TRANSITIONS = {t.event: t for t in (
    Transition("activate", ("open",), {"activated": True}),
    Transition("suspend", ("open",), {"state": "suspended"}, "date_suspended"),
    Transition("reactivate", ("suspended",), {"state": "open", "date_suspended": False}),
    Transition("cancel", ("open", "suspended"), {"state": "cancelled", "active": False}, "date_cancelled"),
)}

REFUSALS = {
    ("activate", "cancelled"): "Contract {name!r} is cancelled and cannot be activated: create a new contract "
                               "for the customer instead.",
    ("activate", "suspended"): "Contract {name!r} is suspended: reactivate it (action_reactivate) first.",
    ("suspend", "suspended"): "Contract {name!r} is already suspended: reactivate it (action_reactivate) to "
                              "reopen it.",
    ("suspend", "cancelled"): "Contract {name!r} is cancelled and cannot be suspended.",
    ("reactivate", "open"): "Contract {name!r} is not suspended: only suspended contracts can be reactivated.",
    ("reactivate", "cancelled"): "Contract {name!r} is cancelled and cannot be reactivated: create a new "
                                 "contract for the customer instead.",
    ("cancel", "cancelled"): "Contract {name!r} is already cancelled: there is nothing to cancel. Create a new "
                             "contract if the customer subscribes again.",
}


class TcmContract(models.Model):
    _name = "tcm.contract"
    _description = "TCM Contract"
    _order = "date_created desc, id desc"

    name = fields.Char(required=True, index=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True,
                                 default=lambda self: self.env.user.partner_id)
    user_id = fields.Many2one("res.users", "User", required=True, default=lambda self: self.env.uid,
                              help="The user the subscription is for.")
    product_id = fields.Many2one("tcm.product", "Product", required=True, ondelete="restrict", index=True)
    package_id = fields.Many2one("tcm.package", "Package", ondelete="restrict")
    backend = fields.Char(readonly=True, index=True,
                          help="The product's payment backend when the contract was created. It never changes "
                               "afterwards, because plugins keep their own data about the contract under it.")
    active = fields.Boolean(default=True, copy=False, help="False once the contract is cancelled.")
    activated = fields.Boolean(default=False, copy=False,
                               help="Whether the service is activated; backend plugins set it.")
    state = fields.Selection(STATES, required=True, default="open", copy=False)
    date_created = fields.Datetime("Created on", readonly=True, copy=False,
                                   default=lambda self: fields.Datetime.now())
    date_activated = fields.Datetime("Activated on", readonly=True, copy=False)
    date_suspended = fields.Datetime("Suspended since", readonly=True, copy=False)
    date_cancelled = fields.Datetime("Cancelled on", readonly=True, copy=False)
    event_ids = fields.One2many("tcm.contract.event", "contract_id", "History", copy=False)

    # -- creation ----------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Create contracts and send ``on_contract_create`` for each (see the module docstring)."""
        prepared = [self._prepare_create_vals(vals) for vals in vals_list]
        create = super().create
        return self._run_lifecycle("create", lambda: create(prepared))

    def _prepare_create_vals(self, vals: dict) -> dict:
        """Take the backend from the product; lifecycle fields are not the caller's to set."""
        vals = dict(vals)
        self._check_guarded(vals.get("name"), vals, CREATE_GUARDED)
        product = self._product_of(vals)
        if product:
            if vals.get("backend") and vals["backend"] != product.payment_backend:
                raise UserError(
                    f"Contract {vals.get('name')!r}: the backend comes from the product, and {product.name!r} "
                    f"uses {product.payment_backend!r}, not {vals['backend']!r}. Leave 'backend' out.")
            vals["backend"] = product.payment_backend
        return vals

    def _product_of(self, vals: dict):
        if not vals.get("product_id"):
            return None  # the required-field check names what is missing
        product = self.env["tcm.product"].browse(vals["product_id"]).exists()
        if not product:
            raise UserError(f"Contract {vals.get('name')!r}: product {vals['product_id']!r} does not exist; "
                            "pick an existing tcm.product.")
        return product

    # -- changes outside the lifecycle ---------------------------------------------------------------
    def write(self, vals):
        """Refuse lifecycle fields (use the action methods); stamp the activation date."""
        if not self.env.context.get(LIFECYCLE_CONTEXT):
            self._check_guarded(", ".join(self.mapped("name")), vals, WRITE_GUARDED)
        if vals.get("activated") and "date_activated" not in vals:
            vals = {**vals, "date_activated": fields.Datetime.now()}
        return super().write(vals)

    @staticmethod
    def _check_guarded(name: str | None, vals: dict, guarded: tuple[str, ...]) -> None:
        touched = [f for f in guarded if f in vals]
        if touched:
            raise UserError(
                f"Contract {name!r}: {', '.join(touched)} can only change through the lifecycle operations "
                f"({OPERATIONS}); to change the product, cancel the contract and create a new one.",
                contract=name, fields=touched)

    @api.constrains("package_id", "product_id")
    def _check_package_product(self) -> None:
        for contract in self:
            if contract.package_id and contract.package_id.product_id != contract.product_id:
                raise ValidationError(
                    f"Contract {contract.name!r}: package {contract.package_id.name!r} belongs to product "
                    f"{contract.package_id.product_id.name!r}, not {contract.product_id.name!r}; pick one of "
                    "the product's packages.")

    # -- lifecycle operations ------------------------------------------------------------------------
    def action_activate(self) -> bool:
        """Mark the contracts activated and send ``on_contract_activate``."""
        return self._transition("activate")

    def action_suspend(self) -> bool:
        """Suspend open contracts and send ``on_contract_suspend``."""
        return self._transition("suspend")

    def action_reactivate(self) -> bool:
        """Reopen suspended contracts and send ``on_contract_reactivate``."""
        return self._transition("reactivate")

    def action_cancel(self) -> bool:
        """Cancel the contracts (they become inactive) and send ``on_contract_cancel``."""
        return self._transition("cancel")

    def _transition(self, event: str) -> bool:
        transition = TRANSITIONS[event]
        for contract in self:
            refusal = contract._refusal(transition)
            if refusal:
                raise UserError(refusal, contract=contract.name, event=event)
        self._run_lifecycle(event, lambda: self._apply(transition.values_now()))
        return True

    def _refusal(self, transition: Transition) -> str | None:
        """Why this contract cannot go through ``transition`` (None when it can)."""
        if self.state not in transition.allowed:
            template = REFUSALS.get((transition.event, self.state),
                                    "Contract {name!r} is {state} and cannot be {verb}.")
            return template.format(name=self.name, state=self.state, verb=PAST_TENSE[transition.event])
        if transition.event == "activate" and self.activated:
            return f"Contract {self.name!r} is already activated: there is nothing to do."
        return None

    def _apply(self, values: dict):
        self.with_context(**{LIFECYCLE_CONTEXT: True}).write(values)
        return self

    def _run_lifecycle(self, event: str, change: Callable):
        """Run ``change`` (returning the contracts), tell the plugins and audit it: all or nothing."""
        cr = self.env.cr
        queued = len(cr.postcommit)
        try:
            with cr.savepoint():
                contracts = change()
                for contract in contracts:
                    contract._notify(event)
        except Exception:
            del cr.postcommit[queued:]
            self.env.invalidate_all()
            raise
        return contracts.with_env(self.env)

    def _notify(self, event: str) -> None:
        handled = send_event(event, self)
        self.env["tcm.contract.event"].sudo().create({
            "contract_id": self.id, "event": event, "backend": self.backend,
            "handled_by": ", ".join(handled) or False, "user_id": self.env.uid,
        })
        _logger.info("contract %s (%s, backend %s) %s; handled by %s", self.id, self.name, self.backend,
                     PAST_TENSE[event], ", ".join(handled) or "no plugin")

    # -- representation ------------------------------------------------------------------------------
    def get_representation(self) -> dict:
        """The contract as the seed's ``dict(contract)``: ``active``, ``activated``, ``name``, ``backend``.

        ``backend`` is what the backend's plugin makes of the contract (see
        ``backends.backend_representation``), or the plain backend name when no
        installed plugin provides one.  Works on exactly one contract.
        """
        if len(self) != 1:
            raise UserError(f"get_representation() works on one contract, got {len(self)}: call it per contract.")
        info = get_pbe_info(self.backend, self.env)
        return {"active": self.active, "activated": self.activated, "name": self.name,
                "backend": info(self) if info else self.backend}
